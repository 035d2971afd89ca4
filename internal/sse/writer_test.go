package sse

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// recorder is a ResponseWriter whose body may be read while the ping
// goroutine writes to it.
type recorder struct {
	mu      sync.Mutex
	header  http.Header
	code    int
	body    bytes.Buffer
	flushes int
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.body.Write(p)
}

func (r *recorder) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushes++
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.body.String()
}

func TestGoldenEchoStream(t *testing.T) {
	// testdata/echo_stream.golden is the body of the reference server's
	// answer in /work/shared/golden/echo__stream.txt.
	want, err := os.ReadFile("testdata/echo_stream.golden")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Length", "12") // must not survive
	rec.Header().Set("X-Request-Id", "abc")  // must survive
	w := NewWriter(rec)
	defer w.Close()
	for _, err := range []error{
		w.Event("metadata", []byte(`{"run_id": "43ec2835-bf70-4a1a-85f6-183a3f3f3765"}`)),
		w.Event("data", []byte(`{"a":1,"b":[true,null,"x"],"c":{"d":"é"}}`)),
		w.End(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := rec.Body.String(); got != string(want) {
		t.Errorf("body\n got %q\nwant %q", got, want)
	}
	if rec.Code != http.StatusOK || !rec.Flushed {
		t.Errorf("status %d, flushed %v; want 200, true", rec.Code, rec.Flushed)
	}
	for _, h := range []struct{ key, want string }{
		{"Content-Type", "text/event-stream; charset=utf-8"},
		{"Cache-Control", "no-cache"},
		{"Connection", "keep-alive"},
		{"X-Accel-Buffering", "no"},
		{"Content-Length", ""},
		{"X-Request-Id", "abc"},
	} {
		if got := rec.Header().Get(h.key); got != h.want {
			t.Errorf("header %s = %q, want %q", h.key, got, h.want)
		}
	}
}

func TestEventFraming(t *testing.T) {
	for _, tt := range []struct {
		name, event, data, want string
	}{
		{"simple", "data", `{"a":1}`, "event: data\r\ndata: {\"a\":1}\r\n\r\n"},
		{"LF", "data", "a\nb", "event: data\r\ndata: a\r\ndata: b\r\n\r\n"},
		{"CRLF", "data", "a\r\nb", "event: data\r\ndata: a\r\ndata: b\r\n\r\n"},
		{"CR", "data", "a\rb", "event: data\r\ndata: a\r\ndata: b\r\n\r\n"},
		{"LFCR is two breaks", "data", "a\n\rb", "event: data\r\ndata: a\r\ndata: \r\ndata: b\r\n\r\n"},
		{"trailing newline", "data", "a\n", "event: data\r\ndata: a\r\ndata: \r\n\r\n"},
		{"blank lines kept", "data", "\n\n", "event: data\r\ndata: \r\ndata: \r\ndata: \r\n\r\n"},
		{"empty data", "data", "", "event: data\r\ndata: \r\n\r\n"},
		{"no name", "", "x", "data: x\r\n\r\n"},
		{"line breaks dropped from name", "da\r\nta\n", "x", "event: data\r\ndata: x\r\n\r\n"},
		{"error payload", "error", `{"status_code": 500, "message": "Internal Server Error"}`,
			"event: error\r\ndata: {\"status_code\": 500, \"message\": \"Internal Server Error\"}\r\n\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder()
			w := NewWriter(rec, WithPingInterval(0))
			defer w.Close()
			if err := w.Event(tt.event, []byte(tt.data)); err != nil {
				t.Fatal(err)
			}
			if got := rec.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			// Headers once, then the event.
			if rec.flushes != 2 {
				t.Errorf("%d flushes, want 2", rec.flushes)
			}
		})
	}
}

func TestPingFormat(t *testing.T) {
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 5, 1, 12, 0, 0, 123456000, time.UTC), ": ping - 2024-05-01 12:00:00.123456\r\n\r\n"},
		{time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC), ": ping - 2024-05-01 12:00:00.123456\r\n\r\n"},
		{time.Date(2024, 5, 1, 12, 0, 0, 1000, time.UTC), ": ping - 2024-05-01 12:00:00.000001\r\n\r\n"},
		{time.Date(2024, 5, 1, 12, 0, 0, 500000000, time.UTC), ": ping - 2024-05-01 12:00:00.500000\r\n\r\n"},
		// Python's str(datetime) leaves out a zero fraction.
		{time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), ": ping - 2024-05-01 12:00:00\r\n\r\n"},
		{time.Date(2024, 5, 1, 12, 0, 0, 999, time.UTC), ": ping - 2024-05-01 12:00:00\r\n\r\n"},
		// Always UTC.
		{time.Date(2024, 5, 1, 14, 30, 5, 0, time.FixedZone("CEST", 2*3600)), ": ping - 2024-05-01 12:30:05\r\n\r\n"},
	} {
		if got := string(appendPing(nil, tt.t)); got != tt.want {
			t.Errorf("appendPing(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

// The test runs in a synctest bubble: time is fake and starts at
// 2000-01-01 00:00:00 UTC, and synctest.Wait lets the ping goroutine finish
// whatever the clock made it do. If Close did not stop that goroutine,
// synctest.Test would fail.
func TestPingWhileIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		w := NewWriter(rec)
		defer w.Close()
		var want strings.Builder
		step := func(d time.Duration, add string) {
			t.Helper()
			time.Sleep(d)
			synctest.Wait()
			want.WriteString(add)
			if got := rec.String(); got != want.String() {
				t.Fatalf("at %v:\n got %q\nwant %q", time.Now().UTC().Format(time.TimeOnly), got, want.String())
			}
		}
		step(15*time.Second-time.Nanosecond, "")
		step(time.Nanosecond, ": ping - 2000-01-01 00:00:15\r\n\r\n")
		step(5*time.Second, "")
		if err := w.Event("data", []byte("1")); err != nil {
			t.Fatal(err)
		}
		want.WriteString("event: data\r\ndata: 1\r\n\r\n")
		// The stream was busy 10 s ago, so no ping at 00:00:30 …
		step(10*time.Second, "")
		// … but at 15 s after the event.
		step(5*time.Second, ": ping - 2000-01-01 00:00:35\r\n\r\n")
		step(15*time.Second, ": ping - 2000-01-01 00:00:50\r\n\r\n")
		if err := w.End(); err != nil {
			t.Fatal(err)
		}
		want.WriteString("event: end\r\n\r\n")
		// Nothing after end.
		step(time.Hour, "")
	})
}

func TestPingInterval(t *testing.T) {
	for _, tt := range []struct {
		name  string
		opts  []Option
		after time.Duration
		want  string
	}{
		{"disabled", []Option{WithPingInterval(0)}, 24 * time.Hour, ""},
		{"negative disables", []Option{WithPingInterval(-time.Second)}, 24 * time.Hour, ""},
		{"custom", []Option{WithPingInterval(1500 * time.Millisecond)}, 3 * time.Second,
			": ping - 2000-01-01 00:00:01.500000\r\n\r\n: ping - 2000-01-01 00:00:03\r\n\r\n"},
		{"last option wins", []Option{WithPingInterval(0), WithPingInterval(time.Minute)}, time.Minute,
			": ping - 2000-01-01 00:01:00\r\n\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder()
				w := NewWriter(rec, tt.opts...)
				defer w.Close()
				time.Sleep(tt.after)
				synctest.Wait()
				if got := rec.String(); got != tt.want {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			})
		})
	}
}

func TestFlushPerEvent(t *testing.T) {
	gotFirst := make(chan struct{})
	handlerErr := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := NewWriter(rw)
		defer w.Close()
		err := w.Event("data", []byte(`"first"`))
		if err == nil {
			// The second event is only written once the client has read
			// the first, which it can only do if the first was flushed.
			select {
			case <-gotFirst:
				err = w.Event("data", []byte("\"second\"\nline"))
			case <-r.Context().Done():
				err = r.Context().Err()
			}
		}
		if err == nil {
			err = w.End()
		}
		handlerErr <- err
	}))
	defer srv.Close()

	resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(`{"input":1}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, h := range []struct{ key, want string }{
		{"Content-Type", "text/event-stream; charset=utf-8"},
		{"Cache-Control", "no-cache"},
		{"X-Accel-Buffering", "no"},
	} {
		if got := resp.Header.Get(h.key); got != h.want {
			t.Errorf("header %s = %q, want %q", h.key, got, h.want)
		}
	}
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" || resp.ContentLength != -1 {
		t.Errorf("transfer encoding %v, content length %d; want chunked, -1", resp.TransferEncoding, resp.ContentLength)
	}

	var got []Event
	for ev, err := range Parse(resp.Body) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
		if len(got) == 1 {
			close(gotFirst)
		}
	}
	want := []Event{{Name: "data", Data: `"first"`}, {Name: "data", Data: "\"second\"\nline"}, {Name: "end"}}
	if !equalEvents(got, want) {
		t.Errorf("events %+v, want %+v", got, want)
	}
	if err := <-handlerErr; err != nil {
		t.Errorf("handler: %v", err)
	}
}

func TestWriteErrorAfterDisconnect(t *testing.T) {
	handlerErr := make(chan error, 1)
	var sticky error // a later call that did not return the first error; read after handlerErr
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := NewWriter(rw)
		defer w.Close()
		if err := w.Event("data", []byte("1")); err != nil {
			handlerErr <- err
			return
		}
		<-r.Context().Done() // the client has hung up
		// The first writes after that may still land in socket buffers;
		// the kernel reports the closed connection a little later.
		payload := bytes.Repeat([]byte("x"), 32<<10)
		var err error
		for i := 0; i < 1000 && err == nil; i++ {
			err = w.Event("data", payload)
		}
		if err != nil {
			if e := w.Event("data", []byte("2")); e != err {
				sticky = e
			} else if e := w.End(); e != err {
				sticky = e
			}
		}
		handlerErr <- err
	}))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	if line, err := br.ReadString('\n'); err != nil || line != "event: data\r\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	resp.Body.Close() // closes the connection mid-stream

	// Which error the kernel reports (EPIPE, ECONNRESET) varies; that
	// there is one, and that it sticks, does not.
	if err = <-handlerErr; err == nil {
		t.Fatal("writing to a disconnected client never failed")
	}
	if sticky != nil {
		t.Errorf("later call returned %v, want the sticky %v", sticky, err)
	}
}

// errWriter fails its writes after ok successful ones.
type errWriter struct {
	*recorder
	ok int
}

var errBroken = errors.New("broken pipe (test)")

func (w *errWriter) Write(p []byte) (int, error) {
	if w.ok == 0 {
		return 0, errBroken
	}
	w.ok--
	return w.recorder.Write(p)
}

// noFlushWriter hides every optional interface of the recorder.
type noFlushWriter struct{ rec *recorder }

func (w noFlushWriter) Header() http.Header         { return w.rec.Header() }
func (w noFlushWriter) Write(p []byte) (int, error) { return w.rec.Write(p) }
func (w noFlushWriter) WriteHeader(code int)        { w.rec.WriteHeader(code) }

// unwrapper is middleware that wraps a writer and exposes it through Unwrap,
// which ResponseController follows.
type unwrapper struct{ http.ResponseWriter }

func (u unwrapper) Unwrap() http.ResponseWriter { return u.ResponseWriter }

func TestStickyErrors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		rw      http.ResponseWriter
		wantErr error
		wantOK  int // successful Event calls before the failure
	}{
		{"write fails at once", &errWriter{recorder: newRecorder()}, errBroken, 0},
		{"write fails later", &errWriter{recorder: newRecorder(), ok: 2}, errBroken, 2},
		{"cannot flush", noFlushWriter{newRecorder()}, http.ErrNotSupported, 0},
		{"flush through Unwrap", unwrapper{newRecorder()}, nil, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWriter(tt.rw, WithPingInterval(0))
			defer w.Close()
			var first error
			n := 0
			for range 5 {
				if first = w.Event("data", []byte("x")); first != nil {
					break
				}
				n++
			}
			if n != tt.wantOK || !errors.Is(first, tt.wantErr) {
				t.Fatalf("%d events then %v; want %d then %v", n, first, tt.wantOK, tt.wantErr)
			}
			if first == nil {
				return
			}
			if err := w.Event("data", []byte("y")); err != first {
				t.Errorf("Event after failure = %v, want %v", err, first)
			}
			if err := w.End(); err != first {
				t.Errorf("End after failure = %v, want %v", err, first)
			}
		})
	}
}

// deadlineWriter records what SetWriteDeadline was called with.
type deadlineWriter struct {
	*recorder
	calls []time.Time
	err   error
}

func (w *deadlineWriter) SetWriteDeadline(t time.Time) error {
	w.calls = append(w.calls, t)
	return w.err
}

func TestWriteDeadline(t *testing.T) {
	errConn := errors.New("connection gone")
	for _, tt := range []struct {
		name    string
		err     error
		wantErr error
	}{
		{"lifted", nil, nil},
		{"not supported is fine", http.ErrNotSupported, nil},
		{"other errors stick", errConn, errConn},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dw := &deadlineWriter{recorder: newRecorder(), err: tt.err}
			w := NewWriter(dw, WithPingInterval(0))
			defer w.Close()
			if len(dw.calls) != 1 || !dw.calls[0].IsZero() {
				t.Errorf("SetWriteDeadline calls %v, want one with the zero time", dw.calls)
			}
			if err := w.Event("data", []byte("x")); !errors.Is(err, tt.wantErr) {
				t.Errorf("Event = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestEndAndClose(t *testing.T) {
	rec := newRecorder()
	w := NewWriter(rec)
	if err := w.End(); err != nil {
		t.Fatal(err)
	}
	if err := w.End(); !errors.Is(err, ErrClosed) {
		t.Errorf("second End = %v, want ErrClosed", err)
	}
	if err := w.Event("data", []byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Event after End = %v, want ErrClosed", err)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(w.Close) // concurrent and repeated Close is fine
	}
	wg.Wait()
	w.Close()
	if got, want := rec.String(), "event: end\r\n\r\n"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}

	w = NewWriter(newRecorder())
	w.Close()
	if err := w.Event("data", []byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Event after Close = %v, want ErrClosed", err)
	}
	if err := w.End(); !errors.Is(err, ErrClosed) {
		t.Errorf("End after Close = %v, want ErrClosed", err)
	}
}

// Events and pings from several goroutines must never interleave inside an
// event; run with -race.
func TestConcurrentEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		w := NewWriter(rec, WithPingInterval(time.Second))
		defer w.Close()
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 50 {
					if err := w.Event("data", []byte(strings.Repeat(string(rune('a'+g)), 10)+"\n"+string(rune('0'+i%10)))); err != nil {
						t.Error(err)
						return
					}
					time.Sleep(100 * time.Millisecond)
				}
			})
		}
		wg.Wait()
		time.Sleep(time.Second)
		synctest.Wait()

		var events, pings int
		for ev, err := range Parse(strings.NewReader(rec.String())) {
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case ev.Comment:
				pings++
			case ev.Name == "data" && len(ev.Data) == 12 && strings.Count(ev.Data, ev.Data[:1]) == 10 && ev.Data[10] == '\n':
				events++
			default:
				t.Errorf("mangled event %+v", ev)
			}
		}
		if events != 200 || pings != 1 {
			t.Errorf("%d events and %d pings, want 200 and 1", events, pings)
		}
	})
}

func BenchmarkWriter1000Events(b *testing.B) {
	payload := []byte(`{"content":"Bonjour","additional_kwargs":{},"response_metadata":{},"type":"AIMessageChunk","name":null,"id":"run-8e3c","example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null,"tool_call_chunks":[]}`)
	for _, bb := range []struct {
		name string
		opts []Option
	}{
		{"pings", nil},
		{"no-pings", []Option{WithPingInterval(0)}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				w := NewWriter(rec, bb.opts...)
				for range 1000 {
					if err := w.Event("data", payload); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.End(); err != nil {
					b.Fatal(err)
				}
				w.Close()
			}
		})
	}
}
