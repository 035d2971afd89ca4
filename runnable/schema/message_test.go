package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readGolden returns the lines of a testdata file (see testdata/README.md).
func readGolden(t testing.TB, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n")
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	return string(b)
}

func TestMessageGoldenRoundTrip(t *testing.T) {
	var cases []string
	cases = append(cases, readGolden(t, "golden_ai_message.json")...)
	cases = append(cases, readGolden(t, "golden_human_message.json")...)
	cases = append(cases, readGolden(t, "golden_stream_chunks.jsonl")...)
	for _, golden := range cases {
		var m Message
		if err := json.Unmarshal([]byte(golden), &m); err != nil {
			t.Fatalf("unmarshal %s: %v", golden, err)
		}
		if got := mustMarshal(t, m); got != golden {
			t.Errorf("round trip differs\n got: %s\nwant: %s", got, golden)
		}
		// The method itself (not only via json.Marshal, which re-compacts
		// and may escape) must produce the exact bytes.
		direct, err := m.MarshalJSON()
		if err != nil || string(direct) != golden {
			t.Errorf("MarshalJSON = %s, %v; want %s", direct, err, golden)
		}
	}
}

func TestMessageGoldenValues(t *testing.T) {
	var m Message
	if err := json.Unmarshal([]byte(readGolden(t, "golden_ai_message.json")[0]), &m); err != nil {
		t.Fatal(err)
	}
	want := Message{Type: AIType, Content: "Bonjour le monde, ceci est une réponse fixe.", ID: "run--8df65082-0c24-44e5-bde2-e121ae87f42d-0"}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %#v\nwant %#v", m, want)
	}
	if got := mustMarshal(t, AI("Bonjour le monde, ceci est une réponse fixe.")); !strings.Contains(got, `réponse`) {
		t.Errorf("non-ASCII must stay raw UTF-8: %s", got)
	}
}

func intp(i int) *int { return &i }

func TestMessageMarshalShapes(t *testing.T) {
	for _, tt := range []struct {
		name string
		msg  Message
		want string
	}{
		{"human", Human("hi"),
			`{"content":"hi","additional_kwargs":{},"response_metadata":{},"type":"human","name":null,"id":null,"example":false}`},
		{"human example name id", Message{Type: HumanType, Content: "x", Name: "bob", ID: "m1", Example: true},
			`{"content":"x","additional_kwargs":{},"response_metadata":{},"type":"human","name":"bob","id":"m1","example":true}`},
		{"system", System("be brief"),
			`{"content":"be brief","additional_kwargs":{},"response_metadata":{},"type":"system","name":null,"id":null}`},
		{"ai with finish reason", Message{Type: AIType, Content: "Hello World!", ResponseMetadata: map[string]any{"finish_reason": "stop"}, ID: "run-5b8"},
			`{"content":"Hello World!","additional_kwargs":{},"response_metadata":{"finish_reason":"stop"},"type":"ai","name":null,"id":"run-5b8","example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null}`},
		{"ai tool calls and usage", Message{
			Type:             AIType,
			ToolCalls:        []ToolCall{{Name: "get_weather", Args: map[string]any{"city": "Paris"}, ID: "call_1"}},
			InvalidToolCalls: []InvalidToolCall{{Name: "broken", Args: `{"x`, ID: "call_2", Error: "bad json"}},
			UsageMetadata:    &UsageMetadata{InputTokens: 10, OutputTokens: 5, TotalTokens: 15, OutputTokenDetails: map[string]int{"reasoning": 2}},
		},
			`{"content":"","additional_kwargs":{},"response_metadata":{},"type":"ai","name":null,"id":null,"example":false,` +
				`"tool_calls":[{"name":"get_weather","args":{"city":"Paris"},"id":"call_1","type":"tool_call"}],` +
				`"invalid_tool_calls":[{"name":"broken","args":"{\"x","id":"call_2","error":"bad json","type":"invalid_tool_call"}],` +
				`"usage_metadata":{"input_tokens":10,"output_tokens":5,"total_tokens":15,"output_token_details":{"reasoning":2}}}`},
		// The tool calls are what LangChain derives from the chunks, so that
		// the round trip below is a fixed point: `{"ci` completes to {}.
		{"ai chunk with tool call chunk", Message{
			Type:             AIChunkType,
			ToolCallChunks:   []ToolCallChunk{{Name: "get_weather", Args: `{"ci`, ID: "call_1", Index: intp(0)}, {Args: `ty"`}},
			ToolCalls:        []ToolCall{{Name: "get_weather", Args: map[string]any{}, ID: "call_1"}},
			InvalidToolCalls: []InvalidToolCall{{Args: `ty"`}},
		},
			`{"content":"","additional_kwargs":{},"response_metadata":{},"type":"AIMessageChunk","name":null,"id":null,"example":false,` +
				`"tool_calls":[{"name":"get_weather","args":{},"id":"call_1","type":"tool_call"}],` +
				`"invalid_tool_calls":[{"name":null,"args":"ty\"","id":null,"error":null,"type":"invalid_tool_call"}],"usage_metadata":null,` +
				`"tool_call_chunks":[{"name":"get_weather","args":"{\"ci","id":"call_1","index":0,"type":"tool_call_chunk"},` +
				`{"name":null,"args":"ty\"","id":null,"index":null,"type":"tool_call_chunk"}]}`},
		{"tool", Tool("72F", "call_1"),
			`{"content":"72F","additional_kwargs":{},"response_metadata":{},"type":"tool","name":null,"id":null,"tool_call_id":"call_1","artifact":null,"status":"success"}`},
		{"tool error with artifact", Message{Type: ToolType, Content: "boom", ToolCallID: "c", Status: "error", Artifact: map[string]any{"rows": []any{1.0, 2.0}}},
			`{"content":"boom","additional_kwargs":{},"response_metadata":{},"type":"tool","name":null,"id":null,"tool_call_id":"c","artifact":{"rows":[1,2]},"status":"error"}`},
		{"function", Message{Type: FunctionType, Content: "42", Name: "calc"},
			`{"content":"42","additional_kwargs":{},"response_metadata":{},"type":"function","name":"calc","id":null}`},
		{"chat", Message{Type: ChatType, Content: "hey", Role: "critic"},
			`{"content":"hey","additional_kwargs":{},"response_metadata":{},"type":"chat","name":null,"id":null,"role":"critic"}`},
		{"human chunk", Message{Type: HumanChunkType, Content: "h"},
			`{"content":"h","additional_kwargs":{},"response_metadata":{},"type":"HumanMessageChunk","name":null,"id":null,"example":false}`},
		{"system chunk", Message{Type: SystemChunkType, Content: "s"},
			`{"content":"s","additional_kwargs":{},"response_metadata":{},"type":"SystemMessageChunk","name":null,"id":null}`},
		{"tool chunk", Message{Type: ToolChunkType, Content: "t", ToolCallID: "c1"},
			`{"content":"t","additional_kwargs":{},"response_metadata":{},"type":"ToolMessageChunk","name":null,"id":null,"tool_call_id":"c1","artifact":null,"status":"success"}`},
		{"function chunk", Message{Type: FunctionChunkType, Content: "f", Name: "fn"},
			`{"content":"f","additional_kwargs":{},"response_metadata":{},"type":"FunctionMessageChunk","name":"fn","id":null}`},
		{"chat chunk", Message{Type: ChatChunkType, Content: "c", Role: "r"},
			`{"content":"c","additional_kwargs":{},"response_metadata":{},"type":"ChatMessageChunk","name":null,"id":null,"role":"r"}`},
		{"content blocks", Message{Type: HumanType, ContentBlocks: []map[string]any{{"type": "text", "text": "look"}, {"type": "image_url", "image_url": map[string]any{"url": "data:x"}}}},
			`{"content":[{"text":"look","type":"text"},{"image_url":{"url":"data:x"},"type":"image_url"}],"additional_kwargs":{},"response_metadata":{},"type":"human","name":null,"id":null,"example":false}`},
		{"empty content blocks", Message{Type: AIChunkType, ContentBlocks: []map[string]any{}},
			`{"content":[],"additional_kwargs":{},"response_metadata":{},"type":"AIMessageChunk","name":null,"id":null,"example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null,"tool_call_chunks":[]}`},
		{"no html escaping, raw utf-8, raw line separator", Human("a<b>&c é 日本 \u2028 \\u2028"),
			`{"content":"a<b>&c é 日本 ` + "\u2028" + ` \\u2028","additional_kwargs":{},"response_metadata":{},"type":"human","name":null,"id":null,"example":false}`},
		{"extra keys after declared fields", Message{Type: SystemType, Content: "s", Extra: map[string]any{"example": false, "zz": "1", "content": "ignored"}},
			`{"content":"s","additional_kwargs":{},"response_metadata":{},"type":"system","name":null,"id":null,"example":false,"zz":"1"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.msg.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("\n got: %s\nwant: %s", got, tt.want)
			}
			// What we write must read back to the same bytes.
			var back Message
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("unmarshal own output: %v", err)
			}
			again, err := back.MarshalJSON()
			if err != nil || string(again) != tt.want {
				t.Errorf("re-marshal = %s, %v", again, err)
			}
		})
	}
}

func TestMessageMarshalUnknownType(t *testing.T) {
	for _, typ := range []MessageType{"", "HumanMessage", "developer"} {
		if _, err := (Message{Type: typ}).MarshalJSON(); err == nil {
			t.Errorf("type %q: want error", typ)
		}
		if _, err := (Message{Type: typ}).BaseJSON(); err == nil {
			t.Errorf("BaseJSON type %q: want error", typ)
		}
	}
}

func TestMessageBaseJSON(t *testing.T) {
	m := Message{Type: AIType, Content: "x", Example: true, ToolCalls: []ToolCall{{Name: "t"}}, ID: "i"}
	got, err := m.BaseJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"content":"x","additional_kwargs":{},"response_metadata":{},"type":"ai","name":null,"id":"i"}`
	if string(got) != want {
		t.Errorf("\n got: %s\nwant: %s", got, want)
	}
}

func TestMessageUnmarshal(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want Message
	}{
		{"minimal human", `{"type":"human","content":"hi"}`, Human("hi")},
		{"python full dump of a tool message",
			`{"content":"72F","additional_kwargs":{},"response_metadata":{},"type":"tool","name":null,"id":null,"tool_call_id":"call_1","artifact":null,"status":"success"}`,
			Message{Type: ToolType, Content: "72F", ToolCallID: "call_1", Status: "success"}},
		{"js human", `{"content":"hello","type":"human","additional_kwargs":{},"example":false}`,
			Message{Type: HumanType, Content: "hello"}},
		{"js generic is a chat message", `{"content":"hey","type":"generic","additional_kwargs":{},"role":"critic","example":false}`,
			Message{Type: ChatType, Content: "hey", Role: "critic", Extra: map[string]any{"example": false}}},
		{"js system keeps stray example as extra", `{"content":"s","type":"system","additional_kwargs":{},"example":false}`,
			Message{Type: SystemType, Content: "s", Extra: map[string]any{"example": false}}},
		{"js tool with numeric id", `{"content":"r","type":"tool","additional_kwargs":{},"tool_call_id":12}`,
			Message{Type: ToolType, Content: "r", ToolCallID: "12"}},
		{"function", `{"type":"function","content":"42","name":"calc"}`, Message{Type: FunctionType, Content: "42", Name: "calc"}},
		{"content list with a bare string", `{"type":"human","content":["a",{"type":"image_url","image_url":{"url":"u"}}]}`,
			Message{Type: HumanType, ContentBlocks: []map[string]any{{"type": "text", "text": "a"}, {"type": "image_url", "image_url": map[string]any{"url": "u"}}}}},
		{"empty content list stays a list", `{"type":"ai","content":[]}`, Message{Type: AIType, ContentBlocks: []map[string]any{}}},
		{"ai with tool calls without type tags", `{"type":"ai","content":"","tool_calls":[{"name":"f","args":{"a":1},"id":"c"}]}`,
			Message{Type: AIType, ToolCalls: []ToolCall{{Name: "f", Args: map[string]any{"a": 1.0}, ID: "c"}}}},
		{"ai with openai tool_calls in additional_kwargs",
			`{"type":"ai","content":"","additional_kwargs":{"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\": 1}"}},{"id":"c2","function":{"name":"g","arguments":"{oops"}}]}}`,
			Message{Type: AIType,
				AdditionalKwargs: map[string]any{"tool_calls": []any{
					map[string]any{"id": "c1", "type": "function", "function": map[string]any{"name": "f", "arguments": `{"a": 1}`}},
					map[string]any{"id": "c2", "function": map[string]any{"name": "g", "arguments": "{oops"}},
				}},
				ToolCalls:        []ToolCall{{Name: "f", Args: map[string]any{"a": 1.0}, ID: "c1"}},
				InvalidToolCalls: []InvalidToolCall{{Name: "g", Args: "{oops", ID: "c2"}},
			}},
		{"ai chunk derives tool calls from its chunks",
			`{"type":"AIMessageChunk","content":"","tool_call_chunks":[{"name":"f","args":"{\"city\": \"Par","id":"c","index":0},{"name":"g","args":"[1","id":"d","index":1}]}`,
			Message{Type: AIChunkType,
				ToolCallChunks:   []ToolCallChunk{{Name: "f", Args: `{"city": "Par`, ID: "c", Index: intp(0)}, {Name: "g", Args: "[1", ID: "d", Index: intp(1)}},
				ToolCalls:        []ToolCall{{Name: "f", Args: map[string]any{"city": "Par"}, ID: "c"}},
				InvalidToolCalls: []InvalidToolCall{{Name: "g", Args: "[1", ID: "d"}},
			}},
		{"ai chunk derives chunks from its tool calls",
			`{"type":"AIMessageChunk","content":"","tool_calls":[{"name":"f","args":{"q":"é"},"id":"c","type":"tool_call"}]}`,
			Message{Type: AIChunkType,
				ToolCalls:      []ToolCall{{Name: "f", Args: map[string]any{"q": "é"}, ID: "c"}},
				ToolCallChunks: []ToolCallChunk{{Name: "f", Args: `{"q": "\u00e9"}`, ID: "c"}},
			}},
		{"usage metadata with details", `{"type":"ai","content":"","usage_metadata":{"input_tokens":3,"output_tokens":4,"total_tokens":7,"input_token_details":{"cache_read":1,"audio":null}}}`,
			Message{Type: AIType, UsageMetadata: &UsageMetadata{InputTokens: 3, OutputTokens: 4, TotalTokens: 7, InputTokenDetails: map[string]int{"cache_read": 1}}}},
		{"numeric id is coerced", `{"type":"human","content":"x","id":7}`, Message{Type: HumanType, Content: "x", ID: "7"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got Message
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got: %#v\nwant: %#v", got, tt.want)
			}
		})
	}
}

func TestMessageUnmarshalErrors(t *testing.T) {
	for _, tt := range []struct {
		name, in, wantErr string
	}{
		{"not an object", `"hi"`, "message must be a JSON object"},
		{"array", `[1]`, "message must be a JSON object"},
		{"null", `null`, "message must be a JSON object"},
		{"missing type", `{"content":"hi"}`, `missing "type"`},
		{"type not a string", `{"type":1,"content":"hi"}`, "type must be a string"},
		{"class name is not a type tag", `{"type":"HumanMessage","content":"hi"}`, `unknown type "HumanMessage"`},
		{"unknown type", `{"type":"robot","content":"hi"}`, `unknown type "robot"`},
		{"missing content", `{"type":"human"}`, `human message: missing "content"`},
		{"null content", `{"type":"ai","content":null}`, `missing "content"`},
		{"numeric content", `{"type":"human","content":5}`, "content must be a string or a list"},
		{"bad content element", `{"type":"human","content":[1]}`, "content[0] must be a string or an object"},
		{"additional_kwargs not an object", `{"type":"human","content":"","additional_kwargs":[]}`, "additional_kwargs must be an object"},
		{"name not a string", `{"type":"human","content":"","name":1}`, "name must be a string"},
		{"example not a bool", `{"type":"human","content":"","example":"no"}`, "example must be a boolean"},
		{"tool without tool_call_id", `{"type":"tool","content":"x"}`, `missing "tool_call_id"`},
		{"tool bad status", `{"type":"tool","content":"x","tool_call_id":"c","status":"ok"}`, "status must be"},
		{"function without name", `{"type":"function","content":"x"}`, `missing "name"`},
		{"chat without role", `{"type":"chat","content":"x"}`, `missing "role"`},
		{"tool_calls not a list", `{"type":"ai","content":"","tool_calls":{}}`, "tool_calls must be a list"},
		{"tool call args not an object", `{"type":"ai","content":"","tool_calls":[{"name":"f","args":"x"}]}`, "args must be an object"},
		{"tool call wrong tag", `{"type":"ai","content":"","tool_calls":[{"name":"f","args":{},"type":"tool_call_chunk"}]}`, `type must be "tool_call"`},
		{"usage without totals", `{"type":"ai","content":"","usage_metadata":{"input_tokens":1}}`, "missing output_tokens"},
		{"usage not integral", `{"type":"ai","content":"","usage_metadata":{"input_tokens":1.5,"output_tokens":1,"total_tokens":2}}`, "want an integer"},
		{"chunk index not integral", `{"type":"AIMessageChunk","content":"","tool_call_chunks":[{"args":"","index":"a"}]}`, "index"},
		{"malformed json", `{"type":`, "unexpected end of JSON input"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			err := json.Unmarshal([]byte(tt.in), &m)
			if err == nil {
				t.Fatalf("want error containing %q, got message %#v", tt.wantErr, m)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestMessageText(t *testing.T) {
	for _, tt := range []struct {
		name string
		msg  Message
		want string
	}{
		{"string", AI("plain"), "plain"},
		{"blocks", Message{Type: AIType, Content: "ignored", ContentBlocks: []map[string]any{
			{"type": "text", "text": "a"}, {"type": "tool_use", "id": "x"}, {"type": "text", "text": "b"}, {"type": "text", "text": 3},
		}}, "ab"},
		{"empty blocks", Message{Type: AIType, ContentBlocks: []map[string]any{}}, ""},
	} {
		if got := tt.msg.Text(); got != tt.want {
			t.Errorf("%s: Text() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestToChunkToMessage(t *testing.T) {
	for base, chunk := range chunkOf {
		m := Message{Type: base, Content: "x"}
		if got := m.ToChunk(); got.Type != chunk || !got.IsChunk() {
			t.Errorf("%s.ToChunk() type %s", base, got.Type)
		}
		if got := m.ToChunk().ToMessage(); got.Type != base || got.IsChunk() {
			t.Errorf("%s round trip type %s", base, got.Type)
		}
		if got := m.ToMessage(); got.Type != base {
			t.Errorf("%s.ToMessage() changed a non-chunk to %s", base, got.Type)
		}
	}

	ai := Message{Type: AIType, ToolCalls: []ToolCall{{Name: "f", Args: map[string]any{"n": 1.0, "s": "a\"b"}, ID: "c"}},
		InvalidToolCalls: []InvalidToolCall{{Name: "g", Args: "oops", ID: "d"}}}
	chunk := ai.ToChunk()
	wantChunks := []ToolCallChunk{{Name: "f", Args: `{"n": 1, "s": "a\"b"}`, ID: "c"}, {Name: "g", Args: "oops", ID: "d"}}
	if !reflect.DeepEqual(chunk.ToolCallChunks, wantChunks) {
		t.Errorf("ToChunk tool call chunks = %#v", chunk.ToolCallChunks)
	}

	final := chunk.ToMessage()
	if final.Type != AIType || final.ToolCallChunks != nil {
		t.Errorf("ToMessage = %#v", final)
	}
	if !reflect.DeepEqual(final.ToolCalls, ai.ToolCalls) || !reflect.DeepEqual(final.InvalidToolCalls, ai.InvalidToolCalls) {
		t.Errorf("ToMessage tool calls = %#v / %#v", final.ToolCalls, final.InvalidToolCalls)
	}
	if got := mustMarshal(t, final); strings.Contains(got, "tool_call_chunks") {
		t.Errorf("final message still has chunks: %s", got)
	}
}

func TestToolCallJSONErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		dst  any
		in   string
	}{
		{"tool call not object", &ToolCall{}, `[]`},
		{"tool call chunk wrong tag", &ToolCallChunk{}, `{"type":"tool_call"}`},
		{"invalid tool call name not string", &InvalidToolCall{}, `{"name":3}`},
		{"usage not object", &UsageMetadata{}, `3`},
		{"usage details not object", &UsageMetadata{}, `{"input_tokens":1,"output_tokens":1,"total_tokens":2,"input_token_details":[1]}`},
		{"usage details value not int", &UsageMetadata{}, `{"input_tokens":1,"output_tokens":1,"total_tokens":2,"input_token_details":{"a":"b"}}`},
	} {
		if err := json.Unmarshal([]byte(tt.in), tt.dst); err == nil {
			t.Errorf("%s: want error", tt.name)
		}
	}
	var c InvalidToolCall
	if err := json.Unmarshal([]byte(`{"name":"n","args":"{","id":null,"error":"e","type":"invalid_tool_call"}`), &c); err != nil || c != (InvalidToolCall{Name: "n", Args: "{", Error: "e"}) {
		t.Errorf("invalid tool call = %#v, %v", c, err)
	}
}

func TestMarshal(t *testing.T) {
	v := map[string]any{"output": Message{Type: AIType, Content: "<b>&\u2028", AdditionalKwargs: map[string]any{"k": "<&>\u2029"}}, "n": []any{1, "é"}}
	got, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"n":[1,"é"],"output":{"content":"<b>&` + "\u2028" + `","additional_kwargs":{"k":"<&>` + "\u2029" + `"},"response_metadata":{},"type":"ai","name":null,"id":null,"example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null}}`
	if string(got) != want {
		t.Errorf("\n got: %s\nwant: %s", got, want)
	}
	if _, err := Marshal(Message{Type: "nope"}); err == nil {
		t.Error("want error for an unknown message type")
	}
	if _, err := Marshal(func() {}); err == nil {
		t.Error("want error for a func")
	}
}

func TestNoHTMLEscapeThroughEncoder(t *testing.T) {
	// Other packages embed messages in larger values; with an encoder that
	// has HTML escaping off, nested maps must not be escaped either.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"output": Message{Type: AIType, AdditionalKwargs: map[string]any{"k": "<&>"}}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"k":"<&>"`) {
		t.Errorf("escaped: %s", buf.String())
	}
}

// Decoding arbitrary bytes must never panic, and whatever decodes must
// encode and decode again to the same message.
func FuzzMessageUnmarshal(f *testing.F) {
	f.Add(readGolden(f, "golden_ai_message.json")[0])
	f.Add(`{"type":"AIMessageChunk","content":[{"type":"text","text":"a","index":0}],"tool_call_chunks":[{"args":"{\"a","index":0}]}`)
	f.Add(`{"type":"tool","content":"x","tool_call_id":1,"artifact":[1],"status":"error","extra":{"k":null}}`)
	f.Add(`{"type":"ai","content":"","additional_kwargs":{"tool_calls":[{"function":{"name":"f","arguments":"{"}}]}}`)
	f.Fuzz(func(t *testing.T, s string) {
		var m Message
		if json.Unmarshal([]byte(s), &m) != nil {
			return
		}
		b, err := m.MarshalJSON()
		if err != nil {
			t.Fatalf("decoded %q but cannot encode it: %v", s, err)
		}
		var back Message
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("cannot decode own output %s: %v", b, err)
		}
		b2, err := back.MarshalJSON()
		if err != nil || !bytes.Equal(b, b2) {
			t.Errorf("not stable:\n%s\n%s", b, b2)
		}
	})
}
