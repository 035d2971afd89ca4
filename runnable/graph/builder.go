package graph

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/langserve-go/langserve/runnable"
)

// START and END are the virtual nodes where a graph begins and ends; they
// carry LangGraph's names. Edges leave START to name the entry nodes and
// arrive at END to finish a path.
const (
	START = "__start__"
	END   = "__end__"
)

// Builder assembles a graph; see [New]. Its methods return the builder so
// that calls can be chained, and record mistakes (an empty or duplicate
// name, a nil node) for [Builder.Compile] to report, all at once.
//
// A Builder is not safe for concurrent use. Compiled graphs do not share
// anything with it, so it may be changed and compiled again.
type Builder[S any] struct {
	reducer  func(old, update S) S
	nodes    map[string]*node[S]
	order    []string
	edges    map[string][]string
	branches map[string][]branch[S]
	errs     []error
}

// node is one node of a graph: a runnable or a plain function.
type node[S any] struct {
	name string
	r    runnable.Runnable[S, S]
	fn   func(context.Context, S) (S, error)
}

// branch is a conditional edge: route picks the next node. targets lists
// the nodes route may return; nil means any node or END.
type branch[S any] struct {
	route   func(context.Context, S) (string, error)
	targets []string
}

// New returns a builder for a graph whose state has type S. reducer merges
// a node's update into the state (LangGraph's channel reducers); it must not
// modify its arguments, since the old state may be shared with nodes running
// in parallel. A nil reducer replaces the state with each update.
//
// To keep a conversation in the state, merge its messages with
// [AppendMessages]:
//
//	graph.New(func(old, upd State) State {
//		return State{Messages: graph.AppendMessages(old.Messages, upd.Messages)}
//	})
func New[S any](reducer func(old, update S) S) *Builder[S] {
	return &Builder[S]{
		reducer:  reducer,
		nodes:    map[string]*node[S]{},
		edges:    map[string][]string{},
		branches: map[string][]branch[S]{},
	}
}

// AddNode adds a node that invokes r with the state and returns its
// update. r runs as a child of the node's run, tagged seq:step:1 as in
// LangGraph.
func (b *Builder[S]) AddNode(name string, r runnable.Runnable[S, S]) *Builder[S] {
	if r == nil {
		b.errs = append(b.errs, fmt.Errorf("graph: node %q: nil runnable", name))
		return b
	}
	return b.add(&node[S]{name: name, r: r})
}

// AddFunc adds a node that calls fn with the state and returns its update.
// fn runs inside the node's run: runnables it invokes with ctx are traced as
// children of the node. A panic in fn fails the run with a
// *runnable.PanicError.
func (b *Builder[S]) AddFunc(name string, fn func(ctx context.Context, state S) (S, error)) *Builder[S] {
	if fn == nil {
		b.errs = append(b.errs, fmt.Errorf("graph: node %q: nil function", name))
		return b
	}
	return b.add(&node[S]{name: name, fn: fn})
}

func (b *Builder[S]) add(n *node[S]) *Builder[S] {
	switch {
	case n.name == "":
		b.errs = append(b.errs, errors.New("graph: a node needs a name"))
	case n.name == START || n.name == END:
		b.errs = append(b.errs, fmt.Errorf("graph: node name %q is reserved", n.name))
	case b.nodes[n.name] != nil:
		b.errs = append(b.errs, fmt.Errorf("graph: node %q is added twice", n.name))
	default:
		b.nodes[n.name] = n
		b.order = append(b.order, n.name)
	}
	return b
}

// AddEdge makes to run in the step after from. from may be START (to is
// then an entry node) and to may be END. A node with several outgoing edges
// fans out: the targets run in parallel in the next step.
func (b *Builder[S]) AddEdge(from, to string) *Builder[S] {
	if !slices.Contains(b.edges[from], to) {
		b.edges[from] = append(b.edges[from], to)
	}
	return b
}

// SetEntry makes name run first; it is AddEdge(START, name).
func (b *Builder[S]) SetEntry(name string) *Builder[S] { return b.AddEdge(START, name) }

// AddConditionalEdges makes route choose the node that runs after from: it
// is called with the state as updated by from, inside from's run, and
// returns a node name or END. targets, when given, lists the names route may
// return; Compile checks them and uses them to tell which nodes are
// reachable, and a run fails when route returns anything else. from may be
// START for a conditional entry. A panic in route fails the run with a
// *runnable.PanicError.
func (b *Builder[S]) AddConditionalEdges(from string, route func(ctx context.Context, state S) (string, error), targets ...string) *Builder[S] {
	if route == nil {
		b.errs = append(b.errs, fmt.Errorf("graph: conditional edges from %q: nil route function", from))
		return b
	}
	br := branch[S]{route: route}
	if len(targets) > 0 {
		br.targets = slices.Clone(targets)
	}
	b.branches[from] = append(b.branches[from], br)
	return b
}

// Compile checks the graph and returns it ready to run. It reports every
// mistake it finds, joined: names that are empty, reserved or used twice;
// edges from or to nodes that do not exist; a missing entry; nodes that no
// path from the entry reaches; and a graph in which no path ends (one that
// would loop until the recursion limit).
func (b *Builder[S]) Compile() (*Graph[S], error) {
	errs := slices.Clone(b.errs)
	known := func(name string) bool { return b.nodes[name] != nil }
	for _, from := range sortedKeys(b.edges) {
		if from != START && !known(from) {
			errs = append(errs, fmt.Errorf("graph: edge from unknown node %q", from))
		}
		for _, to := range b.edges[from] {
			switch {
			case to == START:
				errs = append(errs, fmt.Errorf("graph: edge from %q to START; START has no incoming edges", from))
			case to != END && !known(to):
				errs = append(errs, fmt.Errorf("graph: edge from %q to unknown node %q", from, to))
			}
		}
	}
	for _, from := range sortedKeys(b.branches) {
		if from != START && !known(from) {
			errs = append(errs, fmt.Errorf("graph: conditional edges from unknown node %q", from))
		}
		for _, br := range b.branches[from] {
			for _, to := range br.targets {
				if to != END && !known(to) {
					errs = append(errs, fmt.Errorf("graph: conditional edges from %q name unknown target %q", from, to))
				}
			}
		}
	}
	if len(b.edges[START]) == 0 && len(b.branches[START]) == 0 {
		errs = append(errs, errors.New("graph: no entry point; call SetEntry or AddEdge(START, node)"))
	}
	if len(errs) == 0 {
		errs = append(errs, b.checkPaths()...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	g := &Graph[S]{
		reducer:  b.reducer,
		nodes:    maps.Clone(b.nodes),
		order:    slices.Clone(b.order),
		edges:    map[string][]string{},
		branches: map[string][]branch[S]{},
	}
	for from, tos := range b.edges {
		g.edges[from] = slices.Sorted(slices.Values(tos))
	}
	for from, brs := range b.branches {
		g.branches[from] = slices.Clone(brs)
	}
	return g, nil
}

// checkPaths walks the graph from START. Every node must be reachable, and
// some reachable path must end: at END, or at a node without outgoing
// edges. A conditional edge without declared targets may lead anywhere.
func (b *Builder[S]) checkPaths() []error {
	seen := map[string]bool{}
	ends := false
	queue := []string{START}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		next := slices.Clone(b.edges[from])
		for _, br := range b.branches[from] {
			if br.targets == nil {
				next = append(next, END)
				next = append(next, b.order...)
				continue
			}
			next = append(next, br.targets...)
		}
		if len(next) == 0 {
			ends = true // a dead end finishes the run
		}
		for _, to := range next {
			if to == END {
				ends = true
				continue
			}
			if !seen[to] {
				seen[to] = true
				queue = append(queue, to)
			}
		}
	}
	var errs []error
	var unreachable []string
	for _, name := range b.order {
		if !seen[name] {
			unreachable = append(unreachable, name)
		}
	}
	if len(unreachable) > 0 {
		errs = append(errs, fmt.Errorf("graph: no path from START reaches node(s) %s", quoteAll(unreachable)))
	}
	if !ends {
		errs = append(errs, errors.New("graph: no path from START reaches END; every run would loop until the recursion limit"))
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
