package runnable

import (
	"context"
	"iter"
)

// Invoker is a runnable made from a Go function that does not stream; see
// [NewInvoker].
type Invoker[I, O any] struct {
	info Info
	fn   func(context.Context, I) (O, error)
}

// NewInvoker turns fn into a runnable whose Stream yields the result of
// Invoke as its only chunk and reports no stream event: the way LangChain's
// retrievers, prompts and tools behave. (A [Lambda] differs in one point
// that shows in stream_events: its stream reports the result as a chunk.)
// A panic in fn is returned as a *PanicError.
func NewInvoker[I, O any](info Info, fn func(ctx context.Context, in I) (O, error)) *Invoker[I, O] {
	if info.Type == "" {
		info.Type = ChainRun
	}
	return &Invoker[I, O]{info: info, fn: fn}
}

// Describe returns the runnable's name and run type.
func (f *Invoker[I, O]) Describe() Info { return f.info }

// Invoke calls the function in a run of its own.
func (f *Invoker[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	var zero O
	ctx, run := StartRun(ctx, f.info, in, opts...)
	if err := ctx.Err(); err != nil {
		return zero, run.Fail(context.Cause(ctx))
	}
	out, err := call(func(in I) (O, error) { return f.fn(ctx, in) }, in)
	if err != nil {
		return zero, run.Fail(err)
	}
	run.End(out)
	return out, nil
}

// Stream yields the result of Invoke.
func (f *Invoker[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	return StreamByInvoke(ctx, f, in, opts...)
}

// Batch invokes the function on every input; see [BatchOf].
func (f *Invoker[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	return BatchOf(ctx, f, ins, opts...)
}
