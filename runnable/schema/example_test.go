package schema_test

import (
	"encoding/json"
	"fmt"

	"github.com/langserve-go/langserve/runnable/schema"
)

func ExampleMessage_Concat() {
	// A model streams a reply and a tool call whose JSON arguments arrive in
	// pieces; folding the chunks gives the complete message.
	chunks := []schema.Message{
		{Type: schema.AIChunkType, Content: "Let me check", ID: "run-1"},
		{Type: schema.AIChunkType, Content: " the weather.", ToolCallChunks: []schema.ToolCallChunk{{Name: "get_weather", ID: "call_1", Args: `{"ci`, Index: new(0)}}},
		{Type: schema.AIChunkType, ToolCallChunks: []schema.ToolCallChunk{{Args: `ty": "Paris"}`, Index: new(0)}}},
		{Type: schema.AIChunkType, UsageMetadata: &schema.UsageMetadata{InputTokens: 12, OutputTokens: 9, TotalTokens: 21}},
	}
	acc := chunks[0]
	for _, c := range chunks[1:] {
		acc = acc.Concat(c)
	}
	final := acc.ToMessage()
	out, _ := json.Marshal(final)
	fmt.Println(final.Text())
	fmt.Println(string(out))
	// Output:
	// Let me check the weather.
	// {"content":"Let me check the weather.","additional_kwargs":{},"response_metadata":{},"type":"ai","name":null,"id":"run-1","example":false,"tool_calls":[{"name":"get_weather","args":{"city":"Paris"},"id":"call_1","type":"tool_call"}],"invalid_tool_calls":[],"usage_metadata":{"input_tokens":12,"output_tokens":9,"total_tokens":21}}
}

func ExampleParsePartialJSON() {
	v, _ := schema.ParsePartialJSON(`{"answer": "Par`)
	fmt.Println(v)
	// Output: map[answer:Par]
}
