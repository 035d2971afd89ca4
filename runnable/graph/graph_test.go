package graph_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/graph"
	"github.com/langserve-go/langserve/runnable/schema"
)

// trail is a test state: the names of the nodes that ran, in order.
type trail struct {
	Visited []string `json:"visited"`
	Count   int      `json:"count"`
}

// appendTrail is a reducer: it appends the visits and adds the counts.
func appendTrail(old, upd trail) trail {
	return trail{Visited: append(slices.Clip(old.Visited), upd.Visited...), Count: old.Count + upd.Count}
}

// visit is a node that records its name.
func visit(name string) func(context.Context, trail) (trail, error) {
	return func(context.Context, trail) (trail, error) {
		return trail{Visited: []string{name}, Count: 1}, nil
	}
}

func mustCompile[S any](t testing.TB, b *graph.Builder[S]) *graph.Graph[S] {
	t.Helper()
	g, err := b.Compile()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func linear(t testing.TB) *graph.Graph[trail] {
	return mustCompile(t, graph.New(appendTrail).
		AddFunc("a", visit("a")).AddFunc("b", visit("b")).AddFunc("c", visit("c")).
		SetEntry("a").AddEdge("a", "b").AddEdge("b", "c").AddEdge("c", graph.END))
}

func TestLinear(t *testing.T) {
	g := linear(t)
	got, err := g.Invoke(t.Context(), trail{Visited: []string{"input"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"input", "a", "b", "c"}
	if !slices.Equal(got.Visited, want) || got.Count != 3 {
		t.Errorf("Invoke = %+v, want visits %v and count 3", got, want)
	}

	var states [][]string
	for s, err := range g.Stream(t.Context(), trail{}) {
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, s.Visited)
	}
	wantStates := [][]string{nil, {"a"}, {"a", "b"}, {"a", "b", "c"}}
	if fmt.Sprint(states) != fmt.Sprint(wantStates) {
		t.Errorf("Stream = %v, want %v (the input, then the state after each step)", states, wantStates)
	}

	outs, err := g.Batch(t.Context(), []trail{{Count: 10}, {Count: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if outs[0].Count != 13 || outs[1].Count != 23 {
		t.Errorf("Batch counts = %d, %d; want 13, 23", outs[0].Count, outs[1].Count)
	}
}

// Without a reducer every update replaces the state.
func TestReplaceState(t *testing.T) {
	g := mustCompile(t, graph.New[int](nil).
		AddFunc("double", func(_ context.Context, x int) (int, error) { return 2 * x, nil }).
		AddNode("inc", runnable.Lambda("inc", func(_ context.Context, x int) (int, error) { return x + 1, nil })).
		SetEntry("double").AddEdge("double", "inc"))
	if got, err := g.Invoke(t.Context(), 5); err != nil || got != 11 {
		t.Errorf("Invoke(5) = %v, %v; want 11", got, err)
	}
}

// counter loops through "inc" until the count reaches n.
func counter(t *testing.T, n int) *graph.Graph[trail] {
	route := func(_ context.Context, s trail) (string, error) {
		if s.Count < n {
			return "inc", nil
		}
		return graph.END, nil
	}
	return mustCompile(t, graph.New(appendTrail).
		AddFunc("inc", visit("inc")).
		SetEntry("inc").
		AddConditionalEdges("inc", route, "inc", graph.END))
}

func TestConditional(t *testing.T) {
	got, err := counter(t, 4).Invoke(t.Context(), trail{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Count != 4 || len(got.Visited) != 4 {
		t.Errorf("Invoke = %+v, want 4 visits", got)
	}

	// A conditional entry picks the first node from the input.
	g := mustCompile(t, graph.New(appendTrail).
		AddFunc("small", visit("small")).AddFunc("big", visit("big")).
		AddConditionalEdges(graph.START, func(_ context.Context, s trail) (string, error) {
			if s.Count > 10 {
				return "big", nil
			}
			return "small", nil
		}, "small", "big"))
	for in, want := range map[int]string{3: "small", 30: "big"} {
		got, err := g.Invoke(t.Context(), trail{Count: in})
		if err != nil || !slices.Equal(got.Visited, []string{want}) {
			t.Errorf("Invoke(%d) = %+v, %v; want a visit of %s", in, got, err, want)
		}
	}
}

func TestRouteErrors(t *testing.T) {
	boom := errors.New("boom")
	for _, tt := range []struct {
		name    string
		route   func(context.Context, trail) (string, error)
		targets []string
		want    string
	}{
		{"unknown node", func(context.Context, trail) (string, error) { return "ghost", nil }, nil, `returned "ghost", which is neither a node nor END`},
		{"empty name", func(context.Context, trail) (string, error) { return "", nil }, nil, `returned "", which is neither a node nor END`},
		{"not a declared target", func(context.Context, trail) (string, error) { return "a", nil }, []string{graph.END}, `returned "a", which is not one of its targets "__end__"`},
		{"error", func(context.Context, trail) (string, error) { return "", boom }, nil, "boom"},
		{"panic", func(context.Context, trail) (string, error) { panic("route exploded") }, nil, "route exploded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := mustCompile(t, graph.New(appendTrail).AddFunc("a", visit("a")).SetEntry("a").
				AddConditionalEdges("a", tt.route, tt.targets...))
			_, err := g.Invoke(t.Context(), trail{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `route after "a"`) {
				t.Fatalf("Invoke error = %v, want one about the route after a, containing %q", err, tt.want)
			}
			if tt.name == "error" && !errors.Is(err, boom) {
				t.Errorf("error %v does not wrap the route's error", err)
			}
		})
	}
}

// fanOut runs b and c in parallel after a, then d once.
func fanOut(reducer func(old, upd trail) trail) *graph.Builder[trail] {
	return graph.New(reducer).
		AddFunc("a", visit("a")).AddFunc("c", visit("c")).AddFunc("b", visit("b")).AddFunc("d", visit("d")).
		SetEntry("a").AddEdge("a", "c").AddEdge("a", "b").AddEdge("b", "d").AddEdge("c", "d")
}

func TestFanOut(t *testing.T) {
	g := mustCompile(t, fanOut(appendTrail))
	var updates []string
	for u, err := range g.Updates(t.Context(), trail{}) {
		if err != nil {
			t.Fatal(err)
		}
		updates = append(updates, fmt.Sprintf("%d:%s:%v", u.Step, u.Node, u.Value.Visited))
	}
	want := []string{"1:a:[a]", "2:b:[b]", "2:c:[c]", "3:d:[d]"}
	if !slices.Equal(updates, want) {
		t.Errorf("Updates = %v, want %v (parallel nodes in name order, d once)", updates, want)
	}

	_, err := mustCompile(t, fanOut(nil)).Invoke(t.Context(), trail{})
	if !errors.Is(err, graph.ErrConflictingUpdates) || !strings.Contains(err.Error(), `step 2: "b", "c"`) {
		t.Errorf("without a reducer: error %v, want ErrConflictingUpdates naming step 2", err)
	}
}

// The nodes of a step never run more at once than max_concurrency allows.
func TestFanOutMaxConcurrency(t *testing.T) {
	var active, peak atomic.Int32
	node := func(name string) func(context.Context, trail) (trail, error) {
		return func(context.Context, trail) (trail, error) {
			n := active.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			active.Add(-1)
			return trail{Visited: []string{name}}, nil
		}
	}
	b := graph.New(appendTrail)
	for _, name := range []string{"n1", "n2", "n3", "n4"} {
		b.AddFunc(name, node(name)).SetEntry(name)
	}
	got, err := mustCompile(t, b).Invoke(t.Context(), trail{}, runnable.WithMaxConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Visited, []string{"n1", "n2", "n3", "n4"}) {
		t.Errorf("visits %v, want the four nodes in name order", got.Visited)
	}
	if peak.Load() != 1 {
		t.Errorf("%d nodes ran at once, want 1", peak.Load())
	}
}

// The first failure in a step cancels the other nodes of the step; the
// step returns once all of them have.
func TestFanOutFailureCancelsSiblings(t *testing.T) {
	boom := errors.New("boom")
	var sawCancel atomic.Bool
	started := make(chan struct{})
	g := mustCompile(t, graph.New(appendTrail).
		AddFunc("fails", func(context.Context, trail) (trail, error) {
			<-started
			return trail{}, boom
		}).
		AddFunc("waits", func(ctx context.Context, _ trail) (trail, error) {
			close(started)
			<-ctx.Done() // returns only when the failure cancels the step
			sawCancel.Store(errors.Is(context.Cause(ctx), boom))
			return trail{}, ctx.Err()
		}).
		SetEntry("fails").SetEntry("waits"))
	_, err := g.Invoke(t.Context(), trail{})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), `node "fails" at step 1`) {
		t.Errorf("error %v, want the failing node's error", err)
	}
	if !sawCancel.Load() {
		t.Error("the waiting node was not cancelled with the failure as cause")
	}
}

func TestRecursionLimit(t *testing.T) {
	// a and b call each other until the route ends the loop, which it never
	// does here.
	var runs atomic.Int32
	node := func(name string) func(context.Context, trail) (trail, error) {
		return func(context.Context, trail) (trail, error) {
			runs.Add(1)
			return trail{Visited: []string{name}}, nil
		}
	}
	loop := mustCompile(t, graph.New(appendTrail).
		AddFunc("a", node("a")).AddFunc("b", node("b")).SetEntry("a").AddEdge("a", "b").
		AddConditionalEdges("b", func(context.Context, trail) (string, error) { return "a", nil }, "a", graph.END))
	for _, limit := range []int{1, 5, 0} {
		runs.Store(0)
		var opts []runnable.Option
		want := limit
		if limit != 0 {
			opts = append(opts, runnable.WithRecursionLimit(limit))
		} else {
			want = runnable.DefaultRecursionLimit
		}
		_, err := loop.Invoke(t.Context(), trail{}, opts...)
		if !errors.Is(err, runnable.ErrRecursionLimit) {
			t.Fatalf("limit %d: error %v, want ErrRecursionLimit", limit, err)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("recursion limit of %d reached", want)) {
			t.Errorf("limit %d: error %q does not name the limit", limit, err)
		}
		if got := int(runs.Load()); got != want {
			t.Errorf("limit %d: %d node runs, want %d", limit, got, want)
		}
	}

	// LangGraph's counting: a three-step run needs a limit of 4.
	for limit, ok := range map[int]bool{2: false, 3: false, 4: true} {
		_, err := linear(t).Invoke(t.Context(), trail{}, runnable.WithRecursionLimit(limit))
		if ok != (err == nil) || (err != nil && !errors.Is(err, runnable.ErrRecursionLimit)) {
			t.Errorf("three steps with limit %d: error %v, want success %v", limit, err, ok)
		}
	}

	// The limit comes from the caller's config too, and must be positive.
	ctx := runnable.ContextWithConfig(t.Context(), runnable.Config{RecursionLimit: 2})
	if _, err := linear(t).Invoke(ctx, trail{}); !errors.Is(err, runnable.ErrRecursionLimit) {
		t.Errorf("limit 2 from ctx: error %v, want ErrRecursionLimit", err)
	}
	if _, err := linear(t).Invoke(t.Context(), trail{}, runnable.WithRecursionLimit(-1)); err == nil || !strings.Contains(err.Error(), "at least 1") {
		t.Errorf("limit -1: error %v, want a clear error", err)
	}
}

func TestPanics(t *testing.T) {
	for _, tt := range []struct {
		name string
		b    *graph.Builder[trail]
	}{
		{"node function", graph.New(appendTrail).SetEntry("a").
			AddFunc("a", func(context.Context, trail) (trail, error) { panic("node exploded") })},
		{"node runnable", graph.New(appendTrail).SetEntry("a").AddNode("a", panicky{})},
		{"reducer", graph.New(func(old, upd trail) trail {
			if upd.Count > 0 {
				panic("reducer exploded")
			}
			return upd
		}).SetEntry("a").AddFunc("a", visit("a"))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mustCompile(t, tt.b).Invoke(t.Context(), trail{})
			if _, ok := errors.AsType[*runnable.PanicError](err); !ok || !strings.Contains(err.Error(), "exploded") {
				t.Errorf("error %v, want a *runnable.PanicError", err)
			}
		})
	}
}

// panicky is a node runnable written without the runnable helpers.
type panicky struct{}

func (panicky) Invoke(context.Context, trail, ...runnable.Option) (trail, error) {
	panic("runnable exploded")
}
func (panicky) Stream(context.Context, trail, ...runnable.Option) iter.Seq2[trail, error] {
	panic("runnable exploded")
}
func (panicky) Batch(context.Context, []trail, ...runnable.Option) ([]trail, error) {
	panic("runnable exploded")
}

func TestCancellation(t *testing.T) {
	t.Run("between steps", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var ranB atomic.Bool
		g := mustCompile(t, graph.New(appendTrail).
			AddFunc("a", func(context.Context, trail) (trail, error) { cancel(); return trail{}, nil }).
			AddFunc("b", func(context.Context, trail) (trail, error) { ranB.Store(true); return trail{}, nil }).
			SetEntry("a").AddEdge("a", "b"))
		if _, err := g.Invoke(ctx, trail{}); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if ranB.Load() {
			t.Error("b ran after the cancellation")
		}
	})
	t.Run("before the run", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		for _, err := range linear(t).Stream(ctx, trail{}) {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Stream yielded %v, want context.Canceled", err)
			}
			return
		}
		t.Error("Stream yielded nothing")
	})
	t.Run("early break", func(t *testing.T) {
		var c runnable.Collector
		var steps int
		for range linear(t).Stream(t.Context(), trail{}, runnable.WithCallbacks(&c)) {
			steps++
			if steps == 2 {
				break
			}
		}
		var nodes []string
		var rootErr error
		for _, ev := range c.Events() {
			if ev.Kind == runnable.EventStart && len(ev.ParentIDs) == 1 {
				nodes = append(nodes, ev.Name)
			}
			if ev.Kind == runnable.EventError && ev.Name == "LangGraph" {
				rootErr = ev.Err
			}
		}
		if !slices.Equal(nodes, []string{"__start__", "a"}) {
			t.Errorf("node runs %v, want only __start__ and a before the break", nodes)
		}
		if !errors.Is(rootErr, runnable.ErrStreamStopped) {
			t.Errorf("graph run error %v, want ErrStreamStopped", rootErr)
		}
	})
}

// describe renders an event for comparison.
func describe(ev runnable.Event) string {
	return fmt.Sprintf("%s %s %v", ev.Kind, ev.Name, ev.Tags)
}

func TestEventTree(t *testing.T) {
	model := chatmodel.Fake("hello there")
	g := mustCompile(t, graph.New(func(old, upd []schema.Message) []schema.Message {
		return graph.AppendMessages(old, upd)
	}).
		AddFunc("model", func(ctx context.Context, msgs []schema.Message) ([]schema.Message, error) {
			m, err := model.Invoke(ctx, schema.ChatPrompt(msgs...))
			return []schema.Message{m}, err
		}).
		AddNode("shout", runnable.Lambda("upper", func(_ context.Context, msgs []schema.Message) ([]schema.Message, error) {
			return []schema.Message{schema.AI(strings.ToUpper(msgs[len(msgs)-1].Content))}, nil
		})).
		SetEntry("model").AddEdge("model", "shout").AddEdge("shout", graph.END))

	var c runnable.Collector
	var states int
	for _, err := range g.Stream(t.Context(), []schema.Message{schema.Human("hi")}, runnable.WithCallbacks(&c), runnable.WithTags("outer")) {
		if err != nil {
			t.Fatal(err)
		}
		states++
	}
	if states != 3 {
		t.Errorf("%d states streamed, want 3", states)
	}
	events := c.Events()
	var got []string
	for _, ev := range events {
		if ev.Kind != runnable.EventStream {
			got = append(got, describe(ev))
		}
	}
	want := []string{
		"start LangGraph [outer]",
		"start __start__ [outer langsmith:hidden graph:step:0]",
		"end __start__ [outer langsmith:hidden graph:step:0]",
		"start model [outer graph:step:1]",
		"start GenericFakeChatModel [outer]",
		"end GenericFakeChatModel [outer]",
		"end model [outer graph:step:1]",
		"start shout [outer graph:step:2]",
		"start upper [outer seq:step:1]",
		"end upper [outer seq:step:1]",
		"end shout [outer graph:step:2]",
		"end LangGraph [outer]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	ids := map[string]runnable.Event{}
	for _, ev := range events {
		if ev.Kind == runnable.EventStart {
			ids[ev.Name] = ev
		}
	}
	parent := func(name string) string {
		p := ids[name].ParentIDs
		if len(p) == 0 {
			return ""
		}
		for n, ev := range ids {
			if ev.RunID == p[len(p)-1] {
				return n
			}
		}
		return "?"
	}
	for child, want := range map[string]string{
		"LangGraph": "", "__start__": "LangGraph", "model": "LangGraph", "shout": "LangGraph",
		"GenericFakeChatModel": "model", "upper": "shout",
	} {
		if got := parent(child); got != want {
			t.Errorf("parent of %s = %q, want %q", child, got, want)
		}
	}

	// LangGraph's metadata on the node runs, inherited by the model run.
	for name, step := range map[string]int{"model": 1, "GenericFakeChatModel": 1, "shout": 2, "upper": 2, "__start__": 0} {
		md := ids[name].Metadata
		node := name
		switch name {
		case "GenericFakeChatModel":
			node = "model"
		case "upper":
			node = "shout"
		}
		if md["langgraph_step"] != step || md["langgraph_node"] != node {
			t.Errorf("%s metadata %v, want langgraph_step %d and langgraph_node %s", name, md, step, node)
		}
	}
	if md := ids["model"].Metadata; fmt.Sprint(md["langgraph_triggers"], md["langgraph_path"]) != "[branch:to:model] [__pregel_pull model]" {
		t.Errorf("model metadata %v, want LangGraph's triggers and path", md)
	}

	// Node runs report the state as input and their update as output; the
	// graph run streams the states and ends with the last.
	var streamed int
	for _, ev := range events {
		switch {
		case ev.Kind == runnable.EventEnd && ev.Name == "shout":
			in, _ := ev.Input.([]schema.Message)
			out, _ := ev.Output.([]schema.Message)
			if len(in) != 2 || len(out) != 1 || out[0].Content != "HELLO THERE" {
				t.Errorf("shout end: input %v, output %v", ev.Input, ev.Output)
			}
		case ev.Kind == runnable.EventStream && ev.Name == "LangGraph":
			streamed++
		case ev.Kind == runnable.EventEnd && ev.Name == "LangGraph":
			out, _ := ev.Output.([]schema.Message)
			if len(out) != 3 || out[2].Content != "HELLO THERE" {
				t.Errorf("graph output %v, want the three messages", ev.Output)
			}
		case ev.Kind == runnable.EventStream && ev.Name == "GenericFakeChatModel":
			if ev.Metadata["langgraph_node"] != "model" {
				t.Errorf("model chunk without the node's metadata: %v", ev.Metadata)
			}
		}
	}
	if streamed != 3 {
		t.Errorf("graph run reported %d chunks, want 3", streamed)
	}
}

func TestNamedAndSchemas(t *testing.T) {
	g := linear(t)
	if got := g.Describe(); got.Name != "LangGraph" || got.Type != runnable.ChainRun {
		t.Errorf("Describe = %+v", got)
	}
	in, err := runnable.InputSchema(g, runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if in["title"] != "LangGraphInput" || in["type"] != "object" {
		t.Errorf("input schema %v, want an object titled LangGraphInput", in)
	}
	props, _ := in["properties"].(map[string]any)
	if _, ok := props["visited"]; !ok {
		t.Errorf("input schema properties %v, want visited", props)
	}
	named := g.Named("Planner")
	out, err := runnable.OutputSchema(named, runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if out["title"] != "PlannerOutput" || named.Describe().Name != "Planner" || g.Describe().Name != "LangGraph" {
		t.Errorf("named: output title %v, name %q", out["title"], named.Describe().Name)
	}
	scalar, err := runnable.InputSchema(mustCompile(t, graph.New[int](nil).AddFunc("a", same).SetEntry("a")), runnable.Config{})
	if err != nil || fmt.Sprint(scalar) != "map[title:LangGraphInput type:integer]" {
		t.Errorf("int state schema %v, %v", scalar, err)
	}
}

// Runs of one graph share nothing.
func TestConcurrentRuns(t *testing.T) {
	g := counter(t, 5)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			got, err := g.Invoke(t.Context(), trail{Count: i % 3})
			if err == nil && got.Count != 5 {
				err = fmt.Errorf("count %d, want 5", got.Count)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Error(err)
	}
}
