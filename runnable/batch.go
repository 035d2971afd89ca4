package runnable

import (
	"context"
	"sync"

	"github.com/google/uuid"
)

// BatchOf runs r.Invoke on every input and returns the outputs in input
// order. At most max_concurrency inputs run at once (no bound when it is
// zero). The first error cancels the inputs still running and is returned.
//
// A run id in opts is dropped: every input gets its own run. Implementations
// of [Runnable] call it from their Batch method.
func BatchOf[I, O any](ctx context.Context, r Runnable[I, O], ins []I, opts ...Option) ([]O, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	outs := make([]O, len(ins))
	var once sync.Once
	var first error
	fail := func(err error) { once.Do(func() { first = err; cancel(err) }) }
	for _, err := range forEach(ctx, len(ins), maxConcurrency(ctx, opts), func(ctx context.Context, i int) error {
		out, err := r.Invoke(ctx, ins[i], withoutRunID(opts)...)
		if err != nil {
			fail(err)
			return err
		}
		outs[i] = out
		return nil
	}) {
		if err != nil {
			fail(err) // a panic, which fn could not report itself
		}
	}
	if first != nil {
		return nil, first
	}
	return outs, nil
}

// BatchResults is Batch with one error per input instead of failing the
// whole batch (LangChain's return_exceptions): errs[i] is the error of
// ins[i], and outs[i] is its output when errs[i] is nil.
func BatchResults[I, O any](ctx context.Context, r Runnable[I, O], ins []I, opts ...Option) (outs []O, errs []error) {
	outs, errs = make([]O, len(ins)), make([]error, len(ins))
	errs = forEach(ctx, len(ins), maxConcurrency(ctx, opts), func(ctx context.Context, i int) error {
		var err error
		outs[i], err = r.Invoke(ctx, ins[i], withoutRunID(opts)...)
		return err
	})
	return outs, errs
}

func maxConcurrency(ctx context.Context, opts []Option) int {
	return resolve(ctx, opts).MaxConcurrency
}

func withoutRunID(opts []Option) []Option {
	return append(opts[:len(opts):len(opts)], func(c *Config) { c.RunID = uuid.Nil })
}

// forEach calls fn for 0..n-1 on at most limit goroutines (limit <= 0: one
// per item) and returns each call's error when all calls have returned. A
// panic in fn becomes that item's *PanicError: one bad input must not take
// the process down.
func forEach(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) []error {
	errs := make([]error, n)
	protected := func(i int) {
		defer func() {
			if v := recover(); v != nil {
				errs[i] = recovered(v)
			}
		}()
		errs[i] = fn(ctx, i)
	}
	if limit <= 0 || limit > n {
		limit = n
	}
	if limit <= 1 {
		for i := range n {
			protected(i)
		}
		return errs
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
	)
	for range limit {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				protected(i)
			}
		})
	}
	wg.Wait()
	return errs
}
