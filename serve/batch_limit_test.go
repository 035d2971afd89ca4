package serve_test

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

// A batch body of a few MiB holds millions of inputs: without a
// max_concurrency of their own, they must not all run (one goroutine each)
// at once.
func TestBatchBoundsConcurrentRuns(t *testing.T) {
	limit := serve.MaxBatchConcurrency
	for _, tc := range []struct {
		name  string
		keys  []string
		cfg   string
		limit int
	}{
		{"no max_concurrency", nil, "", limit},
		{"a larger max_concurrency", []string{"max_concurrency"}, `,"config":{"max_concurrency":1000000}`, limit},
		{"a smaller max_concurrency", []string{"max_concurrency"}, `,"config":{"max_concurrency":3}`, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 4*limit + 3
			var (
				mu                      sync.Mutex
				cond                    = sync.NewCond(&mu)
				started, inflight, most int
				full                    bool
			)
			// Every run waits until the runs in flight reach the bound
			// (or all have started), then lets others start before it
			// ends: without a bound, more than the bound start.
			hold := runnable.Lambda("hold", func(_ context.Context, x int) (int, error) {
				mu.Lock()
				started++
				inflight++
				most = max(most, inflight)
				if inflight >= tc.limit {
					full = true
				}
				cond.Broadcast()
				for !full && started < n {
					cond.Wait()
				}
				mu.Unlock()
				runtime.Gosched()
				mu.Lock()
				inflight--
				mu.Unlock()
				return x, nil
			})
			h := handler(t, hold, &serve.Options{Path: "/hold", ConfigKeys: tc.keys})
			body := `{"inputs":[` + strings.TrimSuffix(strings.Repeat("1,", n), ",") + `]` + tc.cfg + `}`
			resp := do(t, h, "POST", "/hold/batch", body)
			if resp.status != 200 {
				t.Fatalf("status %d: %s", resp.status, resp.body)
			}
			if started != n || most > tc.limit {
				t.Errorf("%d runs, at most %d at once; want %d, at most %d", started, most, n, tc.limit)
			}
		})
	}
}

// Once a run of a batch has failed, the request fails: the inputs not
// started yet are not run at all.
func TestBatchStopsStartingRunsAfterAFailure(t *testing.T) {
	var mu sync.Mutex
	var calls int
	failFirst := runnable.Lambda("fail_first", func(_ context.Context, x int) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if x == 0 {
			return 0, errors.New("no zeros")
		}
		return x, nil
	})
	h := handler(t, failFirst, &serve.Options{Path: "/f", ConfigKeys: []string{"max_concurrency"}, Logger: slog.New(slog.DiscardHandler)})
	resp := do(t, h, "POST", "/f/batch", `{"inputs":[0,1,2,3,4],"config":{"max_concurrency":1}}`)
	if resp.status != 500 || calls != 1 {
		t.Errorf("status %d after %d runs, want 500 after 1", resp.status, calls)
	}
}
