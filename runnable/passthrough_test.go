package runnable_test

import (
	"context"
	"errors"
	"iter"
	"reflect"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

type dict = map[string]any

func TestPassthrough(t *testing.T) {
	var c runnable.Collector
	p := runnable.Passthrough[dict]()
	in := dict{"q": "hi"}
	got, err := p.Invoke(t.Context(), in, runnable.WithCallbacks(&c))
	if err != nil || !reflect.DeepEqual(got, in) {
		t.Fatalf("Invoke = %v, %v", got, err)
	}
	want := []string{
		"start RunnablePassthrough {input=map[q:hi]} []",
		"end RunnablePassthrough {input=map[q:hi] output=map[q:hi]} []",
	}
	if got := lines(c.Events()); !reflect.DeepEqual(got, want) {
		t.Errorf("invoke events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Streaming through a pipe, the passthrough forwards each chunk as it
	// arrives and ends with the added-up input and output.
	c = runnable.Collector{}
	chain := runnable.Pipe(chunks[int]("words", "a", "b"), runnable.Passthrough[string]())
	out, err := collect(chain.Stream(t.Context(), 0, runnable.WithCallbacks(&c)))
	if err != nil || !reflect.DeepEqual(out, []string{"a", "b"}) {
		t.Fatalf("Stream = %v, %v", out, err)
	}
	var pass []string
	for _, ev := range eventsOf(c.Events(), "RunnablePassthrough") {
		pass = append(pass, describe(ev))
	}
	want = []string{
		"start RunnablePassthrough {} [seq:step:2]",
		"stream RunnablePassthrough {chunk=a} [seq:step:2]",
		"stream RunnablePassthrough {chunk=b} [seq:step:2]",
		"end RunnablePassthrough {input=ab output=ab} [seq:step:2]",
	}
	if !reflect.DeepEqual(pass, want) {
		t.Errorf("stream events:\n%s\nwant:\n%s", strings.Join(pass, "\n"), strings.Join(want, "\n"))
	}
}

func TestPick(t *testing.T) {
	for _, tt := range []struct {
		name string
		keys []string
		in   dict
		want dict
	}{
		{"some keys", []string{"a", "c"}, dict{"a": 1, "b": 2, "c": 3}, dict{"a": 1, "c": 3}},
		{"missing key left out", []string{"a", "z"}, dict{"a": 1, "b": 2}, dict{"a": 1}},
		{"nothing picked is nil", []string{"z"}, dict{"a": 1}, nil},
		{"nil input", []string{"a"}, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := runnable.Pick(tt.keys...)
			got, err := p.Invoke(t.Context(), tt.in)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Invoke = %#v, %v; want %#v", got, err, tt.want)
			}
			if name := runnable.NameOf(p); name != "RunnablePick<"+strings.Join(tt.keys, ",")+">" {
				t.Errorf("name %q", name)
			}
		})
	}
	// While streaming, chunks without any picked key produce nothing.
	chain := runnable.Pipe(chunks[int]("dicts", dict{"x": 1}, dict{"a": "p"}, dict{"a": "q", "b": 1}), runnable.Pick("a"))
	got, err := collect(chain.Stream(t.Context(), 0))
	if err != nil || !reflect.DeepEqual(got, []dict{{"a": "p"}, {"a": "q"}}) {
		t.Errorf("Stream = %v, %v", got, err)
	}
	if _, err := runnable.Pick().Invoke(t.Context(), dict{}); err == nil {
		t.Error("Pick() without keys: no error")
	}
}

func TestAssign(t *testing.T) {
	a := runnable.Assign(map[string]runnable.Runnable[dict, any]{
		"total": runnable.AsAny(lambda("total", func(d dict) int { return d["x"].(int) + d["y"].(int) })),
		"x":     runnable.AsAny(lambda("x10", func(d dict) int { return d["x"].(int) * 10 })),
	})
	if name := runnable.NameOf(a); name != "RunnableAssign<total,x>" {
		t.Errorf("name %q", name)
	}
	var c runnable.Collector
	got, err := a.Invoke(t.Context(), dict{"x": 1, "y": 2}, runnable.WithCallbacks(&c))
	want := dict{"x": 10, "y": 2, "total": 3}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Invoke = %v, %v; want %v", got, err, want)
	}
	events := c.Events()
	wantChild(t, events, "RunnableAssign<total,x>", "RunnableParallel<total,x>")
	wantChild(t, events, "RunnableParallel<total,x>", "total", "map:key:total")

	// Stream: first the input minus the computed keys, then the computed
	// values, which add up to the result of Invoke.
	out, err := collect(a.Stream(t.Context(), dict{"x": 1, "y": 2}))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out[0], dict{"y": 2}) {
		t.Errorf("first chunk %v, want the passthrough part", out[0])
	}
	var sum dict
	for _, chunk := range out {
		sum, _ = runnable.Concat(sum, chunk)
	}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("chunks add up to %v, want %v", sum, want)
	}

	// An error of a step fails the assign.
	boom := errors.New("boom")
	bad := runnable.Assign(map[string]runnable.Runnable[dict, any]{"k": failing[dict, any]("bad", boom)})
	if _, err := bad.Invoke(t.Context(), dict{}); err != boom {
		t.Errorf("invoke err = %v, want boom", err)
	}
	if _, err := collect(bad.Stream(t.Context(), dict{"a": 1})); err != boom {
		t.Errorf("stream err = %v, want boom", err)
	}
}

// TestAssignStreamsComputedChunks checks that a streaming step of an assign
// reaches the consumer chunk by chunk, after the passthrough part.
func TestAssignStreamsComputedChunks(t *testing.T) {
	words := runnable.Generator("words", func(_ context.Context, in iter.Seq2[dict, error]) iter.Seq2[any, error] {
		return func(yield func(any, error) bool) {
			for range in {
			}
			for _, w := range []string{"x", "y", "z"} {
				if !yield(w, nil) {
					return
				}
			}
		}
	})
	a := runnable.Assign(map[string]runnable.Runnable[dict, any]{"answer": words})
	got, err := collect(a.Stream(t.Context(), dict{"question": "q"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []dict{{"question": "q"}, {"answer": "x"}, {"answer": "y"}, {"answer": "z"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chunks %v, want %v", got, want)
	}
	// Early break releases the step goroutine (TestMain checks for leaks).
	for range a.Stream(t.Context(), dict{"question": "q"}) {
		break
	}
}
