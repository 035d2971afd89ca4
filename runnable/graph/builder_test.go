package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/graph"
)

func same(_ context.Context, s int) (int, error) { return s, nil }

func toEnd(context.Context, int) (string, error) { return graph.END, nil }

func TestCompileErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		build func(b *graph.Builder[int])
		want  []string // substrings of the error, all required
	}{
		{
			name:  "empty node name",
			build: func(b *graph.Builder[int]) { b.AddFunc("", same).SetEntry("a").AddFunc("a", same) },
			want:  []string{"a node needs a name"},
		},
		{
			name: "reserved names",
			build: func(b *graph.Builder[int]) {
				b.AddFunc(graph.START, same).AddFunc(graph.END, same).AddFunc("a", same).SetEntry("a")
			},
			want: []string{`node name "__start__" is reserved`, `node name "__end__" is reserved`},
		},
		{
			name:  "duplicate node",
			build: func(b *graph.Builder[int]) { b.AddFunc("a", same).AddFunc("a", same).SetEntry("a") },
			want:  []string{`node "a" is added twice`},
		},
		{
			name:  "nil runnable and function",
			build: func(b *graph.Builder[int]) { b.AddNode("r", nil).AddFunc("f", nil).AddFunc("a", same).SetEntry("a") },
			want:  []string{`node "r": nil runnable`, `node "f": nil function`},
		},
		{
			name:  "nil route",
			build: func(b *graph.Builder[int]) { b.AddFunc("a", same).SetEntry("a").AddConditionalEdges("a", nil) },
			want:  []string{`conditional edges from "a": nil route function`},
		},
		{
			name:  "edge from unknown node",
			build: func(b *graph.Builder[int]) { b.AddFunc("a", same).SetEntry("a").AddEdge("ghost", "a") },
			want:  []string{`edge from unknown node "ghost"`},
		},
		{
			name:  "edge to unknown node",
			build: func(b *graph.Builder[int]) { b.AddFunc("a", same).SetEntry("a").AddEdge("a", "ghost") },
			want:  []string{`edge from "a" to unknown node "ghost"`},
		},
		{
			name:  "unknown entry",
			build: func(b *graph.Builder[int]) { b.AddFunc("a", same).SetEntry("b") },
			want:  []string{`edge from "__start__" to unknown node "b"`},
		},
		{
			name:  "edge to START",
			build: func(b *graph.Builder[int]) { b.AddFunc("a", same).SetEntry("a").AddEdge("a", graph.START) },
			want:  []string{`edge from "a" to START`},
		},
		{
			name:  "edge from END",
			build: func(b *graph.Builder[int]) { b.AddFunc("a", same).SetEntry("a").AddEdge(graph.END, "a") },
			want:  []string{`edge from unknown node "__end__"`},
		},
		{
			name: "conditional edges from unknown node and to unknown target",
			build: func(b *graph.Builder[int]) {
				b.AddFunc("a", same).SetEntry("a").
					AddConditionalEdges("ghost", toEnd).
					AddConditionalEdges("a", toEnd, "b", graph.END)
			},
			want: []string{`conditional edges from unknown node "ghost"`, `conditional edges from "a" name unknown target "b"`},
		},
		{
			name:  "no entry",
			build: func(b *graph.Builder[int]) { b.AddFunc("a", same).AddEdge("a", graph.END) },
			want:  []string{"no entry point"},
		},
		{
			name: "unreachable node",
			build: func(b *graph.Builder[int]) {
				b.AddFunc("a", same).AddFunc("b", same).AddFunc("c", same).SetEntry("a").AddEdge("a", graph.END).AddEdge("b", "c")
			},
			want: []string{`no path from START reaches node(s) "b", "c"`},
		},
		{
			name: "unreachable END",
			build: func(b *graph.Builder[int]) {
				b.AddFunc("a", same).AddFunc("b", same).SetEntry("a").AddEdge("a", "b").AddEdge("b", "a")
			},
			want: []string{"no path from START reaches END"},
		},
		{
			name: "unreachable END through declared targets",
			build: func(b *graph.Builder[int]) {
				b.AddFunc("a", same).AddFunc("b", same).SetEntry("a").AddEdge("b", "a").
					AddConditionalEdges("a", func(context.Context, int) (string, error) { return "b", nil }, "a", "b")
			},
			want: []string{"no path from START reaches END"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := graph.New[int](nil)
			tt.build(b)
			g, err := b.Compile()
			if err == nil {
				t.Fatalf("Compile succeeded (%v), want an error", g.Nodes())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestCompileAccepts(t *testing.T) {
	for _, tt := range []struct {
		name  string
		build func(b *graph.Builder[int])
	}{
		{"dead end finishes the run", func(b *graph.Builder[int]) { b.AddFunc("a", same).SetEntry("a") }},
		{"straight to END", func(b *graph.Builder[int]) { b.AddEdge(graph.START, graph.END) }},
		{"cycle with an exit", func(b *graph.Builder[int]) {
			b.AddFunc("a", same).AddFunc("b", same).SetEntry("a").AddEdge("b", "a").
				AddConditionalEdges("a", toEnd, "b", graph.END)
		}},
		{"route without declared targets may lead anywhere", func(b *graph.Builder[int]) {
			b.AddFunc("a", same).AddFunc("b", same).AddEdge("b", "a").
				AddConditionalEdges(graph.START, func(context.Context, int) (string, error) { return "a", nil })
		}},
		{"duplicate edges", func(b *graph.Builder[int]) {
			b.AddNode("a", runnable.Lambda("inc", func(_ context.Context, x int) (int, error) { return x + 1, nil })).
				SetEntry("a").SetEntry("a").AddEdge("a", graph.END).AddEdge("a", graph.END)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := graph.New[int](nil)
			tt.build(b)
			g, err := b.Compile()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := g.Invoke(t.Context(), 1, runnable.WithRecursionLimit(3)); err != nil {
				t.Errorf("Invoke: %v", err)
			}
		})
	}
}

// A compiled graph does not change when its builder does.
func TestCompileSnapshot(t *testing.T) {
	b := graph.New[int](nil).AddFunc("a", func(_ context.Context, s int) (int, error) { return s + 1, nil }).SetEntry("a")
	g, err := b.Compile()
	if err != nil {
		t.Fatal(err)
	}
	b.AddFunc("b", same).AddEdge("a", "b")
	if got, err := g.Invoke(t.Context(), 1); err != nil || got != 2 {
		t.Errorf("Invoke = %v, %v; want 2", got, err)
	}
	if got := g.Nodes(); len(got) != 1 {
		t.Errorf("Nodes = %v, want [a]", got)
	}
}
