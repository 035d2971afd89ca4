package playground_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/langserve-go/langserve/playground"
)

// The serve package mounts the handler like this for a route at /chat; the
// same handler answers under the config-hash prefix.
func ExampleHandler() {
	h := playground.Handler(&playground.Options{Title: "/chat"})
	mux := http.NewServeMux()
	mux.Handle("GET /chat/playground/", h)
	mux.Handle("GET /chat/c/{config_hash}/playground/", h)

	for _, path := range []string{"/chat/playground/", "/chat/c/N4XyA/playground/", "/chat/playground/nope.js"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, rec.Code, rec.Header().Get("Content-Type"))
	}
	// Output:
	// /chat/playground/ 200 text/html; charset=utf-8
	// /chat/c/N4XyA/playground/ 200 text/html; charset=utf-8
	// /chat/playground/nope.js 404 text/plain; charset=utf-8
}
