package app

import (
	"strings"
	"testing"
	"time"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestEvaluate(t *testing.T) {
	for _, tt := range []struct {
		expr string
		want float64
		err  string
	}{
		{"1 + 2 * 3", 7, ""},
		{"(1 + 2) * 3", 9, ""},
		{"2 ^ 3 ^ 2", 512, ""}, // right-associative
		{"-2 ^ 2", -4, ""},     // -(2^2)
		{"2 ^ -1", 0.5, ""},
		{"2 ^ 3 * 2", 16, ""},
		{"-(3 - 5) * 2", 4, ""},
		{"10 / 4", 2.5, ""},
		{"10 % 4", 2, ""},
		{"--3", 3, ""},
		{"1.5 * 4", 6, ""},
		{"7 - 2 - 1", 4, ""},
		{"1 / 0", 0, "division by zero"},
		{"5 % 0", 0, "division by zero"},
		{"(1 + 2", 0, "missing )"},
		{"1 + ", 0, "ends where a number should be"},
		{"1 2", 0, "unexpected"},
		{"1..2", 0, "bad number"},
		{"10 ^ 400", 0, "no finite value"},
		{strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100), 0, "nested too deeply"},
		{strings.Repeat("-", 100) + "1", 0, "nested too deeply"},
		{strings.Repeat("2^", 100) + "1", 0, "nested too deeply"},
	} {
		got, err := evaluate(tt.expr)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("evaluate(%q) = %v, %v; want %v", tt.expr, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("evaluate(%q) = %v, %v; want an error with %q", tt.expr, got, err, tt.err)
		}
	}
}

func TestArithmetic(t *testing.T) {
	for in, want := range map[string]string{
		"What is 2 + 3?":                       "2 + 3",
		"Please calculate (12 + 30) * 2.5":     "(12 + 30) * 2.5",
		"2*3":                                  "2*3",
		"calculate 10 % 3 then tell me a joke": "10 % 3",
		"no numbers here":                      "",
		"in 2024 I had 3 * 4 apples":           "3 * 4",
	} {
		if got := arithmetic(in); got != want {
			t.Errorf("arithmetic(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTools(t *testing.T) {
	ctx := t.Context()
	calc := calculatorTool()
	if got, err := calc.Invoke(ctx, map[string]any{"expression": "what is (1 + 2) * 4?"}); err != nil || got != "(1 + 2) * 4 = 12" {
		t.Errorf("calculator = %v, %v", got, err)
	}
	if _, err := calc.Invoke(ctx, map[string]any{"expression": "nothing to compute"}); err == nil {
		t.Error("calculator without an expression: no error")
	}
	if _, err := calc.Invoke(ctx, map[string]any{}); err == nil {
		t.Error("calculator without arguments: no error")
	}

	clock := clockTool(func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600)) })
	if got, err := clock.Invoke(ctx, map[string]any{}); err != nil || got != "Wednesday 4 March 2026, 04:06:07 UTC" {
		t.Errorf("current_time = %v, %v", got, err)
	}

	idx, err := rag.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idx.Ingest(ctx, []schema.Document{
		{ID: "pg", PageContent: "# Storage\n\nPostgreSQL stores vectors with pgvector.", Metadata: map[string]any{"source": "pg.md"}},
		{ID: "cats", PageContent: "Cats sleep.", Metadata: map[string]any{"source": "cats.md"}},
	}); err != nil {
		t.Fatal(err)
	}
	search := searchTool(idx)
	if got, err := search.Invoke(ctx, map[string]any{"query": "where are vectors stored"}); err != nil ||
		got != "[pg.md] PostgreSQL stores vectors with pgvector." {
		t.Errorf("search_docs = %q, %v", got, err)
	}
	if got, err := search.Invoke(ctx, map[string]any{"query": "zebras"}); err != nil || got != "Nothing in the documentation matches." {
		t.Errorf("search_docs without match = %q, %v", got, err)
	}
	for _, tool := range []interface{ Err() error }{calc, clock, search} {
		if err := tool.Err(); err != nil {
			t.Error(err)
		}
	}
}

func TestPassage(t *testing.T) {
	text := "# Title\n\n## Sub\n\nOne two three four five six."
	if got := passage(text, 100); got != "One two three four five six." {
		t.Errorf("passage = %q", got)
	}
	if got := passage(text, 10); got != "One two …" {
		t.Errorf("short passage = %q", got)
	}
}
