package runnable_test

import (
	"reflect"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// TestWrapperSchemas checks that wrappers which add no meaning of their own
// answer with the schemas of what they wrap, titled after it.
func TestWrapperSchemas(t *testing.T) {
	add := addOne()
	in := runnable.Schema{"title": "add_one_input", "type": "integer"}
	out := runnable.Schema{"title": "add_one_output", "type": "integer"}
	for _, tt := range []struct {
		name    string
		in, out func() (runnable.Schema, error)
	}{
		{"AsAny keeps the output type's schema",
			func() (runnable.Schema, error) { return runnable.InputSchema(runnable.AsAny(add), runnable.Config{}) },
			func() (runnable.Schema, error) { return runnable.OutputSchema(runnable.AsAny(add), runnable.Config{}) }},
		{"Bind",
			func() (runnable.Schema, error) {
				return runnable.InputSchema(runnable.Bind(add, runnable.WithTags("x")), runnable.Config{})
			},
			func() (runnable.Schema, error) {
				return runnable.OutputSchema(runnable.Bind(add, runnable.WithTags("x")), runnable.Config{})
			}},
		{"Retry",
			func() (runnable.Schema, error) {
				return runnable.InputSchema(runnable.Retry(add, nil), runnable.Config{})
			},
			func() (runnable.Schema, error) {
				return runnable.OutputSchema(runnable.Retry(add, nil), runnable.Config{})
			}},
		{"Fallbacks: the primary's",
			func() (runnable.Schema, error) {
				return runnable.InputSchema(runnable.Fallbacks(add, []runnable.Runnable[int, int]{mulTwo()}, nil), runnable.Config{})
			},
			func() (runnable.Schema, error) {
				return runnable.OutputSchema(runnable.Fallbacks(add, []runnable.Runnable[int, int]{mulTwo()}, nil), runnable.Config{})
			}},
		{"Alternatives: the chosen one's",
			func() (runnable.Schema, error) {
				alts := runnable.Alternatives(runnable.ConfigSpec{ID: "op"}, map[string]runnable.Runnable[int, int]{"default": mulTwo(), "add": add})
				return runnable.InputSchema(alts, runnable.Config{Configurable: map[string]any{"op": "add"}})
			},
			func() (runnable.Schema, error) {
				alts := runnable.Alternatives(runnable.ConfigSpec{ID: "op"}, map[string]runnable.Runnable[int, int]{"default": mulTwo(), "add": add})
				return runnable.OutputSchema(alts, runnable.Config{Configurable: map[string]any{"op": "add"}})
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := tt.in(); err != nil || !reflect.DeepEqual(got, in) {
				t.Errorf("input schema %v, %v; want %v", got, err, in)
			}
			if got, err := tt.out(); err != nil || !reflect.DeepEqual(got, out) {
				t.Errorf("output schema %v, %v; want %v", got, err, out)
			}
		})
	}
	// Retype is the exception: its point is to describe new types.
	typed := runnable.Retype[question, answer](untypedGreeter())
	s, err := runnable.InputSchema(typed, runnable.Config{})
	props, _ := s["properties"].(map[string]any)
	if err != nil || s["title"] != "question" || props["name"] == nil || props["times"] == nil {
		t.Errorf("retyped input schema %v, %v: want the schema of question", s, err)
	}
}
