package serve_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

// Options.Callbacks see every run of every endpoint, next to the handlers
// a PerRequest hook adds, and the root run is the one the answer names.
func TestCallbacks(t *testing.T) {
	var server, hook runnable.Collector
	h := handler(t, chatRunnable(), &serve.Options{
		Path:      "/chat",
		Callbacks: []runnable.Handler{&server},
		PerRequest: func(_ *http.Request, cfg *runnable.Config) error {
			cfg.Callbacks = append(cfg.Callbacks, &hook)
			return nil
		},
	})
	in := `{"language":"French","text":"cats"}`
	for _, test := range []struct {
		ep, body string
		roots    int
	}{
		{"invoke", `{"input":` + in + `}`, 1},
		{"batch", `{"inputs":[` + in + `,` + in + `]}`, 2},
		{"stream", `{"input":` + in + `}`, 1},
		{"stream_log", `{"input":` + in + `}`, 1},
		{"stream_events", `{"input":` + in + `}`, 1},
	} {
		t.Run(test.ep, func(t *testing.T) {
			before, hookBefore := len(server.Events()), len(hook.Events())
			resp := do(t, h, "POST", "/chat/"+test.ep, test.body)
			if resp.status != 200 {
				t.Fatalf("%d %s", resp.status, resp.body)
			}
			events := server.Events()[before:]
			var roots []string
			for _, ev := range events {
				if ev.Kind == runnable.EventEnd && len(ev.ParentIDs) == 0 {
					if ev.Name != "/chat" {
						t.Errorf("root run named %q", ev.Name)
					}
					roots = append(roots, ev.RunID.String())
				}
			}
			if len(roots) != test.roots {
				t.Fatalf("%d root runs ended, want %d", len(roots), test.roots)
			}
			// invoke, batch and stream name their run ids in the answer.
			if test.ep != "stream_log" && test.ep != "stream_events" {
				for _, id := range roots {
					if !strings.Contains(resp.body, id) {
						t.Errorf("run %s is not the one the answer names: %s", id, resp.body)
					}
				}
			}
			kinds := map[runnable.EventKind]bool{}
			for _, ev := range events {
				kinds[ev.Kind] = true
			}
			if !kinds[runnable.EventStart] || (test.ep != "invoke" && test.ep != "batch" && !kinds[runnable.EventStream]) {
				t.Errorf("event kinds %v", kinds)
			}
			if got := len(hook.Events()) - hookBefore; got != len(events) {
				t.Errorf("the hook's handler got %d events, the server's %d", got, len(events))
			}
		})
	}
	// Schema requests run nothing.
	before := len(server.Events())
	if r := do(t, h, "GET", "/chat/input_schema", ""); r.status != 200 || len(server.Events()) != before {
		t.Errorf("input_schema: %d, %d events", r.status, len(server.Events())-before)
	}
}

func TestPlaygroundTitle(t *testing.T) {
	for _, test := range []struct {
		opts serve.Options
		want string
	}{
		{serve.Options{Path: "/chat"}, "/chat"},
		{serve.Options{Path: "/chat", PlaygroundTitle: "Chat, answered by test-model"}, "Chat, answered by test-model"},
		{serve.Options{Path: "/chat", PlaygroundType: "chat", PlaygroundTitle: "Agent <local>"}, "Agent &lt;local&gt;"},
	} {
		page := do(t, handler(t, chatRunnable(), &test.opts), "GET", "/chat/playground/", "")
		if page.status != 200 || !strings.Contains(page.body, `<meta name="playground-title" content="`+test.want+`">`) ||
			!strings.Contains(page.body, "<title>"+test.want+" · Playground</title>") {
			t.Errorf("%+v: %d\n%s", test.opts, page.status, page.body)
		}
	}
}
