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
