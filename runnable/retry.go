package runnable

import (
	"context"
	"iter"
	"math/rand/v2"
	"strconv"
	"time"
)

// RetryPolicy configures [Retry]. A nil *RetryPolicy, and every zero field,
// means LangChain's defaults (with_retry: three attempts, tenacity's
// wait_exponential_jitter with initial 1s, max 60s, base 2, jitter 1s).
type RetryPolicy struct {
	// MaxAttempts bounds the number of attempts, the first included.
	// Zero: 3.
	MaxAttempts int
	// InitialBackoff is the wait after the first failed attempt, before
	// jitter. Zero: 1s. Negative: no wait.
	InitialBackoff time.Duration
	// MaxBackoff caps every wait, jitter included. Zero: 60s.
	MaxBackoff time.Duration
	// Multiplier multiplies the wait after each further failure. Zero: 2.
	Multiplier float64
	// Jitter is the upper bound of a uniformly random duration added to
	// each wait, so that clients failing together do not retry together.
	// Zero: 1s. Negative: no jitter.
	Jitter time.Duration
	// RetryIf reports whether an error is worth another attempt (LangChain's
	// retry_if_exception_type). nil: every error is. Context cancellation
	// and deadline errors are never retried, whatever RetryIf says.
	RetryIf func(error) bool
	// Sleep waits d or until ctx is done, returning ctx's error then. nil:
	// a timer raced against ctx.Done(). Tests inject a recorder.
	Sleep func(ctx context.Context, d time.Duration) error
	// Random returns a number in [0, 1) that scales Jitter. nil:
	// math/rand/v2. Tests inject a fixed sequence.
	Random func() float64
}

type retry[I, O any] struct {
	r      Runnable[I, O]
	policy RetryPolicy
}

// Retry returns a runnable that invokes r again when it fails, waiting with
// exponential backoff and jitter between attempts (LangChain's with_retry /
// RunnableRetry). The wait after failed attempt n (1-based) is
//
//	min(InitialBackoff × Multiplier^(n-1) + Random()×Jitter, MaxBackoff)
//
// as tenacity's wait_exponential_jitter computes it. The wait ends early,
// and no further attempt starts, when ctx is done. When every attempt fails
// the error is the errors.Join of every attempt's error, followed by ctx's
// cause when a cancellation cut the retries short.
//
// As in LangChain the retry adds one run, named like r, with each attempt
// nested in it; attempts after the first are tagged retry:attempt:N.
//
// Batch retries only the inputs that failed: each round invokes the pending
// inputs (at most max_concurrency at once), then waits once before the next
// round. Each input has a run of its own, and the batch fails with the
// first input's error only when all attempts are spent.
//
// Stream retries only while no chunk has been yielded; once output has
// reached the consumer, an error ends the stream.
func Retry[I, O any](r Runnable[I, O], policy *RetryPolicy) Runnable[I, O] {
	if r == nil {
		return nilRunnable[I, O]("Retry")
	}
	var p RetryPolicy
	if policy != nil {
		p = *policy
	}
	return &retry[I, O]{r: r, policy: p.withDefaults()}
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 3
	}
	if p.InitialBackoff == 0 {
		p.InitialBackoff = time.Second
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = time.Minute
	}
	if p.Multiplier == 0 {
		p.Multiplier = 2
	}
	if p.Jitter == 0 {
		p.Jitter = time.Second
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	if p.Random == nil {
		p.Random = rand.Float64
	}
	return p
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (p *RetryPolicy) backoff(n int) time.Duration {
	var wait float64
	if p.InitialBackoff > 0 {
		wait = float64(p.InitialBackoff)
		for range n - 1 {
			wait *= p.Multiplier
			if wait >= float64(p.MaxBackoff) {
				break
			}
		}
	}
	if p.Jitter > 0 {
		wait += p.Random() * float64(p.Jitter)
	}
	if wait > float64(p.MaxBackoff) {
		wait = float64(p.MaxBackoff)
	}
	return time.Duration(wait)
}

// retryable reports whether err deserves another attempt after attempt n.
// It does not look at the context: the wait before that attempt does, so
// that a retry cut short by a cancellation reports the cancellation too.
func (p *RetryPolicy) retryable(n int, err error) bool {
	if n >= p.MaxAttempts || isContextErr(err) {
		return false
	}
	if p.RetryIf == nil {
		return true
	}
	ok, perr := call(func(err error) (bool, error) { return p.RetryIf(err), nil }, err)
	return perr == nil && ok
}

// wait sleeps before attempt n+1. It returns ctx's cause when ctx is done,
// before or during the wait.
func (p *RetryPolicy) wait(ctx context.Context, n int) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if err := p.Sleep(ctx, p.backoff(n)); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

func attemptTag(n int) []Option {
	if n == 1 {
		return nil
	}
	return []Option{WithLocalTags("retry:attempt:" + strconv.Itoa(n))}
}

func (t *retry[I, O]) info() Info { return Info{Name: NameOf(t.r), Type: ChainRun} }

// Describe returns the description of the retried runnable.
func (t *retry[I, O]) Describe() Info { return describe(t.r) }

func (t *retry[I, O]) ConfigSpecs() []ConfigSpec { return SpecsOf(t.r) }

func (t *retry[I, O]) InputSchema(cfg Config) (Schema, error)  { return InputSchema(t.r, cfg) }
func (t *retry[I, O]) OutputSchema(cfg Config) (Schema, error) { return OutputSchema(t.r, cfg) }

func (t *retry[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	var zero O
	ctx, run := StartRun(ctx, t.info(), in, opts...)
	var errs []error
	for n := 1; ; n++ {
		out, err := t.r.Invoke(ctx, in, attemptTag(n)...)
		if err == nil {
			run.End(out)
			return out, nil
		}
		errs = append(errs, err)
		if !t.policy.retryable(n, err) {
			break
		}
		if werr := t.policy.wait(ctx, n); werr != nil {
			errs = append(errs, werr)
			break
		}
	}
	return zero, run.Fail(joinErrors(errs))
}

func (t *retry[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		var zero O
		ctx, run := StartRun(ctx, t.info(), in, opts...)
		// The sum only feeds the end event: runs nobody observes skip it.
		observed := run.Observed()
		var errs []error
		for n := 1; ; n++ {
			var acc sum[O]
			got := false    // a chunk has reached the consumer
			failed := false // this attempt failed
			again := false
			for chunk, err := range t.r.Stream(ctx, in, attemptTag(n)...) {
				if err != nil {
					if got {
						yield(zero, run.Fail(err))
						return
					}
					failed = true
					errs = append(errs, err)
					if t.policy.retryable(n, err) {
						if werr := t.policy.wait(ctx, n); werr != nil {
							errs = append(errs, werr)
						} else {
							again = true
						}
					}
					break
				}
				got = true
				if observed {
					acc.add(chunk)
				}
				if !yield(chunk, nil) {
					run.Fail(ErrStreamStopped)
					return
				}
			}
			switch {
			case again:
				continue
			case failed:
				yield(zero, run.Fail(joinErrors(errs)))
			default:
				run.End(acc.output())
			}
			return
		}
	}
}

func (t *retry[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	if len(ins) == 0 {
		return []O{}, nil
	}
	limit := maxConcurrency(ctx, opts)
	type item struct {
		ctx  context.Context
		run  *Run
		errs []error
		done bool
	}
	items := make([]item, len(ins))
	for i, in := range ins {
		items[i].ctx, items[i].run = StartRun(ctx, t.info(), in, withoutRunID(opts)...)
	}
	outs := make([]O, len(ins))
	pending := make([]int, len(ins))
	for i := range pending {
		pending[i] = i
	}
	for n := 1; len(pending) > 0; n++ {
		errs := forEach(ctx, len(pending), limit, func(_ context.Context, j int) error {
			it := &items[pending[j]]
			out, err := t.r.Invoke(it.ctx, ins[pending[j]], attemptTag(n)...)
			if err == nil {
				outs[pending[j]] = out
			}
			return err
		})
		var again []int
		for j, err := range errs {
			i := pending[j]
			if err == nil {
				items[i].run.End(outs[i])
				items[i].done = true
				continue
			}
			items[i].errs = append(items[i].errs, err)
			if t.policy.retryable(n, err) {
				again = append(again, i)
			}
		}
		// Inputs that succeeded or whose error is not worth retrying are
		// settled; the others wait once for the whole round.
		pending = again
		if len(pending) == 0 {
			break
		}
		if werr := t.policy.wait(ctx, n); werr != nil {
			for _, i := range pending {
				items[i].errs = append(items[i].errs, werr)
			}
			break
		}
	}
	var first error
	for i := range items {
		it := &items[i]
		if it.done {
			continue
		}
		err := it.run.Fail(joinErrors(it.errs))
		if first == nil {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	return outs, nil
}
