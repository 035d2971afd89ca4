package prompt

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/langserve-go/langserve/internal/pyfmt"
)

// segment is one piece of a parsed template: literal text, or the name of a
// variable when isVar is set.
type segment struct {
	text  string
	isVar bool
}

// fstring is a template in LangChain's default "f-string" format, which is
// Python's str.format syntax: {name} is replaced by a variable, {{ and }}
// stand for literal braces.
type fstring struct {
	source   string
	segments []segment
	vars     []string // sorted, without duplicates
}

// parseFString parses text with the rules of Python's string.Formatter, as
// LangChain does, and rejects what LangChain rejects: attribute access and
// indexing ({a.b}, {a[0]}) and positional fields ({0}). It also rejects, with
// an error saying so, the parts of str.format that templates hardly ever use
// and that this package does not implement: conversions ({a!r}) and format
// specs ({a:>10}). An empty field ({}) is rejected as well: LangChain would
// accept the template and then fail on every call.
func parseFString(text string) (*fstring, error) {
	f := &fstring{source: text}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			f.segments = append(f.segments, segment{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch c {
		case '}':
			if i+1 < len(text) && text[i+1] == '}' {
				lit.WriteByte('}')
				i += 2
				continue
			}
			return nil, &TemplateError{Template: text, Offset: i, Reason: "single '}' encountered; write '}}' for a literal brace"}
		case '{':
			if i+1 < len(text) && text[i+1] == '{' {
				lit.WriteByte('{')
				i += 2
				continue
			}
			end, err := fieldEnd(text, i)
			if err != nil {
				return nil, err
			}
			name, err := fieldName(text, i, text[i+1:end])
			if err != nil {
				return nil, err
			}
			flush()
			f.segments = append(f.segments, segment{text: name, isVar: true})
			if !slices.Contains(f.vars, name) {
				f.vars = append(f.vars, name)
			}
			i = end + 1
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	slices.Sort(f.vars)
	return f, nil
}

// fieldEnd returns the index of the '}' closing the field opened at start.
// Like Python, it counts nested braces, which only format specs may hold.
func fieldEnd(text string, start int) (int, error) {
	depth := 1
	for j := start + 1; j < len(text); j++ {
		switch text[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j, nil
			}
		}
	}
	return 0, &TemplateError{Template: text, Offset: start, Reason: "expected '}' before end of string; write '{{' for a literal brace"}
}

// fieldName validates the contents of a replacement field and returns the
// variable name.
func fieldName(text string, offset int, field string) (string, error) {
	fail := func(reason string) error {
		return &TemplateError{Template: text, Offset: offset, Reason: reason}
	}
	name := field
	if k := strings.IndexAny(field, "!:"); k >= 0 {
		what := "format spec"
		if field[k] == '!' {
			what = "conversion"
		}
		return "", fail(fmt.Sprintf("%s %q in field {%s} is not supported; only plain {name} fields are", what, field[k:], field))
	}
	switch {
	case name == "":
		return "", fail("empty field {}: positional fields are not supported, name the variable")
	case strings.ContainsAny(name, ".[]"):
		return "", fail(fmt.Sprintf("invalid variable name %q: variable names cannot contain attribute access (.) or indexing ([])", name))
	case strings.ContainsAny(name, "{}"):
		return "", fail(fmt.Sprintf("invalid variable name %q: variable names cannot contain braces", name))
	case isDigits(name):
		return "", fail(fmt.Sprintf("invalid variable name %q: variable names cannot be all digits, which Python reads as positional arguments", name))
	}
	return name, nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// format renders the template with values, which must hold every variable.
func (f *fstring) format(values map[string]any) string {
	var b strings.Builder
	for _, s := range f.segments {
		if !s.isVar {
			b.WriteString(s.text)
			continue
		}
		pyfmt.WriteStr(&b, values[s.text])
	}
	return b.String()
}

// TemplateError reports a template that cannot be parsed. Offset is the byte
// offset in Template of the brace where the problem starts.
type TemplateError struct {
	Template string
	Offset   int
	Reason   string
}

func (e *TemplateError) Error() string {
	return fmt.Sprintf("prompt: invalid template at offset %d: %s", e.Offset, e.Reason)
}
