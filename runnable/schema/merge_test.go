package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Folding the fifteen streamed chunks of the reference server must give,
// byte for byte, the aggregated AIMessageChunk it reported in the same run.
func TestConcatGoldenStream(t *testing.T) {
	var chunks []Message
	for _, line := range readGolden(t, "golden_stream_chunks.jsonl") {
		var m Message
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, m)
	}
	var result struct {
		Generations [][]struct {
			Message json.RawMessage `json:"message"`
		} `json:"generations"`
	}
	golden := readGolden(t, "golden_llm_result.json")[0]
	if err := json.Unmarshal([]byte(golden), &result); err != nil {
		t.Fatal(err)
	}
	want := string(result.Generations[0][0].Message)

	acc := chunks[0]
	var anyAcc any = chunks[0]
	for _, c := range chunks[1:] {
		var err error
		if acc, err = acc.Add(c); err != nil {
			t.Fatal(err)
		}
		var ok bool
		if anyAcc, ok = Concat(anyAcc, c); !ok {
			t.Fatal("Concat refused two AIMessageChunks")
		}
	}
	if got := mustMarshal(t, acc); got != want {
		t.Errorf("Add fold\n got: %s\nwant: %s", got, want)
	}
	if got := mustMarshal(t, anyAcc); got != want {
		t.Errorf("Concat fold\n got: %s\nwant: %s", got, want)
	}

	// The LLMResult around it round-trips too.
	var llm LLMResult
	if err := json.Unmarshal([]byte(golden), &llm); err != nil {
		t.Fatal(err)
	}
	if got := mustMarshal(t, llm); got != golden {
		t.Errorf("LLMResult round trip\n got: %s\nwant: %s", got, golden)
	}
	if got := mustMarshal(t, LLMResult{Generations: [][]ChatGeneration{{{Message: acc, Chunk: true}}}}); got != golden {
		t.Errorf("LLMResult from the folded chunk\n got: %s\nwant: %s", got, golden)
	}
}

func chunkWith(f func(*Message)) Message {
	m := Message{Type: AIChunkType}
	f(&m)
	return m
}

func TestAddAIChunks(t *testing.T) {
	for _, tt := range []struct {
		name   string
		chunks []Message
		want   Message
	}{
		{"text", []Message{AIChunk("Hel"), AIChunk("lo"), AIChunk("")}, AIChunk("Hello")},
		{"empty string then blocks",
			[]Message{AIChunk(""), chunkWith(func(m *Message) { m.ContentBlocks = []map[string]any{{"type": "text", "text": "Hi", "index": 0.0}} })},
			chunkWith(func(m *Message) { m.ContentBlocks = []map[string]any{{"type": "text", "text": "Hi", "index": 0.0}} })},
		{"string then blocks",
			[]Message{AIChunk("pre"), chunkWith(func(m *Message) { m.ContentBlocks = []map[string]any{{"type": "image"}} })},
			chunkWith(func(m *Message) {
				m.ContentBlocks = []map[string]any{{"type": "text", "text": "pre"}, {"type": "image"}}
			})},
		{"blocks merged by index, type kept once",
			[]Message{
				chunkWith(func(m *Message) { m.ContentBlocks = []map[string]any{{"type": "text", "text": "Hel", "index": 0.0}} }),
				chunkWith(func(m *Message) { m.ContentBlocks = []map[string]any{{"type": "text", "text": "lo", "index": 0.0}} }),
				chunkWith(func(m *Message) {
					m.ContentBlocks = []map[string]any{{"type": "tool_use", "index": 1.0, "id": "t1", "name": "f", "input": map[string]any{}, "partial_json": `{"a"`}}
				}),
				chunkWith(func(m *Message) {
					m.ContentBlocks = []map[string]any{{"type": "input_json_delta", "index": 1.0, "partial_json": `: 1}`}}
				}),
				AIChunk(""),
				AIChunk("!"),
			},
			chunkWith(func(m *Message) {
				m.ContentBlocks = []map[string]any{
					{"type": "text", "text": "Hello", "index": 0.0},
					{"type": "tool_use", "index": 1.0, "id": "t1", "name": "f", "input": map[string]any{}, "partial_json": `{"a": 1}`},
					{"type": "text", "text": "!"},
				}
			})},
		{"additional kwargs merged recursively",
			[]Message{
				chunkWith(func(m *Message) {
					m.AdditionalKwargs = map[string]any{"function_call": map[string]any{"name": "f", "arguments": `{"a"`}, "n": 1.0, "index": 1.0, "id": "x", "later": nil, "flag": true}
				}),
				chunkWith(func(m *Message) {
					m.AdditionalKwargs = map[string]any{"function_call": map[string]any{"name": nil, "arguments": `: 1}`}, "n": 2.0, "index": 2.0, "id": "x", "later": "v", "flag": true, "new": []any{"a"}}
				}),
				chunkWith(func(m *Message) { m.AdditionalKwargs = map[string]any{"new": []any{"b"}, "later": nil} }),
			},
			chunkWith(func(m *Message) {
				m.AdditionalKwargs = map[string]any{"function_call": map[string]any{"name": "f", "arguments": `{"a": 1}`}, "n": 3.0, "index": 2.0, "id": "x", "later": "v", "flag": true, "new": []any{"a", "b"}}
			})},
		{"response metadata: equal strings concatenate except ids and providers",
			[]Message{
				chunkWith(func(m *Message) {
					m.ResponseMetadata = map[string]any{"model_name": "gpt", "model_provider": "openai", "created": 5.0}
				}),
				chunkWith(func(m *Message) {
					m.ResponseMetadata = map[string]any{"model_name": "gpt", "model_provider": "openai", "finish_reason": "stop", "created": 6.0}
				}),
			},
			chunkWith(func(m *Message) {
				m.ResponseMetadata = map[string]any{"model_name": "gptgpt", "model_provider": "openai", "finish_reason": "stop", "created": 6.0}
			})},
		{"tool call chunks with split args",
			[]Message{
				chunkWith(func(m *Message) {
					m.ToolCallChunks = []ToolCallChunk{{Name: "get_weather", ID: "call_1", Index: intp(0)}}
				}),
				chunkWith(func(m *Message) { m.ToolCallChunks = []ToolCallChunk{{Args: `{"ci`, Index: intp(0)}} }),
				chunkWith(func(m *Message) {
					m.ToolCallChunks = []ToolCallChunk{{Name: "search", ID: "call_2", Args: `{"q": "go`, Index: intp(1)}}
				}),
				chunkWith(func(m *Message) { m.ToolCallChunks = []ToolCallChunk{{Args: `ty": "Paris"}`, Index: intp(0)}} }),
			},
			chunkWith(func(m *Message) {
				m.ToolCallChunks = []ToolCallChunk{
					{Name: "get_weather", ID: "call_1", Args: `{"city": "Paris"}`, Index: intp(0)},
					{Name: "search", ID: "call_2", Args: `{"q": "go`, Index: intp(1)},
				}
				m.ToolCalls = []ToolCall{
					{Name: "get_weather", Args: map[string]any{"city": "Paris"}, ID: "call_1"},
					{Name: "search", Args: map[string]any{"q": "go"}, ID: "call_2"},
				}
			})},
		{"same index with different ids is not merged; unindexed chunks append",
			[]Message{
				chunkWith(func(m *Message) {
					m.ToolCallChunks = []ToolCallChunk{{Name: "a", ID: "c1", Args: "{}", Index: intp(0)}}
				}),
				chunkWith(func(m *Message) {
					m.ToolCallChunks = []ToolCallChunk{{Name: "b", ID: "c2", Args: "[]", Index: intp(0)}, {Name: "c", Args: "{}"}}
				}),
			},
			chunkWith(func(m *Message) {
				m.ToolCallChunks = []ToolCallChunk{{Name: "a", ID: "c1", Args: "{}", Index: intp(0)}, {Name: "b", ID: "c2", Args: "[]", Index: intp(0)}, {Name: "c", Args: "{}"}}
				m.ToolCalls = []ToolCall{{Name: "a", Args: map[string]any{}, ID: "c1"}, {Name: "c", Args: map[string]any{}}}
				m.InvalidToolCalls = []InvalidToolCall{{Name: "b", Args: "[]", ID: "c2"}}
			})},
		{"usage metadata added",
			[]Message{
				chunkWith(func(m *Message) {
					m.UsageMetadata = &UsageMetadata{InputTokens: 1, OutputTokens: 2, TotalTokens: 3, InputTokenDetails: map[string]int{"cache_read": 1}}
				}),
				AIChunk(""),
				chunkWith(func(m *Message) {
					m.UsageMetadata = &UsageMetadata{InputTokens: 4, OutputTokens: 5, TotalTokens: 9, OutputTokenDetails: map[string]int{"reasoning": 2}}
				}),
			},
			chunkWith(func(m *Message) {
				m.UsageMetadata = &UsageMetadata{InputTokens: 5, OutputTokens: 7, TotalTokens: 12,
					InputTokenDetails: map[string]int{"cache_read": 1}, OutputTokenDetails: map[string]int{"reasoning": 2}}
			})},
		{"provider id preferred over run id",
			[]Message{chunkWith(func(m *Message) { m.ID = "run-abc" }), chunkWith(func(m *Message) { m.ID = "chatcmpl-1" }), chunkWith(func(m *Message) { m.ID = "chatcmpl-2" })},
			chunkWith(func(m *Message) { m.ID = "chatcmpl-1" })},
		{"run id when nothing else",
			[]Message{AIChunk(""), chunkWith(func(m *Message) { m.ID = "run-x" }), chunkWith(func(m *Message) { m.ID = "run-y" })},
			chunkWith(func(m *Message) { m.ID = "run-x" })},
		{"name and example kept",
			[]Message{chunkWith(func(m *Message) { m.Example = true }), chunkWith(func(m *Message) { m.Name = "bot"; m.Example = true })},
			chunkWith(func(m *Message) { m.Name = "bot"; m.Example = true })},
		{"openai tool_calls in additional_kwargs become tool call chunks",
			[]Message{
				chunkWith(func(m *Message) {
					m.AdditionalKwargs = map[string]any{"tool_calls": []any{map[string]any{"index": 0.0, "id": "c", "function": map[string]any{"name": "f", "arguments": `{"x":`}}}}
				}),
				chunkWith(func(m *Message) {
					m.AdditionalKwargs = map[string]any{"tool_calls": []any{map[string]any{"index": 0.0, "function": map[string]any{"arguments": ` 2}`}}}}
				}),
			},
			chunkWith(func(m *Message) {
				m.AdditionalKwargs = map[string]any{"tool_calls": []any{map[string]any{"index": 0.0, "id": "c", "function": map[string]any{"name": "f", "arguments": `{"x": 2}`}}}}
				m.ToolCallChunks = []ToolCallChunk{{Name: "f", Args: `{"x": 2}`, ID: "c", Index: intp(0)}}
				m.ToolCalls = []ToolCall{{Name: "f", Args: map[string]any{"x": 2.0}, ID: "c"}}
			})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := mustMarshal(t, tt.chunks)
			acc := tt.chunks[0]
			for _, c := range tt.chunks[1:] {
				var err error
				if acc, err = acc.Add(c); err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(acc, tt.want) {
				t.Errorf("\n got: %#v\nwant: %#v", acc, tt.want)
			}
			// Lenient Concat agrees when nothing conflicts.
			lenient := tt.chunks[0]
			for _, c := range tt.chunks[1:] {
				lenient = lenient.Concat(c)
			}
			if !reflect.DeepEqual(lenient, tt.want) {
				t.Errorf("Concat\n got: %#v\nwant: %#v", lenient, tt.want)
			}
			if after := mustMarshal(t, tt.chunks); after != before {
				t.Errorf("operands were modified:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestAddOtherChunkClasses(t *testing.T) {
	for _, tt := range []struct {
		name string
		a, b Message
		want Message
	}{
		{"human chunks", Message{Type: HumanChunkType, Content: "a", ID: "h1"}, Message{Type: HumanChunkType, Content: "b", ID: "h2"},
			Message{Type: HumanChunkType, Content: "ab", ID: "h1"}},
		{"chat chunks", Message{Type: ChatChunkType, Content: "a", Role: "r"}, Message{Type: ChatChunkType, Content: "b", Role: "r", ID: "x"},
			Message{Type: ChatChunkType, Content: "ab", Role: "r", ID: "x"}},
		{"tool chunks: error status wins, artifacts merge", Message{Type: ToolChunkType, Content: "a", ToolCallID: "c", Artifact: map[string]any{"log": "x"}},
			Message{Type: ToolChunkType, Content: "b", ToolCallID: "c", Status: "error", Artifact: map[string]any{"log": "y", "n": 1.0}},
			Message{Type: ToolChunkType, Content: "ab", ToolCallID: "c", Status: "error", Artifact: map[string]any{"log": "xy", "n": 1.0}}},
		{"tool chunks: success", Message{Type: ToolChunkType, ToolCallID: "c", Artifact: "a"}, Message{Type: ToolChunkType, ToolCallID: "c"},
			Message{Type: ToolChunkType, ToolCallID: "c", Status: "success", Artifact: "a"}},
		{"mixed classes keep the left class", Message{Type: SystemChunkType, Content: "a"}, AIChunk("b"),
			Message{Type: SystemChunkType, Content: "ab"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.a.Add(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got: %#v\nwant: %#v", got, tt.want)
			}
		})
	}
}

func TestAddErrorsAndLenientConcat(t *testing.T) {
	for _, tt := range []struct {
		name    string
		a, b    Message
		wantErr string
		lenient Message // what Concat makes of it
	}{
		{"non-chunk", AI("a"), AI("b"), "only message chunks can be added", AIChunk("ab")},
		{"unknown type", Message{Type: "x"}, AI("b"), "only message chunks", AIChunk("b")},
		{"unknown type on the right", AI("a"), Message{Type: "x", Content: "b"}, "only message chunks", AIChunk("a")},
		{"example differs", chunkWith(func(m *Message) { m.Example = true }), AIChunk("b"), "different example",
			chunkWith(func(m *Message) { m.Example = true; m.Content = "b" })},
		{"role differs", Message{Type: ChatChunkType, Role: "a"}, Message{Type: ChatChunkType, Role: "b"}, "different role",
			Message{Type: ChatChunkType, Role: "a"}},
		{"function name differs", Message{Type: FunctionChunkType, Name: "f"}, Message{Type: FunctionChunkType, Name: "g"}, "different name",
			Message{Type: FunctionChunkType, Name: "f"}},
		{"tool_call_id differs", Message{Type: ToolChunkType, ToolCallID: "1"}, Message{Type: ToolChunkType, ToolCallID: "2"}, "different tool_call_id",
			Message{Type: ToolChunkType, ToolCallID: "1", Status: "success"}},
		{"metadata type conflict",
			chunkWith(func(m *Message) { m.ResponseMetadata = map[string]any{"k": "s"} }),
			chunkWith(func(m *Message) { m.ResponseMetadata = map[string]any{"k": 1.0} }),
			`response_metadata: key "k" already exists with a different type`,
			chunkWith(func(m *Message) { m.ResponseMetadata = map[string]any{"k": 1.0} })},
		{"unmergeable floats",
			chunkWith(func(m *Message) { m.AdditionalKwargs = map[string]any{"t": 0.5} }),
			chunkWith(func(m *Message) { m.AdditionalKwargs = map[string]any{"t": 0.25} }),
			`key "t" already exists`,
			chunkWith(func(m *Message) { m.AdditionalKwargs = map[string]any{"t": 0.25} })},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.a.Add(tt.b)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Add error = %v, want it to contain %q", err, tt.wantErr)
			}
			if _, ok := Concat(tt.a, tt.b); ok {
				t.Error("package Concat accepted it")
			}
			if got := tt.a.Concat(tt.b); !reflect.DeepEqual(got, tt.lenient) {
				t.Errorf("Concat\n got: %#v\nwant: %#v", got, tt.lenient)
			}
		})
	}
}

func TestConcatAny(t *testing.T) {
	docs1, docs2 := []Document{{PageContent: "a"}}, []Document{{PageContent: "b"}}
	for _, tt := range []struct {
		name   string
		a, b   any
		want   any
		wantOK bool
	}{
		{"strings", "Bon", "jour", "Bonjour", true},
		{"message chunks", AIChunk("a"), AIChunk("b"), AIChunk("ab"), true},
		{"final messages", AI("a"), AI("b"), nil, false},
		{"addable dict",
			map[string]any{"a": "x", "n": 1, "m": nil, "keep": 1, "msg": AIChunk("h")},
			map[string]any{"a": "y", "n": 2, "m": "set", "new": true, "keep": nil, "msg": AIChunk("i")},
			map[string]any{"a": "xy", "n": 3, "m": "set", "keep": 1, "new": true, "msg": AIChunk("hi")}, true},
		{"addable dict: right wins when values cannot be added", map[string]any{"x": "s", "d": Document{}}, map[string]any{"x": 1, "d": Document{PageContent: "p"}},
			map[string]any{"x": 1, "d": Document{PageContent: "p"}}, true},
		{"nested dicts", map[string]any{"o": map[string]any{"t": "a"}}, map[string]any{"o": map[string]any{"t": "b"}},
			map[string]any{"o": map[string]any{"t": "ab"}}, true},
		{"lists", []any{1.0, "a"}, []any{map[string]any{}}, []any{1.0, "a", map[string]any{}}, true},
		{"typed slices", []string{"a"}, []string{"b", "c"}, []string{"a", "b", "c"}, true},
		{"documents", docs1, docs2, []Document{{PageContent: "a"}, {PageContent: "b"}}, true},
		{"ints", 1, 2, 3, true},
		{"floats", 1.5, 2.0, 3.5, true},
		{"chat generation chunks",
			ChatGeneration{Message: AIChunk("a"), Chunk: true, GenerationInfo: map[string]any{"k": "x"}},
			ChatGeneration{Message: AIChunk("b"), Chunk: true, GenerationInfo: map[string]any{"k": "y"}},
			ChatGeneration{Text: "ab", Message: AIChunk("ab"), Chunk: true, GenerationInfo: map[string]any{"k": "xy"}}, true},
		{"final chat generations", ChatGeneration{Message: AIChunk("a")}, ChatGeneration{Message: AIChunk("b")}, nil, false},
		{"int and float", 1, 2.0, nil, false},
		{"string and number", "a", 1, nil, false},
		{"string and message", "a", AIChunk("b"), nil, false},
		{"nil left", nil, "a", nil, false},
		{"nil right", "a", nil, nil, false},
		{"documents are not addable", Document{}, Document{}, nil, false},
		{"different slice types", []string{"a"}, []any{"b"}, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Concat(tt.a, tt.b)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v (got %#v)", ok, tt.wantOK, got)
			}
			if ok && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got: %#v\nwant: %#v", got, tt.want)
			}
		})
	}
	if len(docs1) != 1 || docs1[0].PageContent != "a" {
		t.Errorf("left slice modified: %v", docs1)
	}
}

// Go callers put their own types into metadata; they merge like their JSON
// counterparts.
func TestMergeDictsGoValues(t *testing.T) {
	left := map[string]any{"tags": []string{"a"}, "m": map[string]string{"x": "1"}, "n": 1, "i64": int64(2), "same": 0.5, "u": uint(1)}
	right := map[string]any{"tags": []string{"b"}, "m": map[string]string{"x": "2", "y": "3"}, "n": 2, "i64": int64(3), "same": 0.5, "u": uint(2)}
	got, err := mergeDicts(left, right, true)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"tags": []any{"a", "b"}, "m": map[string]any{"x": "12", "y": "3"}, "n": 3, "i64": int64(5), "same": 0.5, "u": uint(3)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got: %#v\nwant: %#v", got, want)
	}
	if _, err := mergeDicts(map[string]any{"b": true}, map[string]any{"b": 1}, true); err == nil {
		t.Error("bool and number must not merge")
	}
	if _, err := mergeDicts(map[string]any{"b": true}, map[string]any{"b": false}, true); err == nil {
		t.Error("different bools must not merge")
	}
}

func TestMergeObj(t *testing.T) {
	for _, tt := range []struct {
		name    string
		a, b    any
		want    any
		wantErr bool
	}{
		{"nil left", nil, "x", "x", false},
		{"nil right", []any{1.0}, nil, []any{1.0}, false},
		{"lists", []any{1.0}, []any{2.0}, []any{1.0, 2.0}, false},
		{"equal numbers", 2.0, 2.0, 2.0, false},
		{"different numbers", 2.0, 3.0, nil, true},
		{"different types", "a", 1.0, nil, true},
	} {
		got, err := mergeObj(tt.a, tt.b, true)
		if (err != nil) != tt.wantErr || (!tt.wantErr && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("%s: got %#v, %v", tt.name, got, err)
		}
		if tt.wantErr {
			if got, _ := mergeObj(tt.a, tt.b, false); !reflect.DeepEqual(got, tt.b) {
				t.Errorf("%s lenient: got %#v, want the right value", tt.name, got)
			}
		}
	}
}

func TestOpenAIToolCallsInAdditionalKwargs(t *testing.T) {
	for _, tt := range []struct {
		name        string
		kwargsCalls string
		wantCalls   []ToolCall
		wantInvalid []InvalidToolCall
	}{
		{"raw newline inside a string is accepted as Python's strict=False does",
			`[{"id":"c","function":{"name":"f","arguments":"{\"a\": \"x\ny\"}"}}]`,
			[]ToolCall{{Name: "f", Args: map[string]any{"a": "x\ny"}, ID: "c"}}, nil},
		{"entries without function are skipped; empty arguments object",
			`[{"id":"x"},{"id":"c","function":{"name":null,"arguments":"null"}}]`,
			[]ToolCall{{Args: map[string]any{}, ID: "c"}}, nil},
		{"non-object arguments are invalid",
			`[{"id":"c","function":{"name":"f","arguments":"[1]"}}]`,
			nil, []InvalidToolCall{{Name: "f", Args: "[1]", ID: "c"}}},
		{"arguments that are not a string abandon the parse", `[{"id":"c","function":{"name":"f","arguments":{}}}]`, nil, nil},
		{"an entry that is not an object abandons the parse", `[1,{"id":"c","function":{"name":"f","arguments":"{}"}}]`, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.ReplaceAll(`{"type":"ai","content":"","additional_kwargs":{"tool_calls":CALLS}}`, "CALLS", tt.kwargsCalls)
			in = strings.ReplaceAll(in, "\n", `\n`)
			var m Message
			if err := json.Unmarshal([]byte(in), &m); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m.ToolCalls, tt.wantCalls) || !reflect.DeepEqual(m.InvalidToolCalls, tt.wantInvalid) {
				t.Errorf("got %#v / %#v", m.ToolCalls, m.InvalidToolCalls)
			}
		})
	}
}
