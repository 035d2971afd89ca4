package chatmodel_test

import (
	"context"
	"testing"

	"github.com/langserve-go/langserve/internal/openaitest"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
)

// BenchmarkFakeStream streams the 15-chunk reply of the reference /chat
// route, with and without an observer of the run's events.
func BenchmarkFakeStream(b *testing.B) {
	m := chatmodel.Fake(reply)
	for _, observed := range []bool{false, true} {
		name := "unobserved"
		var opts []runnable.Option
		if observed {
			name = "observed"
			opts = append(opts, runnable.WithCallbacks(runnable.HandlerFunc(func(_ context.Context, _ *runnable.Event) {})))
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, err := range m.Stream(b.Context(), prompt, opts...) {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkLLMStream streams a 9-word answer from openaitest through
// langchaingo's OpenAI client over loopback HTTP.
func BenchmarkLLMStream(b *testing.B) {
	s := openaitest.New(b)
	m := openAIModel(b, s)
	b.ReportAllocs()
	for b.Loop() {
		s.Queue(openaitest.Reply{Content: "one two three four five six seven eight nine"})
		for _, err := range m.Stream(b.Context(), prompt) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
