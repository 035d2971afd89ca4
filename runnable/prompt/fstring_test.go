package prompt

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseFString(t *testing.T) {
	for _, tt := range []struct {
		name   string
		tmpl   string
		vars   []string
		values map[string]any
		want   string
	}{
		{"plain", "hello", nil, nil, "hello"},
		{"empty", "", nil, nil, ""},
		{"one var", "Translate to {language}: {text}", []string{"language", "text"},
			map[string]any{"language": "French", "text": "hello"}, "Translate to French: hello"},
		{"repeated var", "{a}-{b}-{a}", []string{"a", "b"}, map[string]any{"a": "x", "b": "y"}, "x-y-x"},
		{"sorted vars", "{zeta} {alpha} {mid}", []string{"alpha", "mid", "zeta"},
			map[string]any{"zeta": 1, "alpha": 2, "mid": 3}, "1 2 3"},
		{"escaped braces", `{{"answer": "{x}"}}`, []string{"x"}, map[string]any{"x": "yes"}, `{"answer": "yes"}`},
		{"only escapes", "{{}}", nil, nil, "{}"},
		{"escape then var", "{{{x}}}", []string{"x"}, map[string]any{"x": "v"}, "{v}"},
		{"adjacent vars", "{a}{b}", []string{"a", "b"}, map[string]any{"a": "1", "b": "2"}, "12"},
		{"var with space", "{my var}", []string{"my var"}, map[string]any{"my var": "ok"}, "ok"},
		{"unicode", "héllo {naïve} ☃", []string{"naïve"}, map[string]any{"naïve": "ü"}, "héllo ü ☃"},
		{"value with braces is not reparsed", "{x}", []string{"x"}, map[string]any{"x": "{y}"}, "{y}"},
		{"non-string values", "{n} {f} {b} {z}", []string{"b", "f", "n", "z"},
			map[string]any{"n": float64(3), "f": 2.5, "b": true, "z": nil}, "3 2.5 True None"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseFString(tt.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.vars, tt.vars) {
				t.Errorf("vars = %q, want %q", f.vars, tt.vars)
			}
			if got := f.format(tt.values); got != tt.want {
				t.Errorf("format = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseFStringErrors(t *testing.T) {
	for _, tt := range []struct {
		tmpl   string
		offset int
		reason string
	}{
		{"a } b", 2, "single '}'"},
		{"}", 0, "single '}'"},
		{"{x}}", 3, "single '}'"},
		{"a {b", 2, "expected '}'"},
		{"{", 0, "expected '}'"},
		{"{x {y}", 0, "expected '}'"},
		{"{}", 0, "positional"},
		{"{0}", 0, "all digits"},
		{"{12}", 0, "all digits"},
		{"{user.name}", 0, "attribute access"},
		{"{items[0]}", 0, "indexing"},
		{"{x!r}", 0, `conversion "!r"`},
		{"ab {x:>10}", 3, `format spec ":>10"`},
		{"{x:{w}}", 0, "format spec"},
		{"{a{b}}", 0, "braces"},
	} {
		t.Run(tt.tmpl, func(t *testing.T) {
			_, err := parseFString(tt.tmpl)
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TemplateError", err)
			}
			if te.Offset != tt.offset || !strings.Contains(te.Reason, tt.reason) {
				t.Errorf("error at %d %q, want at %d containing %q", te.Offset, te.Reason, tt.offset, tt.reason)
			}
			if !strings.Contains(err.Error(), "prompt: invalid template") {
				t.Errorf("message %q does not say what failed", err)
			}
		})
	}
}
