package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/langserve-go/langserve/observe"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

func ExampleAddRoutes() {
	shout := runnable.Lambda("shout", func(_ context.Context, s string) (string, error) {
		return strings.ToUpper(s) + "!", nil
	})

	app := serve.New()
	serve.AddRoutes(app, shout, &serve.Options{Path: "/shout"})
	// app.Start(":8000") would serve it; here one request is enough.

	req := httptest.NewRequest("POST", "/shout/invoke", strings.NewReader(`{"input":"hello"}`))
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, req)

	var resp struct{ Output string }
	json.Unmarshal(rec.Body.Bytes(), &resp)
	fmt.Println(rec.Code, resp.Output)

	req = httptest.NewRequest("GET", "/shout/input_schema", nil)
	rec = httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())
	// Output:
	// 200 HELLO!
	// {"title":"shout_input","type":"string"}
}

func ExampleNewHandler() {
	count := runnable.Generator("count", func(ctx context.Context, in iter.Seq2[int, error]) iter.Seq2[int, error] {
		return func(yield func(int, error) bool) {
			n := 0
			for x, err := range in {
				if err != nil {
					yield(0, err)
					return
				}
				n += x
			}
			for i := 1; i <= n; i++ {
				if !yield(i, nil) {
					return
				}
			}
		}
	})
	h, err := serve.NewHandler(count, &serve.Options{Path: "/count"})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/count/", h) // the handler wants the full path: no StripPrefix
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/count/stream", "application/json", strings.NewReader(`{"input":3}`))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\r\n") {
		if strings.HasPrefix(line, "event:") || strings.HasPrefix(line, "data: ") && !strings.Contains(line, "run_id") {
			fmt.Println(line)
		}
	}
	// Output:
	// event: metadata
	// event: data
	// data: 1
	// event: data
	// data: 2
	// event: data
	// data: 3
	// event: end
}

// Options.Callbacks see every run of the routes: here Prometheus metrics,
// read back from their registry.
func ExampleOptions_callbacks() {
	shout := runnable.Lambda("shout", func(_ context.Context, s string) (string, error) {
		return strings.ToUpper(s) + "!", nil
	})
	reg := prometheus.NewRegistry()
	metrics, err := observe.NewMetrics(reg)
	if err != nil {
		log.Fatal(err)
	}
	h, err := serve.NewHandler(shout, &serve.Options{Path: "/shout", Callbacks: []runnable.Handler{metrics}})
	if err != nil {
		log.Fatal(err)
	}
	h = metrics.Middleware(h)
	for _, in := range []string{`"hi"`, `"there"`, `5`} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/shout/invoke", strings.NewReader(`{"input":`+in+`}`)))
		fmt.Println(rec.Code)
	}
	families, err := reg.Gather()
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "langserve_runs_total" && f.GetName() != "langserve_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			fmt.Println(f.GetName(), strings.Join(labels, " "), m.GetCounter().GetValue())
		}
	}
	// Output:
	// 200
	// 200
	// 422
	// langserve_http_requests_total code=200 endpoint=invoke route=/shout 2
	// langserve_http_requests_total code=422 endpoint=invoke route=/shout 1
	// langserve_runs_total name=/shout outcome=ok type=chain 2
}
