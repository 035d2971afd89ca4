package serve_test

import (
	"context"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

// The benchmarks run the handlers in process (httptest.NewRecorder), so
// they measure this package's work per request: decoding and validating
// the body, the config pipeline, the run with its events, and encoding the
// answer. They report numbers only.

func benchRequest(b *testing.B, h http.Handler, path, body string) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkInvoke is POST /echo/invoke of the echo lambda with the Python
// client's body.
func BenchmarkInvoke(b *testing.B) {
	h := handler(b, echoRunnable(), &serve.Options{Path: "/echo"})
	benchRequest(b, h, "/echo/invoke",
		`{"input":{"a":1,"b":[true,null,"x"],"c":{"d":"é"}},"config":{"tags":[],"metadata":{},"recursion_limit":25,"configurable":{}},"kwargs":{}}`)
}

// fifteen streams 15 string chunks, like the reference chat route.
func fifteen() runnable.Runnable[any, string] {
	words := strings.SplitAfter("Bonjour le monde, ceci est une réponse fixe, dite quinze fois sans faute aujourd hui", " ")[:15]
	return runnable.Generator("fifteen", func(_ context.Context, in iter.Seq2[any, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for range in {
			}
			for _, w := range words {
				if !yield(w, nil) {
					return
				}
			}
		}
	})
}

// BenchmarkStream is POST /stream of a generator that yields 15 chunks:
// 17 flushed SSE events per request.
func BenchmarkStream(b *testing.B) {
	h := handler(b, fifteen(), &serve.Options{Path: "/chat"})
	benchRequest(b, h, "/chat/stream", `{"input":{"language":"French","text":"hello"},"config":{},"kwargs":{}}`)
}

// BenchmarkChatStream is POST /chat/stream of the reference chat chain
// (prompt, fake chat model, string parser; 15 chunks).
func BenchmarkChatStream(b *testing.B) {
	h := handler(b, chatRunnable(), &serve.Options{Path: "/chat"})
	benchRequest(b, h, "/chat/stream", `{"input":{"language":"French","text":"hello"},"config":{},"kwargs":{}}`)
}

// BenchmarkStreamEvents is POST /chat/stream_events of the chat chain.
func BenchmarkStreamEvents(b *testing.B) {
	h := handler(b, chatRunnable(), &serve.Options{Path: "/chat"})
	benchRequest(b, h, "/chat/stream_events", `{"input":{"language":"French","text":"hello"}}`)
}
