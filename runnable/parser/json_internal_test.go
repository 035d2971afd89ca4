package parser

import (
	"errors"
	"reflect"
	"testing"

	"github.com/langserve-go/langserve/runnable/schema"
)

func TestParseOutput(t *testing.T) {
	for _, tt := range []struct {
		name string
		text string
		want any
	}{
		{"object", `{"a": 1}`, map[string]any{"a": float64(1)}},
		{"surrounding whitespace", " \n {\"x\": true} \t", map[string]any{"x": true}},
		{"number", "42", float64(42)},
		{"string", `"text"`, "text"},
		{"null", "null", nil},
		{"fenced json", "```json\n{\"a\": [1, 2]}\n```", map[string]any{"a": []any{float64(1), float64(2)}}},
		{"fenced without tag", "```\n[1, 2]\n```", []any{float64(1), float64(2)}},
		{"fence after prose", "Here you go:\n```json\n{\"a\": 1}\n```\nAnything else?", map[string]any{"a": float64(1)}},
		{"unclosed fence", "```json\n{\"a\": \"b", map[string]any{"a": "b"}},
		{"cut in a string", `{"city": "Par`, map[string]any{"city": "Par"}},
		{"cut after a key", `{"a": 1, "b`, map[string]any{"a": float64(1)}},
		{"cut in an array", `{"a": [1, 2`, map[string]any{"a": []any{float64(1), float64(2)}}},
		{"only an opening brace", "{", map[string]any{}},
		{"trailing prose", `{"a": 1} hope this helps`, map[string]any{"a": float64(1)}},
		{"raw newline in string", "{\"a\": \"x\ny\"}", map[string]any{"a": "x\ny"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseOutput(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseOutputErrors(t *testing.T) {
	for _, tt := range []struct {
		name, text, shown string
		mismatch          bool
	}{
		{"prose", "Sorry, I cannot help.", "Sorry, I cannot help.", false},
		{"empty", "  ", "", false},
		{"empty fence", "```json\n```", "```json\n```", false},
		{"mismatched bracket", `{"a": 1]`, `{"a": 1]`, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOutput(tt.text)
			pe, ok := errors.AsType[*ParseError](err)
			if !ok {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Text != tt.shown || err.Error() != "parser: invalid json output: "+tt.shown {
				t.Errorf("error %q (text %q)", err, pe.Text)
			}
			if pe.Err == nil || errors.Is(err, schema.ErrMismatchedBracket) != tt.mismatch {
				t.Errorf("wrapped error = %v", pe.Err)
			}
		})
	}
}
