package schema

import (
	"encoding/json"
	"testing"
)

func BenchmarkMessageMarshal(b *testing.B) {
	m := Message{Type: AIChunkType, Content: "Bonjour le monde, ceci est une réponse fixe.", ID: "run--8df65082-0c24-44e5-bde2-e121ae87f42d-0"}
	for b.Loop() {
		if _, err := m.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMessageUnmarshal(b *testing.B) {
	data := []byte(`{"content":"Bonjour","additional_kwargs":{},"response_metadata":{},"type":"AIMessageChunk","name":null,"id":"run--8df65082-0c24-44e5-bde2-e121ae87f42d-0","example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null,"tool_call_chunks":[]}`)
	for b.Loop() {
		var m Message
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddToolCallStream folds a tool call whose arguments arrive in 52
// chunks; each Add re-parses the accumulated arguments, as LangChain does.
func BenchmarkAddToolCallStream(b *testing.B) {
	chunks := []Message{{Type: AIChunkType, ToolCallChunks: []ToolCallChunk{{Name: "search", ID: "call_1", Args: `{"query": "`, Index: new(0)}}}}
	for range 50 {
		chunks = append(chunks, Message{Type: AIChunkType, ToolCallChunks: []ToolCallChunk{{Args: `several words `, Index: new(0)}}})
	}
	chunks = append(chunks, Message{Type: AIChunkType, ToolCallChunks: []ToolCallChunk{{Args: `", "limit": 5}`, Index: new(0)}}})
	for b.Loop() {
		acc := chunks[0]
		for _, c := range chunks[1:] {
			var err error
			if acc, err = acc.Add(c); err != nil {
				b.Fatal(err)
			}
		}
	}
}
