package serve_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

// allRoutes are the routes of §2 of the protocol spec, with the method of
// each, under /add_one.
var allRoutes = []struct{ method, path string }{
	{"POST", "/add_one/invoke"}, {"POST", "/add_one/c/N4XyA/invoke"},
	{"POST", "/add_one/batch"}, {"POST", "/add_one/c/N4XyA/batch"},
	{"POST", "/add_one/stream"}, {"POST", "/add_one/c/N4XyA/stream"},
	{"POST", "/add_one/stream_log"}, {"POST", "/add_one/c/N4XyA/stream_log"},
	{"POST", "/add_one/stream_events"}, {"POST", "/add_one/c/N4XyA/stream_events"},
	{"GET", "/add_one/input_schema"}, {"GET", "/add_one/c/N4XyA/input_schema"},
	{"GET", "/add_one/output_schema"}, {"GET", "/add_one/c/N4XyA/output_schema"},
	{"GET", "/add_one/config_schema"}, {"GET", "/add_one/c/N4XyA/config_schema"},
	{"GET", "/add_one/playground/"}, {"GET", "/add_one/c/N4XyA/playground/"},
	{"POST", "/add_one/token_feedback"},
	{"POST", "/add_one/feedback"}, {"HEAD", "/add_one/feedback"},
	{"PUT", "/add_one/public_trace_link"}, {"HEAD", "/add_one/public_trace_link"},
}

// frontEnds serves add_one at /add_one through NewHandler on a ServeMux and
// through AddRoutes on an App.
func frontEnds(t *testing.T, opts func() *serve.Options) map[string]http.Handler {
	t.Helper()
	mux := http.NewServeMux()
	o := opts()
	o.Path = "/add_one"
	mux.Handle("/add_one/", handler(t, addOne(), o))
	app := serve.New()
	o = opts()
	o.Path = "/add_one"
	serve.AddRoutes(app, addOne(), o)
	return map[string]http.Handler{"net/http": mux, "echo": app}
}

// defaultOn tells the routes on by default: all but feedback and trace
// links.
func defaultOn(_, path string) bool {
	return !strings.Contains(path, "public_trace_link") && (!strings.Contains(path, "feedback") || strings.Contains(path, "token_feedback"))
}

func TestEndpointSwitches(t *testing.T) {
	for _, test := range []struct {
		name string
		opts func() *serve.Options
		on   func(method, path string) bool
	}{{
		name: "defaults",
		opts: func() *serve.Options { return &serve.Options{} },
		on:   defaultOn,
	}, {
		name: "nothing enabled",
		opts: func() *serve.Options { return &serve.Options{Enabled: []serve.Endpoint{}} },
		on:   func(string, string) bool { return false },
	}, {
		name: "config hashes disabled",
		opts: func() *serve.Options { return &serve.Options{Disabled: []serve.Endpoint{serve.ConfigHashes}} },
		on: func(m, path string) bool {
			return !strings.Contains(path, "/c/") && defaultOn(m, path)
		},
	}, {
		name: "invoke, batch and config hashes, in capitals",
		opts: func() *serve.Options {
			return &serve.Options{Enabled: []serve.Endpoint{"INVOKE", serve.Batch, serve.ConfigHashes}}
		},
		on: func(_, path string) bool {
			return strings.HasSuffix(path, "/invoke") || strings.HasSuffix(path, "/batch")
		},
	}, {
		name: "feedback and trace links configured",
		opts: func() *serve.Options {
			return &serve.Options{Feedback: serve.NewMemoryFeedbackStore(), PublicTraceLink: fixedLinker{}, Disabled: []serve.Endpoint{serve.TokenFeedback}}
		},
		on: func(_, path string) bool { return !strings.Contains(path, "token_feedback") },
	}} {
		for fe, h := range frontEnds(t, test.opts) {
			t.Run(test.name+"/"+fe, func(t *testing.T) {
				for _, rt := range allRoutes {
					resp := do(t, h, rt.method, rt.path, "{}")
					if on := resp.status != 404; on != test.on(rt.method, rt.path) {
						t.Errorf("%s %s: status %d, want it %s", rt.method, rt.path, resp.status, map[bool]string{true: "on", false: "off (404)"}[!on])
					}
					if resp.status == 404 && rt.method != "HEAD" && resp.body != `{"detail":"Not Found"}` {
						t.Errorf("%s %s: 404 body %q", rt.method, rt.path, resp.body)
					}
				}
			})
		}
	}
}

func TestRouting(t *testing.T) {
	for fe, h := range frontEnds(t, func() *serve.Options { return &serve.Options{} }) {
		t.Run(fe, func(t *testing.T) {
			for _, test := range []struct {
				method, path string
				status       int
				header       [2]string
				body         string
			}{
				{"GET", "/add_one/invoke", 405, [2]string{"Allow", "POST"}, `{"detail":"Method Not Allowed"}`},
				{"POST", "/add_one/input_schema", 405, [2]string{"Allow", "GET"}, `{"detail":"Method Not Allowed"}`},
				{"PUT", "/add_one/c/N4XyA/stream", 405, [2]string{"Allow", "POST"}, `{"detail":"Method Not Allowed"}`},
				{"POST", "/add_one/nope", 404, [2]string{}, `{"detail":"Not Found"}`},
				{"GET", "/add_one/c/N4XyA", 404, [2]string{}, `{"detail":"Not Found"}`},
				{"GET", "/add_one/playground", 307, [2]string{"Location", "/add_one/playground/"}, ""},
				{"GET", "/add_one/c/N4XyA/playground", 307, [2]string{"Location", "/add_one/c/N4XyA/playground/"}, ""},
				{"GET", "/add_one/playground/nope.js", 404, [2]string{}, "Not Found"},
				{"GET", "/add_one/input_schema", 200, [2]string{"Content-Type", "application/json"}, `{"title":"add_one_input","type":"integer"}`},
				{"GET", "/add_one/c/N4XyA/input_schema", 200, [2]string{}, `{"title":"add_one_input","type":"integer"}`},
				{"GET", "/add_one/output_schema", 200, [2]string{}, `{"title":"add_one_output","type":"integer"}`},
				{"GET", "/add_one/config_schema", 200, [2]string{}, `{"properties":{},"title":"add_one_config","type":"object"}`},
				{"POST", "/add_one/c/1234/invoke", 400, [2]string{}, `{"detail":"Invalid config hash"}`},
				{"GET", "/add_one/c/abc/input_schema", 400, [2]string{}, `{"detail":"Invalid config hash"}`},
				{"GET", "/add_one/c/" + hash(`[1]`) + "/playground/", 400, [2]string{}, `{"detail":"Invalid config hash"}`},
				{"POST", "/add_one/token_feedback", 422, [2]string{}, ""},
			} {
				body := ""
				if test.method == "POST" {
					body = `{"input":1}`
				}
				resp := do(t, h, test.method, test.path, body)
				if resp.status != test.status {
					t.Errorf("%s %s: status %d, want %d (%s)", test.method, test.path, resp.status, test.status, resp.body)
					continue
				}
				if test.header[0] != "" && resp.header.Get(test.header[0]) != test.header[1] {
					t.Errorf("%s %s: %s %q, want %q", test.method, test.path, test.header[0], resp.header.Get(test.header[0]), test.header[1])
				}
				if test.body != "" && strings.TrimSpace(resp.body) != test.body {
					t.Errorf("%s %s: body %q, want %q", test.method, test.path, resp.body, test.body)
				}
			}
			page := do(t, h, "GET", "/add_one/playground/", "")
			if page.status != 200 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !strings.Contains(page.body, "<html") {
				t.Errorf("playground: %d %q", page.status, page.header.Get("Content-Type"))
			}
		})
	}
}

func TestHeadAndTrailingSlash(t *testing.T) {
	srv := serveHTTP(t, handler(t, addOne(), &serve.Options{Path: "/add_one"}))
	resp, err := srv.Client().Head(srv.URL + "/add_one/input_schema")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(b) != 0 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("HEAD input_schema: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	// A trailing slash too many is redirected, keeping the method (307).
	h := handler(t, addOne(), &serve.Options{Path: "/add_one"})
	r := do(t, h, "POST", "/add_one/invoke/?x=1", `{"input":1}`)
	if r.status != 307 || r.header.Get("Location") != "/add_one/invoke?x=1" {
		t.Errorf("POST /add_one/invoke/: %d %q", r.status, r.header.Get("Location"))
	}
	if r := do(t, h, "POST", "/other/invoke", `{"input":1}`); r.status != 404 {
		t.Errorf("a path outside the prefix: %d", r.status)
	}
}

func TestRootPath(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/", handler(t, addOne(), nil))
	if r := do(t, mux, "POST", "/invoke", `{"input":1}`); r.status != 200 || !strings.Contains(r.body, `"output":2`) {
		t.Errorf("invoke at the root: %d %s", r.status, r.body)
	}
	if r := do(t, mux, "GET", "/nope", ""); r.status != 404 || r.body != `{"detail":"Not Found"}` {
		t.Errorf("unknown root path: %d %s", r.status, r.body)
	}
}

func TestOptionErrors(t *testing.T) {
	for _, test := range []struct {
		name string
		opts serve.Options
		want string
	}{
		{"path without slash", serve.Options{Path: "chat"}, "must be empty or start with '/'"},
		{"path with a pattern", serve.Options{Path: "/{x}"}, "must not contain"},
		{"both lists", serve.Options{Enabled: []serve.Endpoint{}, Disabled: []serve.Endpoint{}}, "not both"},
		{"unknown endpoint", serve.Options{Disabled: []serve.Endpoint{"astream_log"}}, `unknown endpoint "astream_log"`},
		{"run_name key", serve.Options{ConfigKeys: []string{"tags", "run_name"}}, `"run_name" cannot be allowed`},
		{"unknown key", serve.Options{ConfigKeys: []string{"callbacks"}}, `unknown config key "callbacks"`},
		{"events version", serve.Options{StreamEventsVersion: "v3"}, `unknown stream_events version "v3"`},
		{"playground type", serve.Options{PlaygroundType: "fancy"}, `unknown playground type "fancy"`},
		{"negative limit", serve.Options{MaxBodyBytes: -1}, "negative"},
		{"nil callback", serve.Options{Callbacks: []runnable.Handler{&runnable.Collector{}, nil}}, "Callbacks[1] is nil"},
		{"schema that is not JSON", serve.Options{InputSchema: runnable.Schema{"x": func() {}}}, "InputSchema cannot be encoded"},
	} {
		t.Run(test.name, func(t *testing.T) {
			_, err := serve.NewHandler(addOne(), &test.opts)
			if err == nil || !strings.Contains(err.Error(), test.want) {
				t.Fatalf("error %v, want one containing %q", err, test.want)
			}
			defer func() {
				if v := recover(); v == nil {
					t.Error("AddRoutes did not panic")
				}
			}()
			serve.AddRoutes(serve.New(), addOne(), &test.opts)
		})
	}
	if _, err := serve.NewHandler[int, int](nil, nil); err == nil {
		t.Error("NewHandler(nil) did not fail")
	}
}

func TestAddRoutesOnGroups(t *testing.T) {
	app := serve.New()
	api := app.Group("/api")
	serve.AddRoutes(api.Group("/v1"), configEcho(), &serve.Options{Path: "/echo"})
	serve.AddRoutes(app, addOne(), &serve.Options{Path: "/add_one"})
	r := do(t, app, "POST", "/api/v1/echo/stream_events", `{"input":1}`)
	evs := r.events(t)
	if len(evs) == 0 || !strings.Contains(evs[0].Data, `"name":"/api/v1/echo"`) {
		t.Errorf("run name: the group prefix belongs to it: %v", evs)
	}
	doc := string(must(app.OpenAPI()))
	for _, p := range []string{`"/api/v1/echo/invoke"`, `"/api/v1/echo/c/{config_hash}/stream"`, `"/add_one/invoke"`} {
		if !strings.Contains(doc, p) {
			t.Errorf("OpenAPI document lacks %s", p)
		}
	}
	// A plain echo server works too, without documentation.
	e := echo.New()
	serve.AddRoutes(e, addOne(), &serve.Options{Path: "/add_one"})
	if r := do(t, e, "POST", "/add_one/c/N4XyA/invoke", `{"input":1}`); r.status != 200 {
		t.Errorf("plain echo: %d %s", r.status, r.body)
	}
	routes := e.Routes()
	if !slices.ContainsFunc(routes, func(r *echo.Route) bool { return r.Path == "/add_one/c/:config_hash/invoke" && r.Method == "POST" }) {
		t.Error("no echo route with the config_hash parameter")
	}
	// The same path twice on one App is a programming error.
	defer func() {
		if v := recover(); v == nil || !strings.Contains(v.(error).Error(), "already served") {
			t.Errorf("second AddRoutes at /add_one: panic %v", v)
		}
	}()
	serve.AddRoutes(app, addOne(), &serve.Options{Path: "/add_one"})
}

type fixedLinker struct{}

func (fixedLinker) PublicTraceLink(_ context.Context, id uuid.UUID) (string, error) {
	return "https://traces.example/public/" + id.String() + "/r", nil
}
