package graph

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"

	"github.com/langserve-go/langserve/internal/jsonschema"
	"github.com/langserve-go/langserve/runnable"
)

// ErrConflictingUpdates is returned when several nodes of one step update
// the state of a graph that has no reducer to merge their updates
// (LangGraph's InvalidUpdateError).
var ErrConflictingUpdates = errors.New("graph: several nodes updated the state in one step, and the graph has no reducer to merge their updates")

// hiddenTag marks the __start__ run, as LangGraph marks it, so that
// tracers may leave it out.
const hiddenTag = "langsmith:hidden"

// Graph is a compiled state graph; see [Builder.Compile]. It is a runnable
// from S to S: the input is merged into the zero state, and the output is
// the state after the last step. A Graph is immutable and safe for
// concurrent use; every run has its own state.
type Graph[S any] struct {
	name     string
	reducer  func(old, update S) S
	nodes    map[string]*node[S]
	order    []string
	edges    map[string][]string
	branches map[string][]branch[S]
}

// Update is what one node returned in one step of a run, as yielded by
// [Graph.Updates] (LangGraph's "updates" stream mode).
type Update[S any] struct {
	// Step is the step number, from 1.
	Step int
	// Node is the name of the node.
	Node string
	// Value is the node's update, before the reducer merged it.
	Value S
}

// Named returns a copy of the graph whose runs are named name instead of
// "LangGraph".
func (g *Graph[S]) Named(name string) *Graph[S] {
	c := *g
	c.name = name
	return &c
}

// Nodes returns the names of the graph's nodes in the order they were
// added.
func (g *Graph[S]) Nodes() []string { return slices.Clone(g.order) }

// Describe names the graph "LangGraph" unless it was named.
func (g *Graph[S]) Describe() runnable.Info {
	name := g.name
	if name == "" {
		name = "LangGraph"
	}
	return runnable.Info{Name: name, Type: runnable.ChainRun}
}

// Invoke runs the graph on in and returns the final state.
func (g *Graph[S]) Invoke(ctx context.Context, in S, opts ...runnable.Option) (S, error) {
	ctx, run := runnable.StartRun(ctx, g.Describe(), in, opts...)
	out, err := g.exec(ctx, run, in, sink[S]{})
	if err != nil {
		var zero S
		return zero, run.Fail(err)
	}
	run.End(out)
	return out, nil
}

// Stream runs the graph on in and yields the state after each step,
// starting with the input merged into the zero state (LangGraph's "values"
// stream mode). The last state yielded is the output of Invoke. Every
// chunk is a whole state, not a delta: a step placed after the graph in a
// runnable.Sequence adds its input chunks up with runnable.Concat, which
// keeps the last chunk only for types it cannot add, so give such graphs a
// struct state (or invoke them).
//
// It returns a single-use iterator. A non-nil error is the last pair it
// yields. Breaking out of the loop stops the run before the next step
// starts, after the nodes of the current step returned; no goroutine
// outlives the loop.
func (g *Graph[S]) Stream(ctx context.Context, in S, opts ...runnable.Option) iter.Seq2[S, error] {
	return func(yield func(S, error) bool) {
		ctx, run := runnable.StartRun(ctx, g.Describe(), in, opts...)
		out, err := g.exec(ctx, run, in, sink[S]{values: func(s S) bool {
			run.Chunk(s)
			return yield(s, nil)
		}})
		finish(run, out, err, yield)
	}
}

// Updates runs the graph on in and yields the update of each node as the
// node's step completes (LangGraph's "updates" stream mode). The updates of
// a step that ran several nodes come in node name order.
//
// It returns a single-use iterator, with the same error and early-stop
// behaviour as [Graph.Stream].
func (g *Graph[S]) Updates(ctx context.Context, in S, opts ...runnable.Option) iter.Seq2[Update[S], error] {
	return func(yield func(Update[S], error) bool) {
		ctx, run := runnable.StartRun(ctx, g.Describe(), in, opts...)
		out, err := g.exec(ctx, run, in, sink[S]{updates: func(u Update[S]) bool {
			return yield(u, nil)
		}})
		finish(run, out, err, yield)
	}
}

// finish ends a streaming run: a consumer that stopped early fails it with
// runnable.ErrStreamStopped, any other error is yielded.
func finish[S, T any](run *runnable.Run, out S, err error, yield func(T, error) bool) {
	switch {
	case err == errStop:
		run.Fail(runnable.ErrStreamStopped)
	case err != nil:
		var zero T
		yield(zero, run.Fail(err))
	default:
		run.End(out)
	}
}

// Batch invokes the graph on every input; see [runnable.BatchOf].
func (g *Graph[S]) Batch(ctx context.Context, ins []S, opts ...runnable.Option) ([]S, error) {
	return runnable.BatchOf(ctx, g, ins, opts...)
}

// sink receives what a run streams; a nil func is not called. Returning
// false stops the run.
type sink[S any] struct {
	values  func(S) bool
	updates func(Update[S]) bool
}

// errStop is returned by exec when the sink asked to stop.
var errStop = errors.New("graph: stopped by the consumer")

// exec runs the Pregel loop under the graph's run (ctx is the run's
// context) and returns the final state.
func (g *Graph[S]) exec(ctx context.Context, run *runnable.Run, in S, out sink[S]) (S, error) {
	var zero S
	limit := run.Config().RecursionLimit
	if limit < 1 {
		return zero, fmt.Errorf("graph: recursion_limit must be at least 1, got %d", limit)
	}
	if err := ctx.Err(); err != nil {
		return zero, context.Cause(ctx)
	}
	state, next, err := g.start(ctx, in)
	if err != nil {
		return zero, err
	}
	if out.values != nil && !out.values(state) {
		return zero, errStop
	}
	for step := 1; ; step++ {
		if err := ctx.Err(); err != nil {
			return zero, context.Cause(ctx)
		}
		// LangGraph checks the limit before it looks for tasks, so a run
		// that used up its steps fails even if it would end here.
		if step > limit {
			return zero, fmt.Errorf("graph: recursion limit of %d reached without hitting a stop condition: %w", limit, runnable.ErrRecursionLimit)
		}
		if len(next) == 0 {
			return state, nil
		}
		results, err := g.runStep(ctx, step, state, next)
		if err != nil {
			return zero, err
		}
		if g.reducer == nil && len(results) > 1 {
			return zero, fmt.Errorf("%w (step %d: %s)", ErrConflictingUpdates, step, quoteAll(next))
		}
		var targets []string
		for i, r := range results {
			if g.reducer == nil {
				state = r.update
			} else if state, err = reduce(g.reducer, state, r.update); err != nil {
				return zero, fmt.Errorf("graph: reducer, merging the update of node %q at step %d: %w", next[i], step, err)
			}
			targets = append(targets, r.targets...)
			if out.updates != nil && !out.updates(Update[S]{Step: step, Node: next[i], Value: r.update}) {
				return zero, errStop
			}
		}
		if out.values != nil && !out.values(state) {
			return zero, errStop
		}
		slices.Sort(targets)
		next = slices.Compact(targets)
	}
}

// start is step 0: the hidden __start__ run merges the input into the zero
// state and follows the edges leaving START.
func (g *Graph[S]) start(ctx context.Context, in S) (S, []string, error) {
	var zero S
	ctx, run := runnable.StartRun(ctx, runnable.Info{Name: START, Type: runnable.ChainRun}, in,
		runnable.WithTags(hiddenTag), stepOptions(0, START, START))
	state := in
	if g.reducer != nil {
		var err error
		if state, err = reduce(g.reducer, zero, in); err != nil {
			err = fmt.Errorf("graph: reducer, merging the input: %w", err)
			return zero, nil, run.Fail(err)
		}
	}
	next, err := g.route(ctx, START, state)
	if err != nil {
		return zero, nil, run.Fail(fmt.Errorf("graph: %w", err))
	}
	run.End(in)
	slices.Sort(next)
	return state, slices.Compact(next), nil
}

// stepOptions tag a node's run with its step and give it (and its nested
// runs) LangGraph's metadata.
func stepOptions(step int, name, trigger string) runnable.Option {
	return func(c *runnable.Config) {
		runnable.WithLocalTags("graph:step:" + strconv.Itoa(step))(c)
		runnable.WithMetadata(map[string]any{
			"langgraph_step":     step,
			"langgraph_node":     name,
			"langgraph_triggers": []string{trigger},
			"langgraph_path":     []string{"__pregel_pull", name},
		})(c)
	}
}

// result is the outcome of one node in a step.
type result[S any] struct {
	update  S
	targets []string
}

// runStep runs the nodes of one step on state, in parallel when there are
// several (at most max_concurrency at once), and returns their results in
// the order of names. The first failure cancels the other nodes of the
// step and is returned once all of them have returned.
func (g *Graph[S]) runStep(ctx context.Context, step int, state S, names []string) ([]result[S], error) {
	results := make([]result[S], len(names))
	if len(names) == 1 {
		r, err := g.runNode(ctx, step, names[0], state)
		if err != nil {
			return nil, err
		}
		results[0] = r
		return results, nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	limit := runnable.ConfigFrom(ctx).MaxConcurrency
	if limit <= 0 || limit > len(names) {
		limit = len(names)
	}
	sem := make(chan struct{}, limit)
	run := func(i int) {
		sem <- struct{}{}
		defer func() { <-sem }()
		r, err := g.runNode(ctx, step, names[i], state)
		if err != nil {
			once.Do(func() { first = err; cancel(err) })
			return
		}
		results[i] = r
	}
	// The last node runs on this goroutine, which would only wait anyway.
	last := len(names) - 1
	for i := range last {
		wg.Go(func() { run(i) })
	}
	run(last)
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return results, nil
}

// runNode runs one node in a run of its own: the node computes its update,
// then the node's outgoing edges are followed on the state with that update
// merged, still inside the node's run (as LangGraph runs a node's branches
// as part of its task).
func (g *Graph[S]) runNode(ctx context.Context, step int, name string, state S) (result[S], error) {
	n := g.nodes[name]
	ctx, run := runnable.StartRun(ctx, runnable.Info{Name: name, Type: runnable.ChainRun}, state,
		stepOptions(step, name, "branch:to:"+name))
	fail := func(err error) (result[S], error) {
		run.Fail(err)
		return result[S]{}, fmt.Errorf("graph: node %q at step %d: %w", name, step, err)
	}
	if err := ctx.Err(); err != nil {
		return fail(context.Cause(ctx))
	}
	update, err := protect(func() (S, error) {
		if n.r != nil {
			return n.r.Invoke(ctx, state, runnable.WithLocalTags("seq:step:1"))
		}
		return n.fn(ctx, state)
	})
	if err != nil {
		return fail(err)
	}
	fresh := update
	if g.reducer != nil {
		if fresh, err = reduce(g.reducer, state, update); err != nil {
			return fail(fmt.Errorf("reducer: %w", err))
		}
	}
	targets, err := g.route(ctx, name, fresh)
	if err != nil {
		return fail(err)
	}
	run.End(update)
	return result[S]{update: update, targets: targets}, nil
}

// route returns the nodes that follow from: the targets of its edges and
// the choices of its conditional edges, without END.
func (g *Graph[S]) route(ctx context.Context, from string, state S) ([]string, error) {
	var next []string
	for _, to := range g.edges[from] {
		if to != END {
			next = append(next, to)
		}
	}
	for _, br := range g.branches[from] {
		to, err := protect(func() (string, error) { return br.route(ctx, state) })
		if err != nil {
			return nil, fmt.Errorf("route after %q: %w", from, err)
		}
		switch {
		case br.targets != nil && !slices.Contains(br.targets, to):
			return nil, fmt.Errorf("route after %q returned %q, which is not one of its targets %s", from, to, quoteAll(br.targets))
		case to == END:
			continue
		case g.nodes[to] == nil:
			return nil, fmt.Errorf("route after %q returned %q, which is neither a node nor END", from, to)
		}
		next = append(next, to)
	}
	return next, nil
}

// reduce calls the reducer, turning a panic into an error.
func reduce[S any](reducer func(old, update S) S, old, update S) (S, error) {
	return protect(func() (S, error) { return reducer(old, update), nil })
}

// protect calls fn, turning a panic into a *runnable.PanicError: a node
// written without the runnable helpers must not crash the server.
func protect[T any](fn func() (T, error)) (out T, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &runnable.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}

// InputSchema is the schema of S titled after the graph
// ("LangGraphInput"), as LangGraph titles its state schemas.
func (g *Graph[S]) InputSchema(runnable.Config) (runnable.Schema, error) {
	return stateSchema[S](runnable.SchemaTitle(g.Describe().Name, "Input"))
}

// OutputSchema is the schema of S titled after the graph
// ("LangGraphOutput").
func (g *Graph[S]) OutputSchema(runnable.Config) (runnable.Schema, error) {
	return stateSchema[S](runnable.SchemaTitle(g.Describe().Name, "Output"))
}

func stateSchema[S any](title string) (runnable.Schema, error) {
	s, err := jsonschema.For(reflect.TypeFor[S](), title)
	if err != nil {
		return nil, err
	}
	if _, isObject := s["properties"]; isObject {
		s["title"] = title // a named struct would keep its Go name
	}
	return s, nil
}

// ConfigSpecs returns the configurable fields of the nodes' runnables.
func (g *Graph[S]) ConfigSpecs() []runnable.ConfigSpec {
	var out []runnable.ConfigSpec
	seen := map[string]bool{}
	for _, name := range g.order {
		if r := g.nodes[name].r; r != nil {
			for _, s := range runnable.SpecsOf(r) {
				if !seen[s.ID] {
					seen[s.ID] = true
					out = append(out, s)
				}
			}
		}
	}
	return out
}

var (
	_ runnable.Runnable[int, int] = (*Graph[int])(nil)
	_ runnable.Describer          = (*Graph[int])(nil)
	_ runnable.SchemaProvider     = (*Graph[int])(nil)
	_ runnable.ConfigSpecer       = (*Graph[int])(nil)
)
