package sse

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

func equalEvents(a, b []Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// collect drains a Parse iterator; err is the error of the last pair.
func collect(t *testing.T, r io.Reader) (events []Event, err error) {
	t.Helper()
	for ev, e := range Parse(r) {
		if err != nil {
			t.Fatalf("pair after the error %v: %+v, %v", err, ev, e)
		}
		if e != nil {
			err = e
			continue
		}
		events = append(events, ev)
	}
	return events, err
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []Event
	}{
		{"CRLF", "event: metadata\r\ndata: {\"run_id\": \"x\"}\r\n\r\nevent: data\r\ndata: 2\r\n\r\nevent: end\r\n\r\n",
			[]Event{{"metadata", `{"run_id": "x"}`, false}, {"data", "2", false}, {"end", "", false}}},
		{"LF", "event: data\ndata: 2\n\nevent: end\n\n", []Event{{"data", "2", false}, {"end", "", false}}},
		{"CR", "event: data\rdata: 2\r\revent: end\r\r", []Event{{"data", "2", false}, {"end", "", false}}},
		{"mixed", "event: data\r\ndata: 1\n\revent: end\r\n\n", []Event{{"data", "1", false}, {"end", "", false}}},
		{"multi-line data", "event: data\r\ndata: a\r\ndata: \r\ndata: b\r\n\r\n", []Event{{"data", "a\n\nb", false}}},
		{"ping comment", ": ping - 2024-05-01 12:00:00.123456\r\n\r\nevent: end\r\n\r\n",
			[]Event{{"", "ping - 2024-05-01 12:00:00.123456", true}, {"end", "", false}}},
		{"comment inside event", "event: data\r\n:hi\r\ndata: 1\r\n\r\n", []Event{{"", "hi", true}, {"data", "1", false}}},
		{"bare colon comment", ":\n\n", []Event{{"", "", true}}},
		{"no space after colon", "event:data\ndata:1\n\n", []Event{{"data", "1", false}}},
		{"only one space removed", "data:  two\n\n", []Event{{"", " two", false}}},
		{"colon in value", "data: {\"a\":1}\n\n", []Event{{"", `{"a":1}`, false}}},
		{"field without colon", "event: x\ndata\ndata\n\n", []Event{{"x", "\n", false}}},
		{"data without event", "data: 1\n\n", []Event{{"", "1", false}}},
		{"id and retry ignored", "id: 7\nretry: 100\nevent: data\ndata: 1\n\nid: 8\n\n", []Event{{"data", "1", false}}},
		{"unknown field ignored", "foo: bar\nevent: x\n\n", []Event{{"x", "", false}}},
		{"extra blank lines", "\r\n\r\nevent: data\r\ndata: 1\r\n\r\n\r\n", []Event{{"data", "1", false}}},
		{"later event field wins", "event: a\nevent: b\ndata: 1\n\n", []Event{{"b", "1", false}}},
		{"byte order mark", "\uFEFFevent: data\ndata: 1\n\n", []Event{{"data", "1", false}}},
		{"empty", "", nil},
		{"final CR terminates", "event: end\r\r", []Event{{"end", "", false}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []struct {
				name string
				r    io.Reader
			}{
				{"whole", strings.NewReader(tt.in)},
				{"byte by byte", iotest.OneByteReader(strings.NewReader(tt.in))},
			} {
				got, err := collect(t, r.r)
				if err != nil {
					t.Fatalf("%s: %v", r.name, err)
				}
				if !equalEvents(got, tt.want) {
					t.Errorf("%s: got %+v, want %+v", r.name, got, tt.want)
				}
			}
		})
	}
}

func TestParseTruncated(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []Event
	}{
		{"inside a line", "event: data\r\ndata: 1\r\n\r\nevent: data\r\nda", []Event{{"data", "1", false}}},
		{"no blank line", "event: data\r\ndata: 1\r\n\r\nevent: data\r\ndata: 2\r\n", []Event{{"data", "1", false}}},
		{"half a CRLF pair is a line end, but the event is open", "event: end\r", nil},
		{"unterminated comment", ": ping", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, strings.NewReader(tt.in))
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error %v, want io.ErrUnexpectedEOF", err)
			}
			if !equalEvents(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseReadError(t *testing.T) {
	errRead := errors.New("connection reset (test)")
	r := io.MultiReader(strings.NewReader("event: data\ndata: 1\n\nevent: data\n"), iotest.ErrReader(errRead))
	got, err := collect(t, r)
	if !errors.Is(err, errRead) {
		t.Errorf("error %v, want %v", err, errRead)
	}
	if want := []Event{{"data", "1", false}}; !equalEvents(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseLongLine(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	got, err := collect(t, strings.NewReader("event: data\ndata: "+long+"\n\n"))
	if err != nil || len(got) != 1 || got[0].Data != long {
		t.Fatalf("got %d events, %v", len(got), err)
	}
}

func TestParseStopsEarly(t *testing.T) {
	r := &countingReader{r: iotest.OneByteReader(strings.NewReader("event: a\n\nevent: b\n\nevent: c\n\n"))}
	var got []Event
	for ev, err := range Parse(r) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
		break
	}
	if want := []Event{{"a", "", false}}; !equalEvents(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	// Reading stopped right after the first event.
	if r.n != len("event: a\n\n") {
		t.Errorf("read %d bytes, want %d", r.n, len("event: a\n\n"))
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// The reference server's /chat/stream answer (testdata/chat_stream.golden,
// from /work/shared/golden/chat__stream.txt).
func TestParseGoldenChatStream(t *testing.T) {
	f, err := os.Open("testdata/chat_stream.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := collect(t, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 3 || got[0].Name != "metadata" || !strings.HasPrefix(got[0].Data, `{"run_id": "`) || got[len(got)-1] != (Event{Name: "end"}) {
		t.Fatalf("unexpected event sequence %+v", got)
	}
	var text strings.Builder
	for _, ev := range got[1 : len(got)-1] {
		if ev.Name != "data" || len(ev.Data) < 2 || ev.Data[0] != '"' {
			t.Fatalf("unexpected event %+v", ev)
		}
		text.WriteString(ev.Data[1 : len(ev.Data)-1])
	}
	if want := "Bonjour le monde, ceci est une réponse fixe."; text.String() != want {
		t.Errorf("chunks join to %q, want %q", text.String(), want)
	}
}

// Whatever the Writer writes, Parse reads back (with line breaks in data
// normalized to "\n").
func TestWriterParseRoundTrip(t *testing.T) {
	events := []Event{
		{"metadata", `{"run_id": "r"}`, false},
		{"data", "line 1\r\nline 2\rline 3\n", false},
		{"data", "", false},
		{"", "no name", false},
	}
	rec := newRecorder()
	w := NewWriter(rec, WithPingInterval(0))
	defer w.Close()
	for _, ev := range events {
		if err := w.Event(ev.Name, []byte(ev.Data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.End(); err != nil {
		t.Fatal(err)
	}
	got, err := collect(t, strings.NewReader(rec.String()))
	if err != nil {
		t.Fatal(err)
	}
	want := append(events[:len(events):len(events)], Event{Name: "end"})
	want[1].Data = "line 1\nline 2\nline 3\n"
	if !equalEvents(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// smallReads returns at most n bytes per Read, as a network body does.
type smallReads struct {
	r io.Reader
	n int
}

func (s smallReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

// BenchmarkParseLongLine reads one 4 MiB data line (a stream_log patch
// holding whole documents) arriving in 4 KiB reads.
func BenchmarkParseLongLine(b *testing.B) {
	body := "event: data\r\ndata: " + strings.Repeat("x", 4<<20) + "\r\n\r\nevent: end\r\n\r\n"
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		for _, err := range Parse(smallReads{strings.NewReader(body), 4 << 10}) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
