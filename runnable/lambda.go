package runnable

import (
	"context"
	"iter"
)

// Once returns a stream of the single value v.
func Once[T any](v T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) { yield(v, nil) }
}

// Func is a runnable made from a Go function; see [Lambda].
type Func[I, O any] struct {
	info Info
	fn   func(context.Context, I) (O, error)
}

// Lambda turns fn into a runnable named name (LangChain's RunnableLambda).
// Invoke calls fn; Stream yields its result as one chunk; inside a
// [Sequence] it first collects its whole input stream. A panic in fn is
// returned as a *PanicError.
func Lambda[I, O any](name string, fn func(ctx context.Context, in I) (O, error)) *Func[I, O] {
	return NewLambda(Info{Name: name, Type: ChainRun}, fn)
}

// NewLambda is [Lambda] with a full description, for components that trace
// as another run type (a parser, a tool).
func NewLambda[I, O any](info Info, fn func(ctx context.Context, in I) (O, error)) *Func[I, O] {
	if info.Type == "" {
		info.Type = ChainRun
	}
	return &Func[I, O]{info: info, fn: fn}
}

// Describe returns the lambda's name and run type.
func (f *Func[I, O]) Describe() Info { return f.info }

// Invoke calls the function in a run of its own.
func (f *Func[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	return (&Invoker[I, O]{info: f.info, fn: f.fn}).Invoke(ctx, in, opts...)
}

// Stream yields the function's result as a single chunk.
func (f *Func[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	return f.Transform(ctx, Once(in), opts...)
}

// Transform collects the whole input stream, adding chunks with [Concat],
// then calls the function once. As in LangChain, the run starts when the
// first input chunk arrives, before the input is known.
func (f *Func[I, O]) Transform(ctx context.Context, in iter.Seq2[I, error], opts ...Option) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		var zero O
		var (
			run  *Run
			rctx context.Context
			acc  sum[I]
		)
		for chunk, err := range in {
			if err != nil {
				if run != nil {
					run.Fail(err)
				}
				yield(zero, err)
				return
			}
			if run == nil {
				rctx, run = StartStreamingRun(ctx, f.info, opts...)
			}
			acc.add(chunk)
		}
		if run == nil {
			rctx, run = StartStreamingRun(ctx, f.info, opts...)
		}
		input, _ := acc.value()
		if err := rctx.Err(); err != nil {
			yield(zero, run.Fail(context.Cause(rctx)))
			return
		}
		out, err := call(func(in I) (O, error) { return f.fn(rctx, in) }, input)
		if err != nil {
			yield(zero, run.Fail(err))
			return
		}
		run.Chunk(out)
		if !yield(out, nil) {
			run.Fail(ErrStreamStopped)
			return
		}
		run.EndWithInput(input, out)
	}
}

// Batch invokes the function on every input; see [BatchOf].
func (f *Func[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	return BatchOf(ctx, f, ins, opts...)
}

// Gen is a streaming runnable made from a Go function; see [Generator].
type Gen[I, O any] struct {
	info Info
	fn   func(context.Context, iter.Seq2[I, error]) iter.Seq2[O, error]
}

// Generator turns a stream-to-stream function into a runnable
// (LangChain's RunnableGenerator). fn receives the input as a stream and
// yields output chunks as it goes, so inside a [Sequence] it processes each
// chunk of the previous step as soon as it arrives. Invoke adds the chunks
// with [Concat].
//
// fn must stop when yield returns false and should stop when ctx is done.
// A panic in fn is returned as a *PanicError.
func Generator[I, O any](name string, fn func(ctx context.Context, in iter.Seq2[I, error]) iter.Seq2[O, error]) *Gen[I, O] {
	return NewGenerator(Info{Name: name, Type: ChainRun}, fn)
}

// NewGenerator is [Generator] with a full description (a parser is a
// generator that traces as run type "parser").
func NewGenerator[I, O any](info Info, fn func(ctx context.Context, in iter.Seq2[I, error]) iter.Seq2[O, error]) *Gen[I, O] {
	if info.Type == "" {
		info.Type = ChainRun
	}
	return &Gen[I, O]{info: info, fn: fn}
}

// Describe returns the generator's name and run type.
func (g *Gen[I, O]) Describe() Info { return g.info }

// Invoke streams the input through the generator and adds up the chunks.
func (g *Gen[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	return Collect(g.Stream(ctx, in, opts...))
}

// Stream runs the generator on a single input.
func (g *Gen[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	return g.Transform(ctx, Once(in), opts...)
}

// Transform runs the generator over a stream of input chunks. The run starts
// when the first input chunk arrives; its end event carries the added-up
// input and output.
func (g *Gen[I, O]) Transform(ctx context.Context, in iter.Seq2[I, error], opts ...Option) iter.Seq2[O, error] {
	return transformRun(ctx, g.info, in, opts, func(ctx context.Context, _ *Run, in iter.Seq2[I, error]) iter.Seq2[O, error] {
		return g.fn(ctx, in)
	})
}

// Batch invokes the generator on every input; see [BatchOf].
func (g *Gen[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	return BatchOf(ctx, g, ins, opts...)
}
