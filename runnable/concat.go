package runnable

import (
	"maps"
	"reflect"
)

// Concat adds two chunks of a stream the way LangChain's `+` does, so that
// a streamed output can be folded into the value Invoke would return:
// strings are joined, maps are merged key by key (values under the same key
// are added in turn; a nil value leaves the one before it), slices are
// appended, and values with a method
// Concat(T) T (message chunks) use it. ok is false when the values cannot be
// added; callers then keep the latest chunk.
func Concat[T any](a, b T) (T, bool) {
	if c, ok := any(a).(interface{ Concat(T) T }); ok {
		return c.Concat(b), true
	}
	v, ok := concatAny(a, b)
	if !ok {
		return b, false
	}
	out, ok := v.(T)
	if !ok {
		return b, false
	}
	return out, true
}

func concatAny(a, b any) (any, bool) {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x + y, true
		}
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return nil, false
		}
		out := maps.Clone(x)
		if out == nil {
			out = map[string]any{}
		}
		for k, v := range y {
			if old, present := out[k]; present && old != nil {
				if v == nil {
					continue // AddableDict keeps the value a None does not add to
				}
				if sum, ok := concatAny(old, v); ok {
					out[k] = sum
					continue
				}
			}
			out[k] = v
		}
		return out, true
	case []any:
		if y, ok := b.([]any); ok {
			return append(append([]any(nil), x...), y...), true
		}
	case nil:
		return b, true
	}
	if c, ok := a.(interface{ ConcatAny(any) (any, bool) }); ok {
		return c.ConcatAny(b)
	}
	return concatMethod(a, b)
}

// concatMethod calls a.Concat(b) for values whose type has such a method;
// it serves values held in maps and slices, whose static type is unknown.
func concatMethod(a, b any) (any, bool) {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if !va.IsValid() || !vb.IsValid() || va.Type() != vb.Type() {
		return nil, false
	}
	m := va.MethodByName("Concat")
	if !m.IsValid() || m.Type().NumIn() != 1 || m.Type().NumOut() != 1 ||
		m.Type().In(0) != va.Type() || m.Type().Out(0) != va.Type() {
		return nil, false
	}
	return m.Call([]reflect.Value{vb})[0].Interface(), true
}
