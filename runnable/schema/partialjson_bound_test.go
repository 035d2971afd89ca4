package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// Inputs that cannot be completed near their end must not cost one full
// parse per character: a model streaming a long string key, a run of
// whitespace or deep nesting would otherwise make every chunk quadratic in
// the text so far (40 kB took 20 s).
func TestParsePartialJSONParsesBounded(t *testing.T) {
	const n = 20000
	for _, tt := range []struct {
		name, in, want string
	}{
		{"long unterminated key", `{"` + strings.Repeat("k", n), `{}`},
		{"long string after key", `{"a": 1, "` + strings.Repeat("k", n), `{"a":1}`},
		{"whitespace run", `[1, ` + strings.Repeat(" ", n), `[1]`},
		{"whitespace after colon", `{"a": 1, "b":` + strings.Repeat("\n", n), `{"a":1}`},
		{"deep nesting", strings.Repeat("[", n), "ERR"},
		{"huge number", `{"a": "x", "n": ` + strings.Repeat("9", n), `{"a":"x"}`},
		{"huge exponent", `[1, 2e999`, `[1]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parses := 0
			got, err := parsePartialJSON(tt.in, func(b []byte, v any) error {
				parses++
				return json.Unmarshal(b, v)
			})
			if tt.want == "ERR" {
				if err == nil {
					t.Errorf("got %v, want an error", got)
				}
			} else if b, _ := json.Marshal(got); err != nil || string(b) != tt.want {
				t.Errorf("got %s, %v; want %s", b, err, tt.want)
			}
			if parses > 10 {
				t.Errorf("%d parses of a %d-byte text, want at most 10", parses, len(tt.in))
			}
		})
	}
}

// The candidate filter only skips prefixes that cannot parse: on random
// short texts the result is the one of trying every prefix.
func TestParsePartialJSONSameAsEveryPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// No exponents: numbers out of float64's range are the one case where
	// the two differ (every prefix gives a shorter, wrong number).
	pieces := []string{`{`, `}`, `[`, `]`, `"`, `:`, `,`, ` `, "\n", `\`, `a`, `1`, `-`, `.`, `tr`, `ue`, `null`, `é`, `"k": `, "\t", `u`}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		in := b.String()
		got, err := ParsePartialJSON(in)
		want, werr := everyPrefixParsePartialJSON(in)
		if (err == nil) != (werr == nil) || errors.Is(err, ErrMismatchedBracket) != errors.Is(werr, ErrMismatchedBracket) || !reflect.DeepEqual(got, want) {
			t.Fatalf("ParsePartialJSON(%q) = %#v, %v; trying every prefix gives %#v, %v", in, got, err, want, werr)
		}
	}
}

// everyPrefixParsePartialJSON is ParsePartialJSON as it was before prefixes
// were filtered: it parses every prefix, skipping only those that contain
// the byte of a syntax error.
func everyPrefixParsePartialJSON(s string) (any, error) {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err == nil {
		return v, nil
	}

	// Walk the text once: track the open brackets outside strings, escape
	// raw control characters inside strings (Go's decoder, unlike Python's
	// strict=False mode, rejects them). ends[i] is the length of the
	// repaired text after the i-th rune, so that prefixes are cut at whole
	// runes, as Python cuts at characters.
	var (
		text     = make([]byte, 0, len(s)+8)
		ends     = make([]int, 0, len(s)+1)
		stack    []byte
		inString bool
		escaped  bool
	)
	for _, r := range s {
		switch {
		case inString:
			switch {
			case r == '"' && !escaped:
				inString = false
			case r == '\\':
				escaped = !escaped
			case r < 0x20 && !escaped:
				text = append(text, controlEscape(r)...)
				ends = append(ends, len(text))
				continue
			default:
				escaped = false
			}
		case r == '"':
			inString = true
			escaped = false
		case r == '{':
			stack = append(stack, '}')
		case r == '[':
			stack = append(stack, ']')
		case r == '}' || r == ']':
			if len(stack) == 0 || stack[len(stack)-1] != byte(r) {
				return nil, ErrMismatchedBracket
			}
			stack = stack[:len(stack)-1]
		}
		text = utf8.AppendRune(text, r)
		ends = append(ends, len(text))
	}
	if inString {
		if escaped { // a dangling backslash cannot be completed
			ends = ends[:len(ends)-1]
			text = text[:len(text)-1]
		}
		text = append(text, '"')
		ends = append(ends, len(text))
	}
	suffix := make([]byte, 0, len(stack))
	for i := len(stack) - 1; i >= 0; i-- {
		suffix = append(suffix, stack[i])
	}

	// Try ever shorter prefixes, each closed with the same brackets. A
	// syntax error at byte p fails every prefix that still contains byte p,
	// so those are skipped at once; this keeps long unrecoverable inputs
	// from costing one parse per character.
	candidate := make([]byte, 0, len(text)+len(suffix))
	for runes := len(ends); runes > 0; {
		candidate = append(append(candidate[:0], text[:ends[runes-1]]...), suffix...)
		err := json.Unmarshal(candidate, &v)
		if err == nil {
			return v, nil
		}
		next := runes - 1
		var se *json.SyntaxError
		if errors.As(err, &se) {
			bad := int(se.Offset) - 1 // index of the offending byte
			if bad >= 0 && bad < ends[runes-1] {
				// Keep only the runes that end at or before the bad byte.
				if k := sort.Search(len(ends), func(i int) bool { return ends[i] > bad }); k < next {
					next = k
				}
			}
		}
		runes = next
	}
	err := json.Unmarshal([]byte(s), &v)
	return nil, fmt.Errorf("schema: cannot parse partial JSON: %w", err)
}
