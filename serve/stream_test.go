package serve_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/internal/sse"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

// chunks streams the given values, then fails with err when it is not nil.
func chunks(name string, err error, values ...any) runnable.Runnable[any, any] {
	return runnable.Generator(name, func(ctx context.Context, in iter.Seq2[any, error]) iter.Seq2[any, error] {
		return func(yield func(any, error) bool) {
			for _, e := range in {
				if e != nil {
					yield(nil, e)
					return
				}
			}
			for _, v := range values {
				if !yield(v, nil) {
					return
				}
			}
			if err != nil {
				yield(nil, err)
			}
		}
	})
}

var errMidStream = errors.New("mid-stream failure with secret token abc")

func TestStream(t *testing.T) {
	const internal = `{"status_code": 500, "message": "Internal Server Error"}`
	for _, test := range []struct {
		name  string
		r     runnable.Runnable[any, any]
		opts  *serve.Options
		want  []string // event names
		datas []string // data of each event, "" for none; <id> masks ids
	}{{
		name:  "chunks then error",
		r:     chunks("r3", errMidStream, 1, 2),
		want:  []string{"metadata", "data", "data", "error"},
		datas: []string{`{"run_id": "<id>"}`, "1", "2", internal},
	}, {
		name:  "error before the first chunk",
		r:     chunks("r3", errMidStream),
		want:  []string{"error"},
		datas: []string{internal},
	}, {
		name:  "no chunk",
		r:     chunks("empty", nil),
		want:  []string{"end"},
		datas: []string{""},
	}, {
		name:  "dict chunks",
		r:     chunks("dicts", nil, map[string]any{"a": "1"}, map[string]any{"a": "2"}),
		want:  []string{"metadata", "data", "data", "end"},
		datas: []string{`{"run_id": "<id>"}`, `{"a":"1"}`, `{"a":"2"}`, ""},
	}, {
		name:  "a chunk that is not JSON",
		r:     chunks("func", nil, 1, func() {}),
		want:  []string{"metadata", "data", "error"},
		datas: []string{`{"run_id": "<id>"}`, "1", internal},
	}, {
		name:  "debug shows the error",
		r:     chunks("r3", errMidStream, 1),
		opts:  &serve.Options{Debug: true},
		want:  []string{"metadata", "data", "error"},
		datas: []string{`{"run_id": "<id>"}`, "1", `{"status_code": 500, "message": "mid-stream failure with secret token abc"}`},
	}} {
		t.Run(test.name, func(t *testing.T) {
			opts := test.opts
			if opts == nil {
				opts = &serve.Options{}
			}
			opts.Logger = quiet
			resp := do(t, handler(t, test.r, opts), "POST", "/stream", `{"input":null}`)
			if resp.status != 200 || resp.header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
				t.Fatalf("%d %q", resp.status, resp.header.Get("Content-Type"))
			}
			evs := resp.events(t)
			wantEvents(t, evs, test.want...)
			for i, ev := range evs {
				if i < len(test.datas) && mask(ev.Data) != test.datas[i] {
					t.Errorf("event %d (%s) data %q, want %q", i, ev.Name, ev.Data, test.datas[i])
				}
			}
			if strings.Contains(resp.body, "secret") && !opts.Debug {
				t.Errorf("the error text reached the client: %s", resp.body)
			}
		})
	}
}

func TestStreamBytes(t *testing.T) {
	resp := do(t, handler(t, addOne(), nil), "POST", "/stream", `{"input":1}`)
	want := "event: metadata\r\ndata: {\"run_id\": \"<id>\"}\r\n\r\nevent: data\r\ndata: 2\r\n\r\nevent: end\r\n\r\n"
	if got := mask(resp.body); got != want {
		t.Errorf("body %q\nwant %q", got, want)
	}
	for k, v := range map[string]string{"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "Connection": "keep-alive"} {
		if resp.header.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, resp.header.Get(k), v)
		}
	}
}

func addOneMulTwo() runnable.Runnable[int, int] {
	mul := runnable.Lambda("mul_two", func(_ context.Context, x int) (int, error) { return x * 2, nil })
	return runnable.Pipe(addOne(), mul)
}

func TestStreamLogAndEvents(t *testing.T) {
	h := handler(t, addOne(), &serve.Options{Path: "/add_one"})
	evs := do(t, h, "POST", "/add_one/stream_log", `{"input":1}`).events(t)
	wantEvents(t, evs, "data", "data", "end")
	if got := mask(evs[0].Data); got != `{"ops":[{"op":"replace","path":"","value":{"id":"<id>","streamed_output":[],"final_output":null,"logs":{},"name":"/add_one","type":"chain"}}]}` {
		t.Errorf("first patch %s", got)
	}
	if got := evs[1].Data; got != `{"ops":[{"op":"add","path":"/streamed_output/-","value":2},{"op":"replace","path":"/final_output","value":2}]}` {
		t.Errorf("second patch %s", got)
	}

	evs = do(t, h, "POST", "/add_one/stream_events", `{"input":1}`).events(t)
	wantEvents(t, evs, "data", "data", "data", "end")
	end := must(jsonUnmarshal(evs[2].Data))
	if end["event"] != "on_chain_end" || end["name"] != "/add_one" || mustJSON(end["data"]) != `{"output":2}` {
		t.Errorf("last event %s", evs[2].Data)
	}

	// Filters select sub-runs.
	h = handler(t, addOneMulTwo(), nil)
	body := do(t, h, "POST", "/stream_log", `{"input":1,"include_names":["add_one"],"diff":false}`).body
	if !strings.Contains(body, `"path":"/logs/add_one"`) || strings.Contains(body, "/logs/mul_two") {
		t.Errorf("stream_log with include_names: %s", body)
	}
	evs = do(t, h, "POST", "/stream_events", `{"input":1,"exclude_names":["mul_two"]}`).events(t)
	for _, ev := range evs {
		if strings.Contains(ev.Data, `"name":"mul_two"`) {
			t.Errorf("excluded run reported: %s", ev.Data)
		}
	}
	// v2 events carry parent_ids; v1 events do not.
	evs = do(t, h, "POST", "/stream_events", `{"input":1}`).events(t)
	if len(evs) != 10 || !strings.Contains(evs[1].Data, `"parent_ids":["`) {
		t.Errorf("v2: %d events, second %s", len(evs), evs[1].Data)
	}
	v1 := handler(t, addOneMulTwo(), &serve.Options{StreamEventsVersion: "v1"})
	for _, ev := range do(t, v1, "POST", "/stream_events", `{"input":1}`).events(t) {
		if ev.Name == "data" && (strings.Contains(ev.Data, `"parent_ids":["`)) {
			t.Errorf("v1 event with parents: %s", ev.Data)
		}
	}
}

// serveHTTP runs h on a real loopback server for the duration of the test.
func serveHTTP(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// TestClientDisconnect checks that a client going away cancels its run:
// the runnable's context is the request's.
func TestClientDisconnect(t *testing.T) {
	started := make(chan struct{}, 1)
	cancelled := make(chan error, 1)
	slow := runnable.Generator("slow", func(ctx context.Context, in iter.Seq2[any, error]) iter.Seq2[any, error] {
		return func(yield func(any, error) bool) {
			for range in {
			}
			if !yield("first", nil) {
				return
			}
			started <- struct{}{}
			<-ctx.Done()
			cancelled <- context.Cause(ctx)
			yield(nil, ctx.Err())
		}
	})
	wait := runnable.Lambda("wait", func(ctx context.Context, _ any) (any, error) {
		started <- struct{}{}
		<-ctx.Done()
		cancelled <- context.Cause(ctx)
		return nil, ctx.Err()
	})

	for _, test := range []struct {
		name, path string
		r          runnable.Runnable[any, any]
		sse        bool
	}{
		{"stream", "/stream", slow, true},
		{"stream_log", "/stream_log", slow, true},
		{"stream_events", "/stream_events", slow, true},
		{"invoke", "/invoke", wait, false},
		{"batch", "/batch", wait, false},
	} {
		t.Run(test.name, func(t *testing.T) {
			srv := serveHTTP(t, handler(t, test.r, &serve.Options{Logger: quiet}))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			body := `{"input":1}`
			if test.path == "/batch" {
				body = `{"inputs":[1]}`
			}
			req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+test.path, strings.NewReader(body))
			if test.sse {
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				// Read until the first data event, then hang up.
				for ev, err := range sse.Parse(bufio.NewReader(resp.Body)) {
					if err != nil {
						t.Fatal(err)
					}
					if ev.Name == "data" {
						break
					}
				}
				<-started
				resp.Body.Close()
				cancel()
			} else {
				// invoke blocks until the run ends: hang up once it runs.
				go func() { <-started; cancel() }()
				resp, err := srv.Client().Do(req)
				if err == nil {
					resp.Body.Close()
					t.Fatal("request finished although the run never ends")
				}
			}
			if err := <-cancelled; !errors.Is(err, context.Canceled) {
				t.Errorf("run ended with %v, want context.Canceled", err)
			}
			srv.Close() // waits for the handler to return
		})
	}
}

// TestStreamPanic checks that a runnable panicking in the middle of its
// stream ends the stream with an error event instead of the connection.
func TestStreamPanic(t *testing.T) {
	bad := runnable.Generator("bad", func(ctx context.Context, in iter.Seq2[any, error]) iter.Seq2[any, error] {
		return func(yield func(any, error) bool) {
			yield(1, nil)
			panic("boom")
		}
	})
	srv := serveHTTP(t, handler(t, bad, &serve.Options{Logger: quiet}))
	resp, err := srv.Client().Post(srv.URL+"/stream", "application/json", strings.NewReader(`{"input":1}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	evs := (&response{body: string(b)}).events(t)
	wantEvents(t, evs, "metadata", "data", "error")
}
