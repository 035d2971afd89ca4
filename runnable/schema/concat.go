package schema

import "reflect"

// Concat merges two stream chunks of any of the types a runnable may stream,
// as LangChain's `+` does when it folds a stream into its final output:
//
//   - string + string: concatenation;
//   - Message + Message: [Message.Add] (both must be chunks);
//   - ChatGeneration + ChatGeneration: both must be chunks; messages added,
//     generation info merged;
//   - map[string]any + map[string]any: LangChain's AddableDict: per key, the
//     values are concatenated when both are non-nil (the right one wins when
//     they cannot be), otherwise the non-nil one is kept;
//   - []any + []any, or two slices of the same type: appended;
//   - two ints, or two float64 values: summed, as Python adds numbers.
//
// ok=false when the values cannot be added (other or mixed types, non-chunk
// messages, conflicting chunks); callers then keep the last chunk, as
// LangChain does. The operands are never modified.
func Concat(a, b any) (any, bool) {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x + y, true
		}
	case Message:
		if y, ok := b.(Message); ok {
			out, err := x.Add(y)
			return out, err == nil
		}
	case ChatGeneration:
		if y, ok := b.(ChatGeneration); ok {
			out, err := x.Add(y)
			return out, err == nil
		}
	case map[string]any:
		if y, ok := b.(map[string]any); ok {
			return addDicts(x, y), true
		}
	case int:
		if y, ok := b.(int); ok {
			return x + y, true
		}
	case float64:
		if y, ok := b.(float64); ok {
			return x + y, true
		}
	}
	if a == nil || b == nil {
		return nil, false
	}
	ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
	if ra.Kind() == reflect.Slice && ra.Type() == rb.Type() {
		out := reflect.MakeSlice(ra.Type(), 0, ra.Len()+rb.Len())
		out = reflect.AppendSlice(out, ra)
		out = reflect.AppendSlice(out, rb)
		return out.Interface(), true
	}
	return nil, false
}

// addDicts is AddableDict.__add__.
func addDicts(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		cur, present := out[k]
		switch {
		case !present || cur == nil:
			out[k] = v
		case v != nil:
			if sum, ok := Concat(cur, v); ok {
				out[k] = sum
			} else {
				out[k] = v
			}
		}
	}
	return out
}
