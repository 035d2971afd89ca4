package runnable

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// ConfigValueError is returned when a request's configurable value does not
// fit its field: a value of the wrong type, or an unknown alternative. The
// serve package answers it with 422, as LangServe's config validation does.
type ConfigValueError struct {
	ID    string // the configurable field
	Value any    // the value the request gave
	Want  string // what the field accepts, e.g. "array" or `one of "a", "b"`
}

func (e *ConfigValueError) Error() string {
	got := fmt.Sprintf("%T %v", e.Value, e.Value)
	if b, err := json.Marshal(e.Value); err == nil {
		got = fmt.Sprintf("%T %s", e.Value, b)
	}
	if len(got) > 80 {
		got = got[:77] + "..."
	}
	return fmt.Sprintf("runnable: configurable field %q wants %s, got %s", e.ID, e.Want, got)
}

// configurableCacheSize bounds how many built runnables a [Configurable]
// keeps: enough for the handful of settings a deployment really uses, small
// enough that requests with ever new values cannot grow memory without end.
const configurableCacheSize = 64

type configurable[I, O any] struct {
	def        Runnable[I, O]
	specs      []ConfigSpec
	build      func(values map[string]any) (Runnable[I, O], error)
	defaultKey string
	invalid    error

	mu    sync.Mutex
	lru   *list.List // of *cached[I, O], most recently used first
	index map[string]*list.Element
}

type cached[I, O any] struct {
	key string
	r   Runnable[I, O]
}

// Configurable returns a runnable whose fields can be set per request
// through the "configurable" config (LangChain's configurable_fields /
// RunnableConfigurableFields). specs declare the fields: ID is the key in
// Config.Configurable, Default the value used when a request sets none, and
// Schema the JSON Schema the value must fit (checked minimally: type, enum
// and the type of array items).
//
// A call whose config sets none of the fields, or sets each to its default,
// runs def. Otherwise build receives every field's value (the request's
// value, else the default) by ID, and the runnable it returns runs instead.
// Built runnables are cached per distinct set of values, for the most
// recently used 64 sets; build must therefore return runnables that are
// safe to reuse across requests. A value that does not fit its schema is a
// *ConfigValueError; an error or panic in build fails the call.
//
// It adds no run of its own: events show the selected runnable. Describe is
// def's, and the input and output schemas are those of the runnable a
// config selects.
func Configurable[I, O any](def Runnable[I, O], specs []ConfigSpec, build func(values map[string]any) (Runnable[I, O], error)) Runnable[I, O] {
	c := &configurable[I, O]{
		def:   def,
		specs: slices.Clone(specs),
		build: build,
		lru:   list.New(),
		index: map[string]*list.Element{},
	}
	switch {
	case def == nil:
		c.invalid = errors.New("runnable: Configurable needs a default runnable")
	case build == nil:
		c.invalid = errors.New("runnable: Configurable needs a build function")
	}
	defaults := make(map[string]any, len(specs))
	for _, s := range specs {
		if s.ID == "" {
			c.invalid = errors.New("runnable: Configurable spec without an ID")
		}
		defaults[s.ID] = s.Default
	}
	if key, err := json.Marshal(defaults); err == nil {
		c.defaultKey = string(key)
	}
	return c
}

func (c *configurable[I, O]) Describe() Info { return describe(c.def) }

// ConfigSpecs returns the declared fields, then those of def.
func (c *configurable[I, O]) ConfigSpecs() []ConfigSpec {
	return mergeSpecs(c.specs, SpecsOf(c.def))
}

func (c *configurable[I, O]) InputSchema(cfg Config) (Schema, error) {
	r, err := c.selectFor(cfg)
	if err != nil {
		return nil, err
	}
	return InputSchema(r, cfg)
}

func (c *configurable[I, O]) OutputSchema(cfg Config) (Schema, error) {
	r, err := c.selectFor(cfg)
	if err != nil {
		return nil, err
	}
	return OutputSchema(r, cfg)
}

// selectFor returns the runnable cfg selects.
func (c *configurable[I, O]) selectFor(cfg Config) (Runnable[I, O], error) {
	if c.invalid != nil {
		return nil, c.invalid
	}
	values := make(map[string]any, len(c.specs))
	set := false
	for _, s := range c.specs {
		v, ok := cfg.Configurable[s.ID]
		if !ok {
			values[s.ID] = s.Default
			continue
		}
		if want, ok := fits(s.Schema, v); !ok {
			return nil, &ConfigValueError{ID: s.ID, Value: v, Want: want}
		}
		values[s.ID], set = v, true
	}
	if !set {
		return c.def, nil
	}
	k, err := json.Marshal(values)
	if err != nil { // values JSON cannot hold (set from Go code): build, do not cache
		return c.buildWith(values)
	}
	key := string(k)
	if key == c.defaultKey {
		return c.def, nil
	}
	c.mu.Lock()
	if e, ok := c.index[key]; ok {
		c.lru.MoveToFront(e)
		r := e.Value.(*cached[I, O]).r
		c.mu.Unlock()
		return r, nil
	}
	c.mu.Unlock()
	// Built outside the lock: a slow build must not hold up other requests.
	// Two requests may then build the same values; the first stored wins.
	r, err := c.buildWith(values)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.index[key]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*cached[I, O]).r, nil
	}
	c.index[key] = c.lru.PushFront(&cached[I, O]{key: key, r: r})
	if c.lru.Len() > configurableCacheSize {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.index, last.Value.(*cached[I, O]).key)
	}
	return r, nil
}

func (c *configurable[I, O]) buildWith(values map[string]any) (Runnable[I, O], error) {
	r, err := call(c.build, maps.Clone(values))
	if err != nil {
		return nil, fmt.Errorf("runnable: configurable: %w", err)
	}
	if r == nil {
		return nil, errors.New("runnable: configurable: build returned a nil runnable")
	}
	return r, nil
}

func (c *configurable[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	r, err := c.selectFor(Configured(ctx, opts...))
	if err != nil {
		var zero O
		return zero, err
	}
	return r.Invoke(ctx, in, opts...)
}

func (c *configurable[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	r, err := c.selectFor(Configured(ctx, opts...))
	if err != nil {
		return errSeq[O](err)
	}
	return r.Stream(ctx, in, opts...)
}

func (c *configurable[I, O]) Transform(ctx context.Context, in iter.Seq2[I, error], opts ...Option) iter.Seq2[O, error] {
	r, err := c.selectFor(Configured(ctx, opts...))
	if err != nil {
		return errSeq[O](err)
	}
	return transformOf(ctx, r, in, opts)
}

func (c *configurable[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	r, err := c.selectFor(Configured(ctx, opts...))
	if err != nil {
		return nil, err
	}
	return r.Batch(ctx, ins, opts...)
}

// errSeq is a stream of the single error err.
func errSeq[O any](err error) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		var zero O
		yield(zero, err)
	}
}

type alternatives[I, O any] struct {
	which   ConfigSpec
	alts    map[string]Runnable[I, O]
	def     string
	keys    []string // the enum: the other keys sorted, then the default
	invalid error
}

// Alternatives returns a runnable that runs one of alts, chosen per request
// by the configurable field which.ID (LangChain's configurable_alternatives
// / RunnableConfigurableAlternatives). which.Default is the key of the
// alternative used when a request does not choose ("default" when empty);
// which.Name and which.Description describe the field. ConfigSpecs reports
// the field with a string enum of the keys as its schema (the others sorted,
// the default last, as LangChain lists them), followed by the fields of
// every alternative.
//
// A key that names no alternative, or a value that is not a string, is a
// *ConfigValueError naming the valid keys. It adds no run of its own: events
// show the chosen alternative. Describe is the default alternative's, and
// the input and output schemas are those of the alternative a config
// chooses.
func Alternatives[I, O any](which ConfigSpec, alts map[string]Runnable[I, O]) Runnable[I, O] {
	a := &alternatives[I, O]{which: which, alts: maps.Clone(alts)}
	switch d := which.Default.(type) {
	case nil:
		a.def = "default"
	case string:
		a.def = d
	default:
		a.invalid = fmt.Errorf("runnable: Alternatives %q: the default must be a key string, not %T", which.ID, d)
	}
	for k, r := range alts {
		if r == nil {
			a.invalid = fmt.Errorf("runnable: Alternatives %q: alternative %q is nil", which.ID, k)
		}
		if k != a.def {
			a.keys = append(a.keys, k)
		}
	}
	slices.Sort(a.keys)
	a.keys = append(a.keys, a.def)
	switch {
	case which.ID == "":
		a.invalid = errors.New("runnable: Alternatives needs a field ID")
	case a.invalid == nil && alts[a.def] == nil:
		a.invalid = fmt.Errorf("runnable: Alternatives %q: no alternative for the default key %q", which.ID, a.def)
	}
	a.which.Default = a.def
	enum := make([]any, len(a.keys))
	for i, k := range a.keys {
		enum[i] = k
	}
	a.which.Schema = Schema{"type": "string", "enum": enum}
	return a
}

func (a *alternatives[I, O]) Describe() Info { return describe(a.alts[a.def]) }

func (a *alternatives[I, O]) ConfigSpecs() []ConfigSpec {
	lists := [][]ConfigSpec{{a.which}, SpecsOf(a.alts[a.def])}
	for _, k := range a.keys {
		lists = append(lists, SpecsOf(a.alts[k]))
	}
	return mergeSpecs(lists...)
}

func (a *alternatives[I, O]) selectFor(cfg Config) (Runnable[I, O], error) {
	if a.invalid != nil {
		return nil, a.invalid
	}
	v, ok := cfg.Configurable[a.which.ID]
	if !ok {
		return a.alts[a.def], nil
	}
	if k, ok := v.(string); ok {
		if r := a.alts[k]; r != nil {
			return r, nil
		}
	}
	quoted := make([]string, len(a.keys))
	for i, k := range a.keys {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	return nil, &ConfigValueError{ID: a.which.ID, Value: v, Want: "one of " + strings.Join(quoted, ", ")}
}

func (a *alternatives[I, O]) InputSchema(cfg Config) (Schema, error) {
	r, err := a.selectFor(cfg)
	if err != nil {
		return nil, err
	}
	return InputSchema(r, cfg)
}

func (a *alternatives[I, O]) OutputSchema(cfg Config) (Schema, error) {
	r, err := a.selectFor(cfg)
	if err != nil {
		return nil, err
	}
	return OutputSchema(r, cfg)
}

func (a *alternatives[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	r, err := a.selectFor(Configured(ctx, opts...))
	if err != nil {
		var zero O
		return zero, err
	}
	return r.Invoke(ctx, in, opts...)
}

func (a *alternatives[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	r, err := a.selectFor(Configured(ctx, opts...))
	if err != nil {
		return errSeq[O](err)
	}
	return r.Stream(ctx, in, opts...)
}

func (a *alternatives[I, O]) Transform(ctx context.Context, in iter.Seq2[I, error], opts ...Option) iter.Seq2[O, error] {
	r, err := a.selectFor(Configured(ctx, opts...))
	if err != nil {
		return errSeq[O](err)
	}
	return transformOf(ctx, r, in, opts)
}

func (a *alternatives[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	r, err := a.selectFor(Configured(ctx, opts...))
	if err != nil {
		return nil, err
	}
	return r.Batch(ctx, ins, opts...)
}

// fits reports whether v fits schema, checking its type (one or a list),
// its enum and, for arrays, the type of every item. When it does not, want
// says what would.
func fits(schema Schema, v any) (want string, ok bool) {
	if len(schema) == 0 {
		return "", true
	}
	if enum, ok := asList(schema["enum"]); ok {
		found := false
		for _, e := range enum {
			if sameJSON(e, v) {
				found = true
				break
			}
		}
		if !found {
			parts := make([]string, len(enum))
			for i, e := range enum {
				b, _ := json.Marshal(e)
				parts[i] = string(b)
			}
			return "one of " + strings.Join(parts, ", "), false
		}
	}
	var types []string
	switch t := schema["type"].(type) {
	case string:
		types = []string{t}
	default:
		if l, ok := asList(t); ok {
			for _, x := range l {
				if s, ok := x.(string); ok {
					types = append(types, s)
				}
			}
		}
	}
	if len(types) == 0 {
		return "", true
	}
	for _, t := range types {
		if !hasType(t, v) {
			continue
		}
		if t == "array" {
			if items, ok := schema["items"].(map[string]any); ok {
				rv := reflect.ValueOf(v)
				for rv.Kind() == reflect.Pointer {
					rv = rv.Elem() // not nil: hasType checked it
				}
				for i := range rv.Len() {
					if w, ok := fits(items, rv.Index(i).Interface()); !ok {
						return "array of " + w, false
					}
				}
			}
		}
		return "", true
	}
	return strings.Join(types, " or "), false
}

func asList(v any) ([]any, bool) {
	if v == nil {
		return nil, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// sameJSON compares two values as JSON, so that 1 and 1.0 or []string and
// []any with the same items are equal.
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// hasType reports whether v is of JSON Schema type t.
func hasType(t string, v any) bool {
	if t == "null" {
		return v == nil
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return false
		}
		rv = rv.Elem()
	}
	if n, ok := v.(json.Number); ok {
		switch t {
		case "number":
			_, err := n.Float64()
			return err == nil
		case "integer":
			_, err := n.Int64()
			return err == nil
		}
		return false
	}
	switch rv.Kind() {
	case reflect.String:
		return t == "string"
	case reflect.Bool:
		return t == "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return t == "integer" || t == "number"
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		return t == "number" || t == "integer" && f == math.Trunc(f) && !math.IsInf(f, 0)
	case reflect.Slice, reflect.Array:
		return t == "array"
	case reflect.Map:
		return t == "object" && rv.Type().Key().Kind() == reflect.String
	case reflect.Struct:
		return t == "object"
	}
	return false
}
