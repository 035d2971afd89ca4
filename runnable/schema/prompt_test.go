package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDocumentJSON(t *testing.T) {
	golden := readGolden(t, "golden_documents.json")[0]
	var docs []Document
	if err := json.Unmarshal([]byte(golden), &docs); err != nil {
		t.Fatal(err)
	}
	want := []Document{{PageContent: "cats like to sleep", Metadata: map[string]any{"id": 1.0, "source": "a"}}}
	if !reflect.DeepEqual(docs, want) {
		t.Errorf("got %#v", docs)
	}
	if got := mustMarshal(t, docs); got != golden {
		t.Errorf("round trip\n got: %s\nwant: %s", got, golden)
	}

	for _, tt := range []struct {
		doc  Document
		want string
	}{
		{Document{PageContent: "foo", Metadata: map[string]any{"a": "b"}}, `{"id":null,"metadata":{"a":"b"},"page_content":"foo","type":"Document"}`},
		{Document{ID: "d1", PageContent: "<é>"}, `{"id":"d1","metadata":{},"page_content":"<é>","type":"Document"}`},
	} {
		if got, err := Marshal(tt.doc); err != nil || string(got) != tt.want {
			t.Errorf("got %s, %v; want %s", got, err, tt.want)
		}
	}

	var d Document
	if err := json.Unmarshal([]byte(`{"page_content":"x","id":5}`), &d); err != nil || !reflect.DeepEqual(d, Document{ID: "5", PageContent: "x"}) {
		t.Errorf("minimal document = %#v, %v", d, err)
	}
	for _, tt := range []struct{ in, wantErr string }{
		{`[]`, "document must be a JSON object"},
		{`{"metadata":{}}`, `missing "page_content"`},
		{`{"page_content":1}`, "page_content must be a string"},
		{`{"page_content":"x","metadata":"m"}`, "metadata must be an object"},
		{`{"page_content":"x","type":"Doc"}`, `type must be "Document"`},
	} {
		err := json.Unmarshal([]byte(tt.in), &d)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestPromptValueJSON(t *testing.T) {
	golden := readGolden(t, "golden_chat_prompt_value.json")[0]
	var p PromptValue
	if err := json.Unmarshal([]byte(golden), &p); err != nil {
		t.Fatal(err)
	}
	if want := ChatPrompt(Human("Translate to French: hello")); !reflect.DeepEqual(p, want) {
		t.Errorf("got %#v", p)
	}
	if got := mustMarshal(t, p); got != golden {
		t.Errorf("round trip\n got: %s\nwant: %s", got, golden)
	}

	for _, tt := range []struct {
		name string
		p    PromptValue
		want string
	}{
		{"string", StringPrompt("say cat"), `{"text":"say cat","type":"StringPromptValue"}`},
		{"empty chat", ChatPrompt(), `{"messages":[]}`},
		{"chat messages in base form",
			ChatPrompt(System("s"), Message{Type: AIType, Content: "a", ToolCalls: []ToolCall{{Name: "f"}}}),
			`{"messages":[{"content":"s","additional_kwargs":{},"response_metadata":{},"type":"system","name":null,"id":null},` +
				`{"content":"a","additional_kwargs":{},"response_metadata":{},"type":"ai","name":null,"id":null}]}`},
	} {
		if got := mustMarshal(t, tt.p); got != tt.want {
			t.Errorf("%s:\n got: %s\nwant: %s", tt.name, got, tt.want)
		}
	}
	if _, err := json.Marshal(ChatPrompt(Message{Type: "bogus"})); err == nil {
		t.Error("want error for a message of unknown type")
	}
}

func TestPromptValueUnmarshal(t *testing.T) {
	full := `{"content":"hi","additional_kwargs":{},"response_metadata":{},"type":"human","name":null,"id":null,"example":false}`
	for _, tt := range []struct {
		name string
		in   string
		want PromptValue
	}{
		{"json string", `"tell me a joke"`, StringPrompt("tell me a joke")},
		{"text object", `{"text":"x"}`, StringPrompt("x")},
		{"string prompt value", `{"text":"x","type":"StringPromptValue"}`, StringPrompt("x")},
		{"list of messages", `[` + full + `,{"type":"ai","content":"yo"}]`, ChatPrompt(Human("hi"), AI("yo"))},
		{"empty list", `[]`, ChatPrompt()},
		{"messages object", `{"messages":[` + full + `]}`, ChatPrompt(Human("hi"))},
		{"chat prompt value concrete", `{"messages":[` + full + `],"type":"ChatPromptValueConcrete"}`, ChatPrompt(Human("hi"))},
		{"chat prompt value", `{"messages":[],"type":"ChatPromptValue"}`, ChatPrompt()},
		{"message-like forms", `["hi",["assistant","yo"],{"role":"system","content":"s"},{"role":"developer","content":"d"},["user",[{"type":"text","text":"t"}]]]`,
			ChatPrompt(Human("hi"), AI("yo"), System("s"),
				Message{Type: SystemType, Content: "d", AdditionalKwargs: map[string]any{"__openai_role__": "developer"}},
				Message{Type: HumanType, ContentBlocks: []map[string]any{{"type": "text", "text": "t"}}})},
		{"role tool", `[{"role":"tool","content":"r","tool_call_id":"c"}]`, ChatPrompt(Tool("r", "c"))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got PromptValue
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got: %#v\nwant: %#v", got, tt.want)
			}
		})
	}
}

func TestPromptValueUnmarshalErrors(t *testing.T) {
	for _, tt := range []struct{ in, wantErr string }{
		{`5`, "prompt value must be a string, a list of messages or an object"},
		{`null`, "prompt value must be"},
		{`{}`, `needs "text" or "messages"`},
		{`{"text":1}`, "text must be a string"},
		{`{"type":"StringPromptValue"}`, `missing "text"`},
		{`{"type":"ChatPromptValueConcrete"}`, `missing "messages"`},
		{`{"messages":"x"}`, "want a list of messages"},
		{`{"type":"Other","text":"x"}`, `unknown type "Other"`},
		{`[{"type":"human"}]`, `[0]: human message: missing "content"`},
		{`[{"content":"x"}]`, `[0]: message: missing "type"`},
		{`["a",{"type":"HumanMessage","content":"x"}]`, `[1]: message: unknown type "HumanMessage"`},
		{`[["robot","x"]]`, `unknown message role "robot"`},
		{`[["human"]]`, "[role, content] pair"},
		{`[1]`, "a message must be an object"},
	} {
		var p PromptValue
		err := json.Unmarshal([]byte(tt.in), &p)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestPromptValueStringAndMessages(t *testing.T) {
	chat := ChatPrompt(
		System("Be terse."),
		Human("hi"),
		AI("hello"),
		Message{Type: AIType, Content: "calling", AdditionalKwargs: map[string]any{"function_call": map[string]any{"name": "f", "arguments": "{}"}}},
		Message{Type: FunctionType, Name: "f", Content: "42"},
		Tool("72F", "c"),
		Message{Type: ChatType, Role: "critic", Content: "meh"},
		Message{Type: AIChunkType, ContentBlocks: []map[string]any{{"type": "text", "text": "blocks"}}},
	)
	want := "System: Be terse.\nHuman: hi\nAI: hello\nAI: calling{'arguments': '{}', 'name': 'f'}\nFunction: 42\nTool: 72F\ncritic: meh\nAI: blocks"
	if got := chat.String(); got != want {
		t.Errorf("String()\n got: %q\nwant: %q", got, want)
	}
	if got := StringPrompt("plain").String(); got != "plain" {
		t.Errorf("string prompt String() = %q", got)
	}
	if got := StringPrompt("q").ToMessages(); !reflect.DeepEqual(got, []Message{Human("q")}) {
		t.Errorf("ToMessages = %#v", got)
	}
	msgs := chat.ToMessages()
	msgs[0] = Human("changed")
	if chat.Messages[0].Type != SystemType {
		t.Error("ToMessages must return a copy")
	}
}

func TestChatGenerationJSON(t *testing.T) {
	g := ChatGeneration{Message: AI("hi"), GenerationInfo: map[string]any{"finish_reason": "stop"}}
	want := `{"text":"hi","generation_info":{"finish_reason":"stop"},"type":"ChatGeneration","message":` + mustMarshal(t, AI("hi")) + `}`
	if got := mustMarshal(t, g); got != want {
		t.Errorf("\n got: %s\nwant: %s", got, want)
	}
	var back ChatGeneration
	if err := json.Unmarshal([]byte(want), &back); err != nil {
		t.Fatal(err)
	}
	if back.Text != "hi" || back.Chunk || !reflect.DeepEqual(back.Message, AI("hi")) || back.GenerationInfo["finish_reason"] != "stop" {
		t.Errorf("back = %#v", back)
	}
	for _, tt := range []struct{ in, wantErr string }{
		{`{"text":"x"}`, `missing "message"`},
		{`{"message":{"type":"ai","content":"x"},"type":"Generation"}`, "type must be"},
		{`{"message":{"type":"ai"}}`, `missing "content"`},
		{`{"generations":1}`, `missing "message"`},
	} {
		if err := json.Unmarshal([]byte(tt.in), &back); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want %q", tt.in, err, tt.wantErr)
		}
	}

	var r LLMResult
	if got := mustMarshal(t, LLMResult{}); got != `{"generations":[],"llm_output":null,"run":null,"type":"LLMResult"}` {
		t.Errorf("empty LLMResult = %s", got)
	}
	if got := mustMarshal(t, LLMResult{Generations: [][]ChatGeneration{nil}, LLMOutput: map[string]any{"m": 1}}); got != `{"generations":[[]],"llm_output":{"m":1},"run":null,"type":"LLMResult"}` {
		t.Errorf("LLMResult = %s", got)
	}
	for _, in := range []string{`{}`, `{"generations":{}}`, `{"generations":[],"type":"X"}`} {
		if err := json.Unmarshal([]byte(in), &r); err == nil {
			t.Errorf("%s: want error", in)
		}
	}
}
