package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// ErrMismatchedBracket is returned by [ParsePartialJSON] when the text closes
// a bracket that is not open (for example `{"a": 1]`). LangChain's
// parse_partial_json returns None in that case; callers that want that
// behaviour test for this error with errors.Is.
var ErrMismatchedBracket = errors.New("schema: partial JSON has a mismatched closing bracket")

// ParsePartialJSON parses JSON text that may have been cut off, as produced
// while a model streams it, the way LangChain's parse_partial_json does:
// valid JSON is parsed as is; otherwise an open string is closed (a dangling
// backslash dropped), open arrays and objects are closed in order, and if
// that still does not parse, characters are removed from the end until it
// does. Raw control characters inside strings are accepted, as with Python's
// json.loads(strict=False). Numbers decode as float64, objects as
// map[string]any, arrays as []any; a number beyond float64's range cannot
// be decoded and is cut off like an incomplete token.
//
// Examples: `{"a": [1, 2` gives {"a":[1,2]}; `{"city": "Par` gives
// {"city":"Par"}; `{"a": 1, "b` gives {"a":1}.
//
// It returns [ErrMismatchedBracket] for a stray closing bracket, and the
// syntax error of the original text when no prefix can be completed (for
// example an empty string).
func ParsePartialJSON(s string) (any, error) {
	return parsePartialJSON(s, json.Unmarshal)
}

// parsePartialJSON is ParsePartialJSON with the decoder passed in, so that
// tests can count the parses an input costs.
func parsePartialJSON(s string, unmarshal func([]byte, any) error) (any, error) {
	var v any
	if err := unmarshal([]byte(s), &v); err == nil {
		return v, nil
	}

	// Walk the text once: track the open brackets outside strings, escape
	// raw control characters inside strings (Go's decoder, unlike Python's
	// strict=False mode, rejects them). ends[i] is the length of the
	// repaired text after the i-th rune, so that prefixes are cut at whole
	// runes, as Python cuts at characters.
	//
	// closable[i] tells whether the prefix of the first i+1 runes may be
	// completed by the closing brackets of the whole text: not inside a
	// string (no bracket ends a string), not after whitespace (the same
	// prefix without it is tried anyway), and with exactly the brackets
	// open at the end of the text. Only those prefixes are worth a parse:
	// this keeps long strings, whitespace runs and deep nesting from
	// costing one parse per character.
	var (
		text     = make([]byte, 0, len(s)+8)
		ends     = make([]int, 0, len(s)+1)
		closable = make([]bool, 0, len(s)+1)
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
				closable = append(closable, false)
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
		closable = append(closable, !inString && !isJSONSpace(r))
	}
	if inString {
		if escaped { // a dangling backslash cannot be completed
			ends = ends[:len(ends)-1]
			closable = closable[:len(closable)-1]
			text = text[:len(text)-1]
		}
		text = append(text, '"')
		ends = append(ends, len(text))
		closable = append(closable, true)
	}
	// Replay the brackets: common is how many of the open brackets are
	// those open at the end, from the outermost.
	depth, common := 0, 0
	for i, ok := range closable {
		if !ok {
			continue
		}
		switch b := text[ends[i]-1]; b {
		case '{', '[':
			if common == depth && common < len(stack) && stack[common] == closerOf(b) {
				common++
			}
			depth++
		case '}', ']':
			if common == depth {
				common--
			}
			depth--
		}
		closable[i] = common == depth && depth == len(stack)
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
		if !closable[runes-1] {
			runes--
			continue
		}
		candidate = append(append(candidate[:0], text[:ends[runes-1]]...), suffix...)
		err := unmarshal(candidate, &v)
		if err == nil {
			return v, nil
		}
		next := runes - 1
		bad := -1 // index of the offending byte
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			bad = int(se.Offset) - 1
		case errors.As(err, &te):
			// A number out of float64's range: every prefix that still
			// holds the whole literal fails the same way, and a shorter
			// literal is a different number, so drop the literal. The
			// error's offset lies somewhere after it.
			lit := strings.TrimPrefix(te.Value, "number ")
			bad = bytes.LastIndex(candidate[:min(int(te.Offset), len(candidate))], []byte(lit))
		}
		if bad >= 0 && bad < ends[runes-1] {
			// Keep only the runes that end at or before the bad byte.
			if k := sort.Search(len(ends), func(i int) bool { return ends[i] > bad }); k < next {
				next = k
			}
		}
		runes = next
	}
	err := unmarshal([]byte(s), &v)
	return nil, fmt.Errorf("schema: cannot parse partial JSON: %w", err)
}

// closerOf returns the bracket that closes the opening bracket b.
func closerOf(b byte) byte {
	if b == '{' {
		return '}'
	}
	return ']'
}

// isJSONSpace reports whether r is whitespace between JSON tokens.
func isJSONSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// controlEscape returns the JSON escape for a control character.
func controlEscape(r rune) string {
	switch r {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// escapeControlInStrings escapes raw control characters that appear inside
// JSON strings so that encoding/json accepts what Python's
// json.loads(strict=False) accepts. Text outside strings is left alone.
func escapeControlInStrings(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
		return s
	}
	var b strings.Builder
	inString, escaped := false, false
	for _, r := range s {
		switch {
		case inString && r == '"' && !escaped:
			inString = false
		case inString && r == '\\':
			escaped = !escaped
		case inString && r < 0x20:
			b.WriteString(controlEscape(r))
			escaped = false
			continue
		case inString:
			escaped = false
		case r == '"':
			inString = true
		}
		b.WriteRune(r)
	}
	return b.String()
}
