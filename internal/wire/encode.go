package wire

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/internal/jsonstr"
	"github.com/langserve-go/langserve/runnable/schema"
)

// kv is one member of an ordered JSON object.
type kv struct {
	k string
	v any
}

// object is a JSON object whose members keep their order. LangChain builds
// its events and log entries as Python dicts, and orjson writes dicts in
// insertion order; object reproduces that order, which Go maps cannot.
type object []kv

// MarshalJSON implements json.Marshaler.
func (o object) MarshalJSON() ([]byte, error) { return appendValue(nil, o) }

// get returns the value of key k.
func (o object) get(k string) (any, bool) {
	for _, m := range o {
		if m.k == k {
			return m.v, true
		}
	}
	return nil, false
}

// set replaces the value of key k in place, or appends the member, as
// assigning to a Python dict does.
func (o object) set(k string, v any) object {
	for i := range o {
		if o[i].k == k {
			o[i].v = v
			return o
		}
	}
	return append(o, kv{k, v})
}

// without returns o without key k.
func (o object) without(k string) object {
	return slices.DeleteFunc(o, func(m kv) bool { return m.k == k })
}

// rawJSON is an already encoded JSON value.
type rawJSON []byte

// maxNesting bounds how deep appendValue and diff descend into maps, slices
// and objects. It is above encoding/json's decoding limit (10000), so that
// every value decoded from a request encodes again, and it turns a value
// that contains itself into an error instead of a stack overflow, which
// would end the process.
const maxNesting = 1 << 14

var errTooDeep = fmt.Errorf("value nested more than %d levels deep (does it contain itself?)", maxNesting)

// appendValue appends the orjson-like encoding of v to b. The types that
// make up events (ordered objects, generic maps and slices, strings,
// numbers, LangChain objects) are written directly; anything else goes
// through encoding/json with HTML escaping off (see [Marshal]).
func appendValue(b []byte, v any) ([]byte, error) { return appendValueAt(b, v, 0) }

// appendValueAt is appendValue for a value depth levels down.
func appendValueAt(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxNesting {
		return b, errTooDeep
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return jsonstr.Append(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case float64:
		return appendFloat(b, x, 64), nil
	case float32:
		return appendFloat(b, float64(x), 32), nil
	case json.Number:
		if x == "" {
			return append(b, '0'), nil
		}
		return append(b, x...), nil
	case rawJSON:
		return append(b, x...), nil
	case json.RawMessage:
		if x == nil {
			return append(b, "null"...), nil
		}
		return append(b, x...), nil
	case uuid.UUID:
		return appendUUID(b, x), nil
	case []uuid.UUID:
		b = append(b, '[')
		for i, id := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendUUID(b, id)
		}
		return append(b, ']'), nil
	case object:
		b = append(b, '{')
		for i, m := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonstr.Append(b, m.k)
			b = append(b, ':')
			var err error
			if b, err = appendValueAt(b, m.v, depth+1); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case map[string]any:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonstr.Append(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendValueAt(b, x[k], depth+1); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case []any:
		if x == nil {
			return append(b, "null"...), nil
		}
		return appendList(b, x, depth)
	case []string:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonstr.Append(b, s)
		}
		return append(b, ']'), nil
	case [][]schema.Message:
		return appendList(b, x, depth)
	case []schema.Message:
		return appendList(b, x, depth)
	case []schema.Document:
		return appendList(b, x, depth)
	case schema.Message, schema.Document, schema.PromptValue, schema.ChatGeneration, schema.LLMResult:
		// These write compact, unescaped JSON themselves; encoding/json
		// would only re-validate it.
		out, err := x.(json.Marshaler).MarshalJSON()
		if err != nil {
			return b, err
		}
		return append(b, out...), nil
	}
	out, err := schema.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, out...), nil
}

// appendUUID writes id as a JSON string in its canonical form, without
// the allocation of uuid.UUID.String.
func appendUUID(b []byte, id uuid.UUID) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i, c := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[c>>4], hex[c&0xf])
	}
	return append(b, '"')
}

// sortedKeys returns the keys of m in sorted order: Go maps have no order,
// and sorted keys at least make the output stable.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func appendList[T any](b []byte, s []T, depth int) ([]byte, error) {
	b = append(b, '[')
	for i, e := range s {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendValueAt(b, e, depth+1); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendFloat writes f as encoding/json does, except that NaN and the
// infinities become null as orjson writes them (encoding/json refuses
// them).
func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// isDict reports whether v is what Python would hold as a dict: a map, or a
// plain Go struct (the Go counterpart of a TypedDict). LangChain objects,
// and types with their own JSON or text encoding, are not dicts.
func isDict(v any) bool {
	switch v.(type) {
	case nil, schema.Message, schema.Document, schema.PromptValue, schema.ChatGeneration, schema.LLMResult, object:
		return false
	case map[string]any:
		return true
	}
	if _, ok := v.(json.Marshaler); ok {
		return false
	}
	if _, ok := v.(encoding.TextMarshaler); ok {
		return false
	}
	t := reflect.TypeOf(v)
	if t.Kind() == reflect.Pointer {
		rv := reflect.ValueOf(v)
		if rv.IsNil() {
			return false
		}
		return isDict(rv.Elem().Interface())
	}
	switch t.Kind() {
	case reflect.Map:
		return t.Key().Kind() == reflect.String
	case reflect.Struct:
		return true
	}
	return false
}

// truthy reports whether Python would take v as true: None, False, zero
// numbers and empty strings, lists and dicts are false. LangChain's
// `inputs or {}` fallbacks depend on it.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int:
		return x != 0
	case float64:
		return x != 0
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	case object:
		return len(x) > 0
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		return !rv.IsNil()
	case reflect.Map, reflect.Slice, reflect.Array, reflect.String:
		return rv.Len() > 0
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint() != 0
	case reflect.Float32, reflect.Float64:
		return rv.Float() != 0
	}
	return true
}

// encodeError wraps a serialization failure.
func encodeError(what string, err error) error {
	return fmt.Errorf("wire: cannot serialize %s: %w", what, err)
}
