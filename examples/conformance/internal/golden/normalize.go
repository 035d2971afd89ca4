package golden

// A Normalizer rewrites a decoded JSON value (a body, an event's data, a
// stream_log state) before comparison, to set aside one known difference
// while everything else is still compared. It must not modify v in place.
type Normalizer func(v any) any

func normalize(v any, norm []Normalizer) any {
	for _, n := range norm {
		v = n(v)
	}
	return v
}

// walk returns a copy of v with f applied bottom-up to every value.
func walk(v any, f func(any) any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = walk(e, f)
		}
		return f(out)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = walk(e, f)
		}
		return f(out)
	default:
		return f(v)
	}
}

// AnyMessageID replaces every chat message id of LangChain's form
// ("run--<uuid>-<n>" or "run--<uuid>") by one placeholder, so that neither
// the run an id names nor its index suffix is compared.
func AnyMessageID(v any) any {
	return walk(v, func(v any) any {
		if s, ok := v.(string); ok && msgIDRE.MatchString(s) {
			return "<a message id>"
		}
		return v
	})
}

// DropConstEnum removes from every JSON Schema object an "enum" that only
// repeats its sibling "const" (`"const":"ai","enum":["ai"]`), which
// pydantic 2.13 leaves out.
func DropConstEnum(v any) any {
	return walk(v, func(v any) any {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		c, hasConst := m["const"]
		e, ok := m["enum"].([]any)
		if !hasConst || !ok || len(e) != 1 || DiffJSON(c, e[0]) != "" {
			return v
		}
		delete(m, "enum") // m is walk's fresh copy
		return m
	})
}
