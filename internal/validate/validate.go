// Package validate checks decoded JSON values against the JSON Schemas that
// internal/jsonschema produces, and reports failures the way pydantic v2
// does, so that a 422 from langserve-go carries the same "detail" list a
// LangServe server would send: the error type, where it is (loc), a message,
// and the offending input.
//
// It covers the schema keywords our schemas use: type, properties,
// required, items, prefixItems, additionalProperties (as a schema), enum,
// const, anyOf, oneOf, allOf, $ref into $defs, and format uuid. Unknown
// keywords are ignored, as a lenient validator should.
package validate

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is one pydantic-style validation error.
type Error struct {
	Type  string         `json:"type"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
	URL   string         `json:"url"`
}

// pydanticVersion is the version in error URLs; the golden transcripts were
// recorded with pydantic 2.13.
const pydanticVersion = "2.13"

func newError(typ string, loc []any, msg string, input any, ctx map[string]any) Error {
	return Error{
		Type:  typ,
		Loc:   append([]any{}, loc...), // never null: pydantic writes [] for the root
		Msg:   msg,
		Input: input,
		Ctx:   ctx,
		URL:   "https://errors.pydantic.dev/" + pydanticVersion + "/v/" + typ,
	}
}

// Missing is the error for a required key that is absent; servers use it
// for the request envelope ("input" missing).
func Missing(loc []any, input any) Error {
	return newError("missing", loc, "Field required", input, nil)
}

// Value validates v, a value decoded by encoding/json into any (numbers as
// float64 or json.Number), against schema. loc prefixes every error's
// location. It returns nil when v is valid.
func Value(schema map[string]any, v any, loc ...any) []Error {
	c := checker{root: schema}
	return c.check(schema, v, loc, 0)
}

type checker struct {
	root map[string]any
}

// maxDepth bounds recursion through $ref cycles and deeply nested input.
const maxDepth = 64

func (c *checker) check(s map[string]any, v any, loc []any, depth int) []Error {
	if s == nil || depth > maxDepth {
		return nil
	}
	if ref, ok := s["$ref"].(string); ok {
		if target := c.resolve(ref); target != nil {
			if errs := c.check(target, v, loc, depth+1); errs != nil {
				return errs
			}
		}
	}
	if all, ok := s["allOf"].([]any); ok {
		for _, sub := range all {
			if m, ok := sub.(map[string]any); ok {
				if errs := c.check(m, v, loc, depth+1); errs != nil {
					return errs
				}
			}
		}
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if opts, ok := s[key].([]any); ok && len(opts) > 0 {
			if errs := c.union(opts, v, loc, depth); errs != nil {
				return errs
			}
		}
	}
	if cv, ok := s["const"]; ok && !equal(cv, v) {
		return []Error{literalError([]any{cv}, v, loc)}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return equal(e, v) }) {
		return []Error{literalError(enum, v, loc)}
	}
	switch t := s["type"].(type) {
	case string:
		return c.typed(s, t, v, loc, depth)
	case []any:
		var first []Error
		for _, tt := range t {
			name, _ := tt.(string)
			errs := c.typed(s, name, v, loc, depth)
			if errs == nil {
				return nil
			}
			if first == nil {
				first = errs
			}
		}
		return first
	}
	return nil
}

// union validates v against the first option it fits. Like pydantic's
// smart unions, a failure reports the errors of every option.
func (c *checker) union(opts []any, v any, loc []any, depth int) []Error {
	var all []Error
	for _, o := range opts {
		m, ok := o.(map[string]any)
		if !ok {
			continue
		}
		errs := c.check(m, v, loc, depth+1)
		if errs == nil {
			return nil
		}
		all = append(all, errs...)
	}
	return all
}

func (c *checker) resolve(ref string) map[string]any {
	const prefix = "#/$defs/"
	if !strings.HasPrefix(ref, prefix) {
		return nil
	}
	defs, _ := c.root["$defs"].(map[string]any)
	m, _ := defs[strings.TrimPrefix(ref, prefix)].(map[string]any)
	return m
}

var uuidPattern = regexp.MustCompile(`^(?i)(urn:uuid:)?\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$`)

func (c *checker) typed(s map[string]any, typ string, v any, loc []any, depth int) []Error {
	switch typ {
	case "null":
		if v != nil {
			return []Error{newError("none_required", loc, "Input should be None", v, nil)}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return []Error{newError("string_type", loc, "Input should be a valid string", v, nil)}
		}
		n := utf8.RuneCountInString(str)
		if max, ok := number(s["maxLength"]); ok && float64(n) > max {
			return []Error{newError("string_too_long", loc, fmt.Sprintf("String should have at most %s", plural(int(max), "character")), v, map[string]any{"max_length": int(max)})}
		}
		if min, ok := number(s["minLength"]); ok && float64(n) < min {
			return []Error{newError("string_too_short", loc, fmt.Sprintf("String should have at least %s", plural(int(min), "character")), v, map[string]any{"min_length": int(min)})}
		}
		if s["format"] == "uuid" && !uuidPattern.MatchString(str) {
			return []Error{newError("uuid_parsing", loc, "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-]", v, map[string]any{"error": "invalid character"})}
		}
	case "boolean":
		switch x := v.(type) {
		case bool:
		case string:
			switch strings.ToLower(x) {
			case "0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes":
			default:
				return []Error{newError("bool_parsing", loc, "Input should be a valid boolean, unable to interpret input", v, nil)}
			}
		default:
			if f, ok := number(v); ok && (f == 0 || f == 1) {
				return nil
			}
			return []Error{newError("bool_type", loc, "Input should be a valid boolean", v, nil)}
		}
	case "integer":
		if str, ok := v.(string); ok {
			if _, err := strconv.ParseInt(strings.TrimSpace(str), 10, 64); err != nil {
				return []Error{newError("int_parsing", loc, "Input should be a valid integer, unable to parse string as an integer", v, nil)}
			}
			return nil
		}
		f, ok := number(v)
		if !ok {
			return []Error{newError("int_type", loc, "Input should be a valid integer", v, nil)}
		}
		if f != math.Trunc(f) {
			return []Error{newError("int_from_float", loc, "Input should be a valid integer, got a number with a fractional part", v, nil)}
		}
	case "number":
		if str, ok := v.(string); ok {
			if _, err := strconv.ParseFloat(strings.TrimSpace(str), 64); err != nil {
				return []Error{newError("float_parsing", loc, "Input should be a valid number, unable to parse string as a number", v, nil)}
			}
			return nil
		}
		if _, ok := number(v); !ok {
			return []Error{newError("float_type", loc, "Input should be a valid number", v, nil)}
		}
	case "array":
		items, ok := v.([]any)
		if !ok {
			return []Error{newError("list_type", loc, "Input should be a valid list", v, nil)}
		}
		return c.array(s, items, loc, depth)
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			if title, _ := s["title"].(string); title != "" && s["properties"] != nil {
				return []Error{newError("model_type", loc, "Input should be a valid dictionary or instance of "+title, v, map[string]any{"class_name": title})}
			}
			return []Error{newError("dict_type", loc, "Input should be a valid dictionary", v, nil)}
		}
		return c.object(s, obj, loc, depth)
	}
	return nil
}

func (c *checker) array(s map[string]any, items []any, loc []any, depth int) []Error {
	var errs []Error
	prefix, _ := s["prefixItems"].([]any)
	if len(prefix) > 0 && len(items) != len(prefix) {
		if len(items) < len(prefix) {
			errs = append(errs, newError("too_short", loc, fmt.Sprintf("Tuple should have at least %d items after validation, not %d", len(prefix), len(items)), items, map[string]any{"field_type": "Tuple", "min_length": len(prefix), "actual_length": len(items)}))
		} else {
			errs = append(errs, newError("too_long", loc, fmt.Sprintf("Tuple should have at most %d items after validation, not %d", len(prefix), len(items)), items, map[string]any{"field_type": "Tuple", "max_length": len(prefix), "actual_length": len(items)}))
		}
		return errs
	}
	itemSchema, _ := s["items"].(map[string]any)
	for i, it := range items {
		sub := itemSchema
		if i < len(prefix) {
			sub, _ = prefix[i].(map[string]any)
		}
		errs = append(errs, c.check(sub, it, append(slices.Clip(loc), i), depth+1)...)
	}
	return errs
}

func (c *checker) object(s map[string]any, obj map[string]any, loc []any, depth int) []Error {
	var errs []Error
	props, _ := s["properties"].(map[string]any)
	for _, r := range asStrings(s["required"]) {
		if _, ok := obj[r]; !ok {
			errs = append(errs, Missing(append(slices.Clip(loc), r), obj))
		}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	// Errors come in the order of the schema's properties, then the rest,
	// so that the detail list is stable.
	order := func(k string) int {
		if _, ok := props[k]; ok {
			return 0
		}
		return 1
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if oi, oj := order(keys[i]), order(keys[j]); oi != oj {
			return oi < oj
		}
		return keys[i] < keys[j]
	})
	extra, _ := s["additionalProperties"].(map[string]any)
	for _, k := range keys {
		sub, ok := props[k].(map[string]any)
		if !ok {
			sub = extra
		}
		errs = append(errs, c.check(sub, obj[k], append(slices.Clip(loc), k), depth+1)...)
	}
	return errs
}

func literalError(allowed []any, v any, loc []any) Error {
	parts := make([]string, len(allowed))
	for i, a := range allowed {
		parts[i] = pyRepr(a)
	}
	expected := strings.Join(parts, ", ")
	if len(parts) > 1 {
		expected = strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
	}
	return newError("literal_error", loc, "Input should be "+expected, v, map[string]any{"expected": expected})
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return "'" + x + "'"
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case interface{ Float64() (float64, error) }:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func equal(a, b any) bool {
	fa, aok := number(a)
	fb, bok := number(b)
	if aok && bok {
		return fa == fb
	}
	switch x := a.(type) {
	case string, bool, nil:
		return a == b
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, equal)
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
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

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
