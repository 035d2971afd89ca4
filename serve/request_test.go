package serve_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

func addOne() runnable.Runnable[int, int] {
	return runnable.Lambda("add_one", func(_ context.Context, x int) (int, error) { return x + 1, nil })
}

func TestRequestValidation(t *testing.T) {
	h := handler(t, addOne(), &serve.Options{Path: "/add_one", ConfigKeys: []string{"tags"}})
	typed := handler(t, typedRunnable(), &serve.Options{Path: "/typed"})
	invalidJSON := `{"detail":["Invalid JSON body"]}`
	for _, test := range []struct {
		name      string
		h         http.Handler
		path      string
		body      string
		status    int
		want      string // the whole answer, as JSON; "" to check the status only
		wantInErr string // a substring of the answer
	}{
		{"malformed JSON", h, "/add_one/invoke", "bad json []", 422, invalidJSON, ""},
		{"empty body", h, "/add_one/invoke", "", 422, invalidJSON, ""},
		{"malformed JSON on stream", h, "/add_one/stream", "bad json []", 422, invalidJSON, ""},
		{"malformed JSON on stream_events", h, "/add_one/stream_events", "{", 422, invalidJSON, ""},
		{"malformed JSON on batch", h, "/add_one/batch", `{"inputs": [1,2`, 422, invalidJSON, ""},
		{"body not an object", h, "/add_one/invoke", `[1,2,3]`, 422,
			`{"detail":[{"type":"model_type","loc":[],"msg":"Input should be a valid dictionary or instance of InvokeRequestShallowValidator","input":[1,2,3],"ctx":{"class_name":"InvokeRequestShallowValidator"},"url":"https://errors.pydantic.dev/2.13/v/model_type"}]}`, ""},
		{"batch body not an object", h, "/add_one/batch", `"x"`, 422, "", "BatchRequestShallowValidator"},
		{"missing input", h, "/add_one/invoke", `{}`, 422,
			`{"detail":[{"type":"missing","loc":["input"],"msg":"Field required","input":{},"url":"https://errors.pydantic.dev/2.13/v/missing"}]}`, ""},
		{"missing input on stream is JSON, not SSE", h, "/add_one/stream", `{}`, 422, "", `"missing"`},
		{"missing input on stream_log", h, "/add_one/stream_log", `{"config":{}}`, 422, "", `"missing"`},
		{"missing inputs", h, "/add_one/batch", `{}`, 422, "", `"loc":["inputs"]`},
		{"string for an integer", h, "/add_one/invoke", `{"input":"foo"}`, 422,
			`{"detail":[{"type":"int_parsing","loc":[],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"foo","url":"https://errors.pydantic.dev/2.13/v/int_parsing"}]}`, ""},
		{"fraction for an integer", h, "/add_one/invoke", `{"input":1.5}`, 422, "", `"int_from_float"`},
		{"wrong field type", typed, "/typed/invoke", `{"input":{"name":"Ada","times":"many"}}`, 422,
			`{"detail":[{"type":"int_parsing","loc":["times"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"many","url":"https://errors.pydantic.dev/2.13/v/int_parsing"}]}`, ""},
		{"missing field", typed, "/typed/stream", `{"input":{"times":2}}`, 422,
			`{"detail":[{"type":"missing","loc":["name"],"msg":"Field required","input":{"times":2},"url":"https://errors.pydantic.dev/2.13/v/missing"}]}`, ""},
		{"kwargs as a list", h, "/add_one/invoke", `{"input":1,"kwargs":[1,2]}`, 200, "", `"output":2`},
		{"unknown members", h, "/add_one/invoke", `{"input":1,"diff":true,"version":"v1","foo":{}}`, 200, "", `"output":2`},
		{"filter not a list", h, "/add_one/stream_log", `{"input":1,"include_names":"add_one"}`, 422, "", `"loc":["include_names"]`},
		{"filter with a list", h, "/add_one/stream_log", `{"input":1,"include_names":[[]]}`, 422,
			`{"detail":[{"type":"string_type","loc":["include_names",0],"msg":"Input should be a valid string","input":[],"url":"https://errors.pydantic.dev/2.13/v/string_type"}]}`, ""},
		{"filter on stream_events", h, "/add_one/stream_events", `{"input":1,"exclude_tags":[1]}`, 422, "", `"loc":["exclude_tags",0]`},
		{"null filters", h, "/add_one/stream_events", `{"input":1,"include_names":null,"include_types":null,"include_tags":null,"exclude_names":null,"exclude_types":null,"exclude_tags":null}`, 200, "", "event: end"},
		{"config count mismatch", h, "/add_one/batch", `{"inputs":[1,2],"config":[{},{},{}]}`, 422,
			`{"detail":"Number of configs (3) must match number of inputs (2)"}`, ""},
		{"batch config null", h, "/add_one/batch", `{"inputs":[1,2],"config":null}`, 422,
			`{"detail":"Value for 'config' key must be a dict or list if provided"}`, ""},
		{"batch config string", h, "/add_one/batch", `{"inputs":[1],"config":"x"}`, 422, "", `"loc":["config","list"]`},
		{"batch config list item", h, "/add_one/batch", `{"inputs":[1],"config":[3]}`, 422, "", `"loc":["config","list",0]`},
		{"batch inputs not a list", h, "/add_one/batch", `{"inputs":1}`, 422, "", `"list_type"`},
		{"batch empty", h, "/add_one/batch", `{"inputs":[]}`, 200, `{"output":[],"metadata":{"responses":[],"run_ids":[]}}`, ""},
		{"batch item of the wrong type", h, "/add_one/batch", `{"inputs":[1,"x"]}`, 422,
			`{"detail":[{"type":"int_parsing","loc":["inputs",1],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x","url":"https://errors.pydantic.dev/2.13/v/int_parsing"}]}`, ""},
		{"batch item missing a field", typed, "/typed/batch", `{"inputs":[{"name":"a"},{}]}`, 422, "", `"loc":["inputs",1,"name"]`},
	} {
		t.Run(test.name, func(t *testing.T) {
			resp := do(t, test.h, "POST", test.path, test.body)
			if test.want != "" {
				wantJSON(t, resp, test.status, test.want)
			} else if resp.status != test.status {
				t.Errorf("status %d, want %d: %s", resp.status, test.status, resp.body)
			}
			if test.status == 422 && resp.header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q, want application/json", resp.header.Get("Content-Type"))
			}
			if !strings.Contains(resp.body, test.wantInErr) {
				t.Errorf("body %s lacks %s", resp.body, test.wantInErr)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	h := handler(t, echoRunnable(), &serve.Options{MaxBodyBytes: 64})
	big := `{"input":"` + strings.Repeat("x", 100) + `"}`
	for _, ep := range []string{"invoke", "batch", "stream", "stream_log", "stream_events", "token_feedback"} {
		resp := do(t, h, "POST", "/"+ep, big)
		wantJSON(t, resp, 413, `{"detail":"Request body too large: the limit is 64 bytes"}`)
	}
	// A body without a declared length is cut off while it is read.
	req := httptest.NewRequestWithContext(t.Context(), "POST", "/invoke", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 413 {
		t.Errorf("chunked body: status %d, want 413", rec.Code)
	}
	if resp := do(t, h, "POST", "/invoke", `{"input":"small"}`); resp.status != 200 {
		t.Errorf("small body: status %d", resp.status)
	}
	// The default is 10 MiB.
	h = handler(t, echoRunnable(), nil)
	if resp := do(t, h, "POST", "/invoke", `{"input":"`+strings.Repeat("x", 1<<20)+`"}`); resp.status != 200 {
		t.Errorf("1 MiB body with the default limit: status %d", resp.status)
	}
	req = httptest.NewRequestWithContext(t.Context(), "POST", "/invoke", strings.NewReader("{}"))
	req.ContentLength = serve.DefaultMaxBodyBytes + 1
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 413 {
		t.Errorf("announced 10 MiB + 1: status %d, want 413", rec.Code)
	}
}

// String constraints of the input schema (minLength, maxLength, pattern)
// are checked before the run: a bad input gets pydantic's 422, and the
// runnable never sees it.
func TestStringConstraints(t *testing.T) {
	type In struct {
		Text string `json:"text"`
	}
	var calls atomic.Int32
	r := runnable.Lambda("shout", func(_ context.Context, in In) (string, error) {
		calls.Add(1)
		return strings.ToUpper(in.Text), nil
	})
	h := handler(t, r, &serve.Options{Path: "/shout", InputSchema: runnable.Schema{
		"title": "ShoutInput", "type": "object", "required": []any{"text"},
		"properties": map[string]any{"text": map[string]any{"type": "string", "minLength": 1, "maxLength": 5, "pattern": `\S`}},
	}})
	for _, test := range []struct {
		name, path, body, want string
	}{
		{"empty", "/shout/invoke", `{"input":{"text":""}}`,
			`{"detail":[{"type":"string_too_short","loc":["text"],"msg":"String should have at least 1 character","input":"","ctx":{"min_length":1},"url":"https://errors.pydantic.dev/2.13/v/string_too_short"}]}`},
		{"too long", "/shout/stream", `{"input":{"text":"abcdef"}}`,
			`{"detail":[{"type":"string_too_long","loc":["text"],"msg":"String should have at most 5 characters","input":"abcdef","ctx":{"max_length":5},"url":"https://errors.pydantic.dev/2.13/v/string_too_long"}]}`},
		{"white space", "/shout/batch", `{"inputs":[{"text":"ok"},{"text":"  "}]}`,
			`{"detail":[{"type":"string_pattern_mismatch","loc":["inputs",1,"text"],"msg":"String should match pattern '\\S'","input":"  ","ctx":{"pattern":"\\S"},"url":"https://errors.pydantic.dev/2.13/v/string_pattern_mismatch"}]}`},
	} {
		t.Run(test.name, func(t *testing.T) {
			wantJSON(t, do(t, h, "POST", test.path, test.body), 422, test.want)
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the runnable ran %d times on invalid input", n)
	}
	if resp := do(t, h, "POST", "/shout/invoke", `{"input":{"text":" hi "}}`); resp.status != 200 || calls.Load() != 1 {
		t.Errorf("valid input: %d %s", resp.status, resp.body)
	}
}
