package serve_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/langserve-go/langserve/internal/lzstring"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

// configEcho answers with the config its run sees.
func configEcho() runnable.Runnable[any, map[string]any] {
	return runnable.Lambda("config_echo", func(ctx context.Context, _ any) (map[string]any, error) {
		c := runnable.ConfigFrom(ctx)
		md := maps.Clone(c.Metadata)
		if md == nil {
			md = map[string]any{}
		}
		tags := c.Tags
		if tags == nil {
			tags = []string{}
		}
		return map[string]any{
			"tags": tags, "metadata": md, "configurable": c.Configurable,
			"max_concurrency": c.MaxConcurrency, "recursion_limit": c.RecursionLimit,
		}, nil
	})
}

func hash(json string) string { return lzstring.CompressToEncodedURIComponent(json) }

func TestConfigPipeline(t *testing.T) {
	for _, test := range []struct {
		name   string
		keys   []string
		path   string
		body   string
		header []string
		status int
		want   map[string]any // expected members of the output
		detail string         // expected JSON of the detail when status != 200
	}{{
		name:   "default keys drop everything but configurable",
		path:   "/invoke",
		body:   `{"input":1,"config":{"tags":["x"],"metadata":{"m":1},"run_name":"rn","recursion_limit":5,"foo":1}}`,
		status: 200,
		want:   map[string]any{"tags": []any{}, "recursion_limit": float64(25)},
	}, {
		name:   "the JavaScript client's camelCase keys are dropped",
		keys:   []string{"tags", "recursion_limit", "max_concurrency"},
		path:   "/invoke",
		body:   `{"input":1,"config":{"tags":["a"],"metadata":{},"recursionLimit":7,"runName":"x","maxConcurrency":3,"foo":1},"kwargs":{}}`,
		status: 200,
		want:   map[string]any{"tags": []any{"a"}, "recursion_limit": float64(25), "max_concurrency": float64(0)},
	}, {
		name:   "hash and body tags are united and sorted",
		keys:   []string{"tags", "metadata"},
		path:   "/c/N4IgLghg5gziBcACA2uApjMIC6BfIA/invoke",
		body:   `{"input":1,"config":{"tags":["another-one"]}}`,
		status: 200,
		want:   map[string]any{"tags": []any{"another-one", "test"}},
	}, {
		name:   "allowed metadata is kept, disallowed tags dropped",
		keys:   []string{"metadata"},
		path:   "/invoke",
		body:   `{"input":1,"config":{"tags":["hello"],"metadata":{"a":5}}}`,
		status: 200,
		want:   map[string]any{"tags": []any{}},
	}, {
		name:   "body wins over hash for scalars",
		keys:   []string{"recursion_limit", "max_concurrency"},
		path:   "/c/" + hash(`{"recursion_limit":10,"max_concurrency":2}`) + "/invoke",
		body:   `{"input":1,"config":{"recursion_limit":12}}`,
		status: 200,
		want:   map[string]any{"recursion_limit": float64(12), "max_concurrency": float64(2)},
	}, {
		name:   "wrong tag type",
		keys:   []string{"tags"},
		path:   "/invoke",
		body:   `{"input":1,"config":{"tags":[[]]}}`,
		status: 422,
		detail: `[{"type":"string_type","loc":["tags",0],"msg":"Input should be a valid string","input":[],"url":"https://errors.pydantic.dev/2.13/v/string_type"}]`,
	}, {
		name:   "wrong tag type in the hash",
		keys:   []string{"tags"},
		path:   "/c/" + hash(`{"tags":"x"}`) + "/invoke",
		body:   `{"input":1}`,
		status: 422,
		detail: `[{"type":"list_type","loc":["tags"],"msg":"Input should be a valid list","input":"x","url":"https://errors.pydantic.dev/2.13/v/list_type"}]`,
	}, {
		name:   "wrong type of a disallowed key is not checked",
		path:   "/invoke",
		body:   `{"input":1,"config":{"tags":[[]],"max_concurrency":"x"}}`,
		status: 200,
	}, {
		name:   "config is a list",
		path:   "/invoke",
		body:   `{"input":1,"config":[]}`,
		status: 422,
		detail: `[{"type":"dict_type","loc":["config"],"msg":"Input should be a valid dictionary","input":[],"url":"https://errors.pydantic.dev/2.13/v/dict_type"}]`,
	}, {
		name:   "config null is no config",
		path:   "/invoke",
		body:   `{"input":1,"config":null}`,
		status: 200,
	}, {
		name:   "max_concurrency must be an integer",
		keys:   []string{"max_concurrency"},
		path:   "/invoke",
		body:   `{"input":1,"config":{"max_concurrency":"x"}}`,
		status: 422,
		detail: `[{"type":"int_parsing","loc":["max_concurrency"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x","url":"https://errors.pydantic.dev/2.13/v/int_parsing"}]`,
	}, {
		name:   "run_id must be a UUID",
		keys:   []string{"run_id"},
		path:   "/invoke",
		body:   `{"input":1,"config":{"run_id":5}}`,
		status: 422,
		detail: `[{"type":"uuid_type","loc":["run_id"],"msg":"UUID input should be a string, bytes or UUID object","input":5,"url":"https://errors.pydantic.dev/2.13/v/uuid_type"}]`,
	}, {
		name:   "configurable of a runnable without configurable fields is dropped",
		path:   "/invoke",
		body:   `{"input":1,"config":{"configurable":{"x":1}}}`,
		status: 200,
		want:   map[string]any{"configurable": nil},
	}, {
		name:   "user agent and LangServe metadata",
		keys:   []string{"metadata"},
		path:   "/invoke",
		body:   `{"input":1,"config":{"metadata":{"__langserve_version":"forged"}}}`,
		header: []string{"User-Agent", "test-agent/1"},
		status: 200,
	}} {
		t.Run(test.name, func(t *testing.T) {
			h := handler(t, configEcho(), &serve.Options{Path: "/p", ConfigKeys: test.keys})
			resp := do(t, h, "POST", "/p"+test.path, test.body, test.header...)
			if test.status != 200 {
				wantJSON(t, resp, test.status, `{"detail":`+test.detail+`}`)
				return
			}
			if resp.status != 200 {
				t.Fatalf("status %d: %s", resp.status, resp.body)
			}
			out := resp.json(t).(map[string]any)["output"].(map[string]any)
			for k, want := range test.want {
				if !jsonEq(out[k], want) {
					t.Errorf("%s = %v, want %v", k, out[k], want)
				}
			}
			md := out["metadata"].(map[string]any)
			if md["__langserve_version"] != "0.3.3" || md["__langserve_endpoint"] != "invoke" {
				t.Errorf("metadata %v lacks LangServe's keys", md)
			}
			wantUA := any(nil)
			if len(test.header) > 0 {
				wantUA = test.header[1]
			}
			if md["__useragent"] != wantUA {
				t.Errorf("__useragent = %v, want %v", md["__useragent"], wantUA)
			}
			if strings.Contains(test.name, "metadata is kept") && md["a"] != float64(5) {
				t.Errorf("metadata.a = %v, want 5", md["a"])
			}
		})
	}
}

func jsonEq(a, b any) bool {
	return mustJSON(a) == mustJSON(b)
}

func mustJSON(v any) string {
	b, err := jsonMarshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestRunID(t *testing.T) {
	const id = "00000000-0000-0000-0000-000000000009"
	h := handler(t, configEcho(), &serve.Options{ConfigKeys: []string{"run_id"}})
	resp := do(t, h, "POST", "/invoke", `{"input":"x","config":{"run_id":"`+id+`"}}`)
	if got := resp.json(t).(map[string]any)["metadata"].(map[string]any)["run_id"]; got != id {
		t.Errorf("invoke run_id %v, want %s", got, id)
	}
	resp = do(t, h, "POST", "/stream", `{"input":"x","config":{"run_id":"`+id+`"}}`)
	if evs := resp.events(t); len(evs) == 0 || evs[0].Data != `{"run_id": "`+id+`"}` {
		t.Errorf("stream events %v, want metadata with %s first", evs, id)
	}
	const id2 = "00000000-0000-0000-0000-00000000000a"
	resp = do(t, h, "POST", "/batch", `{"inputs":[1,2],"config":[{"run_id":"`+id+`"},{"run_id":"`+id2+`"}]}`)
	md := resp.json(t).(map[string]any)["metadata"].(map[string]any)
	if ids := md["run_ids"].([]any); len(ids) != 2 || ids[0] != id || ids[1] != id2 {
		t.Errorf("batch run_ids %v, want [%s %s]", ids, id, id2)
	}
	// One config for several inputs: its run id names the first run only.
	resp = do(t, h, "POST", "/batch", `{"inputs":[1,2],"config":{"run_id":"`+id+`"}}`)
	ids := resp.json(t).(map[string]any)["metadata"].(map[string]any)["run_ids"].([]any)
	if len(ids) != 2 || ids[0] != id || ids[1] == id {
		t.Errorf("batch with one config: run_ids %v, want %s then a fresh id", ids, id)
	}

	// Without "run_id" in the config keys, the client's id is ignored.
	h = handler(t, configEcho(), nil)
	resp = do(t, h, "POST", "/invoke", `{"input":"x","config":{"run_id":"`+id+`"}}`)
	if got := resp.json(t).(map[string]any)["metadata"].(map[string]any)["run_id"]; got == id || !uuidRE.MatchString(got.(string)) {
		t.Errorf("run_id %v, want a fresh UUID", got)
	}
}

func TestConfigurable(t *testing.T) {
	app := referenceApp(t)
	for _, test := range []struct {
		name, path, body string
		status           int
		want             string
	}{
		{"declared field", "/conf/invoke", `{"input":{"language":"fr","text":"hi"},"config":{"configurable":{"answers":["Salut"]}}}`, 200, `"Salut"`},
		{"empty configurable is allowed when locked", "/conflocked/invoke", `{"input":{"language":"fr","text":"hi"},"config":{"configurable":{}}}`, 200, `"` + fixedReply + `"`},
		{"undeclared field dropped", "/conf/invoke", `{"input":{"language":"fr","text":"hi"},"config":{"configurable":{"nope":1}}}`, 200, `"` + fixedReply + `"`},
		{"locked", "/conflocked/stream_log", `{"input":{"language":"fr","text":"hi"},"config":{"configurable":{"answers":["x"]}}}`, 422, ""},
		{"locked through the hash", "/conflocked/c/" + hash(`{"configurable":{"answers":["x"]}}`) + "/invoke", `{"input":{"language":"fr","text":"hi"}}`, 422, ""},
	} {
		t.Run(test.name, func(t *testing.T) {
			resp := do(t, app, "POST", test.path, test.body)
			if resp.status != test.status {
				t.Fatalf("status %d, want %d: %s", resp.status, test.status, resp.body)
			}
			if test.status == 422 {
				wantJSON(t, resp, 422, `{"detail":"The config field `+"`configurable`"+` has been disallowed by the server. This can be modified server side by adding `+"`configurable`"+` to the list of `+"`config_keys`"+` argument in `+"`add_routes`"+`"}`)
				return
			}
			if out := mustJSON(resp.json(t).(map[string]any)["output"]); out != test.want {
				t.Errorf("output %s, want %s", out, test.want)
			}
		})
	}
}

func TestPerRequest(t *testing.T) {
	var calls atomic.Int32
	opts := &serve.Options{
		ConfigKeys: []string{"metadata"},
		PerRequest: func(r *http.Request, cfg *runnable.Config) error {
			calls.Add(1)
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return err
			}
			switch user := r.Header.Get("X-User"); user {
			case "":
				return &serve.Error{Status: http.StatusUnauthorized, Detail: "Missing X-User header"}
			case "crash":
				return errors.New("database down at 10.0.0.7")
			default:
				if cfg.Metadata == nil {
					cfg.Metadata = map[string]any{}
				}
				cfg.Metadata["user"] = user
				cfg.Metadata["body"] = string(body)
			}
			return nil
		},
		Logger: quiet,
	}
	h := handler(t, configEcho(), opts)

	body := `{"input":1}`
	resp := do(t, h, "POST", "/invoke", body, "X-User", "ada")
	md := resp.json(t).(map[string]any)["output"].(map[string]any)["metadata"].(map[string]any)
	if md["user"] != "ada" || md["body"] != body {
		t.Errorf("metadata %v: the hook should set user and see the body", md)
	}

	resp = do(t, h, "POST", "/invoke", body)
	wantJSON(t, resp, 401, `{"detail":"Missing X-User header"}`)
	// The hook runs for a batch even when it has nothing to run.
	wantJSON(t, do(t, h, "POST", "/batch", `{"inputs":[]}`), 401, `{"detail":"Missing X-User header"}`)

	for _, ep := range []string{"invoke", "batch", "stream", "stream_log", "stream_events"} {
		b := body
		if ep == "batch" {
			b = `{"inputs":[1]}`
		}
		resp = do(t, h, "POST", "/"+ep, b, "X-User", "crash")
		if resp.status != 500 || resp.body != "Internal Server Error" || resp.header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%s with a failing hook: %d %q %q, want the plain 500", ep, resp.status, resp.header.Get("Content-Type"), resp.body)
		}
	}

	// The schema and playground routes do not run the hook.
	calls.Store(0)
	for _, p := range []string{"/input_schema", "/output_schema", "/config_schema", "/playground/", "/c/N4XyA/input_schema"} {
		if resp := do(t, h, "GET", p, "", "X-User", "crash"); resp.status != 200 {
			t.Errorf("GET %s: %d", p, resp.status)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("hook ran %d times for schema routes", n)
	}

	// Batch: once per config of a list, once for a single config.
	calls.Store(0)
	do(t, h, "POST", "/batch", `{"inputs":[1,2,3],"config":[{},{},{}]}`, "X-User", "ada")
	if n := calls.Load(); n != 3 {
		t.Errorf("hook ran %d times for 3 configs, want 3", n)
	}
	calls.Store(0)
	do(t, h, "POST", "/batch", `{"inputs":[1,2,3],"config":{}}`, "X-User", "ada")
	if n := calls.Load(); n != 1 {
		t.Errorf("hook ran %d times for one config, want 1", n)
	}
}

func TestRunName(t *testing.T) {
	for _, test := range []struct{ path, want string }{{"", "config_echo"}, {"/p", "/p"}, {"/a/b/", "/a/b"}} {
		h := handler(t, configEcho(), &serve.Options{Path: test.path})
		p := strings.TrimSuffix(test.path, "/")
		evs := do(t, h, "POST", p+"/stream_events", `{"input":1}`).events(t)
		if len(evs) == 0 {
			t.Fatalf("path %q: no events", test.path)
		}
		first := must(jsonUnmarshal(evs[0].Data))
		if first["name"] != test.want {
			t.Errorf("path %q: root run named %v, want %q", test.path, first["name"], test.want)
		}
	}
}

// TestEscapedHash sends a config hash with its '+' percent-encoded, as a
// cautious client may.
func TestEscapedHash(t *testing.T) {
	const h = "N4Igxg9gdgZglgcwK4CcCGAjANgUxALlDSgGcB3HFEggbRACFoArCVAAgEYAmEAXQF9+QA" // {"configurable":{"answers":["Bonjour 12"]}}
	if got := hash(`{"configurable":{"answers":["Bonjour 12"]}}`); got != h {
		t.Fatalf("hash %s", got)
	}
	escaped := strings.ReplaceAll(h, "+", "%2B")
	mux := http.NewServeMux()
	mux.Handle("/conf/", handler(t, confRunnable(), &serve.Options{Path: "/conf"}))
	for name, app := range map[string]http.Handler{"echo": referenceApp(t), "net/http": mux} {
		for _, p := range []string{h, escaped} {
			r := do(t, app, "POST", "/conf/c/"+p+"/invoke", `{"input":{"language":"fr","text":"hi"}}`)
			if r.status != 200 || !strings.Contains(r.body, `"output":"Bonjour 12"`) {
				t.Errorf("%s %s: %d %s", name, p, r.status, r.body)
			}
		}
	}
}
