package runnable_test

import (
	"context"
	"errors"
	"iter"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/runnable"
)

func TestParallelInvoke(t *testing.T) {
	for _, tt := range []struct {
		name  string
		steps map[string]runnable.Runnable[int, any]
		in    int
		want  map[string]any
		run   string
	}{
		{
			name: "two steps",
			steps: map[string]runnable.Runnable[int, any]{
				"plus":  runnable.AsAny(lambda("plus", func(x int) int { return x + 1 })),
				"label": runnable.AsAny(lambda("label", func(x int) string { return strings.Repeat("*", x) })),
			},
			in:   3,
			want: map[string]any{"plus": 4, "label": "***"},
			run:  "RunnableParallel<label,plus>",
		},
		{
			name: "passthrough next to a computed value",
			steps: map[string]runnable.Runnable[int, any]{
				"in":     runnable.AsAny(runnable.Passthrough[int]()),
				"square": runnable.AsAny(lambda("square", func(x int) int { return x * x })),
			},
			in:   5,
			want: map[string]any{"in": 5, "square": 25},
			run:  "RunnableParallel<in,square>",
		},
		{
			name:  "no steps",
			steps: map[string]runnable.Runnable[int, any]{},
			in:    1,
			want:  map[string]any{},
			run:   "RunnableParallel<>",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c runnable.Collector
			p := runnable.Parallel(tt.steps)
			got, err := p.Invoke(t.Context(), tt.in, runnable.WithCallbacks(&c))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Invoke = %v, want %v", got, tt.want)
			}
			events := c.Events()
			root := startOf(t, events, tt.run)
			if !root.HasInput || root.Input != tt.in || len(root.ParentIDs) != 0 {
				t.Errorf("root start: input %v (has %v), parents %v", root.Input, root.HasInput, root.ParentIDs)
			}
			for k, step := range tt.steps {
				wantChild(t, events, tt.run, runnable.NameOf(step), "map:key:"+k)
			}
			last := events[len(events)-1]
			if last.Kind != runnable.EventEnd || last.Name != tt.run || !reflect.DeepEqual(last.Output, tt.want) {
				t.Errorf("last event %s, want the end of %s with %v", describe(last), tt.run, tt.want)
			}
		})
	}
}

// TestParallelEventTree checks the run tree of a parallel map inside a
// sequence: seq:step:N on the map, map:key:K on its steps, and the steps'
// own children without either tag.
func TestParallelEventTree(t *testing.T) {
	var c runnable.Collector
	inner := runnable.Pipe(lambda("double", func(x int) int { return 2 * x }), lambda("inc", func(x int) int { return x + 1 })).Named("inner")
	chain := runnable.Pipe3(
		lambda("first", func(x int) int { return x }),
		runnable.Parallel(map[string]runnable.Runnable[int, any]{
			"a": runnable.AsAny(inner),
			"b": runnable.AsAny(lambda("neg", func(x int) int { return -x })),
		}),
		lambda("last", func(m map[string]any) int { return m["a"].(int) + m["b"].(int) }),
	)
	for _, mode := range []string{"invoke", "stream"} {
		t.Run(mode, func(t *testing.T) {
			c = runnable.Collector{}
			var got int
			var err error
			if mode == "invoke" {
				got, err = chain.Invoke(t.Context(), 10, runnable.WithCallbacks(&c), runnable.WithTags("root-tag"))
			} else {
				got, err = runnable.Collect(chain.Stream(t.Context(), 10, runnable.WithCallbacks(&c), runnable.WithTags("root-tag")))
			}
			if err != nil || got != 11 {
				t.Fatalf("got %d, %v; want 11", got, err)
			}
			events := c.Events()
			wantChild(t, events, "RunnableSequence", "RunnableParallel<a,b>", "root-tag", "seq:step:2")
			wantChild(t, events, "RunnableParallel<a,b>", "neg", "root-tag", "map:key:b")
			// The nested sequence is a step of the map: it has the map's tag,
			// its own steps have theirs but not the map's.
			wantChild(t, events, "RunnableParallel<a,b>", "inner", "root-tag", "map:key:a")
			wantChild(t, events, "inner", "double", "root-tag", "seq:step:1")
			wantChild(t, events, "inner", "inc", "root-tag", "seq:step:2")
			wantChild(t, events, "RunnableSequence", "last", "root-tag", "seq:step:3")
			double := startOf(t, events, "double")
			if len(double.ParentIDs) != 3 {
				t.Errorf("double has %d ancestors, want 3", len(double.ParentIDs))
			}
		})
	}
}

// TestParallelStreamInterleaves shows that Stream yields each step's chunks
// as the step produces them: step "slow" only produces its second chunk
// after the consumer has received its first, which a map that waited for
// whole outputs would never do.
func TestParallelStreamInterleaves(t *testing.T) {
	received := make(chan string, 10)
	slow := runnable.Generator("slow", func(ctx context.Context, in iter.Seq2[int, error]) iter.Seq2[any, error] {
		return func(yield func(any, error) bool) {
			if !yield("s1", nil) {
				return
			}
			select { // wait until the consumer got s1
			case <-received:
			case <-ctx.Done():
				return
			}
			yield("s2", nil)
		}
	})
	p := runnable.Parallel(map[string]runnable.Runnable[int, any]{
		"slow": slow,
		"one":  runnable.AsAny(lambda("one", func(x int) int { return x })),
	})
	var c runnable.Collector
	var got []map[string]any
	for chunk, err := range p.Stream(t.Context(), 7, runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, chunk)
		if chunk["slow"] == "s1" {
			received <- "s1"
		}
	}
	want := map[string][]any{"slow": {"s1", "s2"}, "one": {7}}
	byKey := map[string][]any{}
	for _, chunk := range got {
		if len(chunk) != 1 {
			t.Errorf("chunk %v has %d keys, want 1", chunk, len(chunk))
		}
		for k, v := range chunk {
			byKey[k] = append(byKey[k], v)
		}
	}
	if !reflect.DeepEqual(byKey, want) {
		t.Errorf("chunks by key %v, want %v", byKey, want)
	}
	events := c.Events()
	end := events[len(events)-1]
	if end.Name != "RunnableParallel<one,slow>" || end.Kind != runnable.EventEnd ||
		!reflect.DeepEqual(end.Output, map[string]any{"slow": "s1s2", "one": 7}) || end.Input != 7 {
		t.Errorf("end event %s", describe(end))
	}
	var streamed int
	for _, ev := range eventsOf(events, "RunnableParallel<one,slow>") {
		if ev.Kind == runnable.EventStream {
			streamed++
		}
	}
	if streamed != 3 {
		t.Errorf("%d stream events of the map, want 3", streamed)
	}
}

// TestParallelInPipeStreams feeds a map from a streaming step: both map
// steps receive every chunk (each through its own copy of the stream).
func TestParallelInPipeStreams(t *testing.T) {
	upper := runnable.Generator("upper", func(_ context.Context, in iter.Seq2[string, error]) iter.Seq2[any, error] {
		return func(yield func(any, error) bool) {
			for s, err := range in {
				if err != nil {
					yield(nil, err)
					return
				}
				if !yield(strings.ToUpper(s), nil) {
					return
				}
			}
		}
	})
	chain := runnable.Pipe(
		chunks[int]("words", "ab", "cd", "ef"),
		runnable.Parallel(map[string]runnable.Runnable[string, any]{
			"upper": upper,
			"len":   runnable.AsAny(lambda("len", func(s string) int { return len(s) })),
		}),
	)
	got, err := collect(chain.Stream(t.Context(), 0))
	if err != nil {
		t.Fatal(err)
	}
	var upperChunks []any
	var sum map[string]any
	for _, chunk := range got {
		if v, ok := chunk["upper"]; ok {
			upperChunks = append(upperChunks, v)
		}
		sum, _ = runnable.Concat(sum, chunk)
	}
	if !reflect.DeepEqual(upperChunks, []any{"AB", "CD", "EF"}) {
		t.Errorf("upper chunks %v", upperChunks)
	}
	if !reflect.DeepEqual(sum, map[string]any{"upper": "ABCDEF", "len": 6}) {
		t.Errorf("sum %v", sum)
	}
}

func TestParallelErrorCancelsSiblings(t *testing.T) {
	boom := errors.New("boom")
	started := make(chan struct{})
	waiter := runnable.AsAny(runnable.Lambda("waiter", func(ctx context.Context, _ int) (int, error) {
		close(started)
		<-ctx.Done() // only the failing sibling can end this
		return 0, context.Cause(ctx)
	}))
	failer := runnable.AsAny(runnable.Lambda("failer", func(ctx context.Context, _ int) (int, error) {
		<-started
		return 0, boom
	}))
	p := runnable.Parallel(map[string]runnable.Runnable[int, any]{"w": waiter, "f": failer})
	t.Run("invoke", func(t *testing.T) {
		started = make(chan struct{})
		var c runnable.Collector
		_, err := p.Invoke(t.Context(), 1, runnable.WithCallbacks(&c))
		if err != boom {
			t.Fatalf("err = %v, want boom itself", err)
		}
		events := c.Events()
		if last := events[len(events)-1]; last.Kind != runnable.EventError || last.Err != boom {
			t.Errorf("last event %s, want the map's error", describe(last))
		}
	})
	t.Run("stream", func(t *testing.T) {
		started = make(chan struct{})
		_, err := collect(p.Stream(t.Context(), 1))
		if err != boom {
			t.Fatalf("err = %v, want boom itself", err)
		}
	})
}

// blocker is a step that signals it runs, then waits for the test.
type blocker struct {
	inFlight, peak atomic.Int32
	reached        chan struct{} // closed when limit steps run at once
	limit          int32
	once           sync.Once
}

func (b *blocker) step(name string) runnable.Runnable[int, any] {
	return runnable.AsAny(runnable.Lambda(name, func(ctx context.Context, x int) (int, error) {
		n := b.inFlight.Add(1)
		defer b.inFlight.Add(-1)
		for {
			p := b.peak.Load()
			if n <= p || b.peak.CompareAndSwap(p, n) {
				break
			}
		}
		if n == b.limit {
			b.once.Do(func() { close(b.reached) })
		}
		// Hold the slot until the limit was reached once, so that the
		// peak really gets to the limit if the bound allows it.
		select {
		case <-b.reached:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		return x, nil
	}))
}

func TestParallelMaxConcurrency(t *testing.T) {
	for _, limit := range []int{1, 2, 3} {
		b := &blocker{reached: make(chan struct{}), limit: int32(limit)}
		steps := map[string]runnable.Runnable[int, any]{}
		for _, k := range []string{"a", "b", "c", "d", "e"} {
			steps[k] = b.step(k)
		}
		p := runnable.Parallel(steps)
		if _, err := p.Invoke(t.Context(), 1, runnable.WithMaxConcurrency(limit)); err != nil {
			t.Fatal(err)
		}
		if got := b.peak.Load(); got != int32(limit) {
			t.Errorf("invoke, limit %d: peak concurrency %d", limit, got)
		}
		b = &blocker{reached: make(chan struct{}), limit: int32(limit)}
		for _, k := range []string{"a", "b", "c", "d", "e"} {
			steps[k] = b.step(k)
		}
		p = runnable.Parallel(steps)
		if _, err := collect(p.Stream(t.Context(), 1, runnable.WithMaxConcurrency(limit))); err != nil {
			t.Fatal(err)
		}
		if got := b.peak.Load(); got != int32(limit) {
			t.Errorf("stream, limit %d: peak concurrency %d", limit, got)
		}
	}
}

// endless yields numbered chunks until its consumer or its context stops it.
func endless(name string, started chan<- struct{}) runnable.Runnable[int, any] {
	return runnable.Generator(name, func(ctx context.Context, in iter.Seq2[int, error]) iter.Seq2[any, error] {
		return func(yield func(any, error) bool) {
			if started != nil {
				started <- struct{}{}
			}
			for i := 0; ; i++ {
				if ctx.Err() != nil {
					return
				}
				if !yield(i, nil) {
					return
				}
			}
		}
	})
}

func TestParallelStreamEarlyBreak(t *testing.T) {
	defer goleak.VerifyNone(t)
	p := runnable.Parallel(map[string]runnable.Runnable[int, any]{
		"a": endless("a", nil), "b": endless("b", nil), "c": endless("c", nil),
	})
	var c runnable.Collector
	n := 0
	for _, err := range p.Stream(t.Context(), 0, runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 10 {
			break
		}
	}
	events := eventsOf(c.Events(), "RunnableParallel<a,b,c>")
	if last := events[len(events)-1]; last.Kind != runnable.EventError || !errors.Is(last.Err, runnable.ErrStreamStopped) {
		t.Errorf("last map event %s, want an error event with ErrStreamStopped", describe(last))
	}
}

func TestParallelStreamCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	p := runnable.Parallel(map[string]runnable.Runnable[int, any]{"a": endless("a", nil), "b": endless("b", nil)})
	n := 0
	var last error
	for _, err := range p.Stream(ctx, 0) {
		if err != nil {
			last = err
			continue
		}
		if n++; n == 5 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) {
		t.Errorf("stream ended with %v, want context.Canceled", last)
	}
}

func TestParallelPanics(t *testing.T) {
	steps := map[string]runnable.Runnable[int, any]{
		"bad":  panicky{},
		"good": runnable.AsAny(lambda("good", func(x int) int { return x })),
	}
	p := runnable.Parallel(steps)
	_, err := p.Invoke(t.Context(), 1)
	if pe, ok := errors.AsType[*runnable.PanicError](err); !ok || pe.Value != "boom" {
		t.Errorf("invoke: err = %v, want a *PanicError with boom", err)
	}
	_, err = collect(p.Stream(t.Context(), 1))
	if pe, ok := errors.AsType[*runnable.PanicError](err); !ok || pe.Value != "boom in stream" {
		t.Errorf("stream: err = %v, want a *PanicError with boom in stream", err)
	}
	// A panicking generator step.
	gen := runnable.Generator("gen", func(context.Context, iter.Seq2[int, error]) iter.Seq2[any, error] {
		return func(yield func(any, error) bool) {
			yield(1, nil)
			panic("generator boom")
		}
	})
	p = runnable.Parallel(map[string]runnable.Runnable[int, any]{"gen": gen})
	_, err = collect(p.Stream(t.Context(), 1))
	if pe, ok := errors.AsType[*runnable.PanicError](err); !ok || pe.Value != "generator boom" {
		t.Errorf("generator: err = %v, want a *PanicError", err)
	}
	// A step whose Transform panics before it returns a stream.
	p = runnable.Parallel(map[string]runnable.Runnable[int, any]{"t": panickyTransform[int]{}})
	_, err = collect(p.Stream(t.Context(), 1))
	if pe, ok := errors.AsType[*runnable.PanicError](err); !ok || pe.Value != "boom in transform" {
		t.Errorf("transform: err = %v, want a *PanicError with boom in transform", err)
	}
	// Assign runs its steps on a goroutine of its own while streaming.
	assign := runnable.Assign(map[string]runnable.Runnable[map[string]any, any]{"t": panickyTransform[map[string]any]{}})
	_, err = collect(assign.Stream(t.Context(), map[string]any{"a": 1}))
	if pe, ok := errors.AsType[*runnable.PanicError](err); !ok || pe.Value != "boom in transform" {
		t.Errorf("assign: err = %v, want a *PanicError with boom in transform", err)
	}
}

// panickyTransform is a Transformer whose Transform panics when called
// (its other methods are never reached).
type panickyTransform[I any] struct{ runnable.Runnable[I, any] }

func (panickyTransform[I]) Transform(context.Context, iter.Seq2[I, error], ...runnable.Option) iter.Seq2[any, error] {
	panic("boom in transform")
}

func TestParallelConfigSpecsAndNamed(t *testing.T) {
	spec := runnable.ConfigSpec{ID: "k", Default: "x"}
	conf := runnable.Configurable(runnable.AsAny(lambda("c", func(x int) int { return x })), []runnable.ConfigSpec{spec},
		func(map[string]any) (runnable.Runnable[int, any], error) { return nil, nil })
	p := runnable.Parallel(map[string]runnable.Runnable[int, any]{"a": conf, "b": conf})
	if specs := runnable.SpecsOf(p); len(specs) != 1 || specs[0].ID != "k" {
		t.Errorf("specs %v, want the one spec once", specs)
	}
	named := p.Named("ctx")
	if got := runnable.NameOf(named); got != "ctx" {
		t.Errorf("named: %q", got)
	}
	if got := runnable.NameOf(p); got != "RunnableParallel<a,b>" {
		t.Errorf("original renamed: %q", got)
	}
	if got := p.Keys(); !slices.Equal(got, slices.Sorted(maps.Keys(map[string]int{"a": 0, "b": 0}))) {
		t.Errorf("keys %v", got)
	}
}
