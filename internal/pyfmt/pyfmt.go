// Package pyfmt prints JSON-like Go values the way Python prints the values
// json.loads gives for the same JSON: str(v), repr(v) and json.dumps(v)
// with default arguments. LangChain builds strings this way (prompt
// templates fill in str(value), get_buffer_string appends the repr of a
// function call, tool call chunks carry json.dumps of the parsed args), and
// a Go server must produce the same bytes.
//
// Values decoded from JSON (string, float64 or json.Number, bool, nil, []any,
// map[string]any) print as the Python str, int or float, bool, None, list
// and dict they stand for:
//
//   - JSON integers decode to float64 in Go while Python keeps them as int,
//     so a whole float64 prints as an integer: always in json.dumps, and
//     below 1e16 in str and repr, above which Python's float notation is
//     the likelier reading (1e+16);
//   - json.Number keeps the distinction: in str and repr "3" prints 3, "3.0"
//     prints 3.0; json.dumps writes it as it is;
//   - Go maps have no order, so dict keys come out sorted.
//
// Other Go values: integer types print their digits; in str and repr a
// value with a String or Error method prints that, anything else its JSON
// encoding; json.dumps encodes it with encoding/json first and prints the
// result (null when that fails).
package pyfmt

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// syntax selects how the leaves of a value are written; lists and dicts
// look the same in both.
type syntax int

const (
	pyLiteral syntax = iota // repr(): None, True, 'text', nan
	jsonText                // json.dumps: null, true, "text", NaN
)

// Str returns v as Python's str(v) prints it: a string as it is, anything
// else as [Repr].
func Str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return Repr(v)
}

// WriteStr writes [Str](v) to b.
func WriteStr(b *strings.Builder, v any) {
	if s, ok := v.(string); ok {
		b.WriteString(s)
		return
	}
	write(b, v, pyLiteral)
}

// Repr returns v as Python's repr(v) prints it.
func Repr(v any) string {
	var b strings.Builder
	write(&b, v, pyLiteral)
	return b.String()
}

// Dumps returns v as Python's json.dumps(v) with default arguments writes
// it: separators ", " and ": ", every non-ASCII character escaped as \uXXXX
// (surrogate pairs above U+FFFF), NaN and Infinity for the IEEE specials.
func Dumps(v any) string {
	var b strings.Builder
	write(&b, v, jsonText)
	return b.String()
}

func write(b *strings.Builder, v any, s syntax) {
	switch x := v.(type) {
	case nil:
		b.WriteString(pick(s, "None", "null"))
	case bool:
		if x {
			b.WriteString(pick(s, "True", "true"))
		} else {
			b.WriteString(pick(s, "False", "false"))
		}
	case string:
		writeString(b, x, s)
	case float64:
		writeFloat(b, x, s)
	case float32:
		writeFloat(b, float64(x), s)
	case json.Number:
		if s == jsonText {
			b.WriteString(x.String())
		} else {
			b.WriteString(pyNumber(x))
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case int8, int16, int32, int64:
		b.WriteString(strconv.FormatInt(reflect.ValueOf(x).Int(), 10))
	case uint, uint8, uint16, uint32, uint64, uintptr:
		b.WriteString(strconv.FormatUint(reflect.ValueOf(x).Uint(), 10))
	case []any:
		writeList(b, x, s)
	case []string:
		writeList(b, x, s)
	case map[string]any:
		b.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b.WriteString(", ")
			}
			writeString(b, k, s)
			b.WriteString(": ")
			write(b, x[k], s)
		}
		b.WriteByte('}')
	default:
		writeOther(b, v, s)
	}
}

func pick(s syntax, py, js string) string {
	if s == jsonText {
		return js
	}
	return py
}

func writeList[T any](b *strings.Builder, l []T, s syntax) {
	b.WriteByte('[')
	for i, e := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		write(b, e, s)
	}
	b.WriteByte(']')
}

// writeOther writes a value that is not one JSON decoding produces.
func writeOther(b *strings.Builder, v any, s syntax) {
	if s == jsonText {
		// Print what encoding/json makes of it, as a generic JSON value.
		data, err := json.Marshal(v)
		if err != nil {
			b.WriteString("null")
			return
		}
		var generic any
		if json.Unmarshal(data, &generic) != nil {
			b.WriteString("null")
			return
		}
		write(b, generic, s)
		return
	}
	switch x := v.(type) {
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

func writeString(b *strings.Builder, x string, s syntax) {
	if s == jsonText {
		writeJSONString(b, x)
	} else {
		writeReprString(b, x)
	}
}

// writeFloat writes f as Python prints the int or float it most likely
// was; see the package doc for where a whole number counts as an int.
func writeFloat(b *strings.Builder, f float64, s syntax) {
	if f == math.Trunc(f) && !math.IsInf(f, 0) && (s == jsonText || math.Abs(f) < 1e16) {
		b.WriteString(strconv.FormatFloat(f, 'f', -1, 64))
		return
	}
	b.WriteString(floatText(f, s))
}

// floatText formats f as Python's repr(float), or json.dumps, which
// differs only in the names of the IEEE specials.
func floatText(f float64, s syntax) string {
	switch {
	case math.IsNaN(f):
		return pick(s, "nan", "NaN")
	case math.IsInf(f, 1):
		return pick(s, "inf", "Infinity")
	case math.IsInf(f, -1):
		return pick(s, "-inf", "-Infinity")
	}
	// Python switches to exponent notation when the decimal exponent is
	// below -4 or at least 16; its exponent has at least two digits, as Go's.
	e := strconv.FormatFloat(f, 'e', -1, 64) // shortest digits, like repr
	if exp, err := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:]); err == nil && (exp < -4 || exp >= 16) {
		return e
	}
	t := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(t, ".") {
		t += ".0"
	}
	return t
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
	return floatText(f, pyLiteral)
}

// writeReprString writes s as Python's repr(str): single quotes unless s
// holds a single quote and no double quote, backslash escapes for the
// quote, backslashes and unprintable characters.
func writeReprString(b *strings.Builder, s string) {
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

// writeJSONString writes s as json.dumps does with ensure_ascii: printable
// ASCII as it is, the usual short escapes, everything else as \uXXXX.
func writeJSONString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	write4 := func(u rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hex[(u>>shift)&0xf])
		}
	}
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r >= 0x20 && r < 0x7f:
				b.WriteRune(r)
			case r > 0xffff:
				r -= 0x10000
				write4(0xd800 + (r>>10)&0x3ff)
				write4(0xdc00 + r&0x3ff)
			default:
				write4(r) // an invalid byte decodes as U+FFFD
			}
		}
	}
	b.WriteByte('"')
}
