package runnable_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

func sizeBranch() runnable.Runnable[int, string] {
	return runnable.Branch(
		lambda("other", func(int) string { return "other" }),
		runnable.When(func(_ context.Context, x int) (bool, error) { return x < 0, nil },
			lambda("negative", func(int) string { return "negative" })),
		runnable.Case[int, string]{
			Cond: lambda("is_small", func(x int) bool { return x < 10 }),
			Then: lambda("small", func(int) string { return "small" }),
		},
	)
}

func TestBranch(t *testing.T) {
	for _, tt := range []struct {
		in     int
		want   string
		events []string
	}{
		{-1, "negative", []string{
			"start RunnableBranch {input=-1} []",
			"start RunnableLambda {input=-1} [condition:1]",
			"end RunnableLambda {input=-1 output=true} [condition:1]",
			"start negative {input=-1} [branch:1]",
			"end negative {input=-1 output=negative} [branch:1]",
			"end RunnableBranch {input=-1 output=negative} []",
		}},
		{5, "small", []string{
			"start RunnableBranch {input=5} []",
			"start RunnableLambda {input=5} [condition:1]",
			"end RunnableLambda {input=5 output=false} [condition:1]",
			"start is_small {input=5} [condition:2]",
			"end is_small {input=5 output=true} [condition:2]",
			"start small {input=5} [branch:2]",
			"end small {input=5 output=small} [branch:2]",
			"end RunnableBranch {input=5 output=small} []",
		}},
		{50, "other", []string{
			"start RunnableBranch {input=50} []",
			"start RunnableLambda {input=50} [condition:1]",
			"end RunnableLambda {input=50 output=false} [condition:1]",
			"start is_small {input=50} [condition:2]",
			"end is_small {input=50 output=false} [condition:2]",
			"start other {input=50} [branch:default]",
			"end other {input=50 output=other} [branch:default]",
			"end RunnableBranch {input=50 output=other} []",
		}},
	} {
		var c runnable.Collector
		got, err := sizeBranch().Invoke(t.Context(), tt.in, runnable.WithCallbacks(&c))
		if err != nil || got != tt.want {
			t.Errorf("Invoke(%d) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		events := c.Events()
		if got := lines(events); !reflect.DeepEqual(got, tt.events) {
			t.Errorf("Invoke(%d) events:\n%s\nwant:\n%s", tt.in, strings.Join(got, "\n"), strings.Join(tt.events, "\n"))
		}
		for _, ev := range events[1 : len(events)-1] {
			if len(ev.ParentIDs) != 1 || ev.ParentIDs[0] != events[0].RunID {
				t.Errorf("%s is not a child of the branch run", describe(ev))
			}
		}
	}
}

func TestBranchStream(t *testing.T) {
	b := runnable.Branch(
		chunks[string]("default", "d"),
		runnable.When(func(_ context.Context, s string) (bool, error) { return s == "go", nil }, chunks[string]("words", "a", "b", "c")),
	)
	var c runnable.Collector
	got, err := collect(b.Stream(t.Context(), "go", runnable.WithCallbacks(&c), runnable.WithTags("t")))
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Fatalf("Stream = %v, %v", got, err)
	}
	var branchEvents []string
	for _, ev := range eventsOf(c.Events(), "RunnableBranch") {
		branchEvents = append(branchEvents, describe(ev))
	}
	// LangChain's branch reports no stream events of its own.
	want := []string{"start RunnableBranch {input=go} [t]", "end RunnableBranch {input=go output=abc} [t]"}
	if !reflect.DeepEqual(branchEvents, want) {
		t.Errorf("branch events %q, want %q", branchEvents, want)
	}
	wantChild(t, c.Events(), "RunnableBranch", "words", "t", "branch:1")

	// Early break fails the branch run with ErrStreamStopped.
	c = runnable.Collector{}
	for range b.Stream(t.Context(), "go", runnable.WithCallbacks(&c)) {
		break
	}
	events := eventsOf(c.Events(), "RunnableBranch")
	if last := events[len(events)-1]; last.Kind != runnable.EventError || !errors.Is(last.Err, runnable.ErrStreamStopped) {
		t.Errorf("after break: %s", describe(last))
	}
}

func TestBranchErrors(t *testing.T) {
	boom := errors.New("condition failed")
	b := runnable.Branch(lambda("d", func(int) int { return 0 }),
		runnable.When(func(context.Context, int) (bool, error) { return false, boom }, lambda("t", func(int) int { return 1 })))
	if _, err := b.Invoke(t.Context(), 1); err != boom {
		t.Errorf("condition error: %v", err)
	}
	if _, err := collect(b.Stream(t.Context(), 1)); err != boom {
		t.Errorf("stream condition error: %v", err)
	}
	panicking := runnable.Branch(lambda("d", func(int) int { return 0 }),
		runnable.When(func(context.Context, int) (bool, error) { panic("cond panic") }, lambda("t", func(int) int { return 1 })))
	if _, err := panicking.Invoke(t.Context(), 1); !errorsAsPanic(err) {
		t.Errorf("panicking condition: %v, want a *PanicError", err)
	}
	for _, bad := range []runnable.Runnable[int, int]{
		runnable.Branch[int, int](nil),
		runnable.Branch(lambda("d", func(int) int { return 0 }), runnable.Case[int, int]{Then: lambda("t", func(int) int { return 1 })}),
	} {
		if _, err := bad.Invoke(t.Context(), 1); err == nil {
			t.Error("invalid branch: no error")
		}
		if _, err := collect(bad.Stream(t.Context(), 1)); err == nil {
			t.Error("invalid branch stream: no error")
		}
	}
}

func errorsAsPanic(err error) bool {
	_, ok := errors.AsType[*runnable.PanicError](err)
	return ok
}

type ticket struct {
	Kind string
	Text string
}

func TestRouter(t *testing.T) {
	r := runnable.Router(map[string]runnable.Runnable[ticket, string]{
		"bug":  lambda("bugs", func(tk ticket) string { return "fix " + tk.Text }),
		"idea": chunks[ticket]("ideas", "consider ", "it"),
	}, func(tk ticket) (string, error) {
		if tk.Kind == "" {
			return "", errors.New("ticket without kind")
		}
		return tk.Kind, nil
	})
	var c runnable.Collector
	got, err := r.Invoke(t.Context(), ticket{"bug", "crash"}, runnable.WithCallbacks(&c), runnable.WithTags("x"))
	if err != nil || got != "fix crash" {
		t.Errorf("Invoke = %q, %v", got, err)
	}
	// The router adds no run: the route's run is the root, with the
	// caller's options.
	if ev := c.Events()[0]; ev.Name != "bugs" || len(ev.ParentIDs) != 0 || !reflect.DeepEqual(ev.Tags, []string{"x"}) {
		t.Errorf("first event %s", describe(ev))
	}
	stream, err := collect(r.Stream(t.Context(), ticket{"idea", ""}))
	if err != nil || !reflect.DeepEqual(stream, []string{"consider ", "it"}) {
		t.Errorf("Stream = %v, %v", stream, err)
	}
	_, err = r.Invoke(t.Context(), ticket{"praise", ""})
	if re, ok := errors.AsType[*runnable.RouteError](err); !ok || re.Key != "praise" || !reflect.DeepEqual(re.Keys, []string{"bug", "idea"}) {
		t.Errorf("unknown key: %v", err)
	} else if !strings.Contains(err.Error(), `"praise"`) || !strings.Contains(err.Error(), "bug, idea") {
		t.Errorf("error text %q should name the key and the valid keys", err)
	}
	if _, err := r.Invoke(t.Context(), ticket{}); err == nil || err.Error() != "ticket without kind" {
		t.Errorf("key error: %v", err)
	}
	if _, err := collect(r.Stream(t.Context(), ticket{})); err == nil {
		t.Error("stream key error: none")
	}
	outs, err := r.Batch(t.Context(), []ticket{{"bug", "a"}, {"bug", "b"}})
	if err != nil || !reflect.DeepEqual(outs, []string{"fix a", "fix b"}) {
		t.Errorf("Batch = %v, %v", outs, err)
	}
}
