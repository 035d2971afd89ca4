package runnable

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Case is one arm of a [Branch]: when Cond returns true for the input, Then
// runs on it.
type Case[I, O any] struct {
	// Cond decides whether Then runs. It is invoked as a run of its own,
	// nested in the branch run and tagged condition:N, as LangChain traces
	// conditions. Build it from a plain function with [When].
	Cond Runnable[I, bool]
	Then Runnable[I, O]
}

// When returns the case "if cond(in) then run then". cond runs as a lambda
// named "RunnableLambda", the name LangChain gives a Python lambda.
func When[I, O any](cond func(ctx context.Context, in I) (bool, error), then Runnable[I, O]) Case[I, O] {
	return Case[I, O]{Cond: Lambda("RunnableLambda", cond), Then: then}
}

type branch[I, O any] struct {
	cases   []Case[I, O]
	def     Runnable[I, O]
	invalid error
}

// Branch returns a runnable that runs the Then of the first case whose Cond
// holds for the input, or def when none does (LangChain's RunnableBranch).
// Its runs are named "RunnableBranch"; the conditions run tagged
// condition:1, condition:2, … and the chosen runnable runs tagged branch:N,
// or branch:default for def. Conditions are evaluated in order and stop at
// the first that holds; an error in one fails the branch.
//
// Stream evaluates the conditions, then streams the chosen runnable. As in
// LangChain the branch run itself reports no stream events; its end event
// carries the added-up output.
func Branch[I, O any](def Runnable[I, O], cases ...Case[I, O]) Runnable[I, O] {
	b := &branch[I, O]{cases: slices.Clone(cases), def: def}
	if def == nil {
		b.invalid = errors.New("runnable: Branch needs a default runnable")
	}
	for i, c := range cases {
		if c.Cond == nil || c.Then == nil {
			b.invalid = fmt.Errorf("runnable: Branch case %d needs both Cond and Then", i+1)
		}
	}
	return b
}

func (b *branch[I, O]) Describe() Info { return Info{Name: "RunnableBranch", Type: ChainRun} }

// ConfigSpecs returns the configurable fields of the default, the branches
// and the conditions, in LangChain's order.
func (b *branch[I, O]) ConfigSpecs() []ConfigSpec {
	lists := [][]ConfigSpec{SpecsOf(b.def)}
	for _, c := range b.cases {
		lists = append(lists, SpecsOf(c.Then))
	}
	for _, c := range b.cases {
		lists = append(lists, SpecsOf(c.Cond))
	}
	return mergeSpecs(lists...)
}

// InputSchema returns the first input schema of the default, the branches
// and the conditions that has a type, as LangChain does; nil (the schema of
// I titled after the branch) when none has.
func (b *branch[I, O]) InputSchema(cfg Config) (Schema, error) {
	if b.invalid != nil {
		return nil, b.invalid
	}
	cands := []func() (Schema, error){func() (Schema, error) { return InputSchema(b.def, cfg) }}
	for _, c := range b.cases {
		cands = append(cands, func() (Schema, error) { return InputSchema(c.Then, cfg) })
	}
	for _, c := range b.cases {
		cands = append(cands, func() (Schema, error) { return InputSchema(c.Cond, cfg) })
	}
	for _, schema := range cands {
		s, err := schema()
		if err != nil {
			return nil, err
		}
		if _, typed := s["type"]; typed {
			return s, nil
		}
	}
	return nil, nil
}

// OutputSchema derives the output schema from the Go type.
func (b *branch[I, O]) OutputSchema(Config) (Schema, error) { return nil, nil }

// choose evaluates the conditions and returns the runnable to run with its
// tag.
func (b *branch[I, O]) choose(ctx context.Context, in I) (Runnable[I, O], Option, error) {
	for i, c := range b.cases {
		if err := ctx.Err(); err != nil {
			return nil, nil, context.Cause(ctx)
		}
		n := strconv.Itoa(i + 1)
		ok, err := c.Cond.Invoke(ctx, in, WithLocalTags("condition:"+n))
		if err != nil {
			return nil, nil, err
		}
		if ok {
			return c.Then, WithLocalTags("branch:" + n), nil
		}
	}
	return b.def, WithLocalTags("branch:default"), nil
}

func (b *branch[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	var zero O
	if b.invalid != nil {
		return zero, b.invalid
	}
	ctx, run := StartRun(ctx, b.Describe(), in, opts...)
	r, tag, err := b.choose(ctx, in)
	if err != nil {
		return zero, run.Fail(err)
	}
	out, err := r.Invoke(ctx, in, tag)
	if err != nil {
		return zero, run.Fail(err)
	}
	run.End(out)
	return out, nil
}

func (b *branch[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		var zero O
		if b.invalid != nil {
			yield(zero, b.invalid)
			return
		}
		ctx, run := StartRun(ctx, b.Describe(), in, opts...)
		r, tag, err := b.choose(ctx, in)
		if err != nil {
			yield(zero, run.Fail(err))
			return
		}
		passOn(run, r.Stream(ctx, in, tag), yield)
	}
}

func (b *branch[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	return BatchOf(ctx, b, ins, opts...)
}

// passOn yields the chunks of s without reporting them as stream events
// (the wrapper runs of LangChain's branch and fallbacks do not), and ends run
// with their sum, or fails it with the stream's error or ErrStreamStopped.
// The sum only feeds the end event: runs nobody observes skip it.
func passOn[O any](run *Run, s iter.Seq2[O, error], yield func(O, error) bool) {
	var zero O
	var acc sum[O]
	observed := run.Observed()
	for chunk, err := range s {
		if err != nil {
			yield(zero, run.Fail(err))
			return
		}
		if observed {
			acc.add(chunk)
		}
		if !yield(chunk, nil) {
			run.Fail(ErrStreamStopped)
			return
		}
	}
	run.End(acc.output())
}

// RouteError is returned by a [Router] whose key function names no route.
type RouteError struct {
	Key  string
	Keys []string // the valid keys, sorted
}

func (e *RouteError) Error() string {
	return fmt.Sprintf("runnable: no runnable associated with key %q (valid keys: %s)", e.Key, strings.Join(e.Keys, ", "))
}

type router[I, O any] struct {
	routes map[string]Runnable[I, O]
	keys   []string
	key    func(I) (string, error)
}

// Router returns a runnable that picks one of routes for each input by the
// key that key computes from it, and runs it (LangChain's RouterRunnable,
// whose input is {"key": …, "input": …}; here the key comes from the typed
// input instead). An unknown key is a *RouteError; an error or panic in key
// is returned as is or as a *PanicError.
//
// Like LangChain's router it adds no run of its own: events show the chosen
// runnable, with the caller's options.
func Router[I, O any](routes map[string]Runnable[I, O], key func(I) (string, error)) Runnable[I, O] {
	return &router[I, O]{routes: maps.Clone(routes), keys: slices.Sorted(maps.Keys(routes)), key: key}
}

func (r *router[I, O]) Describe() Info { return Info{Name: "RouterRunnable", Type: ChainRun} }

// ConfigSpecs returns the configurable fields of every route.
func (r *router[I, O]) ConfigSpecs() []ConfigSpec {
	lists := make([][]ConfigSpec, 0, len(r.keys))
	for _, k := range r.keys {
		lists = append(lists, SpecsOf(r.routes[k]))
	}
	return mergeSpecs(lists...)
}

func (r *router[I, O]) route(in I) (Runnable[I, O], error) {
	if r.key == nil {
		return nil, errors.New("runnable: Router needs a key function")
	}
	k, err := call(r.key, in)
	if err != nil {
		return nil, err
	}
	target, ok := r.routes[k]
	if !ok || target == nil {
		return nil, &RouteError{Key: k, Keys: r.keys}
	}
	return target, nil
}

func (r *router[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	target, err := r.route(in)
	if err != nil {
		var zero O
		return zero, err
	}
	return target.Invoke(ctx, in, opts...)
}

func (r *router[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		target, err := r.route(in)
		if err != nil {
			var zero O
			yield(zero, err)
			return
		}
		for chunk, err := range target.Stream(ctx, in, opts...) {
			if !yield(chunk, err) || err != nil {
				return
			}
		}
	}
}

func (r *router[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	return BatchOf(ctx, r, ins, opts...)
}
