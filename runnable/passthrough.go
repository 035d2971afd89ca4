package runnable

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
)

// flow is a runnable that traces like LangChain's built-in transforms
// (RunnablePassthrough, RunnablePick, RunnableAssign): Invoke is one run with
// a known input; Transform starts its run when the first input chunk arrives,
// reports every output chunk, and ends with the added-up input and output.
type flow[I, O any] struct {
	info      Info
	specs     func() []ConfigSpec
	invalid   error
	invoke    func(ctx context.Context, in I) (O, error)
	transform func(ctx context.Context, in iter.Seq2[I, error]) iter.Seq2[O, error]
}

func (f *flow[I, O]) Describe() Info { return f.info }

func (f *flow[I, O]) ConfigSpecs() []ConfigSpec {
	if f.specs == nil {
		return nil
	}
	return f.specs()
}

func (f *flow[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	var zero O
	if f.invalid != nil {
		return zero, f.invalid
	}
	ctx, run := StartRun(ctx, f.info, in, opts...)
	if err := ctx.Err(); err != nil {
		return zero, run.Fail(context.Cause(ctx))
	}
	out, err := call(func(in I) (O, error) { return f.invoke(ctx, in) }, in)
	if err != nil {
		return zero, run.Fail(err)
	}
	run.End(out)
	return out, nil
}

func (f *flow[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	return f.Transform(ctx, Once(in), opts...)
}

func (f *flow[I, O]) Transform(ctx context.Context, in iter.Seq2[I, error], opts ...Option) iter.Seq2[O, error] {
	if f.invalid != nil {
		return errSeq[O](f.invalid)
	}
	return transformRun(ctx, f.info, in, opts, func(ctx context.Context, _ *Run, in iter.Seq2[I, error]) iter.Seq2[O, error] {
		return f.transform(ctx, in)
	})
}

func (f *flow[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	return BatchOf(ctx, f, ins, opts...)
}

// Passthrough returns a runnable that outputs its input unchanged
// (LangChain's RunnablePassthrough). Its runs are named "RunnablePassthrough".
// Inside a [Parallel] it passes the input along next to computed values;
// inside a [Sequence] it streams its input chunks through as they arrive.
func Passthrough[T any]() Runnable[T, T] {
	return &flow[T, T]{
		info:   Info{Name: "RunnablePassthrough", Type: ChainRun},
		invoke: func(_ context.Context, in T) (T, error) { return in, nil },
		transform: func(_ context.Context, in iter.Seq2[T, error]) iter.Seq2[T, error] {
			return in
		},
	}
}

// Pick returns a runnable that keeps only the given keys of its input map
// (LangChain's RunnablePick with a list of keys), named
// "RunnablePick<k1,k2,…>". Keys missing from the input are left out; when
// none is present the output is a nil map (JSON null, as LangChain returns
// None). While streaming, input chunks with none of the keys produce no
// output chunk.
//
// LangChain's pick with a single string key returns the bare value instead
// of a map; compose Pick with a [Lambda] for that.
func Pick(keys ...string) Runnable[map[string]any, map[string]any] {
	keys = slices.Clone(keys)
	f := &flow[map[string]any, map[string]any]{
		info: Info{Name: "RunnablePick<" + strings.Join(keys, ",") + ">", Type: ChainRun},
		invoke: func(_ context.Context, in map[string]any) (map[string]any, error) {
			return pick(in, keys), nil
		},
		transform: func(_ context.Context, in iter.Seq2[map[string]any, error]) iter.Seq2[map[string]any, error] {
			return func(yield func(map[string]any, error) bool) {
				for chunk, err := range in {
					if err != nil {
						yield(nil, err)
						return
					}
					if p := pick(chunk, keys); p != nil && !yield(p, nil) {
						return
					}
				}
			}
		},
	}
	if len(keys) == 0 {
		f.invalid = fmt.Errorf("runnable: Pick needs at least one key")
	}
	return f
}

func pick(in map[string]any, keys []string) map[string]any {
	var out map[string]any
	for _, k := range keys {
		if v, ok := in[k]; ok {
			if out == nil {
				out = make(map[string]any, len(keys))
			}
			out[k] = v
		}
	}
	return out
}

// Assign returns a runnable that adds the outputs of steps to its input map
// (LangChain's RunnablePassthrough.assign / RunnableAssign), named
// "RunnableAssign<k1,k2,…>" with the keys sorted. The steps receive the
// whole input and run as one [Parallel] nested in the assign run; their
// outputs overwrite input values under the same keys.
//
// Stream first yields the input (without the keys the steps compute) as it
// arrives, then the steps' chunks as [Parallel] yields them, while the steps
// run concurrently with the passthrough.
func Assign(steps map[string]Runnable[map[string]any, any]) Runnable[map[string]any, map[string]any] {
	mapper := Parallel(steps)
	return &flow[map[string]any, map[string]any]{
		info:  Info{Name: "RunnableAssign<" + strings.Join(mapper.keys, ",") + ">", Type: ChainRun},
		specs: mapper.ConfigSpecs,
		invoke: func(ctx context.Context, in map[string]any) (map[string]any, error) {
			computed, err := mapper.Invoke(ctx, in)
			if err != nil {
				return nil, err
			}
			out := make(map[string]any, len(in)+len(computed))
			maps.Copy(out, in)
			maps.Copy(out, computed)
			return out, nil
		},
		transform: func(ctx context.Context, in iter.Seq2[map[string]any, error]) iter.Seq2[map[string]any, error] {
			return assignStream(ctx, mapper, in)
		},
	}
}

// assignStream yields the passthrough part of every input chunk, then the
// chunks of mapper, which runs on its own goroutine from the start (as
// LangChain starts it on its executor) so that slow steps overlap with the
// passthrough. The goroutine has returned when the iterator returns.
func assignStream(ctx context.Context, mapper *ParallelMap[map[string]any], in iter.Seq2[map[string]any, error]) iter.Seq2[map[string]any, error] {
	return func(yield func(map[string]any, error) bool) {
		ctx, cancel := context.WithCancelCause(ctx)
		copies := newTee(in)
		defer copies.close() // deferred first, so it runs after the drain below
		passthrough, forMapper := copies.reader(), copies.reader()
		ch := make(chan keyed)
		go func() {
			defer close(ch)
			forward(ctx, ch, "", func() iter.Seq2[map[string]any, error] {
				return mapper.Transform(ctx, forMapper)
			})
		}()
		defer func() {
			cancel(ErrStreamStopped)
			for range ch { // wait for the mapper goroutine to return
			}
		}()
		for chunk, err := range passthrough {
			if err != nil {
				yield(nil, err)
				return
			}
			var rest map[string]any
			for k, v := range chunk {
				if _, computed := mapper.steps[k]; !computed {
					if rest == nil {
						rest = make(map[string]any, len(chunk))
					}
					rest[k] = v
				}
			}
			if rest != nil && !yield(rest, nil) {
				return
			}
		}
		for c := range ch {
			if c.err != nil {
				yield(nil, c.err)
				return
			}
			if !yield(c.chunk.(map[string]any), nil) {
				return
			}
		}
	}
}
