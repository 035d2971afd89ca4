package golden

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
)

// DecodeJSON decodes one JSON document, numbers as json.Number so that
// large integers survive, and rejects trailing data.
func DecodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// DiffJSON compares two decoded JSON values structurally — object key order
// does not matter, numbers compare by value — and describes the first
// difference, with its path ("$.metadata.run_id", "$.output[2]"), or
// returns "" when they are equal.
func DiffJSON(want, got any) string {
	return diffAt("$", want, got)
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func child(path, key string) string {
	if plainKey.MatchString(key) {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func diffAt(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return mismatch(path, want, got)
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inG:
				return fmt.Sprintf("%s: missing key %q (want %s)", path, k, render(wv))
			case !inW:
				return fmt.Sprintf("%s: unexpected key %q = %s", path, k, render(gv))
			}
			if d := diffAt(child(path, k), wv, gv); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return mismatch(path, want, got)
		}
		for i := range min(len(w), len(g)) {
			if d := diffAt(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != "" {
				return d
			}
		}
		if len(w) != len(g) {
			extra := ""
			if len(g) > len(w) {
				extra = fmt.Sprintf(", first extra %s", render(g[len(w)]))
			} else {
				extra = fmt.Sprintf(", first missing %s", render(w[len(g)]))
			}
			return fmt.Sprintf("%s: want %d items, got %d%s", path, len(w), len(g), extra)
		}
		return ""
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			return mismatch(path, want, got)
		}
		if w == g {
			return ""
		}
		wf, err1 := w.Float64()
		gf, err2 := g.Float64()
		if err1 != nil || err2 != nil || wf != gf {
			return mismatch(path, want, got)
		}
		return ""
	default: // string, bool, nil
		if want != got {
			return mismatch(path, want, got)
		}
		return ""
	}
}

func mismatch(path string, want, got any) string {
	return fmt.Sprintf("%s: want %s, got %s", path, render(want), render(got))
}

// render shows a value compactly, cut to a readable length.
func render(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	s := string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	const max = 160
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
