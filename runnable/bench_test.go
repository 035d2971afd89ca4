package runnable_test

import (
	"context"
	"iter"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// counting is the cheapest useful handler: it shows what tracing itself
// costs (event construction, ids, tags, metadata), not what a handler does.
func counting() (runnable.Handler, *atomic.Int64) {
	var n atomic.Int64
	return runnable.HandlerFunc(func(context.Context, *runnable.Event) { n.Add(1) }), &n
}

// tracing runs b once without handlers and once with a counting handler.
func tracing(b *testing.B, run func(b *testing.B, opts ...runnable.Option)) {
	b.Run("untraced", func(b *testing.B) { run(b) })
	b.Run("traced", func(b *testing.B) {
		h, n := counting()
		run(b, runnable.WithCallbacks(h))
		b.ReportMetric(float64(n.Load())/float64(b.N), "events/op")
	})
}

func threeSteps() *runnable.Sequence[int, int] {
	return runnable.Pipe3(addOne(), mulTwo(), addOne())
}

func BenchmarkPipe3Invoke(b *testing.B) {
	chain := threeSteps()
	tracing(b, func(b *testing.B, opts ...runnable.Option) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if out, err := chain.Invoke(ctx, 1, opts...); err != nil || out != 5 {
				b.Fatal(out, err)
			}
		}
	})
}

func BenchmarkPipe3Stream(b *testing.B) {
	chain := threeSteps()
	tracing(b, func(b *testing.B, opts ...runnable.Option) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			for out, err := range chain.Stream(ctx, 1, opts...) {
				if err != nil || out != 5 {
					b.Fatal(out, err)
				}
			}
		}
	})
}

func BenchmarkBatch100(b *testing.B) {
	chain := threeSteps()
	ins := make([]int, 100)
	for i := range ins {
		ins[i] = i
	}
	for _, limit := range []int{0, 4} {
		b.Run("max_concurrency="+strconv.Itoa(limit), func(b *testing.B) {
			tracing(b, func(b *testing.B, opts ...runnable.Option) {
				ctx := context.Background()
				opts = append(opts, runnable.WithMaxConcurrency(limit))
				b.ReportAllocs()
				for b.Loop() {
					if outs, err := chain.Batch(ctx, ins, opts...); err != nil || len(outs) != 100 {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkStream1000Chunks streams 1,000 chunks through a lambda-free
// transform chain: a generator producing them | a generator mapping each |
// a passthrough. Every chunk crosses three runs.
func BenchmarkStream1000Chunks(b *testing.B) {
	produce := runnable.Generator("produce", func(_ context.Context, in iter.Seq2[int, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			n, err := runnable.Collect(in)
			if err != nil {
				yield("", err)
				return
			}
			for range n {
				if !yield("tok", nil) {
					return
				}
			}
		}
	})
	mark := runnable.Generator("mark", func(_ context.Context, in iter.Seq2[string, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for s, err := range in {
				if err != nil {
					yield("", err)
					return
				}
				if !yield(s+"!", nil) {
					return
				}
			}
		}
	})
	chain := runnable.Pipe3(produce, mark, runnable.Passthrough[string]())
	tracing(b, func(b *testing.B, opts ...runnable.Option) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for _, err := range chain.Stream(ctx, 1000, opts...) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != 1000 {
				b.Fatal(n)
			}
		}
	})
}

func BenchmarkParallelInvoke(b *testing.B) {
	p := runnable.Parallel(map[string]runnable.Runnable[int, any]{
		"a": runnable.AsAny(addOne()),
		"b": runnable.AsAny(mulTwo()),
		"c": runnable.AsAny(runnable.Passthrough[int]()),
	})
	tracing(b, func(b *testing.B, opts ...runnable.Option) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if out, err := p.Invoke(ctx, 1, opts...); err != nil || len(out) != 3 {
				b.Fatal(out, err)
			}
		}
	})
}
