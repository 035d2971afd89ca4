package runnable

import (
	"context"
	"errors"
	"iter"
	"slices"
)

// FallbackOptions configures [Fallbacks]. A nil *FallbackOptions means the
// defaults.
type FallbackOptions struct {
	// ShouldFallback reports whether an error lets the next runnable try
	// (LangChain's exceptions_to_handle). nil: every error does. Whatever
	// it says, an error after the context is done never does: a cancelled
	// request must stop, not start its fallbacks.
	ShouldFallback func(error) bool
}

type fallbacks[I, O any] struct {
	all    []Runnable[I, O] // primary first
	should func(error) bool
}

// Fallbacks returns a runnable that invokes primary and, when it fails,
// each of alternatives in turn until one succeeds (LangChain's
// RunnableWithFallbacks). Its runs are named "RunnableWithFallbacks", with
// every attempt nested in them. When every runnable fails, the error is the
// errors.Join of all their errors, in order, so errors.Is and errors.As see
// each of them.
//
// Stream falls back only while no chunk has been yielded: once output has
// reached the consumer, an error ends the stream. As in LangChain, the
// fallbacks run reports no stream events of its own.
func Fallbacks[I, O any](primary Runnable[I, O], alternatives []Runnable[I, O], opts *FallbackOptions) Runnable[I, O] {
	f := &fallbacks[I, O]{all: append([]Runnable[I, O]{primary}, alternatives...)}
	f.all = slices.DeleteFunc(f.all, func(r Runnable[I, O]) bool { return r == nil })
	if opts != nil {
		f.should = opts.ShouldFallback
	}
	return f
}

func (f *fallbacks[I, O]) Describe() Info { return Info{Name: "RunnableWithFallbacks", Type: ChainRun} }

// ConfigSpecs returns the configurable fields of the primary and of every
// fallback.
func (f *fallbacks[I, O]) ConfigSpecs() []ConfigSpec {
	lists := make([][]ConfigSpec, 0, len(f.all))
	for _, r := range f.all {
		lists = append(lists, SpecsOf(r))
	}
	return mergeSpecs(lists...)
}

// InputSchema and OutputSchema are the primary's, as in LangChain.
func (f *fallbacks[I, O]) InputSchema(cfg Config) (Schema, error) {
	if len(f.all) == 0 {
		return nil, nil
	}
	return InputSchema(f.all[0], cfg)
}

func (f *fallbacks[I, O]) OutputSchema(cfg Config) (Schema, error) {
	if len(f.all) == 0 {
		return nil, nil
	}
	return OutputSchema(f.all[0], cfg)
}

// fallBack reports whether err, returned by runnable i, lets runnable i+1
// try.
func (f *fallbacks[I, O]) fallBack(ctx context.Context, i int, err error) bool {
	if i == len(f.all)-1 || ctx.Err() != nil || isContextErr(err) {
		return false
	}
	if f.should == nil {
		return true
	}
	ok, perr := call(func(err error) (bool, error) { return f.should(err), nil }, err)
	return perr == nil && ok
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

var errNoRunnables = errors.New("runnable: Fallbacks needs a primary runnable")

func (f *fallbacks[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	var zero O
	if len(f.all) == 0 {
		return zero, errNoRunnables
	}
	ctx, run := StartRun(ctx, f.Describe(), in, opts...)
	var errs []error
	for i, r := range f.all {
		out, err := r.Invoke(ctx, in)
		if err == nil {
			run.End(out)
			return out, nil
		}
		errs = append(errs, err)
		if !f.fallBack(ctx, i, err) {
			break
		}
	}
	return zero, run.Fail(joinErrors(errs))
}

func (f *fallbacks[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		var zero O
		if len(f.all) == 0 {
			yield(zero, errNoRunnables)
			return
		}
		ctx, run := StartRun(ctx, f.Describe(), in, opts...)
		// The sum only feeds the end event: runs nobody observes skip it.
		observed := run.Observed()
		var errs []error
		for i, r := range f.all {
			var acc sum[O]
			got := false // a chunk has reached the consumer
			next := false
			for chunk, err := range r.Stream(ctx, in) {
				if err != nil {
					errs = append(errs, err)
					if !got && f.fallBack(ctx, i, err) {
						next = true
						break
					}
					if got {
						errs = errs[len(errs)-1:] // only this runnable's error matters now
					}
					yield(zero, run.Fail(joinErrors(errs)))
					return
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
			if !next {
				run.End(acc.output())
				return
			}
		}
	}
}

func (f *fallbacks[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	return BatchOf(ctx, f, ins, opts...)
}

// joinErrors returns the only error of errs, or all of them joined.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}
