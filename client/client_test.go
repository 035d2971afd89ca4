package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/langserve-go/langserve/client"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
	"github.com/langserve-go/langserve/serve"
)

// words streams the words of its input and the spaces between them as
// separate chunks, like the reference fake chat model.
func words() *runnable.Gen[string, string] {
	return runnable.Generator("words", func(ctx context.Context, in iter.Seq2[string, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			text, err := runnable.Collect(in)
			if err != nil {
				yield("", err)
				return
			}
			for i, w := range strings.Fields(text) {
				if i > 0 && !yield(" ", nil) {
					return
				}
				if !yield(w, nil) {
					return
				}
			}
		}
	})
}

var upper = runnable.Lambda("upper", func(_ context.Context, s string) (string, error) { return strings.ToUpper(s), nil })

// chain is upper | words: a sequence with two inner runs.
func chain() runnable.Runnable[string, string] { return runnable.Pipe(upper, words()) }

func newRemote[I, O any](t *testing.T, srv *httptest.Server, path string, opts *client.Options) *client.Remote[I, O] {
	t.Helper()
	if opts == nil {
		opts = &client.Options{}
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = srv.Client()
	}
	r, err := client.New[I, O](srv.URL+path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNew(t *testing.T) {
	for _, tt := range []struct {
		url, name, err string
		opts           *client.Options
	}{
		{url: "http://127.0.0.1:8000/chat", name: "/chat"},
		{url: "http://127.0.0.1:8000/chat/", name: "/chat"},
		{url: "https://example.com/a/b/c/N4XyA", name: "/a/b/c/N4XyA"},
		{url: "http://127.0.0.1:8000", name: "RemoteRunnable"},
		{url: "http://127.0.0.1:8000/", name: "RemoteRunnable"},
		{url: "", err: "scheme must be http or https"},
		{url: "ftp://host/chat", err: "scheme must be http or https"},
		{url: "127.0.0.1:8000/chat", err: "invalid base URL"},
		{url: "http:///chat", err: "has no host"},
		{url: "http://host/chat?x=1", err: "has a query"},
		{url: "http://host/chat#top", err: "has a fragment"},
		{url: "http://host/chat/invoke", err: `ends with the endpoint "invoke"`},
		{url: "http://host/chat/stream_log/", err: `ends with the endpoint "stream_log"`},
		{url: "http://host/chat/playground/", err: `ends with the endpoint "playground"`},
		{url: "http://user:secret@host/chat/invoke", err: "user:xxxxx@host"},
		{url: "http://host/chat", opts: &client.Options{Timeout: -time.Second}, err: "negative timeout"},
	} {
		t.Run(tt.url, func(t *testing.T) {
			r, err := client.New[any, any](tt.url, tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Describe(); got.Name != tt.name || got.Type != runnable.ChainRun {
				t.Errorf("Describe() = %+v, want name %q", got, tt.name)
			}
		})
	}
}

type greetIn struct {
	Name  string `json:"name"`
	Times int    `json:"times"`
}

type greetOut struct {
	Greeting string `json:"greeting"`
	Length   int    `json:"length"`
}

var greet = runnable.Lambda("greet", func(_ context.Context, in greetIn) (greetOut, error) {
	g := strings.TrimSpace(strings.Repeat("Hello, "+in.Name+"! ", in.Times))
	return greetOut{g, len(g)}, nil
})

func TestInvoke(t *testing.T) {
	srv := serveRunnable(t, "/greet", greet, nil)
	remote := newRemote[greetIn, greetOut](t, srv, "/greet", nil)
	var col runnable.Collector
	got, err := remote.Invoke(t.Context(), greetIn{"Ada", 2}, runnable.WithCallbacks(&col))
	if err != nil {
		t.Fatal(err)
	}
	if want := (greetOut{"Hello, Ada! Hello, Ada!", 23}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	evs := col.Events()
	if len(evs) != 2 || evs[0].Kind != runnable.EventStart || evs[0].Name != "/greet" ||
		evs[0].Input != (greetIn{"Ada", 2}) || evs[1].Kind != runnable.EventEnd || evs[1].Output != got {
		t.Errorf("events %+v", evs)
	}
}

// seen reports the config a served runnable ran with.
var seen = runnable.Lambda("seen", func(ctx context.Context, in int) (map[string]any, error) {
	c := runnable.ConfigFrom(ctx)
	tags := slices.Clone(c.Tags)
	slices.Sort(tags)
	if tags == nil {
		tags = []string{}
	}
	return map[string]any{"in": in, "tags": tags, "k": c.Metadata["k"]}, nil
})

func TestConfigSent(t *testing.T) {
	srv := serveRunnable(t, "/seen", seen, &serve.Options{ConfigKeys: []string{"tags", "metadata"}})
	remote := newRemote[int, map[string]any](t, srv, "/seen", nil)
	ctx := runnable.ContextWithConfig(t.Context(), runnable.Config{Tags: []string{"outer"}})
	got, err := remote.Invoke(ctx, 1, runnable.WithTags("call"), runnable.WithMetadata(map[string]any{"k": "v"}),
		runnable.WithRunName("local name"), runnable.WithConfigurable(map[string]any{"fn": func() {}}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"in": 1.0, "tags": []any{"call", "outer"}, "k": "v"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("server ran with %v, want %v", got, want)
	}

	_, err = remote.Invoke(t.Context(), 1, runnable.WithMetadata(map[string]any{"ch": make(chan int)}))
	if err == nil || !strings.Contains(err.Error(), `metadata "ch"`) {
		t.Errorf("unencodable metadata: error %v", err)
	}
}

func TestBatch(t *testing.T) {
	var requests atomic.Int32
	var bodies sync.Map
	srv := serveRunnable(t, "/seen", seen, &serve.Options{ConfigKeys: []string{"tags"}})
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		b, _ := io.ReadAll(r.Body)
		bodies.Store(n, string(b))
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, srv.URL+r.URL.Path, strings.NewReader(string(b)))
		req.Header = r.Header
		resp, err := srv.Client().Do(req)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer counting.Close()
	remote := newRemote[int, map[string]any](t, counting, "/seen", nil)
	ctx := t.Context()

	t.Run("order and one config", func(t *testing.T) {
		n := requests.Load()
		got, err := remote.Batch(ctx, []int{1, 2, 3, 4, 5}, runnable.WithTags("all"))
		if err != nil {
			t.Fatal(err)
		}
		for i, out := range got {
			if out["in"] != float64(i+1) || !reflect.DeepEqual(out["tags"], []any{"all"}) {
				t.Errorf("output %d = %v", i, out)
			}
		}
		body, _ := bodies.Load(n + 1)
		if !strings.Contains(body.(string), `"config":{"tags":["all"],`) || requests.Load() != n+1 {
			t.Errorf("%d requests, body %s", requests.Load()-n, body)
		}
	})
	t.Run("config per input", func(t *testing.T) {
		got, err := remote.BatchConfigs(ctx, []int{1, 2, 3},
			[]runnable.Config{{Tags: []string{"a"}}, {Tags: []string{"b"}}, {}}, runnable.WithTags("all"))
		if err != nil {
			t.Fatal(err)
		}
		want := [][]any{{"a", "all"}, {"all", "b"}, {"all"}}
		for i, out := range got {
			if out["in"] != float64(i+1) || !reflect.DeepEqual(out["tags"], want[i]) {
				t.Errorf("output %d = %v, want tags %v", i, out, want[i])
			}
		}
	})
	t.Run("empty", func(t *testing.T) {
		n := requests.Load()
		got, err := remote.Batch(ctx, nil)
		if err != nil || got == nil || len(got) != 0 || requests.Load() != n {
			t.Errorf("got %v, %v after %d requests", got, err, requests.Load()-n)
		}
	})
	t.Run("config count mismatch", func(t *testing.T) {
		n := requests.Load()
		_, err := remote.BatchConfigs(ctx, []int{1, 2}, []runnable.Config{{}})
		if err == nil || !strings.Contains(err.Error(), "2 inputs with 1 configs") || requests.Load() != n {
			t.Errorf("error %v", err)
		}
	})
	t.Run("runs", func(t *testing.T) {
		var col runnable.Collector
		if _, err := remote.Batch(ctx, []int{7, 8}, runnable.WithCallbacks(&col)); err != nil {
			t.Fatal(err)
		}
		var kinds []string
		ids := map[string]bool{}
		for _, ev := range col.Events() {
			kinds = append(kinds, ev.Kind.String())
			ids[ev.RunID.String()] = true
		}
		if !slices.Equal(kinds, []string{"start", "start", "end", "end"}) || len(ids) != 2 {
			t.Errorf("events %v over %d runs", kinds, len(ids))
		}
	})
}

var errBoom = errors.New("boom")

func TestBatchFailure(t *testing.T) {
	half := runnable.Lambda("half", func(_ context.Context, n int) (int, error) {
		if n%2 != 0 {
			return 0, errBoom
		}
		return n / 2, nil
	})
	srv := serveRunnable(t, "/half", half, nil)
	remote := newRemote[int, int](t, srv, "/half", nil)
	var col runnable.Collector
	_, err := remote.Batch(t.Context(), []int{2, 3}, runnable.WithCallbacks(&col))
	e, ok := errors.AsType[*client.Error](err)
	if !ok || e.Status != 500 {
		t.Fatalf("error %v", err)
	}
	failed := 0
	for _, ev := range col.Events() {
		if ev.Kind == runnable.EventError && errors.Is(ev.Err, e) {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("%d runs failed with the answer, want both", failed)
	}
}

func TestValidationError(t *testing.T) {
	srv := serveRunnable(t, "/greet", greet, nil)
	remote := newRemote[any, any](t, srv, "/greet", nil)
	check := func(t *testing.T, err error) {
		t.Helper()
		e, ok := errors.AsType[*client.Error](err)
		if !ok || e.Status != http.StatusUnprocessableEntity {
			t.Fatalf("error %v, want a 422 *client.Error", err)
		}
		detail, ok := e.Detail.([]any)
		if !ok || len(detail) == 0 {
			t.Fatalf("detail %#v, want pydantic errors", e.Detail)
		}
		if first, _ := detail[0].(map[string]any); first["loc"] == nil || first["msg"] == nil {
			t.Errorf("detail %#v", detail[0])
		}
		if !strings.Contains(e.Body, `"detail"`) {
			t.Errorf("body %q", e.Body)
		}
	}
	t.Run("invoke", func(t *testing.T) {
		_, err := remote.Invoke(t.Context(), "not an object")
		check(t, err)
	})
	t.Run("stream", func(t *testing.T) {
		n := 0
		var err error
		for _, e := range remote.Stream(t.Context(), 42) {
			n++
			err = e
		}
		if n != 1 {
			t.Errorf("%d pairs, want only the error", n)
		}
		check(t, err)
	})
}

func TestStream(t *testing.T) {
	srv := serveRunnable(t, "/words", words(), nil)
	remote := newRemote[string, string](t, srv, "/words", nil)
	var col runnable.Collector
	var got []string
	for chunk, err := range remote.Stream(t.Context(), "the quick brown fox", runnable.WithCallbacks(&col)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, chunk)
	}
	want := []string{"the", " ", "quick", " ", "brown", " ", "fox"}
	if !slices.Equal(got, want) {
		t.Errorf("chunks %q, want %q", got, want)
	}
	var streamed []any
	evs := col.Events()
	for _, ev := range evs {
		if ev.Kind == runnable.EventStream {
			streamed = append(streamed, ev.Chunk)
		}
	}
	last := evs[len(evs)-1]
	if len(streamed) != len(want) || last.Kind != runnable.EventEnd || last.Output != "the quick brown fox" {
		t.Errorf("run reported %d chunks, then %v %v", len(streamed), last.Kind, last.Output)
	}
}

func TestStreamErrorAfterChunks(t *testing.T) {
	flaky := runnable.Generator("flaky", func(ctx context.Context, in iter.Seq2[int, error]) iter.Seq2[int, error] {
		return func(yield func(int, error) bool) {
			_ = yield(1, nil) && yield(2, nil) && yield(0, errBoom)
		}
	})
	srv := serveRunnable(t, "/flaky", flaky, nil)
	remote := newRemote[int, int](t, srv, "/flaky", nil)
	var col runnable.Collector
	var got []int
	var err error
	for chunk, e := range remote.Stream(t.Context(), 0, runnable.WithCallbacks(&col)) {
		if e != nil {
			err = e
			break
		}
		got = append(got, chunk)
	}
	e, ok := errors.AsType[*client.Error](err)
	if !slices.Equal(got, []int{1, 2}) || !ok || e.Status != 500 || e.Body != "Internal Server Error" {
		t.Fatalf("chunks %v, error %v", got, err)
	}
	evs := col.Events()
	if last := evs[len(evs)-1]; last.Kind != runnable.EventError || !errors.Is(last.Err, e) {
		t.Errorf("run ended with %v %v", last.Kind, last.Err)
	}
}

// blocking streams two chunks, then waits for the request to be cancelled
// and reports the cause on its channel. The server stops taking chunks
// early when the client went away before the second one; its run still
// ends only when the request is cancelled.
func blocking() (runnable.Runnable[string, string], chan error) {
	cancelled := make(chan error, 1)
	g := runnable.Generator("blocking", func(ctx context.Context, in iter.Seq2[string, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			_ = yield("a", nil) && yield("b", nil)
			cancelled <- ctxDone(ctx)
		}
	})
	return g, cancelled
}

func TestStreamEarlyBreak(t *testing.T) {
	g, cancelled := blocking()
	srv := serveRunnable(t, "/blocking", g, nil)
	remote := newRemote[string, string](t, srv, "/blocking", nil)
	var col runnable.Collector
	n := 0
	for _, err := range remote.Stream(t.Context(), "x", runnable.WithCallbacks(&col)) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 2 {
			break
		}
	}
	// The server's run only ends when its context is cancelled, which
	// happens when the client closes the connection.
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Errorf("server run ended with %v, want context.Canceled", err)
	}
	evs := col.Events()
	if last := evs[len(evs)-1]; last.Kind != runnable.EventError || !errors.Is(last.Err, runnable.ErrStreamStopped) {
		t.Errorf("local run ended with %v %v", last.Kind, last.Err)
	}
}

func TestStreamCancel(t *testing.T) {
	g, cancelled := blocking()
	srv := serveRunnable(t, "/blocking", g, nil)
	remote := newRemote[string, string](t, srv, "/blocking", nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var got []string
	var err error
	for chunk, e := range remote.Stream(ctx, "x") {
		if e != nil {
			err = e
			break
		}
		got = append(got, chunk)
		cancel()
	}
	if !errors.Is(err, context.Canceled) || len(got) == 0 || len(got) > 2 {
		t.Errorf("chunks %q, error %v", got, err)
	}
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Errorf("server run ended with %v, want context.Canceled", err)
	}
}

func TestStreamLog(t *testing.T) {
	srv := serveRunnable(t, "/chain", chain(), nil)
	remote := newRemote[string, string](t, srv, "/chain", nil)
	ctx := t.Context()
	want, err := remote.Invoke(ctx, "hello big world")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		filter *client.LogFilter
		logs   []string
	}{
		{"all", nil, []string{"upper", "words"}},
		{"include names", &client.LogFilter{IncludeNames: []string{"words"}}, []string{"words"}},
		{"include nothing", &client.LogFilter{IncludeNames: []string{}}, nil},
		{"exclude types", &client.LogFilter{ExcludeTypes: []string{"chain"}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var col runnable.Collector
			var log client.RunLog
			for p, err := range remote.StreamLog(ctx, "hello big world", tt.filter, runnable.WithCallbacks(&col)) {
				if err != nil {
					t.Fatal(err)
				}
				if err := log.Apply(p); err != nil {
					t.Fatal(err)
				}
			}
			st, err := log.State()
			if err != nil {
				t.Fatal(err)
			}
			if string(st.FinalOutput) != `"`+want+`"` || st.Name != "/chain" || st.Type != "chain" || st.ID == "" {
				t.Errorf("state %s %s %s final %s, want final %q", st.ID, st.Name, st.Type, st.FinalOutput, want)
			}
			var streamed strings.Builder
			for _, c := range st.StreamedOutput {
				streamed.WriteString(strings.Trim(string(c), `"`))
			}
			if streamed.String() != want {
				t.Errorf("streamed output adds up to %q", streamed.String())
			}
			var keys []string
			for k, e := range st.Logs {
				keys = append(keys, k)
				if e.Name != k || e.EndTime == "" || e.StartTime == "" || len(e.FinalOutput) == 0 {
					t.Errorf("log %s: %+v", k, e)
				}
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tt.logs) {
				t.Errorf("logs %v, want %v", keys, tt.logs)
			}
			evs := col.Events()
			if last := evs[len(evs)-1]; last.Kind != runnable.EventEnd || last.Output != want {
				t.Errorf("local run ended with %v %v", last.Kind, last.Output)
			}
		})
	}
}

func TestStreamEvents(t *testing.T) {
	srv := serveRunnable(t, "/chain", chain(), nil)
	remote := newRemote[string, string](t, srv, "/chain", nil)
	var col runnable.Collector
	var evs []client.StreamEvent
	for ev, err := range remote.StreamEvents(t.Context(), "a b", nil, runnable.WithCallbacks(&col)) {
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	first, last := evs[0], evs[len(evs)-1]
	if first.Event != "on_chain_start" || first.Name != "/chain" || first.ParentIDs == nil || len(first.ParentIDs) != 0 ||
		last.Event != "on_chain_end" || last.RunID != first.RunID || string(last.Data) != `{"output":"A B"}` {
		t.Fatalf("first %+v\nlast %+v", first, last)
	}
	var inner []string
	var chunks strings.Builder
	for _, ev := range evs {
		if ev.RunID == first.RunID {
			if ev.Event == "on_chain_stream" {
				chunks.Write(ev.Data)
			}
			continue
		}
		if !slices.Equal(ev.ParentIDs, []string{first.RunID}) {
			t.Errorf("%s of %s: parents %v", ev.Event, ev.Name, ev.ParentIDs)
		}
		if ev.Event == "on_chain_start" {
			inner = append(inner, ev.Name)
		}
	}
	if !slices.Equal(inner, []string{"upper", "words"}) {
		t.Errorf("inner runs %v", inner)
	}
	if chunks.String() != `{"chunk":"A"}{"chunk":" "}{"chunk":"B"}` {
		t.Errorf("root chunks %s", chunks.String())
	}
	if out := col.Events(); out[len(out)-1].Output != "A B" {
		t.Errorf("local run ended with %v", out[len(out)-1].Output)
	}

	// Filters are the server's business; the client sends them as set.
	for _, tt := range []struct {
		name   string
		filter *client.EventFilter
		want   []string
	}{
		{"include tags", &client.EventFilter{IncludeTags: []string{"seq:step:1"}}, []string{"upper"}},
		{"include names", &client.EventFilter{IncludeNames: []string{"words", "/chain"}}, []string{"/chain", "words"}},
		{"exclude names", &client.EventFilter{ExcludeNames: []string{"upper"}}, []string{"/chain", "words"}},
		{"include nothing", &client.EventFilter{IncludeTypes: []string{}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var names []string
			for ev, err := range remote.StreamEvents(t.Context(), "a b", tt.filter) {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(names, ev.Name) {
					names = append(names, ev.Name)
				}
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("events of %v, want %v", names, tt.want)
			}
		})
	}
}

func TestPipe(t *testing.T) {
	srv := serveRunnable(t, "/words", words(), nil)
	remote := newRemote[string, string](t, srv, "/words", nil)
	count := runnable.Lambda("count", func(_ context.Context, s string) (int, error) { return len(s), nil })
	seq := runnable.Pipe3(upper, remote, count)

	var col runnable.Collector
	n, err := seq.Invoke(t.Context(), "go is fun", runnable.WithCallbacks(&col))
	if err != nil || n != 9 {
		t.Fatalf("Invoke = %d, %v", n, err)
	}
	parents := map[string]string{}
	ids := map[string]string{}
	for _, ev := range col.Events() {
		if ev.Kind != runnable.EventStart {
			continue
		}
		ids[ev.RunID.String()] = ev.Name
		if len(ev.ParentIDs) > 0 {
			parents[ev.Name] = ids[ev.ParentIDs[len(ev.ParentIDs)-1].String()]
		}
	}
	if want := map[string]string{"upper": "RunnableSequence", "/words": "RunnableSequence", "count": "RunnableSequence"}; !reflect.DeepEqual(parents, want) {
		t.Errorf("parents %v, want %v", parents, want)
	}

	var got []int
	for c, err := range runnable.Pipe(remote, count).Stream(t.Context(), "a bc") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if !slices.Equal(got, []int{4}) {
		t.Errorf("Stream yielded %v", got)
	}
}

func TestForwardEvents(t *testing.T) {
	srv := serveRunnable(t, "/chain", chain(), nil)
	remote := newRemote[string, string](t, srv, "/chain", &client.Options{ForwardEvents: true})
	count := runnable.Lambda("count", func(_ context.Context, s string) (int, error) { return len(s), nil })
	var col runnable.Collector
	got, err := runnable.Collect(runnable.Pipe(remote, count).Stream(t.Context(), "x yz", runnable.WithCallbacks(&col)))
	if err != nil || got != 4 {
		t.Fatalf("got %d, %v", got, err)
	}
	names := map[string]string{}
	var lines []string
	for _, ev := range col.Events() {
		names[ev.RunID.String()] = ev.Name
		var parents []string
		for _, p := range ev.ParentIDs {
			parents = append(parents, names[p.String()])
		}
		line := fmt.Sprintf("%s %s %v", ev.Kind, ev.Name, parents)
		if ev.Kind == runnable.EventStream {
			line += fmt.Sprintf(" %q", ev.Chunk)
		}
		lines = append(lines, line)
	}
	// The remote chain's runs appear inside the run of the remote call,
	// in the order the server reported them.
	want := []string{
		`start RunnableSequence []`,
		`start /chain [RunnableSequence]`,
		`start upper [RunnableSequence /chain]`,
		`stream upper [RunnableSequence /chain] "X YZ"`,
		`start words [RunnableSequence /chain]`,
		`end upper [RunnableSequence /chain]`,
		`stream words [RunnableSequence /chain] "X"`,
		`stream /chain [RunnableSequence] "X"`,
		`start count [RunnableSequence]`,
		`stream words [RunnableSequence /chain] " "`,
		`stream /chain [RunnableSequence] " "`,
		`stream words [RunnableSequence /chain] "YZ"`,
		`stream /chain [RunnableSequence] "YZ"`,
		`end words [RunnableSequence /chain]`,
		`end /chain [RunnableSequence]`,
		`stream count [RunnableSequence] '\x04'`,
		`stream RunnableSequence [] '\x04'`,
		`end count [RunnableSequence]`,
		`end RunnableSequence []`,
	}
	if !slices.Equal(lines, want) {
		t.Errorf("events\n got %s\nwant %s", strings.Join(lines, "\n     "), strings.Join(want, "\n     "))
	}
}

var retriever = runnable.NewLambda(runnable.Info{Name: "docs", Type: runnable.RetrieverRun},
	func(_ context.Context, q string) ([]schema.Document, error) {
		return []schema.Document{{PageContent: q + " sleep", Metadata: map[string]any{"source": "a"}}}, nil
	})

var cite = runnable.Lambda("cite", func(ctx context.Context, docs []schema.Document) (string, error) {
	runnable.DispatchCustomEvent(ctx, "progress", map[string]any{"docs": len(docs)})
	return docs[0].PageContent + " [" + docs[0].Metadata["source"].(string) + "]", nil
})

// fakeLLM is a text LLM that streams its prompt back word by word.
type fakeLLM struct{}

func (fakeLLM) Describe() runnable.Info {
	return runnable.Info{Name: "FakeLLM", Type: runnable.LLMRun}
}

func (l fakeLLM) Invoke(ctx context.Context, in string, opts ...runnable.Option) (string, error) {
	return runnable.Collect(l.Stream(ctx, in, opts...))
}

func (l fakeLLM) Stream(ctx context.Context, in string, opts ...runnable.Option) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		_, run := runnable.StartRun(ctx, l.Describe(), in, opts...)
		for i, w := range strings.Fields(in) {
			if i > 0 {
				w = " " + w
			}
			run.Chunk(w)
			if !yield(w, nil) {
				run.Fail(runnable.ErrStreamStopped)
				return
			}
		}
		run.End(in)
	}
}

func (l fakeLLM) Batch(ctx context.Context, ins []string, opts ...runnable.Option) ([]string, error) {
	return runnable.BatchOf(ctx, l, ins, opts...)
}

// TestProxy serves a Remote with ForwardEvents: the stream_events of the
// proxy are those of the server behind it, up to the root's name and id.
func TestProxy(t *testing.T) {
	translate := runnable.Pipe3(prompt.MustChat(prompt.Human("Translate to {language}: {text}")), chatmodel.Fake("Bonjour le monde"), parser.String())
	for _, tt := range []struct {
		name  string
		r     runnable.Runnable[any, any]
		input any
	}{
		{"lambda and generator", runnable.Retype[any, any](chain()), "a b"},
		{"prompt, chat model, parser", runnable.Retype[any, any](translate),
			map[string]any{"language": "French", "text": "hello"}},
		{"retriever and custom event", runnable.Retype[any, any](runnable.Pipe(retriever, cite)), "cats"},
		{"text LLM", runnable.Retype[any, any](runnable.Pipe(upper, fakeLLM{})), "a b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			backend := serveRunnable(t, "/backend", tt.r, nil)
			direct := newRemote[any, any](t, backend, "/backend", nil)
			forwarding := newRemote[any, any](t, backend, "/backend", &client.Options{ForwardEvents: true})
			proxy := serveRunnable(t, "/proxy", forwarding, nil)
			front := newRemote[any, any](t, proxy, "/proxy", nil)

			lines := func(r *client.Remote[any, any]) []string {
				// Run ids become the order in which the runs started, and
				// the root's name is left out: it is the route's path.
				var out []string
				ids := map[string]int{}
				id := func(s string) int {
					if _, ok := ids[s]; !ok {
						ids[s] = len(ids)
					}
					return ids[s]
				}
				for ev, err := range r.StreamEvents(t.Context(), tt.input, nil) {
					if err != nil {
						t.Fatal(err)
					}
					run, name := id(ev.RunID), ev.Name
					if run == 0 {
						name = "ROOT"
					}
					var parents []int
					for _, p := range ev.ParentIDs {
						parents = append(parents, id(p))
					}
					data := string(ev.Data)
					for s, n := range ids {
						data = strings.ReplaceAll(data, s, fmt.Sprint("#", n))
					}
					out = append(out, fmt.Sprintf("%s %s %d %v %v %v %s", ev.Event, name, run, parents, ev.Tags, ev.Metadata, data))
				}
				return out
			}
			want, got := lines(direct), lines(front)
			if len(want) < 5 || !slices.Equal(got, want) {
				t.Errorf("through the proxy\n%s\ndirect\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestForwardEventsFailure(t *testing.T) {
	failing := runnable.Generator("failing", func(ctx context.Context, in iter.Seq2[string, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for s, err := range in {
				if err != nil || !yield(s, nil) {
					return
				}
			}
			yield("", errBoom)
		}
	})
	srv := serveRunnable(t, "/failing", runnable.Pipe(upper, failing), nil)
	remote := newRemote[string, string](t, srv, "/failing", &client.Options{ForwardEvents: true})
	var col runnable.Collector
	var got []string
	var err error
	for c, e := range remote.Stream(t.Context(), "x", runnable.WithCallbacks(&col)) {
		if e != nil {
			err = e
			break
		}
		got = append(got, c)
	}
	e, ok := errors.AsType[*client.Error](err)
	if !ok || e.Status != 500 || !slices.Equal(got, []string{"X"}) {
		t.Fatalf("chunks %q, error %v", got, err)
	}
	var ends []string
	for _, ev := range col.Events() {
		switch ev.Kind {
		case runnable.EventEnd:
			ends = append(ends, "end "+ev.Name)
		case runnable.EventError:
			if !errors.Is(ev.Err, e) {
				t.Errorf("%s failed with %v", ev.Name, ev.Err)
			}
			ends = append(ends, "error "+ev.Name)
		}
	}
	if want := []string{"end upper", "error failing", "error /failing"}; !slices.Equal(ends, want) {
		t.Errorf("runs ended %v, want %v", ends, want)
	}
}

func TestForwardEventsEarlyBreak(t *testing.T) {
	g, cancelled := blocking()
	srv := serveRunnable(t, "/blocking", runnable.Pipe(upper, g), nil)
	remote := newRemote[string, string](t, srv, "/blocking", &client.Options{ForwardEvents: true})
	var col runnable.Collector
	for _, err := range remote.Stream(t.Context(), "x", runnable.WithCallbacks(&col)) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Errorf("server run ended with %v, want context.Canceled", err)
	}
	var stopped []string
	for _, ev := range col.Events() {
		if ev.Kind == runnable.EventError && errors.Is(ev.Err, runnable.ErrStreamStopped) {
			stopped = append(stopped, ev.Name)
		}
	}
	// upper ends only when its input stream ends, after the chunk the
	// consumer stopped at; open runs fail latest first.
	if !slices.Equal(stopped, []string{"blocking", "upper", "/blocking"}) {
		t.Errorf("runs stopped: %v", stopped)
	}
}

// TestForwardEventsShapes replays events a server of another version may
// send: v1 events without parent_ids, a tool that fails, an LLM token, an
// event type this client does not know.
func TestForwardEventsShapes(t *testing.T) {
	const stream = `event: data
data: {"event":"on_chain_start","run_id":"00000000-0000-0000-0000-000000000001","name":"/x","tags":[],"metadata":{},"data":{"input":"q"}}

event: data
data: {"event":"on_tool_start","run_id":"00000000-0000-0000-0000-000000000002","name":"search","tags":["t"],"metadata":{"m":1},"data":{"input":{"q":"q"}}}

event: data
data: {"event":"on_tool_error","run_id":"00000000-0000-0000-0000-000000000002","name":"search","tags":["t"],"metadata":{"m":1},"data":{"error":"no network"}}

event: data
data: {"event":"on_llm_start","run_id":"00000000-0000-0000-0000-000000000003","name":"llm","tags":[],"metadata":{},"data":{"input":{"prompts":["q"]}}}

event: data
data: {"event":"on_llm_stream","run_id":"00000000-0000-0000-0000-000000000003","name":"llm","tags":[],"metadata":{},"data":{"chunk":{"text":"A","generation_info":null,"type":"GenerationChunk"}}}

event: data
data: {"event":"on_llm_stream","run_id":"00000000-0000-0000-0000-000000000009","name":"ghost","tags":[],"metadata":{},"data":{"chunk":"?"}}

event: data
data: {"event":"on_llm_weird","run_id":"00000000-0000-0000-0000-000000000003","name":"llm","tags":[],"metadata":{},"data":{}}

event: data
data: {"event":"on_llm_end","run_id":"00000000-0000-0000-0000-000000000003","name":"llm","tags":[],"metadata":{},"data":{"output":{"generations":[[{"text":"A","generation_info":null,"type":"GenerationChunk"}]],"llm_output":null}}}

event: data
data: {"event":"on_chain_stream","run_id":"00000000-0000-0000-0000-000000000001","name":"/x","tags":[],"metadata":{},"data":{"chunk":"A"}}

event: data
data: {"event":"on_chain_end","run_id":"00000000-0000-0000-0000-000000000001","name":"/x","tags":[],"metadata":{},"data":{"output":"A"}}

event: end

`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, strings.ReplaceAll(stream, "\n", "\r\n"))
	}))
	defer srv.Close()
	remote := newRemote[string, string](t, srv, "/x", &client.Options{ForwardEvents: true})
	var col runnable.Collector
	out, err := runnable.Collect(remote.Stream(t.Context(), "q", runnable.WithCallbacks(&col)))
	if err != nil || out != "A" {
		t.Fatalf("got %q, %v", out, err)
	}
	var lines []string
	for _, ev := range col.Events()[1:] {
		line := fmt.Sprintf("%s %s %s %d %v %v", ev.Kind, ev.Name, ev.Type, len(ev.ParentIDs), ev.Tags, ev.Metadata)
		switch ev.Kind {
		case runnable.EventStart:
			line += fmt.Sprintf(" in=%#v", ev.Input)
		case runnable.EventStream:
			line += fmt.Sprintf(" chunk=%#v", ev.Chunk)
		case runnable.EventEnd:
			line += fmt.Sprintf(" out=%#v", ev.Output)
		case runnable.EventError:
			line += " err=" + ev.Err.Error()
		}
		lines = append(lines, line)
	}
	want := []string{
		`start search tool 1 [t] map[m:1] in=map[string]interface {}{"q":"q"}`,
		`error search tool 1 [t] map[m:1] err=no network`,
		`start llm llm 1 [] map[] in=[]string{"q"}`,
		`stream llm llm 1 [] map[] chunk="A"`,
		`end llm llm 1 [] map[] out="A"`,
		`stream /x chain 0 [] map[] chunk="A"`,
		`end /x chain 0 [] map[] out="A"`,
	}
	if !slices.Equal(lines, want) {
		t.Errorf("events\n got %s\nwant %s", strings.Join(lines, "\n     "), strings.Join(want, "\n     "))
	}
}

func TestSchemas(t *testing.T) {
	srv := serveRunnable(t, "/greet", greet, &serve.Options{Disabled: []serve.Endpoint{serve.ConfigSchema}})
	remote := newRemote[greetIn, greetOut](t, srv, "/greet", nil)
	in, err := remote.InputSchema(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	props, _ := in["properties"].(map[string]any)
	if in["type"] != "object" || props["name"] == nil || props["times"] == nil {
		t.Errorf("input schema %v", in)
	}
	out, err := remote.OutputSchema(t.Context())
	if err != nil || out["title"] == nil {
		t.Errorf("output schema %v, %v", out, err)
	}
	_, err = remote.ConfigSchema(t.Context())
	if e, ok := errors.AsType[*client.Error](err); !ok || e.Status != 404 || e.Detail != "Not Found" {
		t.Errorf("disabled config schema: %v", err)
	}
}

func TestHeaders(t *testing.T) {
	var mu sync.Mutex
	var got []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
		io.WriteString(w, `{"output":1}`)
	}))
	defer srv.Close()
	// No HTTPClient: the default client.
	remote, err := client.New[int, int](srv.URL+"/x", &client.Options{Header: http.Header{
		"Authorization": {"Bearer t0ken"},
		"User-Agent":    {"my-app/1.0"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := remote.Invoke(t.Context(), 0); err != nil || out != 1 {
		t.Fatalf("Invoke = %d, %v", out, err)
	}
	h := got[0]
	if h.Get("Authorization") != "Bearer t0ken" || h.Get("User-Agent") != "my-app/1.0" ||
		h.Get("Content-Type") != "application/json" || h.Get("Accept") != "application/json" {
		t.Errorf("headers %v", h)
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := strings.Replace(srv.URL, "http://", "http://user:secret@", 1)
	srv.Close()
	remote, err := client.New[int, int](url+"/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = remote.Invoke(t.Context(), 1)
	if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "/x/invoke") {
		t.Errorf("error %v", err)
	}
	if u := remote.URL(); strings.Contains(u, "secret") || !strings.HasSuffix(u, "/x") {
		t.Errorf("URL() = %q", u)
	}
}

func TestTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/stream") {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "event: data\r\ndata: 1\r\n\r\nevent: end\r\n\r\n")
			return
		}
		<-r.Context().Done() // answers only when the client gives up
	}))
	defer srv.Close()
	remote := newRemote[int, int](t, srv, "/x", &client.Options{Timeout: time.Nanosecond})
	if _, err := remote.Invoke(t.Context(), 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Invoke error %v, want the timeout", err)
	}
	if _, err := remote.InputSchema(t.Context()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("InputSchema error %v, want the timeout", err)
	}
	// Streams are not bounded by Timeout.
	if out, err := runnable.Collect(remote.Stream(t.Context(), 0)); err != nil || out != 1 {
		t.Errorf("Stream = %d, %v", out, err)
	}
}

func TestBadAnswers(t *testing.T) {
	for _, tt := range []struct {
		name, contentType, body, err string
		stream                       bool
	}{
		{name: "no output", contentType: "application/json", body: `{"outputs":1}`, err: `answer has no "output"`},
		{name: "not JSON", contentType: "application/json", body: `<html>`, err: "read answer"},
		{name: "wrong type", contentType: "application/json", body: `{"output":"one"}`, err: "decode output into int"},
		{name: "not an event stream", stream: true, contentType: "application/json", body: `{"output":1}`, err: `not an event stream (Content-Type "application/json")`},
		{name: "no end event", stream: true, contentType: "text/event-stream", body: "event: data\r\ndata: 1\r\n\r\n", err: client.ErrIncomplete.Error()},
		{name: "bad chunk", stream: true, contentType: "text/event-stream", body: "event: data\r\ndata: \"x\"\r\n\r\nevent: end\r\n\r\n", err: "decode event data into int"},
		{name: "bad error event", stream: true, contentType: "text/event-stream", body: "event: error\r\ndata: oops\r\n\r\n", err: "server answered 500 Internal Server Error: oops"},
		{name: "ignored events", stream: true, contentType: "text/event-stream; charset=utf-8", body: ": ping\r\n\r\nevent: metadata\r\ndata: {\"run_id\": \"x\"}\r\n\r\nevent: future\r\ndata: 9\r\n\r\nevent: data\r\ndata: 1\r\n\r\nevent: end\r\n\r\nevent: data\r\ndata: 2\r\n\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			remote := newRemote[int, int](t, srv, "/x", nil)
			var err error
			var got []int
			if tt.stream {
				for c, e := range remote.Stream(t.Context(), 0) {
					if e != nil {
						err = e
						break
					}
					got = append(got, c)
				}
			} else {
				_, err = remote.Invoke(t.Context(), 0)
			}
			if tt.err == "" {
				if err != nil || !slices.Equal(got, []int{1}) {
					t.Errorf("got %v, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want one containing %q", err, tt.err)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	for _, tt := range []struct {
		e    client.Error
		want string
	}{
		{client.Error{Status: 500, Body: "Internal Server Error"}, "server answered 500 Internal Server Error"},
		{client.Error{Status: 422, Body: `{"detail":"x"}`}, `server answered 422 Unprocessable Entity: {"detail":"x"}`},
		{client.Error{Status: 599}, "server answered 599"},
		{client.Error{Status: 400, Body: strings.Repeat("é", 400)}, "server answered 400 Bad Request: " + strings.Repeat("é", 150) + "…"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
