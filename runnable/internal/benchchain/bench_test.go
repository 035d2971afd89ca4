package benchchain_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
)

// reply is the fixed answer of the reference /chat route: 15 chunks.
const reply = "Bonjour le monde, ceci est une réponse fixe."

// chat is the reference /chat chain: prompt | fake streaming chat model |
// string parser.
func chat() runnable.Runnable[map[string]any, string] {
	return runnable.Pipe3(
		prompt.MustChat(prompt.Human("Translate to {language}: {text}")),
		chatmodel.Fake(reply),
		parser.String(),
	)
}

var input = map[string]any{"language": "French", "text": "hello world"}

// tracing runs b without handlers, then with a handler that only counts
// events: the difference is the cost of tracing.
func tracing(b *testing.B, run func(b *testing.B, opts ...runnable.Option)) {
	b.Run("untraced", func(b *testing.B) { run(b) })
	b.Run("traced", func(b *testing.B) {
		var n atomic.Int64
		run(b, runnable.WithCallbacks(runnable.HandlerFunc(func(context.Context, *runnable.Event) { n.Add(1) })))
		b.ReportMetric(float64(n.Load())/float64(b.N), "events/op")
	})
}

func BenchmarkChatInvoke(b *testing.B) {
	c := chat()
	tracing(b, func(b *testing.B, opts ...runnable.Option) {
		b.ReportAllocs()
		for b.Loop() {
			if out, err := c.Invoke(b.Context(), input, opts...); err != nil || out != reply {
				b.Fatal(out, err)
			}
		}
	})
}

func BenchmarkChatStream(b *testing.B) { benchStream(b, chat(), 15) }

// benchStream streams input through c, checking that it yields chunks chunks.
func benchStream(b *testing.B, c runnable.Runnable[map[string]any, string], chunks int) {
	tracing(b, func(b *testing.B, opts ...runnable.Option) {
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for _, err := range c.Stream(b.Context(), input, opts...) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != chunks {
				b.Fatalf("%d chunks, want %d", n, chunks)
			}
		}
	})
}

// BenchmarkChatStream1000 streams 1,000 chunks (500 words and the spaces
// between them) through prompt | model | parser: the per-chunk cost of the
// whole streaming path, with and without tracing.
func BenchmarkChatStream1000(b *testing.B) {
	words := make([]string, 500)
	for i := range words {
		words[i] = "mot"
	}
	long := strings.Join(words, " ") + " "
	c := runnable.Pipe3(
		prompt.MustChat(prompt.Human("Translate to {language}: {text}")),
		chatmodel.Fake(long),
		parser.String(),
	)
	benchStream(b, c, 1001)
}
