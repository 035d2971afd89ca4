package graph_test

import (
	"slices"
	"testing"

	"github.com/langserve-go/langserve/runnable/graph"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestAppendMessages(t *testing.T) {
	withID := func(m schema.Message, id string) schema.Message { m.ID = id; return m }
	old := []schema.Message{withID(schema.Human("hi"), "h1"), withID(schema.AI("hello"), "a1")}
	chunk := schema.AIChunk("")
	chunk.ToolCallChunks = []schema.ToolCallChunk{{Name: "search", Args: `{"q":"go"}`, ID: "call_1", Index: new(0)}}
	update := []schema.Message{
		withID(schema.AI("hello, edited"), "a1"), // replaces a1 in place
		schema.Human("no id"),
		chunk,
	}
	oldCopy, updCopy := slices.Clone(old), slices.Clone(update)
	got := graph.AppendMessages(old, update)

	if len(got) != 4 {
		t.Fatalf("got %d messages, want 4: %v", len(got), got)
	}
	if got[0].ID != "h1" || got[1].ID != "a1" || got[1].Content != "hello, edited" {
		t.Errorf("a message with a known id must replace it in place: %v", got[:2])
	}
	if got[2].Content != "no id" || got[2].ID == "" || got[3].ID == "" || got[2].ID == got[3].ID {
		t.Errorf("messages without id must get fresh ids: %q, %q", got[2].ID, got[3].ID)
	}
	if got[3].Type != schema.AIType || len(got[3].ToolCalls) != 1 || got[3].ToolCalls[0].Args["q"] != "go" {
		t.Errorf("a chunk must become a message with parsed tool calls: %+v", got[3])
	}
	if old[1].Content != oldCopy[1].Content || update[1].ID != updCopy[1].ID || len(old) != 2 {
		t.Error("AppendMessages modified its arguments")
	}
	if got := graph.AppendMessages(nil, nil); len(got) != 0 {
		t.Errorf("AppendMessages(nil, nil) = %v", got)
	}
	// Old messages without an id get one too, as add_messages does.
	if got := graph.AppendMessages([]schema.Message{schema.Human("x")}, nil); got[0].ID == "" {
		t.Error("an old message without id kept no id")
	}
}
