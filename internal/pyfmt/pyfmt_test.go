package pyfmt_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/internal/pyfmt"
)

type stringer struct{}

func (stringer) String() string { return "from String" }

func TestStr(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    any
		want string
	}{
		{"string", "plain 'text'", "plain 'text'"},
		{"nil", nil, "None"},
		{"true", true, "True"},
		{"false", false, "False"},
		{"json integer", float64(42), "42"},
		{"negative integer", float64(-7), "-7"},
		{"zero", float64(0), "0"},
		{"fraction", 0.1, "0.1"},
		{"float", 2.5, "2.5"},
		{"small float", 1e-5, "1e-05"},
		{"small float at limit", 0.0001, "0.0001"},
		{"large whole float", 1e16, "1e+16"},
		{"large float", 1.5e17, "1.5e+17"},
		{"whole below limit", 9999999999999998.0, "9999999999999998"},
		{"nan", math.NaN(), "nan"},
		{"inf", math.Inf(1), "inf"},
		{"-inf", math.Inf(-1), "-inf"},
		{"float32", float32(0.5), "0.5"},
		{"int", 12, "12"},
		{"int64", int64(-3), "-3"},
		{"uint8", uint8(255), "255"},
		{"json.Number int", json.Number("3"), "3"},
		{"json.Number float", json.Number("3.0"), "3.0"},
		{"json.Number exp", json.Number("1e3"), "1000.0"},
		{"json.Number big int", json.Number("123456789012345678901234"), "123456789012345678901234"},
		{"list", []any{"a", float64(1), true, nil}, "['a', 1, True, None]"},
		{"string list", []string{"x", "y"}, "['x', 'y']"},
		{"nested", map[string]any{"b": []any{1.5}, "a": "it's"}, `{'a': "it's", 'b': [1.5]}`},
		{"repr escapes", []any{"a\nb\\c\t\x01é"}, `['a\nb\\c\t\x01é']`},
		{"repr both quotes", []any{`it's "x"`}, `['it\'s "x"']`},
		{"repr wide", []any{"\u200b\U000e0001"}, `['\u200b\U000e0001']`},
		{"stringer", stringer{}, "from String"},
		{"error", errors.New("boom"), "boom"},
		{"struct as json", struct {
			A int `json:"a"`
		}{1}, `{"a":1}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := pyfmt.Str(tt.v); got != tt.want {
				t.Errorf("Str = %s, want %s", got, tt.want)
			}
			var b strings.Builder
			b.WriteString(">")
			pyfmt.WriteStr(&b, tt.v)
			if got := b.String(); got != ">"+tt.want {
				t.Errorf("WriteStr wrote %s, want >%s", got, tt.want)
			}
		})
	}
}

func TestRepr(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want string
	}{
		{nil, "None"},
		{true, "True"},
		{"it's", `"it's"`},
		{`a'b"c`, `'a\'b"c'`},
		{"line\n", `'line\n'`},
		{"bell\a é \U000E0001", `'bell\x07 é \U000e0001'`},
		{[]any{1.0, 2.5, "x"}, "[1, 2.5, 'x']"},
		{map[string]any{"b": false, "a": []any{}}, "{'a': [], 'b': False}"},
		{map[string]any{"name": "f", "arguments": `{"x": 1}`}, `{'arguments': '{"x": 1}', 'name': 'f'}`},
		{[]any{}, "[]"},
		{map[string]any{}, "{}"},
		{[]any{uint64(math.MaxUint64), int64(math.MinInt64)}, "[18446744073709551615, -9223372036854775808]"},
	} {
		if got := pyfmt.Repr(tt.in); got != tt.want {
			t.Errorf("Repr(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestDumps(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want string
	}{
		{map[string]any{"city": "Paris", "n": 3.0, "f": 0.5, "l": []any{true, nil}}, `{"city": "Paris", "f": 0.5, "l": [true, null], "n": 3}`},
		{map[string]any{"s": "é\U0001F600\n\"<"}, `{"s": "\u00e9\ud83d\ude00\n\"<"}`},
		{map[string]any{}, `{}`},
		{[]any{}, `[]`},
		{1e-7, "1e-07"},
		{123456.5, "123456.5"},
		{3, "3"},
		{"it's", `"it's"`},
		{"\x00\x1f\x7f\b\f\r\t\\", `"\u0000\u001f\u007f\b\f\r\t\\"`},
		{"bad \xff byte", `"bad \ufffd byte"`},
		// Whole numbers are JSON integers, which Python keeps as int at any
		// size; json.Number is written as it came.
		{1e16, "10000000000000000"},
		{-1e20, "-100000000000000000000"},
		{1.5e17, "150000000000000000"},
		{json.Number("1e3"), "1e3"},
		{uint64(math.MaxUint64), "18446744073709551615"},
		{float32(0.5), "0.5"},
		{[]any{math.NaN(), math.Inf(1), math.Inf(-1)}, "[NaN, Infinity, -Infinity]"},
		// Other Go values go through encoding/json first.
		{[]string{"a", "é"}, `["a", "\u00e9"]`},
		{struct {
			B []int `json:"b"`
			A string
		}{[]int{1, 2}, "x"}, `{"A": "x", "b": [1, 2]}`},
		{stringer{}, "{}"},
		{make(chan int), "null"},
		{json.RawMessage(`{bad`), "null"},
	} {
		if got := pyfmt.Dumps(tt.in); got != tt.want {
			t.Errorf("Dumps(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
