package runnable

import (
	"context"
	"fmt"
	"iter"
	"reflect"
	"strconv"
)

// step is a runnable with its types erased, so that a Sequence can hold
// steps of different types. The typed Pipe functions guarantee at compile
// time that each step's output type is the next step's input type.
type step interface {
	describe() Info
	invoke(ctx context.Context, in any, opts []Option) (any, error)
	transform(ctx context.Context, in iter.Seq2[any, error], opts []Option) iter.Seq2[any, error]
	unwrap() any
	inType() reflect.Type
	outType() reflect.Type
	inputSchema(cfg Config) (Schema, error)
	outputSchema(cfg Config) (Schema, error)
}

type erased[I, O any] struct{ r Runnable[I, O] }

func erase[I, O any](r Runnable[I, O]) step { return erased[I, O]{r} }

func (e erased[I, O]) describe() Info {
	if d, ok := e.r.(Describer); ok {
		return d.Describe()
	}
	return Info{Name: NameOf(e.r), Type: ChainRun}
}

func (e erased[I, O]) unwrap() any           { return e.r }
func (e erased[I, O]) inType() reflect.Type  { return reflect.TypeFor[I]() }
func (e erased[I, O]) outType() reflect.Type { return reflect.TypeFor[O]() }

func (e erased[I, O]) invoke(ctx context.Context, in any, opts []Option) (any, error) {
	x, err := as[I](in)
	if err != nil {
		return nil, err
	}
	return e.r.Invoke(ctx, x, opts...)
}

func (e erased[I, O]) transform(ctx context.Context, in iter.Seq2[any, error], opts []Option) iter.Seq2[any, error] {
	typed := func(yield func(I, error) bool) {
		for v, err := range in {
			var x I
			if err == nil {
				x, err = as[I](v)
			}
			if !yield(x, err) || err != nil {
				return
			}
		}
	}
	var out iter.Seq2[O, error]
	if t, ok := e.r.(Transformer[I, O]); ok {
		out = t.Transform(ctx, typed, opts...)
	} else {
		out = collectThenStream(ctx, e.r, typed, opts)
	}
	return func(yield func(any, error) bool) {
		for o, err := range out {
			if !yield(o, err) || err != nil {
				return
			}
		}
	}
}

// collectThenStream is the transform of a runnable that has none of its
// own: it waits for the whole input, then streams (LangChain's default
// Runnable.transform).
func collectThenStream[I, O any](ctx context.Context, r Runnable[I, O], in iter.Seq2[I, error], opts []Option) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		input, err := Collect(in)
		if err != nil {
			var zero O
			yield(zero, err)
			return
		}
		for o, err := range r.Stream(ctx, input, opts...) {
			if !yield(o, err) || err != nil {
				return
			}
		}
	}
}

// as converts a value passed between erased steps back to its static type.
func as[T any](v any) (T, error) {
	if x, ok := v.(T); ok {
		return x, nil
	}
	var zero T
	if v == nil {
		return zero, nil // a nil interface or pointer flowing through
	}
	return zero, fmt.Errorf("runnable: step received %T, want %v", v, reflect.TypeFor[T]())
}

// Sequence runs steps one after another, each step's output being the next
// step's input (LangChain's RunnableSequence). Build one with [Pipe],
// [Pipe3], [Pipe4] or [Pipe5]; nested sequences are flattened, so
// Pipe(Pipe(a, b), c) has the three steps of Pipe3(a, b, c).
//
// Streaming goes through the steps: a step that implements [Transformer]
// receives the previous step's chunks as they are produced; any other step
// waits for its whole input and then streams its own output.
type Sequence[I, O any] struct {
	name  string
	steps []step
}

func stepsOf[I, O any](r Runnable[I, O]) []step {
	if s, ok := r.(*Sequence[I, O]); ok && s.name == "" {
		return s.steps
	}
	return []step{erase(r)}
}

// Pipe returns the sequence a | b.
func Pipe[A, B, C any](a Runnable[A, B], b Runnable[B, C]) *Sequence[A, C] {
	return &Sequence[A, C]{steps: concatSteps(stepsOf(a), stepsOf(b))}
}

// Pipe3 returns the sequence a | b | c.
func Pipe3[A, B, C, D any](a Runnable[A, B], b Runnable[B, C], c Runnable[C, D]) *Sequence[A, D] {
	return &Sequence[A, D]{steps: concatSteps(stepsOf(a), stepsOf(b), stepsOf(c))}
}

// Pipe4 returns the sequence a | b | c | d.
func Pipe4[A, B, C, D, E any](a Runnable[A, B], b Runnable[B, C], c Runnable[C, D], d Runnable[D, E]) *Sequence[A, E] {
	return &Sequence[A, E]{steps: concatSteps(stepsOf(a), stepsOf(b), stepsOf(c), stepsOf(d))}
}

// Pipe5 returns the sequence a | b | c | d | e.
func Pipe5[A, B, C, D, E, F any](a Runnable[A, B], b Runnable[B, C], c Runnable[C, D], d Runnable[D, E], e Runnable[E, F]) *Sequence[A, F] {
	return &Sequence[A, F]{steps: concatSteps(stepsOf(a), stepsOf(b), stepsOf(c), stepsOf(d), stepsOf(e))}
}

func concatSteps(lists ...[]step) []step {
	var out []step
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Named returns a copy of the sequence that runs under name. A named
// sequence is not flattened into sequences built from it.
func (s *Sequence[I, O]) Named(name string) *Sequence[I, O] {
	return &Sequence[I, O]{name: name, steps: s.steps}
}

// Steps returns the runnables the sequence runs, in order.
func (s *Sequence[I, O]) Steps() []any {
	out := make([]any, len(s.steps))
	for i, st := range s.steps {
		out[i] = st.unwrap()
	}
	return out
}

// Describe names the sequence "RunnableSequence" unless it was named.
func (s *Sequence[I, O]) Describe() Info {
	name := s.name
	if name == "" {
		name = "RunnableSequence"
	}
	return Info{Name: name, Type: ChainRun}
}

// ConfigSpecs returns the configurable fields of all steps.
func (s *Sequence[I, O]) ConfigSpecs() []ConfigSpec {
	var lists [][]ConfigSpec
	for _, st := range s.steps {
		lists = append(lists, SpecsOf(st.unwrap()))
	}
	return mergeSpecs(lists...)
}

func stepTag(i int) Option { return WithLocalTags("seq:step:" + strconv.Itoa(i+1)) }

// Invoke runs the steps one after another.
func (s *Sequence[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	var zero O
	ctx, run := StartRun(ctx, s.Describe(), in, opts...)
	var cur any = in
	for i, st := range s.steps {
		if err := ctx.Err(); err != nil {
			return zero, run.Fail(context.Cause(ctx))
		}
		out, err := st.invoke(ctx, cur, []Option{stepTag(i)})
		if err != nil {
			return zero, run.Fail(err)
		}
		cur = out
	}
	out, err := as[O](cur)
	if err != nil {
		return zero, run.Fail(err)
	}
	run.End(out)
	return out, nil
}

// Stream streams the input through the steps.
func (s *Sequence[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		rctx, run := StartStreamingRun(ctx, s.Describe(), opts...)
		// The steps' transforms are opened inside relay, which turns a
		// panic in one of them into the run's error.
		out := func(yield func(O, error) bool) { s.chain(rctx, Once[any](in))(yield) }
		relay(rctx, run, out, func() any { return in }, yield)
	}
}

// Transform streams a stream of input chunks through the steps.
func (s *Sequence[I, O]) Transform(ctx context.Context, in iter.Seq2[I, error], opts ...Option) iter.Seq2[O, error] {
	return transformRun(ctx, s.Describe(), in, opts, func(ctx context.Context, _ *Run, in iter.Seq2[I, error]) iter.Seq2[O, error] {
		inputs := func(yield func(any, error) bool) {
			for v, err := range in {
				if !yield(v, err) || err != nil {
					return
				}
			}
		}
		return s.chain(ctx, inputs)
	})
}

// chain connects the steps' transforms; nothing runs until the result is
// ranged over.
func (s *Sequence[I, O]) chain(ctx context.Context, in iter.Seq2[any, error]) iter.Seq2[O, error] {
	cur := in
	for i, st := range s.steps {
		cur = st.transform(ctx, cur, []Option{stepTag(i)})
	}
	return func(yield func(O, error) bool) {
		for v, err := range cur {
			var o O
			if err == nil {
				o, err = as[O](v)
			}
			if !yield(o, err) || err != nil {
				return
			}
		}
	}
}

// Batch invokes the sequence on every input; see [BatchOf].
func (s *Sequence[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	return BatchOf(ctx, s, ins, opts...)
}
