package prompt

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// writeStr writes v the way Python's str(v) prints it, which is what
// str.format puts in a template for a value without format spec. Requests
// decoded from JSON carry strings, float64 (or json.Number), bools, nil,
// []any and map[string]any; those come out as a Python server would print
// the same JSON values:
//
//   - nil is None, booleans are True and False;
//   - a float64 that is a whole number below 1e16 prints as an integer,
//     because JSON integers decode to float64 in Go while Python keeps them as
//     int; other floats print as Python's repr (0.1, 1e-05, 1e+16, nan, inf);
//   - json.Number keeps the distinction: "3" prints 3, "3.0" prints 3.0;
//   - lists and maps print as Python reprs (['a', 1], {'k': True}); Go maps
//     are unordered, so map keys are sorted.
//
// Other values print with their String method when they have one, and as
// their JSON encoding otherwise.
func writeStr(b *strings.Builder, v any) {
	if s, ok := v.(string); ok {
		b.WriteString(s)
		return
	}
	writeRepr(b, v)
}

// writeRepr writes v as Python's repr(v) would, for JSON-like values.
func writeRepr(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case string:
		writeStringRepr(b, x)
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case float64:
		b.WriteString(pyFloat(x, true))
	case float32:
		b.WriteString(pyFloat(float64(x), true))
	case json.Number:
		b.WriteString(pyNumber(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int8, int16, int32, int64:
		b.WriteString(strconv.FormatInt(reflect.ValueOf(x).Int(), 10))
	case uint, uint8, uint16, uint32, uint64, uintptr:
		b.WriteString(strconv.FormatUint(reflect.ValueOf(x).Uint(), 10))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		b.WriteByte(']')
	case []string:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeStringRepr(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeStringRepr(b, k)
			b.WriteString(": ")
			writeRepr(b, x[k])
		}
		b.WriteByte('}')
	case fmt.Stringer:
		b.WriteString(x.String())
	case error:
		b.WriteString(x.Error())
	default:
		if data, err := json.Marshal(x); err == nil {
			b.Write(data)
			return
		}
		fmt.Fprint(b, x)
	}
}

// pyFloat formats f like Python's repr(float). With wholeAsInt, a whole
// number below 1e16 prints without ".0", as the JSON integer it most likely
// was.
func pyFloat(f float64, wholeAsInt bool) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	if wholeAsInt && f == math.Trunc(f) && math.Abs(f) < 1e16 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	// Python switches to exponent notation when the decimal exponent is
	// below -4 or at least 16; its exponent has at least two digits, as Go's.
	e := strconv.FormatFloat(f, 'e', -1, 64) // shortest digits, like repr
	if exp, err := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:]); err == nil && (exp < -4 || exp >= 16) {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyNumber formats a JSON number as the Python int or float it decodes to.
func pyNumber(n json.Number) string {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return s
		}
		// Python ints have no size limit; keep the digits as written.
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return strings.TrimPrefix(s, "+")
		}
	}
	f, err := n.Float64()
	if err != nil {
		return s
	}
	return pyFloat(f, false)
}

// writeStringRepr writes s as Python's repr(str): single quotes unless s
// holds a single quote and no double quote, backslash escapes for the quote,
// backslashes and unprintable characters.
func writeStringRepr(b *strings.Builder, s string) {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			fmt.Fprintf(b, `\U%08x`, r)
		}
	}
	b.WriteRune(quote)
}
