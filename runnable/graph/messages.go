package graph

import (
	"slices"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable/schema"
)

// AppendMessages merges a list of messages into another the way
// LangGraph's add_messages reducer does, for states that hold a
// conversation:
//
//   - chunks become messages (AIMessageChunk → ai, with its tool calls
//     parsed);
//   - every message without an ID gets a fresh UUID, on both sides;
//   - a message of update whose ID is already in old replaces that message
//     in place (this is how a node edits a message); the others are
//     appended in order.
//
// It returns a new slice and modifies neither argument, so it is safe as
// (part of) a reducer.
func AppendMessages(old, update []schema.Message) []schema.Message {
	out := make([]schema.Message, 0, len(old)+len(update))
	at := make(map[string]int, len(old)+len(update))
	for _, m := range old {
		m = withID(m)
		at[m.ID] = len(out)
		out = append(out, m)
	}
	for _, m := range update {
		m = withID(m)
		if i, ok := at[m.ID]; ok {
			out[i] = m
			continue
		}
		at[m.ID] = len(out)
		out = append(out, m)
	}
	return slices.Clip(out)
}

func withID(m schema.Message) schema.Message {
	m = m.ToMessage()
	if m.ID == "" {
		m.ID = uuid.NewString()
	}
	return m
}
