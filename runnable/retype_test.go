package runnable_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

type question struct {
	Name  string `json:"name"`
	Times int    `json:"times"`
}

type answer struct {
	Greeting string `json:"greeting"`
	Length   int    `json:"length"`
}

// untypedGreeter works on JSON-shaped values, as a chain ported from
// Python would.
func untypedGreeter() runnable.Runnable[any, any] {
	return lambda("greet", func(in any) any {
		m, _ := in.(map[string]any)
		name, _ := m["name"].(string)
		g := "hi " + name
		return map[string]any{"greeting": g, "length": len(g)}
	})
}

func TestRetype(t *testing.T) {
	typed := runnable.Retype[question, answer](untypedGreeter())
	got, err := typed.Invoke(t.Context(), question{Name: "ann", Times: 1})
	if err != nil || got != (answer{"hi ann", 6}) {
		t.Errorf("Invoke = %+v, %v", got, err)
	}
	streamed, err := collect(typed.Stream(t.Context(), question{Name: "bo"}))
	if err != nil || !reflect.DeepEqual(streamed, []answer{{"hi bo", 5}}) {
		t.Errorf("Stream = %+v, %v", streamed, err)
	}
	outs, err := typed.Batch(t.Context(), []question{{Name: "a"}, {Name: "b"}})
	if err != nil || !reflect.DeepEqual(outs, []answer{{"hi a", 4}, {"hi b", 4}}) {
		t.Errorf("Batch = %+v, %v", outs, err)
	}
	if name := runnable.NameOf(typed); name != "greet" {
		t.Errorf("name %q", name)
	}

	// A value that does not fit the declared type is a *ConversionError.
	wrong := runnable.Retype[question, answer](lambda("wrong", func(any) any { return map[string]any{"length": "long"} }))
	_, err = wrong.Invoke(t.Context(), question{})
	ce, ok := errors.AsType[*runnable.ConversionError](err)
	if !ok || ce.To != reflect.TypeFor[answer]() {
		t.Errorf("err = %v, want a *ConversionError to answer", err)
	}
	_, err = collect(wrong.Stream(t.Context(), question{}))
	if _, ok := errors.AsType[*runnable.ConversionError](err); !ok {
		t.Errorf("stream err = %v, want a *ConversionError", err)
	}
	badIn := runnable.Retype[map[string]any, any](lambda("int", func(x int) int { return x }))
	if _, err := badIn.Invoke(t.Context(), map[string]any{"a": 1}); err == nil {
		t.Error("map to int converted")
	}

	// Inside a pipe, chunks are converted one by one.
	chain := runnable.Pipe(chunks[int]("words", "a", "b"), runnable.Retype[string, any](runnable.Passthrough[any]()))
	got2, err := collect(chain.Stream(t.Context(), 0))
	if err != nil || !reflect.DeepEqual(got2, []any{"a", "b"}) {
		t.Errorf("pipe Stream = %v, %v", got2, err)
	}
}
