package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// This file checks request values against the JSON Schemas that the schema
// endpoints serve, and reports what does not fit the way pydantic v2 does
// (type, loc, msg, input), so that a client gets the same 422 answers as
// from LangServe: a missing prompt variable is {"type":"missing",
// "loc":["text"],…}, a string where an integer belongs {"type":
// "int_parsing",…}.
//
// It covers the schema vocabulary that pydantic and internal/jsonschema
// produce: $ref into $defs, type, const, enum, properties, required,
// additionalProperties, items, prefixItems, min/maxItems, anyOf, oneOf,
// allOf and the uuid format. Where pydantic coerces in lax mode (the
// string "5" to an integer), this validator is strict, because the Go
// types the input is decoded into are strict too.

// maxDetails bounds how many errors one answer lists.
const maxDetails = 64

type validator struct {
	root    map[string]any
	details []detailError
	depth   int
}

// validateValue checks v (decoded JSON) against schema and
// returns pydantic-style errors, nil when v fits.
func validateValue(schema map[string]any, v any, loc []any) []detailError {
	if schema == nil {
		return nil
	}
	c := &validator{root: schema}
	c.check(schema, v, loc)
	return c.details
}

func (c *validator) add(d detailError) {
	if len(c.details) < maxDetails {
		c.details = append(c.details, d)
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
func (c *validator) resolve(s map[string]any) map[string]any {
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

func (c *validator) check(s map[string]any, v any, loc []any) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 64 {
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
		if s["format"] == "uuid" {
			if _, err := uuid.Parse(v); err != nil {
				c.add(newDetail("uuid_parsing", loc, "Input should be a valid UUID, "+strings.TrimPrefix(err.Error(), "invalid UUID "), v))
			}
		}
	}
}

// checkType checks the "type" keyword; it reports false (after adding an
// error) when v has none of the allowed types.
func (c *validator) checkType(s map[string]any, v any, loc []any) bool {
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
	default:
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

// typeError is pydantic's error for v where a value of JSON type t belongs.
func typeError(t string, s map[string]any, v any, loc []any) detailError {
	switch t {
	case "null":
		return newDetail("none_required", loc, "Input should be None", v)
	case "boolean":
		if _, ok := v.(string); ok {
			return newDetail("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input", v)
		}
		return newDetail("bool_type", loc, "Input should be a valid boolean", v)
	case "string":
		return newDetail("string_type", loc, "Input should be a valid string", v)
	case "number":
		if str, ok := v.(string); ok {
			if _, err := strconv.ParseFloat(str, 64); err != nil {
				return newDetail("float_parsing", loc, "Input should be a valid number, unable to parse string as a number", v)
			}
		}
		return newDetail("float_type", loc, "Input should be a valid number", v)
	case "integer":
		switch x := v.(type) {
		case string:
			if _, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err != nil {
				return newDetail("int_parsing", loc, "Input should be a valid integer, unable to parse string as an integer", v)
			}
		default:
			if f, ok := number(x); ok && f != math.Trunc(f) {
				return newDetail("int_from_float", loc, "Input should be a valid integer, got a number with a fractional part", v)
			}
		}
		return newDetail("int_type", loc, "Input should be a valid integer", v)
	case "array":
		return newDetail("list_type", loc, "Input should be a valid list", v)
	case "object":
		// A model (an object with declared properties and a title) is
		// reported as pydantic reports models, a plain dict as a dict.
		if title, ok := s["title"].(string); ok && title != "" {
			if _, ok := s["properties"]; ok {
				d := newDetail("model_type", loc, "Input should be a valid dictionary or instance of "+title, v)
				d.Ctx = map[string]any{"class_name": title}
				return d
			}
		}
		return newDetail("dict_type", loc, "Input should be a valid dictionary", v)
	}
	return newDetail("value_error", loc, "Value error, unexpected value", v)
}

func (c *validator) object(s map[string]any, v map[string]any, loc []any) {
	props, _ := s["properties"].(map[string]any)
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			name, _ := r.(string)
			if _, present := v[name]; !present && name != "" {
				c.add(newDetail("missing", at(loc, name), "Field required", v))
			}
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

func (c *validator) array(s map[string]any, v []any, loc []any) {
	if n, ok := intKeyword(s, "minItems"); ok && len(v) < n {
		d := newDetail("too_short", loc, fmt.Sprintf("List should have at least %d item%s after validation, not %d", n, plural(n), len(v)), v)
		d.Ctx = map[string]any{"field_type": "List", "min_length": n, "actual_length": len(v)}
		c.add(d)
		return
	}
	if n, ok := intKeyword(s, "maxItems"); ok && len(v) > n {
		d := newDetail("too_long", loc, fmt.Sprintf("List should have at most %d item%s after validation, not %d", n, plural(n), len(v)), v)
		d.Ctx = map[string]any{"field_type": "List", "max_length": n, "actual_length": len(v)}
		c.add(d)
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

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func intKeyword(s map[string]any, key string) (int, bool) {
	switch n := s[key].(type) {
	case int:
		return n, true
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
// type (Optional[X] with a non-null v), they are that one's; else every
// alternative's errors are listed, each under a label of the alternative.
// Optional[X] (X or null) with a non-null v reports X's errors alone.
func (c *validator) union(alts []any, v any, loc []any) {
	type alt struct {
		schema  map[string]any
		label   string
		details []detailError
	}
	var tried []alt
	for _, a := range alts {
		m, ok := a.(map[string]any)
		if !ok {
			continue
		}
		sub := &validator{root: c.root, depth: c.depth}
		sub.check(m, v, loc)
		if len(sub.details) == 0 {
			return
		}
		tried = append(tried, alt{schema: m, label: c.label(m), details: sub.details})
	}
	if len(tried) == 0 {
		return
	}
	if obj, ok := v.(map[string]any); ok {
		if tag, ok := obj["type"].(string); ok {
			for _, t := range tried {
				if c.tagOf(t.schema) == tag {
					for _, d := range t.details {
						c.add(d)
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
	// Optional[X] with a value that is not null is checked as an X.
	for _, only := range [][]alt{sameKind, nonNull} {
		if len(only) == 1 {
			for _, d := range only[0].details {
				c.add(d)
			}
			return
		}
	}
	for _, t := range tried {
		for _, d := range t.details {
			d.Loc = insertAt(d.Loc, len(loc), t.label)
			c.add(d)
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
func (c *validator) tagOf(s map[string]any) string {
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
func (c *validator) isNull(s map[string]any) bool {
	t, _ := c.resolve(s)["type"].(string)
	return t == "null"
}

// acceptsKind reports whether s admits values of v's JSON type at all.
func (c *validator) acceptsKind(s map[string]any, v any) bool {
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
func (c *validator) label(s map[string]any) string {
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

func (c *validator) literal(allowed []any, v any, loc []any) {
	parts := make([]string, len(allowed))
	for i, a := range allowed {
		parts[i] = pyRepr(a)
	}
	expected := parts[0]
	if n := len(parts); n > 1 {
		expected = strings.Join(parts[:n-1], ", ") + " or " + parts[n-1]
	}
	d := newDetail("literal_error", loc, "Input should be "+expected, v)
	d.Ctx = map[string]any{"expected": expected}
	c.add(d)
}

// pyRepr renders a JSON scalar as Python's repr does in pydantic messages.
func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + x + "'"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	}
	b, _ := json.Marshal(v)
	return string(b)
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
	switch x := v.(type) {
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}

// decodeError turns the error of decoding an already validated input into
// the Go type I into pydantic-style details: what the schema allowed but
// the Go type does not.
func decodeError(err error, input any) []detailError {
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		var loc []any
		if e.Field != "" {
			for _, p := range strings.Split(e.Field, ".") {
				loc = append(loc, p)
			}
		}
		sub := lookupLoc(input, loc)
		t := "value_error"
		if e.Type != nil {
			switch e.Type.Kind() {
			case reflect.String:
				t = "string"
			case reflect.Bool:
				t = "boolean"
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				t = "integer"
			case reflect.Float32, reflect.Float64:
				t = "number"
			case reflect.Slice, reflect.Array:
				t = "array"
			case reflect.Map, reflect.Struct:
				t = "object"
			}
		}
		if t != "value_error" {
			return []detailError{typeError(t, nil, sub, loc)}
		}
		return []detailError{newDetail("value_error", loc, "Value error, "+e.Error(), sub)}
	}
	return []detailError{newDetail("value_error", nil, "Value error, "+err.Error(), input)}
}

func lookupLoc(v any, loc []any) any {
	for _, p := range loc {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		v = m[p.(string)]
	}
	return v
}
