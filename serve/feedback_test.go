package serve_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/serve"
)

func TestTokenFeedback(t *testing.T) {
	h := handler(t, addOne(), nil)
	wantJSON(t, do(t, h, "POST", "/token_feedback", `{"token_or_url":"x","score":1}`), 400,
		`{"detail":"The feedback endpoint is only accessible when LangSmith is enabled on your LangServe server.\n Please set the proper environment variables to enable LangSmith.In addition, please ensure that the token_feedback_config has been properly specified when using add_routes or APIHandler."}`)
	wantJSON(t, do(t, h, "POST", "/token_feedback", `{}`), 422,
		`{"detail":[{"type":"missing","loc":["token_or_url"],"msg":"Field required","input":{},"url":"https://errors.pydantic.dev/2.13/v/missing"}]}`)
	if r := do(t, h, "POST", "/token_feedback", `{"token_or_url":"x","score":"great"}`); r.status != 422 {
		t.Errorf("string score: %d %s", r.status, r.body)
	}
	if r := do(t, h, "GET", "/token_feedback", ""); r.status != 405 {
		t.Errorf("GET token_feedback: %d", r.status)
	}
}

// failingStore fails every Create.
type failingStore struct{ err error }

func (f failingStore) Create(context.Context, serve.Feedback) (serve.Feedback, error) {
	return serve.Feedback{}, f.err
}

func TestFeedback(t *testing.T) {
	store := serve.NewMemoryFeedbackStore()
	h := handler(t, addOne(), &serve.Options{Path: "/add_one", Feedback: store})
	if r := do(t, h, "HEAD", "/add_one/feedback", ""); r.status != 200 {
		t.Errorf("HEAD feedback: %d", r.status)
	}
	runID := uuid.New().String()
	r := do(t, h, "POST", "/add_one/feedback", `{"run_id":"`+runID+`","key":"correctness","score":1}`)
	if r.status != 200 {
		t.Fatalf("POST feedback: %d %s", r.status, r.body)
	}
	got := r.json(t).(map[string]any)
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"comment", "correction", "created_at", "id", "key", "modified_at", "run_id", "score", "value"}; !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if got["run_id"] != runID || got["key"] != "correctness" || got["score"] != float64(1) || !uuidRE.MatchString(got["id"].(string)) {
		t.Errorf("feedback %v", got)
	}
	all := store.All()
	if len(all) != 1 || all[0].ID.String() != got["id"] || all[0].Key != "correctness" {
		t.Errorf("stored %+v", all)
	}

	for _, test := range []struct{ body, loc string }{
		{`{"key":"k"}`, `["run_id"]`},
		{`{"run_id":"nope","key":"k"}`, `["run_id"]`},
		{`{"run_id":null}`, `["key"]`},
		{`{"run_id":null,"key":"k","score":"x"}`, `["score"]`},
		{`{"run_id":null,"key":"k","comment":1}`, `["comment"]`},
	} {
		r := do(t, h, "POST", "/add_one/feedback", test.body)
		if r.status != 422 {
			t.Errorf("%s: %d %s", test.body, r.status, r.body)
			continue
		}
		detail := r.json(t).(map[string]any)["detail"].([]any)
		if loc := mustJSON(detail[0].(map[string]any)["loc"]); loc != test.loc {
			t.Errorf("%s: loc %s, want %s", test.body, loc, test.loc)
		}
	}
	if r := do(t, h, "POST", "/add_one/feedback", `{"run_id":null,"key":"thumbs","score":true,"comment":"ok"}`); r.status != 200 {
		t.Errorf("null run id, boolean score: %d %s", r.status, r.body)
	}

	h = handler(t, addOne(), &serve.Options{Feedback: failingStore{errors.New("disk full")}, Logger: quiet})
	if r := do(t, h, "POST", "/feedback", `{"run_id":null,"key":"k"}`); r.status != 500 || r.body != "Internal Server Error" {
		t.Errorf("failing store: %d %s", r.status, r.body)
	}
	h = handler(t, addOne(), &serve.Options{Feedback: failingStore{&serve.Error{Status: http.StatusForbidden, Detail: "read-only"}}})
	wantJSON(t, do(t, h, "POST", "/feedback", `{"run_id":null,"key":"k"}`), 403, `{"detail":"read-only"}`)
}

func TestPublicTraceLink(t *testing.T) {
	h := handler(t, addOne(), &serve.Options{PublicTraceLink: fixedLinker{}})
	id := uuid.New().String()
	wantJSON(t, do(t, h, "PUT", "/public_trace_link", `{"run_id":"`+id+`"}`), 200, `{"public_url":"https://traces.example/public/<id>/r"}`)
	if r := do(t, h, "HEAD", "/public_trace_link", ""); r.status != 200 {
		t.Errorf("HEAD: %d", r.status)
	}
	if r := do(t, h, "PUT", "/public_trace_link", `{"run_id":"x"}`); r.status != 422 {
		t.Errorf("bad run id: %d %s", r.status, r.body)
	}
	if r := do(t, h, "POST", "/public_trace_link", `{}`); r.status != 405 || r.header.Get("Allow") != "PUT, HEAD" {
		t.Errorf("POST: %d %q", r.status, r.header.Get("Allow"))
	}
}
