package jsonschema

import (
	"encoding/json"
	"errors"
	"reflect"
	"sync"
)

// Schema is a JSON Schema as a JSON object tree: nested map[string]any
// values, []any lists, strings, bools, nil, float64/int/json.Number numbers.
// It marshals with encoding/json to what LangServe serves.
type Schema = map[string]any

// ErrUnsupportedType is returned (wrapped, with the offending type and field
// path) for Go types that have no JSON form: channels, functions, complex
// numbers, unsafe pointers and maps whose keys cannot be JSON object keys.
var ErrUnsupportedType = errors.New("jsonschema: type has no JSON representation")

// TypeDescriber is implemented by types that describe themselves. The text
// becomes the "description" of the type's schema, as a pydantic model's
// docstring does (e.g. "Input of the typed route."). It is called on the
// zero value, so it must not depend on the receiver's contents.
type TypeDescriber interface {
	JSONSchemaDescription() string
}

// For returns the schema of t.
//
// title names the schema when t is not a named struct; LangServe titles these
// after the runnable ("echo_input", "TinyRetrieverInput"). A named struct
// keeps its own type name as title, as a pydantic model does ("TypedIn"),
// unless it refers to itself, in which case the root is a "$ref" to its
// definition, again as pydantic does. An empty title leaves the title out.
// A pointer root is treated as the type it points to.
//
// Results are cached per type, so For is cheap after the first call for a
// type, and each call returns a fresh copy the caller may modify. It is safe
// for concurrent use.
func For(t reflect.Type, title string) (Schema, error) {
	if t == nil {
		return nil, errors.New("jsonschema: nil type")
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	e, ok := cache.Load(t)
	if !ok {
		s, named, err := generate(t)
		e, _ = cache.LoadOrStore(t, &cached{schema: s, named: named, err: err})
	}
	c := e.(*cached)
	if c.err != nil {
		return nil, c.err
	}
	s := cloneSchema(c.schema)
	if !c.named && title != "" {
		s["title"] = title
	}
	return s, nil
}

// Of is For(reflect.TypeFor[T](), title).
func Of[T any](title string) (Schema, error) {
	return For(reflect.TypeFor[T](), title)
}

// cache holds one *cached per reflect.Type. Generated schemas never change
// after they are stored; For hands out copies.
var cache sync.Map

type cached struct {
	schema Schema
	named  bool // the root carries its own title (named struct)
	err    error
}

// cloneSchema deep-copies s.
func cloneSchema(s Schema) Schema {
	if s == nil {
		return nil
	}
	return cloneValue(s).(map[string]any)
}

// cloneValue deep-copies the JSON-like values that schemas are built from.
// Scalars (and json.Number) are immutable and shared.
func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = cloneValue(x)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = cloneValue(x)
		}
		return l
	case []string:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = x
		}
		return l
	case []map[string]any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = cloneValue(x)
		}
		return l
	case json.RawMessage:
		return append(json.RawMessage(nil), v...)
	default:
		return v
	}
}
