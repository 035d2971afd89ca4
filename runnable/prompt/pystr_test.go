package prompt

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

type stringer struct{}

func (stringer) String() string { return "from String" }

func TestWriteStr(t *testing.T) {
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
			var b strings.Builder
			writeStr(&b, tt.v)
			if got := b.String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
