package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
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
// map[string]any, arrays as []any.
//
// Examples: `{"a": [1, 2` gives {"a":[1,2]}; `{"city": "Par` gives
// {"city":"Par"}; `{"a": 1, "b` gives {"a":1}.
//
// It returns [ErrMismatchedBracket] for a stray closing bracket, and the
// syntax error of the original text when no prefix can be completed (for
// example an empty string).
func ParsePartialJSON(s string) (any, error) {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err == nil {
		return v, nil
	}

	// Walk the text once: track the open brackets outside strings, escape
	// raw control characters inside strings (Go's decoder, unlike Python's
	// strict=False mode, rejects them).
	var (
		out      = make([]string, 0, len(s))
		stack    []byte
		inString bool
		escaped  bool
	)
	for _, r := range s {
		piece := string(r)
		switch {
		case inString:
			switch {
			case r == '"' && !escaped:
				inString = false
			case r == '\\':
				escaped = !escaped
			case r < 0x20 && !escaped:
				piece = controlEscape(r)
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
		out = append(out, piece)
	}
	if inString {
		if escaped {
			out = out[:len(out)-1] // a dangling backslash cannot be completed
		}
		out = append(out, `"`)
	}
	var closing strings.Builder
	for i := len(stack) - 1; i >= 0; i-- {
		closing.WriteByte(stack[i])
	}
	suffix := closing.String()

	// Try ever shorter prefixes (whole pieces, so never half a rune), each
	// closed with the same brackets. A syntax error at byte p fails every
	// prefix that still contains byte p, so those are skipped at once; this
	// keeps long unrecoverable inputs from costing one parse per character.
	var prefix strings.Builder
	lens := make([]int, len(out)) // lens[i]: byte length of pieces 0..i
	for i, p := range out {
		prefix.WriteString(p)
		lens[i] = prefix.Len()
	}
	text := prefix.String()
	for pieces := len(out); pieces > 0; {
		err := json.Unmarshal([]byte(text[:lens[pieces-1]]+suffix), &v)
		if err == nil {
			return v, nil
		}
		next := pieces - 1
		var se *json.SyntaxError
		if errors.As(err, &se) {
			bad := int(se.Offset) - 1 // index of the offending byte
			if bad >= 0 && bad < lens[pieces-1] {
				// Keep only the pieces that end at or before the bad byte.
				if k := sort.Search(len(lens), func(i int) bool { return lens[i] > bad }); k < next {
					next = k
				}
			}
		}
		pieces = next
	}
	err := json.Unmarshal([]byte(s), &v)
	return nil, fmt.Errorf("schema: cannot parse partial JSON: %w", err)
}

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
