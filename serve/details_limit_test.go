package serve_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/internal/validate"
	"github.com/langserve-go/langserve/serve"
)

// A list of many wrong items answers with a bounded number of errors, as
// input validation does: a small body must not make a huge answer.
func TestManyInvalidItemsMakeABoundedAnswer(t *testing.T) {
	h := handler(t, addOne(), &serve.Options{Path: "/add_one"})
	many := "[" + strings.TrimSuffix(strings.Repeat("1,", 1000), ",") + "]"
	for _, tc := range []struct{ path, body string }{
		{"/add_one/batch", `{"inputs":[],"config":` + many + `}`},
		{"/add_one/stream_log", `{"input":1,"include_names":` + many + `}`},
		{"/add_one/stream_events", `{"input":1,"include_tags":` + many + `,"exclude_tags":` + many + `}`},
	} {
		resp := do(t, h, "POST", tc.path, tc.body)
		var got struct{ Detail []map[string]any }
		if err := json.Unmarshal([]byte(resp.body), &got); err != nil || resp.status != 422 {
			t.Fatalf("%s: %d %.200s", tc.path, resp.status, resp.body)
		}
		if len(got.Detail) != validate.MaxErrors {
			t.Errorf("%s: %d errors, want %d", tc.path, len(got.Detail), validate.MaxErrors)
		}
	}
}
