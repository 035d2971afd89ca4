package runnable_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/runnable"
)

// gauge tracks how many calls run at once and the most seen. The first
// `limit` calls wait until `limit` of them run together, so that the peak
// really reaches the limit when the bound allows it and the test shows it
// is never exceeded.
type gauge struct {
	inFlight, peak, calls atomic.Int32
	limit                 int32
	full                  chan struct{}
	once                  sync.Once
}

func newGauge(limit int) *gauge { return &gauge{limit: int32(limit), full: make(chan struct{})} }

func (g *gauge) runnable() runnable.Runnable[int, int] {
	return runnable.Lambda("gauge", func(ctx context.Context, x int) (int, error) {
		g.calls.Add(1)
		n := g.inFlight.Add(1)
		defer g.inFlight.Add(-1)
		for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
		}
		if n >= g.limit {
			g.once.Do(func() { close(g.full) })
		}
		select {
		case <-g.full:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		return x * 10, nil
	})
}

func TestBatchMaxConcurrency(t *testing.T) {
	ins := make([]int, 40)
	want := make([]int, 40)
	for i := range ins {
		ins[i], want[i] = i, i*10
	}
	for _, limit := range []int{1, 2, 3, 8} {
		g := newGauge(limit)
		outs, err := g.runnable().Batch(t.Context(), ins, runnable.WithMaxConcurrency(limit))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(outs, want) {
			t.Errorf("limit %d: outputs %v", limit, outs)
		}
		if got := g.peak.Load(); got != int32(limit) {
			t.Errorf("limit %d: peak concurrency %d", limit, got)
		}
		// The same bound holds for BatchResults and for the limit a
		// parent config passes down.
		g = newGauge(limit)
		ctx := runnable.ContextWithConfig(t.Context(), runnable.Config{MaxConcurrency: limit})
		_, errs := runnable.BatchResults(ctx, g.runnable(), ins)
		if errors.Join(errs...) != nil || g.peak.Load() != int32(limit) {
			t.Errorf("limit %d: BatchResults peak %d, errors %v", limit, g.peak.Load(), errors.Join(errs...))
		}
	}
}

// TestBatchKeepsOrder makes later inputs finish first: item i waits for
// item i+1 to finish.
func TestBatchKeepsOrder(t *testing.T) {
	const n = 8
	finished := make([]chan struct{}, n+1)
	for i := range finished {
		finished[i] = make(chan struct{})
	}
	close(finished[n])
	r := runnable.Lambda("reverse", func(ctx context.Context, i int) (string, error) {
		<-finished[i+1]
		defer close(finished[i])
		return string(rune('a' + i)), nil
	})
	ins := []int{0, 1, 2, 3, 4, 5, 6, 7}
	outs, err := r.Batch(t.Context(), ins)
	if err != nil || !reflect.DeepEqual(outs, []string{"a", "b", "c", "d", "e", "f", "g", "h"}) {
		t.Errorf("Batch = %v, %v", outs, err)
	}
}

func TestBatchErrors(t *testing.T) {
	defer goleak.VerifyNone(t)
	boom := errors.New("item 2 failed")
	var cancelled atomic.Int32
	started := make(chan struct{}, 10)
	r := runnable.Lambda("item", func(ctx context.Context, i int) (int, error) {
		if i == 2 {
			for range 3 { // fail once the others are running
				<-started
			}
			return 0, boom
		}
		started <- struct{}{}
		<-ctx.Done() // only the failure can end these
		cancelled.Add(1)
		return 0, ctx.Err()
	})
	_, err := r.Batch(t.Context(), []int{0, 1, 2, 3})
	if err != boom {
		t.Errorf("err = %v, want the failing item's error", err)
	}
	if cancelled.Load() != 3 {
		t.Errorf("%d siblings cancelled, want 3", cancelled.Load())
	}

	// Per-item errors with BatchResults.
	parity := runnable.Lambda("parity", func(_ context.Context, i int) (int, error) {
		if i%2 == 1 {
			return 0, errors.New("odd")
		}
		return i, nil
	})
	outs, errs := runnable.BatchResults(t.Context(), parity, []int{0, 1, 2, 3, 4})
	for i := range 5 {
		if (errs[i] != nil) != (i%2 == 1) || errs[i] == nil && outs[i] != i {
			t.Errorf("item %d: %v, %v", i, outs[i], errs[i])
		}
	}

	// A cancelled context fails every item.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, errs = runnable.BatchResults(ctx, parity, []int{0, 2})
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("item %d after cancel: %v", i, err)
		}
	}
	if outs, err := parity.Batch(t.Context(), nil); err != nil || len(outs) != 0 {
		t.Errorf("empty batch = %v, %v", outs, err)
	}
}

func TestBatchRunsPerItem(t *testing.T) {
	var c runnable.Collector
	chain := runnable.Pipe(addOne(), mulTwo())
	outs, err := chain.Batch(t.Context(), []int{1, 2, 3}, runnable.WithCallbacks(&c), runnable.WithTags("b"))
	if err != nil || !reflect.DeepEqual(outs, []int{4, 6, 8}) {
		t.Fatalf("Batch = %v, %v", outs, err)
	}
	roots := map[string]bool{}
	for _, ev := range c.Events() {
		if ev.Kind == runnable.EventStart && len(ev.ParentIDs) == 0 {
			roots[ev.RunID.String()] = true
			if !reflect.DeepEqual(ev.Tags, []string{"b"}) {
				t.Errorf("root tags %q", ev.Tags)
			}
		}
	}
	if len(roots) != 3 {
		t.Errorf("%d root runs, want one per input", len(roots))
	}
}
