package observe_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/langserve-go/langserve/observe"
	"github.com/langserve-go/langserve/runnable"
)

func chain(fail bool) runnable.Runnable[int, int] {
	add := runnable.Lambda("add_one", func(_ context.Context, x int) (int, error) { return x + 1, nil })
	mul := runnable.Lambda("mul_two", func(_ context.Context, x int) (int, error) {
		if fail {
			return 0, errors.New("boom")
		}
		return x * 2, nil
	})
	return runnable.Pipe(add, mul)
}

func TestTracerNestsSpansAsRuns(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tp.Shutdown(context.Background())

	for range chain(false).Stream(t.Context(), 1, runnable.WithCallbacks(observe.Tracer(tp)), runnable.WithRunName("/math")) {
	}
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byName[s.Name()] = s
	}
	root := byName["/math"]
	if root == nil {
		t.Fatalf("no root span among %v", byName)
	}
	for _, name := range []string{"add_one", "mul_two"} {
		s := byName[name]
		if s == nil || s.Parent().SpanID() != root.SpanContext().SpanID() {
			t.Errorf("%s is not a child of the root span", name)
		}
	}
	if len(byName["mul_two"].Events()) != 1 {
		t.Errorf("mul_two span has %d chunk events, want 1", len(byName["mul_two"].Events()))
	}

	rec2 := tracetest.NewSpanRecorder()
	tp2 := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec2))
	defer tp2.Shutdown(context.Background())
	if _, err := chain(true).Invoke(t.Context(), 1, runnable.WithCallbacks(observe.Tracer(tp2))); err == nil {
		t.Fatal("no error")
	}
	for _, s := range rec2.Ended() {
		if s.Name() != "add_one" && s.Status().Code != codes.Error {
			t.Errorf("span %s status %v, want Error", s.Name(), s.Status())
		}
	}
}

func TestMetricsCountRunsAndRequests(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := observe.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	for range chain(false).Stream(t.Context(), 1, runnable.WithCallbacks(m)) {
	}
	if _, err := chain(true).Invoke(t.Context(), 1, runnable.WithCallbacks(m)); err == nil {
		t.Fatal("no error")
	}
	want := `
# HELP langserve_runs_total Runs by name, run type and outcome (ok or error).
# TYPE langserve_runs_total counter
langserve_runs_total{name="RunnableSequence",outcome="error",type="chain"} 1
langserve_runs_total{name="RunnableSequence",outcome="ok",type="chain"} 1
langserve_runs_total{name="add_one",outcome="ok",type="chain"} 2
langserve_runs_total{name="mul_two",outcome="error",type="chain"} 1
langserve_runs_total{name="mul_two",outcome="ok",type="chain"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "langserve_runs_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "langserve_run_first_chunk_seconds"); n == 0 {
		t.Error("no first-chunk observation")
	}

	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/stream"):
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte("event: end\r\n\r\n"))
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("flush through the middleware: %v", err)
			}
		case strings.HasSuffix(r.URL.Path, "/invoke"):
			w.Write([]byte(`{}`))
		default:
			http.NotFound(w, r)
		}
	}))
	for _, p := range []string{"/chat/invoke", "/chat/c/N4XyA/invoke", "/chat/stream", "/random/scan/path", "/x/y/z"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", p, nil))
	}
	wantHTTP := `
# HELP langserve_http_requests_total HTTP requests by route, endpoint and status code.
# TYPE langserve_http_requests_total counter
langserve_http_requests_total{code="200",endpoint="invoke",route="/chat"} 2
langserve_http_requests_total{code="200",endpoint="stream",route="/chat"} 1
langserve_http_requests_total{code="404",endpoint="other",route="unmatched"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantHTTP), "langserve_http_requests_total"); err != nil {
		t.Error(err)
	}
}

// Paths that no route serves must not grow any label set, the in-flight
// gauge's included: each distinct path would stay a series forever.
func TestMetricsUnmatchedPathsAddNoSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := observe.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chat/invoke" {
			w.Write([]byte(`{}`))
			return
		}
		http.NotFound(w, r)
	}))
	for _, p := range []string{"/chat/invoke", "/scan1/invoke", "/scan2/stream", "/scan3/playground/", "/chat/invoke"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", p, nil))
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, metric := range mf.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() == "route" && strings.HasPrefix(l.GetValue(), "/scan") {
					t.Errorf("%s has a series for the unmatched route %q", mf.GetName(), l.GetValue())
				}
			}
		}
	}
	if n := testutil.CollectAndCount(reg, "langserve_http_in_flight_requests"); n != 1 {
		t.Errorf("%d in-flight series, want 1 (/chat invoke)", n)
	}
}
