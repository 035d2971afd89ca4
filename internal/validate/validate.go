// Package validate checks decoded JSON values against the JSON Schemas that
// internal/jsonschema (and pydantic) produce, and reports what does not fit
// the way pydantic v2 does, so that a 422 from langserve-go carries the
// same "detail" list a LangServe server would send: a missing prompt
// variable is {"type":"missing","loc":["text"],…}, a word where an integer
// belongs {"type":"int_parsing",…}.
//
// It covers the schema vocabulary those schemas use: $ref into $defs,
// type, const, enum, properties, required, additionalProperties, items,
// prefixItems, minItems/maxItems, minLength/maxLength, pattern, anyOf,
// oneOf, allOf and the uuid format. Unknown keywords constrain nothing.
// Where pydantic coerces in lax mode (the string "5" to an integer, "yes"
// to a boolean), this validator is strict, because the Go types the value
// is decoded into afterwards are strict too.
//
// serve validates every request input with it; chains/agent checks tool
// arguments with it.
package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/internal/pyfmt"
)

// Error is one pydantic-style validation error: an entry of the "detail"
// list of a 422 answer. The field order is pydantic's, which clients that
// compare bodies (and the golden transcripts) see.
type Error struct {
	Type  string         `json:"type"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
	URL   string         `json:"url,omitempty"`
}

// MarshalJSON writes e with its members in pydantic's order, ctx
// included ({"field_type":…,"min_length":…,"actual_length":…}, where a
// map would sort the keys), and without HTML escaping, as LangServe's
// answers are written.
func (e Error) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 128), `{"type":`...)
	b, err := appendJSON(b, e.Type)
	if err != nil {
		return nil, err
	}
	loc := e.Loc
	if loc == nil {
		loc = []any{}
	}
	b = append(b, `,"loc":`...)
	if b, err = appendJSON(b, loc); err != nil {
		return nil, err
	}
	b = append(b, `,"msg":`...)
	if b, err = appendJSON(b, e.Msg); err != nil {
		return nil, err
	}
	b = append(b, `,"input":`...)
	if b, err = appendJSON(b, e.Input); err != nil {
		return nil, err
	}
	if len(e.Ctx) > 0 {
		keys := sortedKeys(e.Ctx)
		slices.SortStableFunc(keys, func(a, b string) int { return ctxRank(a) - ctxRank(b) })
		b = append(b, `,"ctx":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendJSON(b, k); err != nil {
				return nil, err
			}
			b = append(b, ':')
			if b, err = appendJSON(b, e.Ctx[k]); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
	}
	if e.URL != "" {
		b = append(b, `,"url":`...)
		if b, err = appendJSON(b, e.URL); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// ctxRank orders the ctx keys of length errors as pydantic writes them;
// other keys follow in alphabetical order.
func ctxRank(key string) int {
	switch key {
	case "field_type":
		return 0
	case "min_length":
		return 1
	case "max_length":
		return 2
	case "actual_length":
		return 3
	}
	return 4
}

func appendJSON(b []byte, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
}

// docsURL is where pydantic links its error types from; the golden
// transcripts were recorded with pydantic 2.13.
const docsURL = "https://errors.pydantic.dev/2.13/v/"

// New returns the error of type typ at loc, with pydantic's URL for typ.
// loc is copied; a nil loc is the root ([] in JSON, never null).
func New(typ string, loc []any, msg string, input any) Error {
	return Error{Type: typ, Loc: append([]any{}, loc...), Msg: msg, Input: input, URL: docsURL + typ}
}

// Missing is the error for a required key that is absent from input.
func Missing(loc []any, input any) Error {
	return New("missing", loc, "Field required", input)
}

// MaxErrors bounds how many errors one call of Value reports, so that a
// huge invalid input cannot make a huge answer.
const MaxErrors = 64

// Value validates v, a value decoded by encoding/json into any (numbers as
// float64 or json.Number), against schema. loc prefixes every error's
// location (a batch item's ["inputs", i]). It returns nil when v fits or
// schema is nil.
func Value(schema map[string]any, v any, loc ...any) []Error {
	if schema == nil {
		return nil
	}
	c := &checker{root: schema}
	c.check(schema, v, loc)
	return c.errs
}

type checker struct {
	root  map[string]any
	errs  []Error
	depth int
}

// maxDepth bounds recursion through $ref cycles and deeply nested values.
const maxDepth = 64

func (c *checker) add(e Error) {
	if len(c.errs) < MaxErrors {
		c.errs = append(c.errs, e)
	}
}

// at returns loc extended with one more element, never sharing the
// backing array with loc.
func at(loc []any, elem any) []any {
	out := make([]any, len(loc)+1)
	copy(out, loc)
	out[len(loc)] = elem
	return out
}

// resolve follows $ref chains within the root document.
func (c *checker) resolve(s map[string]any) map[string]any {
	for range 32 {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		target := lookupRef(c.root, ref)
		if target == nil {
			return map[string]any{} // an unknown reference constrains nothing
		}
		// Sibling keywords of a $ref (title, default, description) do not
		// constrain values.
		s = target
	}
	return s
}

func lookupRef(root map[string]any, ref string) map[string]any {
	for _, prefix := range []string{"#/$defs/", "#/definitions/", "#/components/schemas/"} {
		if name, ok := strings.CutPrefix(ref, prefix); ok {
			for _, key := range []string{"$defs", "definitions"} {
				if defs, ok := root[key].(map[string]any); ok {
					if d, ok := defs[name].(map[string]any); ok {
						return d
					}
				}
			}
		}
	}
	if ref == "#" {
		return root
	}
	return nil
}

func (c *checker) check(s map[string]any, v any, loc []any) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxDepth {
		return // a recursive schema over a deep value: accept rather than loop
	}
	s = c.resolve(s)
	if len(s) == 0 {
		return
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			if m, ok := sub.(map[string]any); ok {
				c.check(m, v, loc)
			}
		}
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if alts, ok := s[key].([]any); ok {
			c.union(alts, v, loc)
			return
		}
	}
	if cv, ok := s["const"]; ok {
		if !jsonEqual(cv, v) {
			c.literal([]any{cv}, v, loc)
		}
		return
	}
	if enum, ok := s["enum"].([]any); ok {
		if !containsJSON(enum, v) {
			c.literal(enum, v, loc)
		}
		return
	}
	if !c.checkType(s, v, loc) {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		c.object(s, v, loc)
	case []any:
		c.array(s, v, loc)
	case string:
		c.str(s, v, loc)
	}
}

// checkType checks the "type" keyword; it reports false (after adding an
// error) when v has none of the allowed types.
func (c *checker) checkType(s map[string]any, v any, loc []any) bool {
	var types []string
	switch t := s["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			if str, ok := x.(string); ok {
				types = append(types, str)
			}
		}
	case []string:
		types = t
	}
	if len(types) == 0 {
		return true
	}
	for _, t := range types {
		if typeOK(t, v) {
			return true
		}
	}
	c.add(typeError(types[0], s, v, loc))
	return false
}

func typeOK(t string, v any) bool {
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := number(v)
		return ok
	case "integer":
		return isInteger(v)
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return true // an unknown type name constrains nothing
}

// isInteger reports whether v is a JSON number without a fractional part.
// A json.Number must also be written as an integer, which is what a Go
// integer accepts.
func isInteger(v any) bool {
	if n, ok := v.(json.Number); ok {
		return !strings.ContainsAny(string(n), ".eE")
	}
	f, ok := number(v)
	return ok && f == math.Trunc(f) && !math.IsInf(f, 0)
}

// typeError is pydantic's error for v where a value of JSON type t
// belongs; s (which may be nil) names the model of an object.
func typeError(t string, s map[string]any, v any, loc []any) Error {
	switch t {
	case "null":
		return New("none_required", loc, "Input should be None", v)
	case "boolean":
		if _, ok := v.(string); ok {
			return New("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input", v)
		}
		return New("bool_type", loc, "Input should be a valid boolean", v)
	case "string":
		return New("string_type", loc, "Input should be a valid string", v)
	case "number":
		if str, ok := v.(string); ok {
			if _, err := strconv.ParseFloat(str, 64); err != nil {
				return New("float_parsing", loc, "Input should be a valid number, unable to parse string as a number", v)
			}
		}
		return New("float_type", loc, "Input should be a valid number", v)
	case "integer":
		switch x := v.(type) {
		case string:
			if _, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err != nil {
				return New("int_parsing", loc, "Input should be a valid integer, unable to parse string as an integer", v)
			}
		default:
			if f, ok := number(x); ok && f != math.Trunc(f) {
				return New("int_from_float", loc, "Input should be a valid integer, got a number with a fractional part", v)
			}
		}
		return New("int_type", loc, "Input should be a valid integer", v)
	case "array":
		return New("list_type", loc, "Input should be a valid list", v)
	case "object":
		// A model (an object with declared properties and a title) is
		// reported as pydantic reports models, a plain dict as a dict.
		if title, ok := s["title"].(string); ok && title != "" {
			if _, ok := s["properties"]; ok {
				e := New("model_type", loc, "Input should be a valid dictionary or instance of "+title, v)
				e.Ctx = map[string]any{"class_name": title}
				return e
			}
		}
		return New("dict_type", loc, "Input should be a valid dictionary", v)
	}
	return New("value_error", loc, "Value error, unexpected value", v)
}

// str checks the string keywords in pydantic's order: minLength,
// maxLength, pattern (one error at most), then the uuid format. Lengths
// count characters, as Python does.
func (c *checker) str(s map[string]any, v string, loc []any) {
	n := -1
	length := func() int {
		if n < 0 {
			n = utf8.RuneCountInString(v)
		}
		return n
	}
	if limit, ok := intKeyword(s, "minLength"); ok && length() < limit {
		e := New("string_too_short", loc, "String should have at least "+plural(limit, "character"), v)
		e.Ctx = map[string]any{"min_length": limit}
		c.add(e)
		return
	}
	if limit, ok := intKeyword(s, "maxLength"); ok && length() > limit {
		e := New("string_too_long", loc, "String should have at most "+plural(limit, "character"), v)
		e.Ctx = map[string]any{"max_length": limit}
		c.add(e)
		return
	}
	if p, ok := s["pattern"].(string); ok {
		// pydantic searches for the pattern (re.search), as MatchString
		// does; a pattern RE2 cannot compile constrains nothing.
		if re := compiled(p); re != nil && !re.MatchString(v) {
			e := New("string_pattern_mismatch", loc, "String should match pattern '"+p+"'", v)
			e.Ctx = map[string]any{"pattern": p}
			c.add(e)
			return
		}
	}
	if s["format"] == "uuid" {
		if _, err := uuid.Parse(v); err != nil {
			c.add(New("uuid_parsing", loc, "Input should be a valid UUID, "+strings.TrimPrefix(err.Error(), "invalid UUID "), v))
		}
	}
}

// patterns caches compiled patterns: schemas are few and long-lived, and
// every request of a route checks the same ones.
var patterns sync.Map // string -> *regexp.Regexp (nil when invalid)

func compiled(p string) *regexp.Regexp {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	patterns.Store(p, re)
	return re
}

func (c *checker) object(s map[string]any, v map[string]any, loc []any) {
	props, _ := s["properties"].(map[string]any)
	for _, name := range asStrings(s["required"]) {
		if _, present := v[name]; !present && name != "" {
			c.add(Missing(at(loc, name), v))
		}
	}
	extra, _ := s["additionalProperties"].(map[string]any)
	for _, k := range sortedKeys(v) {
		if ps, ok := props[k].(map[string]any); ok {
			c.check(ps, v[k], at(loc, k))
		} else if extra != nil {
			c.check(extra, v[k], at(loc, k))
		}
	}
}

func (c *checker) array(s map[string]any, v []any, loc []any) {
	if n, ok := intKeyword(s, "minItems"); ok && len(v) < n {
		e := New("too_short", loc, fmt.Sprintf("List should have at least %s after validation, not %d", plural(n, "item"), len(v)), v)
		e.Ctx = map[string]any{"field_type": "List", "min_length": n, "actual_length": len(v)}
		c.add(e)
		return
	}
	if n, ok := intKeyword(s, "maxItems"); ok && len(v) > n {
		e := New("too_long", loc, fmt.Sprintf("List should have at most %s after validation, not %d", plural(n, "item"), len(v)), v)
		e.Ctx = map[string]any{"field_type": "List", "max_length": n, "actual_length": len(v)}
		c.add(e)
		return
	}
	prefix, _ := s["prefixItems"].([]any)
	items, _ := s["items"].(map[string]any)
	if tuple, ok := s["items"].([]any); ok { // draft-07 tuples
		prefix = tuple
		items = nil
	}
	for i, x := range v {
		if i < len(prefix) {
			if ps, ok := prefix[i].(map[string]any); ok {
				c.check(ps, x, at(loc, i))
			}
			continue
		}
		if items != nil {
			c.check(items, x, at(loc, i))
		}
	}
}

// plural writes n units as pydantic does: "1 character", "5 characters".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func intKeyword(s map[string]any, key string) (int, bool) {
	switch n := s[key].(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case uint64:
		return int(n), true
	case float64:
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// union checks v against alternatives, as pydantic's unions do: v fits if
// one alternative accepts it. Otherwise, when the alternatives are tagged
// by a "type" constant (LangChain's message unions) and v names one, the
// errors are that alternative's; when only one alternative has v's JSON
// type, or only one is not null (Optional[X] with a non-null v), they are
// that one's; else every alternative's errors are listed, each under a
// label of the alternative.
func (c *checker) union(alts []any, v any, loc []any) {
	type alt struct {
		schema map[string]any
		label  string
		errs   []Error
	}
	var tried []alt
	for _, a := range alts {
		m, ok := a.(map[string]any)
		if !ok {
			continue
		}
		sub := &checker{root: c.root, depth: c.depth}
		sub.check(m, v, loc)
		if len(sub.errs) == 0 {
			return
		}
		tried = append(tried, alt{schema: m, label: c.label(m), errs: sub.errs})
	}
	if len(tried) == 0 {
		return
	}
	if obj, ok := v.(map[string]any); ok {
		if tag, ok := obj["type"].(string); ok {
			for _, t := range tried {
				if c.tagOf(t.schema) == tag {
					for _, e := range t.errs {
						c.add(e)
					}
					return
				}
			}
		}
	}
	var sameKind, nonNull []alt
	for _, t := range tried {
		if c.acceptsKind(t.schema, v) {
			sameKind = append(sameKind, t)
		}
		if !c.isNull(t.schema) {
			nonNull = append(nonNull, t)
		}
	}
	for _, only := range [][]alt{sameKind, nonNull} {
		if len(only) == 1 {
			for _, e := range only[0].errs {
				c.add(e)
			}
			return
		}
	}
	for _, t := range tried {
		for _, e := range t.errs {
			e.Loc = insertAt(e.Loc, len(loc), t.label)
			c.add(e)
		}
	}
}

func insertAt(loc []any, i int, elem any) []any {
	out := make([]any, 0, len(loc)+1)
	out = append(out, loc[:i]...)
	out = append(out, elem)
	return append(out, loc[i:]...)
}

// tagOf returns the constant of the "type" property of an object schema.
func (c *checker) tagOf(s map[string]any) string {
	s = c.resolve(s)
	props, _ := s["properties"].(map[string]any)
	tp, _ := props["type"].(map[string]any)
	if tp == nil {
		return ""
	}
	if cv, ok := tp["const"].(string); ok {
		return cv
	}
	if enum, ok := tp["enum"].([]any); ok && len(enum) == 1 {
		str, _ := enum[0].(string)
		return str
	}
	return ""
}

// isNull reports whether s admits only null.
func (c *checker) isNull(s map[string]any) bool {
	t, _ := c.resolve(s)["type"].(string)
	return t == "null"
}

// acceptsKind reports whether s admits values of v's JSON type at all.
func (c *checker) acceptsKind(s map[string]any, v any) bool {
	s = c.resolve(s)
	switch t := s["type"].(type) {
	case string:
		return kindOK(t, v)
	case []any:
		for _, x := range t {
			if str, ok := x.(string); ok && kindOK(str, v) {
				return true
			}
		}
		return false
	}
	if _, ok := s["properties"]; ok {
		_, isObj := v.(map[string]any)
		return isObj
	}
	return true
}

func kindOK(t string, v any) bool {
	if t == "integer" {
		_, ok := number(v)
		return ok
	}
	return typeOK(t, v)
}

// label names a union alternative in an error location, as pydantic does:
// the model's title, or the Python name of the type.
func (c *checker) label(s map[string]any) string {
	if ref, ok := s["$ref"].(string); ok {
		return ref[strings.LastIndex(ref, "/")+1:]
	}
	if t, ok := s["title"].(string); ok && t != "" {
		return t
	}
	switch t, _ := s["type"].(string); t {
	case "string":
		return "str"
	case "integer":
		return "int"
	case "number":
		return "float"
	case "boolean":
		return "bool"
	case "null":
		return "none"
	case "array":
		return "list"
	case "object":
		return "dict"
	}
	return "any"
}

func (c *checker) literal(allowed []any, v any, loc []any) {
	parts := make([]string, len(allowed))
	for i, a := range allowed {
		parts[i] = pyfmt.Repr(a)
	}
	expected := ""
	if n := len(parts); n > 1 {
		expected = strings.Join(parts[:n-1], ", ") + " or " + parts[n-1]
	} else if n == 1 {
		expected = parts[0]
	}
	e := New("literal_error", loc, "Input should be "+expected, v)
	e.Ctx = map[string]any{"expected": expected}
	c.add(e)
}

// jsonEqual compares two JSON values, numbers by value.
func jsonEqual(a, b any) bool {
	na, aNum := number(a)
	nb, bNum := number(b)
	if aNum || bNum {
		return aNum && bNum && na == nb
	}
	return reflect.DeepEqual(normalize(a), normalize(b))
}

func containsJSON(list []any, v any) bool {
	for _, x := range list {
		if jsonEqual(x, v) {
			return true
		}
	}
	return false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// normalize makes schema values (which may hold []string) comparable with
// decoded JSON.
func normalize(v any) any {
	if x, ok := v.([]string); ok {
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// DecodeError turns the error of decoding an already validated input into
// a Go type into pydantic-style errors: what the schema allowed but the Go
// type does not (a number too large for an int8, a value where the schema
// said nothing). loc prefixes the locations, as in Value.
func DecodeError(err error, input any, loc ...any) []Error {
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		var field []any
		if e.Field != "" {
			for _, p := range strings.Split(e.Field, ".") {
				field = append(field, p)
			}
		}
		sub := lookupLoc(input, field)
		where := append(append([]any{}, loc...), field...)
		if t := jsonType(e.Type); t != "" {
			return []Error{typeError(t, nil, sub, where)}
		}
		return []Error{New("value_error", where, "Value error, "+e.Error(), sub)}
	}
	return []Error{New("value_error", loc, "Value error, "+err.Error(), input)}
}

// jsonType is the JSON type that decodes into a Go type of t's kind, "" if
// none does.
func jsonType(t reflect.Type) string {
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return ""
}

// lookupLoc returns the part of v at loc (object keys only), or the
// innermost value it reaches.
func lookupLoc(v any, loc []any) any {
	for _, p := range loc {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		key, _ := p.(string)
		v = m[key]
	}
	return v
}
