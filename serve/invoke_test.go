package serve_test

import (
	"bytes"
	"context"
	"errors"
	"iter"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

func TestInvokeResponse(t *testing.T) {
	h := handler(t, addOne(), &serve.Options{Path: "/add_one"})
	resp := do(t, h, "POST", "/add_one/invoke", `{"input":1}`)
	if resp.status != 200 || resp.header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %q", resp.status, resp.header.Get("Content-Type"))
	}
	// LangServe's member order: output, then metadata; no callback_events.
	if got := mask(resp.body); got != `{"output":2,"metadata":{"run_id":"<id>","feedback_tokens":[]}}` {
		t.Errorf("body %s", got)
	}

	h = handler(t, addOne(), &serve.Options{Path: "/add_one", IncludeCallbackEvents: true})
	resp = do(t, h, "POST", "/add_one/invoke", `{"input":1}`, "User-Agent", "ua")
	body := resp.json(t).(map[string]any)
	events, _ := body["callback_events"].([]any)
	if len(events) != 2 {
		t.Fatalf("callback_events %v, want start and end", body["callback_events"])
	}
	start, end := events[0].(map[string]any), events[1].(map[string]any)
	if start["type"] != "on_chain_start" || end["type"] != "on_chain_end" || end["outputs"] != float64(2) {
		t.Errorf("events %v", events)
	}
	if md := start["metadata"].(map[string]any); md["__langserve_endpoint"] != "invoke" || md["__useragent"] != "ua" {
		t.Errorf("start metadata %v keeps LangServe's keys", md)
	}
	if start["run_id"] != body["metadata"].(map[string]any)["run_id"] {
		t.Errorf("event run %v is not the response's run", start["run_id"])
	}
	resp = do(t, h, "POST", "/add_one/batch", `{"inputs":[1,2]}`)
	lists, _ := resp.json(t).(map[string]any)["callback_events"].([]any)
	if len(lists) != 2 || len(lists[0].([]any)) != 2 || len(lists[1].([]any)) != 2 {
		t.Errorf("batch callback_events %v, want two lists of two", lists)
	}
}

func TestBatch(t *testing.T) {
	var running, most atomic.Int32
	slowAdd := runnable.Lambda("slow_add", func(ctx context.Context, x int) (int, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		runtimeYield()
		return x + 1, nil
	})
	h := handler(t, slowAdd, &serve.Options{ConfigKeys: []string{"max_concurrency"}})
	in := `[1,2,3,4,5,6,7,8,9,10,11,12]`
	resp := do(t, h, "POST", "/batch", `{"inputs":`+in+`,"config":{"max_concurrency":2}}`)
	body := resp.json(t).(map[string]any)
	if got := mustJSON(body["output"]); got != `[2,3,4,5,6,7,8,9,10,11,12,13]` {
		t.Errorf("output %s, want the inputs plus one, in order", got)
	}
	if m := most.Load(); m > 2 {
		t.Errorf("%d inputs ran at once, want at most 2", m)
	}
	md := body["metadata"].(map[string]any)
	ids, responses := md["run_ids"].([]any), md["responses"].([]any)
	seen := map[any]bool{}
	for i, id := range ids {
		if seen[id] {
			t.Errorf("run id %v repeats", id)
		}
		seen[id] = true
		if r := responses[i].(map[string]any); r["run_id"] != id || mustJSON(r["feedback_tokens"]) != "[]" {
			t.Errorf("responses[%d] = %v, want run_id %v", i, r, id)
		}
	}
	if len(ids) != 12 {
		t.Errorf("%d run ids for 12 inputs", len(ids))
	}

	// Per-input configs: each run sees its own tags.
	h = handler(t, configEcho(), &serve.Options{ConfigKeys: []string{"tags"}})
	resp = do(t, h, "POST", "/batch", `{"inputs":[1,2],"config":[{"tags":["a"]},{"tags":["b"]}],"kwargs":[{},{}]}`)
	outs := resp.json(t).(map[string]any)["output"].([]any)
	if mustJSON(outs[0].(map[string]any)["tags"]) != `["a"]` || mustJSON(outs[1].(map[string]any)["tags"]) != `["b"]` {
		t.Errorf("tags %v %v", outs[0], outs[1])
	}
	if md := outs[0].(map[string]any)["metadata"].(map[string]any); md["__langserve_endpoint"] != "batch" {
		t.Errorf("metadata %v", md)
	}
}

// runtimeYield gives other batch items a chance to start.
func runtimeYield() {
	var wg sync.WaitGroup
	wg.Go(func() {})
	wg.Wait()
}

// faulty is a runnable that fails in several ways, chosen by its input.
type faulty struct{}

var errSecret = errors.New("upstream said: invalid api key sk-12345")

func (faulty) Invoke(_ context.Context, in string, _ ...runnable.Option) (string, error) {
	switch in {
	case "error":
		return "", errSecret
	case "status":
		return "", &serve.Error{Status: http.StatusTooManyRequests, Detail: "slow down", Err: errSecret}
	case "panic":
		panic("boom with a secret")
	}
	return in, nil
}

func (f faulty) Stream(ctx context.Context, in string, opts ...runnable.Option) iter.Seq2[string, error] {
	return runnable.StreamByInvoke(ctx, f, in, opts...)
}

func (f faulty) Batch(ctx context.Context, ins []string, opts ...runnable.Option) ([]string, error) {
	return runnable.BatchOf(ctx, f, ins, opts...)
}

func TestRunFailures(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	h := handler(t, runnable.Runnable[string, string](faulty{}), &serve.Options{Logger: logger})
	debug := handler(t, runnable.Runnable[string, string](faulty{}), &serve.Options{Logger: quiet, Debug: true})
	for _, test := range []struct {
		name, body string
		h          http.Handler
		status     int
		ctype      string
		want       string
	}{
		{"error", `{"input":"error"}`, h, 500, "text/plain; charset=utf-8", "Internal Server Error"},
		{"panic", `{"input":"panic"}`, h, 500, "text/plain; charset=utf-8", "Internal Server Error"},
		{"batch item error", `{"inputs":["ok","error"]}`, h, 500, "text/plain; charset=utf-8", "Internal Server Error"},
		{"status error", `{"input":"status"}`, h, 429, "application/json", `{"detail":"slow down"}`},
		{"debug error", `{"input":"error"}`, debug, 500, "application/json", `{"detail":"upstream said: invalid api key sk-12345"}`},
	} {
		t.Run(test.name, func(t *testing.T) {
			logs.Reset()
			path := "/invoke"
			if strings.HasPrefix(test.body, `{"inputs"`) {
				path = "/batch"
			}
			resp := do(t, test.h, "POST", path, test.body)
			if resp.status != test.status || resp.header.Get("Content-Type") != test.ctype || resp.body != test.want {
				t.Errorf("%d %q %q, want %d %q %q", resp.status, resp.header.Get("Content-Type"), resp.body, test.status, test.ctype, test.want)
			}
			if test.status == 500 && test.h == h {
				if !strings.Contains(logs.String(), "run_id=") || !strings.Contains(logs.String(), "level=ERROR") {
					t.Errorf("log %q lacks the failed run", logs.String())
				}
			}
		})
	}
}

func TestStatusErrorFromStream(t *testing.T) {
	gen := runnable.Generator("limited", func(_ context.Context, in iter.Seq2[int, error]) iter.Seq2[int, error] {
		return func(yield func(int, error) bool) {
			if !yield(1, nil) {
				return
			}
			yield(0, &serve.Error{Status: 429, Detail: "slow down"})
		}
	})
	h := handler(t, gen, nil)
	evs := do(t, h, "POST", "/stream", `{"input":0}`).events(t)
	wantEvents(t, evs, "metadata", "data", "error")
	if last := evs[len(evs)-1]; last.Data != `{"status_code": 429, "message": "slow down"}` {
		t.Errorf("error event %q", last.Data)
	}
}
