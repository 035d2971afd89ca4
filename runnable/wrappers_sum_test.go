package runnable_test

import (
	"context"
	"iter"
	"sync/atomic"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// counted is a chunk type whose Concat counts its calls: adding message
// chunks up costs a copy of the text so far per chunk.
type counted struct {
	n     int
	calls *atomic.Int64
}

func (c counted) Concat(o counted) counted {
	c.calls.Add(1)
	return counted{n: c.n + o.n, calls: c.calls}
}

// The wrappers that relay a stream (branch, fallbacks, retry) add its
// chunks up only for their run's end event: with nobody observing the run
// they must not add anything, and with a handler they must report the sum.
func TestWrappersAddUpOnlyWhenObserved(t *testing.T) {
	var calls atomic.Int64
	chunks := runnable.Generator("chunks", func(_ context.Context, in iter.Seq2[int, error]) iter.Seq2[counted, error] {
		return func(yield func(counted, error) bool) {
			for range in {
			}
			for range 5 {
				if !yield(counted{n: 1, calls: &calls}, nil) {
					return
				}
			}
		}
	})
	for _, tt := range []struct {
		name string
		r    runnable.Runnable[int, counted]
	}{
		{"branch", runnable.Branch[int, counted](chunks)},
		{"fallbacks", runnable.Fallbacks[int, counted](chunks, nil, nil)},
		{"retry", runnable.Retry[int, counted](chunks, nil)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls.Store(0)
			got, err := runnable.Collect(tt.r.Stream(t.Context(), 0))
			if err != nil || got.n != 5 {
				t.Fatalf("Collect = %d, %v; want 5", got.n, err)
			}
			calls.Store(0)
			for _, err := range tt.r.Stream(t.Context(), 0) {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := calls.Load(); n != 0 {
				t.Errorf("unobserved stream: %d Concat calls, want 0", n)
			}

			var c runnable.Collector
			for _, err := range tt.r.Stream(t.Context(), 0, runnable.WithCallbacks(&c)) {
				if err != nil {
					t.Fatal(err)
				}
			}
			var end *runnable.Event
			for _, ev := range c.Events() {
				if ev.Kind == runnable.EventEnd && len(ev.ParentIDs) == 0 {
					end = &ev
				}
			}
			if end == nil {
				t.Fatal("observed stream: no end event")
			}
			if out, ok := end.Output.(counted); !ok || out.n != 5 {
				t.Errorf("observed stream: end output %#v, want the sum 5", end.Output)
			}
		})
	}
}
