package graph_test

import (
	"context"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// BenchmarkFanOut measures the per-run overhead of a four-node graph (a,
// then b and c in parallel, then d) whose nodes do nothing, with and
// without a handler observing the runs.
func BenchmarkFanOut(b *testing.B) {
	g, err := fanOut(appendTrail).Compile()
	if err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		opts []runnable.Option
	}{
		{"untraced", nil},
		{"traced", []runnable.Option{runnable.WithCallbacks(runnable.HandlerFunc(func(_ context.Context, _ *runnable.Event) {}))}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Invoke(b.Context(), trail{}, tt.opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLinear is BenchmarkFanOut for three nodes in a row, which run on
// the caller's goroutine.
func BenchmarkLinear(b *testing.B) {
	b.ReportAllocs()
	g := linear(b)
	for b.Loop() {
		if _, err := g.Invoke(b.Context(), trail{}); err != nil {
			b.Fatal(err)
		}
	}
}
