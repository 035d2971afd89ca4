package wire

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

// reply is the fixed answer of the reference server's fake chat models.
const reply = "Bonjour le monde, ceci est une réponse fixe."

// streamer runs a runnable erased to a stream of any, with extra options.
type streamer func(ctx context.Context, input json.RawMessage, opts ...runnable.Option) iter.Seq2[any, error]

// streamOf erases r: the request's input is decoded into I.
func streamOf[I, O any](r runnable.Runnable[I, O]) streamer {
	return func(ctx context.Context, input json.RawMessage, opts ...runnable.Option) iter.Seq2[any, error] {
		return func(yield func(any, error) bool) {
			var in I
			if err := json.Unmarshal(input, &in); err != nil {
				yield(nil, err)
				return
			}
			for v, err := range r.Stream(ctx, in, opts...) {
				if !yield(v, err) || err != nil {
					return
				}
			}
		}
	}
}

// The reference routes of the golden transcripts, rebuilt from this
// module's runnables.
func translatePrompt() *prompt.ChatTemplate {
	return prompt.MustChat(prompt.Human("Translate to {language}: {text}"))
}

type typedIn struct {
	Name  string `json:"name"`
	Times int    `json:"times"`
}

type typedOut struct {
	Greeting string `json:"greeting"`
	Length   int    `json:"length"`
}

var errFail = errors.New("this route always fails")

var routes = map[string]func() streamer{
	"echo": func() streamer {
		return streamOf(runnable.Lambda("echo", func(_ context.Context, in any) (any, error) { return in, nil }))
	},
	"chat": func() streamer {
		return streamOf(runnable.Pipe3(translatePrompt(), chatmodel.Fake(reply), parser.String()))
	},
	"chatv1": func() streamer {
		return streamOf(runnable.Pipe3(translatePrompt(), chatmodel.Fake(reply), parser.String()))
	},
	"chatmsg": func() streamer {
		return streamOf(runnable.Pipe(translatePrompt(), chatmodel.Fake(reply)))
	},
	"conf": func() streamer {
		return streamOf(runnable.Pipe3(translatePrompt(), chatmodel.FakeList(reply), parser.String()))
	},
	"fail": func() streamer {
		return streamOf(runnable.Lambda("fail", func(context.Context, any) (any, error) { return nil, errFail }))
	},
	"typed": func() streamer {
		return streamOf(runnable.Lambda("typed", func(_ context.Context, in typedIn) (typedOut, error) {
			parts := make([]string, in.Times)
			for i := range parts {
				parts[i] = "Hello, " + in.Name + "!"
			}
			g := strings.Join(parts, " ")
			return typedOut{Greeting: g, Length: len([]rune(g))}, nil
		}))
	},
	"retriever": func() streamer {
		info := runnable.Info{Name: "TinyRetriever", Type: runnable.RetrieverRun, Metadata: map[string]any{"ls_retriever_name": "tiny"}}
		return streamOf(runnable.NewInvoker(info, func(_ context.Context, q string) ([]schema.Document, error) {
			if !strings.Contains(q, "cats") {
				return []schema.Document{}, nil
			}
			return []schema.Document{{PageContent: "cats like to sleep", Metadata: map[string]any{"id": 1, "source": "a"}}}, nil
		}))
	},
}

// golden is one recorded exchange.
type golden struct {
	route, endpoint string
	request         struct {
		Input json.RawMessage `json:"input"`
		Filter
	}
	data  []string // the payloads of the "data" events, in order
	final string   // "end" or "error"
}

func (g *golden) UnmarshalRequest(b []byte) error {
	var req struct {
		Input        json.RawMessage `json:"input"`
		IncludeNames []string        `json:"include_names"`
		IncludeTypes []string        `json:"include_types"`
		IncludeTags  []string        `json:"include_tags"`
		ExcludeNames []string        `json:"exclude_names"`
		ExcludeTypes []string        `json:"exclude_types"`
		ExcludeTags  []string        `json:"exclude_tags"`
	}
	if err := json.Unmarshal(b, &req); err != nil {
		return err
	}
	g.request.Input = req.Input
	g.request.Filter = Filter{req.IncludeNames, req.IncludeTypes, req.IncludeTags, req.ExcludeNames, req.ExcludeTypes, req.ExcludeTags}
	return nil
}

// readGolden parses testdata/<name>: the request body and the SSE events.
func readGolden(t testing.TB, name string) *golden {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	route, endpoint, _ := strings.Cut(strings.TrimSuffix(name, ".txt"), "__")
	g := &golden{route: route, endpoint: endpoint}
	req, resp, ok := strings.Cut(text, "### RESPONSE")
	if !ok {
		t.Fatalf("%s: no response section", name)
	}
	_, body, _ := strings.Cut(req, "\n\n")
	if err := g.UnmarshalRequest([]byte(strings.TrimSpace(body))); err != nil {
		t.Fatalf("%s: request: %v", name, err)
	}
	_, sse, ok := strings.Cut(resp, "\r\n\r\n")
	if !ok {
		// Headers end with a bare LF in the recording; the SSE body uses CRLF.
		idx := strings.Index(resp, "\n\nevent:")
		if idx < 0 {
			t.Fatalf("%s: no SSE body", name)
		}
		sse = resp[idx+2:]
	}
	if i := strings.Index(sse, "event:"); i > 0 {
		sse = sse[i:]
	}
	for block := range strings.SplitSeq(sse, "\r\n\r\n") {
		if strings.TrimSpace(block) == "" {
			continue
		}
		var event, data string
		for line := range strings.SplitSeq(block, "\r\n") {
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				event = v
			} else if v, ok := strings.CutPrefix(line, "data: "); ok {
				data = v
			}
		}
		switch event {
		case "data":
			g.data = append(g.data, data)
		case "end", "error":
			g.final = event
		}
	}
	if g.final == "" {
		t.Fatalf("%s: no end or error event", name)
	}
	return g
}

// replay runs the golden's route through a LogStream or EventStream the way
// serve does, and returns the emitted payloads and the stream's error.
func replay(t testing.TB, g *golden, version string) ([]string, error) {
	t.Helper()
	newRoute, ok := routes[g.route]
	if !ok {
		t.Fatalf("no route %q", g.route)
	}
	var out []string
	emit := func(b []byte) error {
		out = append(out, string(b))
		return nil
	}
	var h runnable.Handler
	var ls *LogStream
	var es *EventStream
	var input any
	if err := json.Unmarshal(g.request.Input, &input); err != nil {
		t.Fatal(err)
	}
	endpoint := strings.SplitN(g.endpoint, "_", 3)
	if endpoint[1] == "log" {
		ls = NewLogStream(g.request.Filter, emit)
		h = ls
	} else {
		es = NewEventStream(version, g.request.Filter, input, emit)
		h = es
	}
	md := map[string]any{
		"__useragent":          "curl/7.88.1",
		"__langserve_version":  "0.3.3",
		"__langserve_endpoint": "stream_" + endpoint[1],
	}
	var streamErr error
	for chunk, err := range newRoute()(t.Context(), g.request.Input,
		runnable.WithRunName("/"+g.route), runnable.WithMetadata(md), runnable.WithCallbacks(h)) {
		if err != nil {
			streamErr = err
			break
		}
		if ls != nil {
			ls.Output(chunk)
		}
	}
	if ls != nil && ls.Err() != nil {
		t.Fatalf("LogStream: %v", ls.Err())
	}
	if es != nil && es.Err() != nil {
		t.Fatalf("EventStream: %v", es.Err())
	}
	return out, streamErr
}

var (
	messageIDRE = regexp.MustCompile(`"run-[0-9a-f-]+"`)
	timeRE      = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00`)
	uuidRE      = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// masker replaces what differs from run to run: message ids, timestamps,
// and run ids, which are numbered by first appearance so that references
// between events (parent_ids, log entry ids) are still compared.
type masker map[string]string

func (m masker) mask(s string) string {
	s = messageIDRE.ReplaceAllString(s, `"<msgid>"`)
	s = timeRE.ReplaceAllString(s, "<time>")
	return uuidRE.ReplaceAllStringFunc(s, func(u string) string {
		if id, ok := m[u]; ok {
			return id
		}
		id := fmt.Sprintf("<id%d>", len(m)+1)
		m[u] = id
		return id
	})
}

// keyOrders lists, for every JSON object in doc, its keys in order, except
// run metadata, whose order comes from Python dict insertion (Go maps are
// written sorted).
func keyOrders(t testing.TB, doc string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var out []string
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			var keys []string
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				keys = append(keys, k.(string))
				if err := walk(path + "/" + k.(string)); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			if !strings.HasSuffix(path, "/metadata") && !strings.HasSuffix(path, "/logs") {
				out = append(out, path+": "+strings.Join(keys, ","))
			}
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s/%d", path, i)); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(""); err != nil {
		t.Fatalf("key order of %s: %v", doc, err)
	}
	return out
}

func decode(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

// comparePayloads compares two event streams one payload at a time: after
// masking, as JSON values, and by the key order of their objects.
func comparePayloads(t *testing.T, want, got []string) {
	t.Helper()
	wm, gm := masker{}, masker{}
	for i := range max(len(want), len(got)) {
		if i >= len(want) {
			t.Fatalf("extra payload %d: %s", i, got[i])
		}
		if i >= len(got) {
			t.Fatalf("missing payload %d: %s", i, want[i])
		}
		w, g := wm.mask(want[i]), gm.mask(got[i])
		if !reflect.DeepEqual(decode(t, w), decode(t, g)) {
			t.Fatalf("payload %d differs:\nwant %s\ngot  %s", i, w, g)
		}
		if wk, gk := keyOrders(t, w), keyOrders(t, g); !reflect.DeepEqual(wk, gk) {
			t.Fatalf("payload %d key order differs:\nwant %q\ngot  %q\n(%s)", i, wk, gk, g)
		}
	}
}

// applyPatches applies RunLogPatch documents in order to an empty state,
// as the Python and JS clients do, and returns the final state.
func applyPatches(t *testing.T, patches []string) any {
	t.Helper()
	// All ops in one patch: applying them in one pass is the same as
	// applying each RunLogPatch in turn, without re-parsing the state.
	var all []json.RawMessage
	for i, p := range patches {
		var body struct {
			Ops []json.RawMessage `json:"ops"`
		}
		if err := json.Unmarshal([]byte(p), &body); err != nil {
			t.Fatalf("patch %d: %v", i, err)
		}
		all = append(all, body.Ops...)
	}
	ops, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	patch, err := jsonpatch.DecodePatch(ops)
	if err != nil {
		t.Fatal(err)
	}
	opts := jsonpatch.NewApplyOptions()
	opts.EnsurePathExistsOnAdd = false
	doc, err := patch.ApplyWithOptions([]byte("null"), opts)
	if err != nil {
		t.Fatalf("apply patches: %v", err)
	}
	s := string(doc)
	s = messageIDRE.ReplaceAllString(s, `"<msgid>"`)
	s = timeRE.ReplaceAllString(s, "<time>")
	s = uuidRE.ReplaceAllString(s, "<id>")
	return decode(t, s)
}

func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		file    string
		version string
	}{
		{"echo__stream_log.txt", ""},
		{"echo__stream_events.txt", "v2"},
		{"typed__stream_log.txt", ""},
		{"typed__stream_events.txt", "v2"},
		{"retriever__stream_log.txt", ""},
		{"retriever__stream_events.txt", "v2"},
		{"fail__stream_log.txt", ""},
		{"fail__stream_events.txt", "v2"},
		{"chat__stream_log.txt", ""},
		{"chat__stream_log_include_names.txt", ""},
		{"chat__stream_log_include_types.txt", ""},
		{"chat__stream_events.txt", "v2"},
		{"chat__stream_events_include_types.txt", "v2"},
		{"chatmsg__stream_log.txt", ""},
		{"chatmsg__stream_events.txt", "v2"},
		{"chatv1__stream_log.txt", ""},
		{"chatv1__stream_events.txt", "v1"},
		{"conf__stream_log.txt", ""},
		{"conf__stream_events.txt", "v2"},
	} {
		t.Run(strings.TrimSuffix(tt.file, ".txt"), func(t *testing.T) {
			g := readGolden(t, tt.file)
			got, err := replay(t, g, tt.version)
			if (err != nil) != (g.final == "error") {
				t.Fatalf("stream error = %v, golden ends with %q", err, g.final)
			}
			comparePayloads(t, g.data, got)
			if strings.Contains(g.endpoint, "log") {
				want, have := applyPatches(t, g.data), applyPatches(t, got)
				if !reflect.DeepEqual(want, have) {
					w, _ := json.Marshal(want)
					h, _ := json.Marshal(have)
					t.Errorf("final state differs:\nwant %s\ngot  %s", w, h)
				}
			}
		})
	}
}

// TestGoldenBytes checks that, ids and times aside, the payloads are
// byte-identical to the reference server's wherever no Go map is written
// (run metadata is written with sorted keys).
func TestGoldenBytes(t *testing.T) {
	for _, file := range []string{"echo__stream_events.txt", "typed__stream_log.txt", "chat__stream_log_include_types.txt"} {
		g := readGolden(t, file)
		got, _ := replay(t, g, "v2")
		wm, gm := masker{}, masker{}
		for i := range g.data {
			if w, h := wm.mask(g.data[i]), gm.mask(got[i]); w != h {
				t.Errorf("%s payload %d:\nwant %s\ngot  %s", file, i, w, h)
			}
		}
	}
}
