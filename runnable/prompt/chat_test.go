package prompt_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

// The /chat route of the reference server (golden/README.md).
func translatePrompt() *prompt.ChatTemplate {
	return prompt.MustChat(prompt.Human("Translate to {language}: {text}"))
}

func TestChatGolden(t *testing.T) {
	p := translatePrompt()
	in, err := p.InputSchema(runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// Body of golden/chat__input_schema.txt.
	assertJSON(t, in, `{"properties":{"language":{"title":"Language","type":"string"},"text":{"title":"Text","type":"string"}},"required":["language","text"],"title":"PromptInput","type":"object"}`)

	out, err := p.Invoke(t.Context(), map[string]any{"language": "French", "text": "hello"})
	if err != nil {
		t.Fatal(err)
	}
	// The on_prompt_end output of golden/chat__stream_events.txt.
	assertJSON(t, out, `{"messages":[{"content":"Translate to French: hello","additional_kwargs":{},"response_metadata":{},"type":"human","name":null,"id":null}]}`)

	os, err := p.OutputSchema(runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutputSchema(t, os, "ChatPromptTemplateOutput")
}

func TestChatFormat(t *testing.T) {
	history := []schema.Message{schema.Human("hi"), schema.AI("hello, {not a var}")}
	want := []schema.Message{
		{Type: schema.SystemType, Content: "You are Ada, a helpful bot."},
		schema.Human("hi"),
		schema.AI("hello, {not a var}"),
		{Type: schema.HumanType, Content: "What is 2+2? {literal}"},
		{Type: schema.AIType, Content: "Let me think about 3."},
		{Type: schema.ChatType, Role: "critic", Content: "Ada: be brief"},
	}
	for _, tt := range []struct {
		name    string
		history any
	}{
		{"[]schema.Message", history},
		{"[]any of schema.Message", []any{history[0], history[1]}},
		{"message maps from JSON", decodeJSON(t, `[{"type":"human","content":"hi"},{"content":"hello, {not a var}","additional_kwargs":{},"response_metadata":{},"type":"ai","name":null,"id":null,"example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null}]`)},
		{"role maps", []any{map[string]any{"role": "user", "content": "hi"}, map[string]any{"role": "assistant", "content": "hello, {not a var}"}}},
		{"role pairs from JSON", decodeJSON(t, `[["human","hi"],["ai","hello, {not a var}"]]`)},
		{"[][]string pairs", [][]string{{"user", "hi"}, {"assistant", "hello, {not a var}"}}},
		{"[][2]string pairs", [][2]string{{"human", "hi"}, {"ai", "hello, {not a var}"}}},
		{"mixed shapes", []any{"hi", []any{"ai", "hello, {not a var}"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := prompt.MustChat(
				prompt.System("You are {name}, a helpful bot."),
				prompt.Placeholder("history", false),
				prompt.Human("What is {question}? {{literal}}"),
				prompt.AI("Let me think about {n}."),
				prompt.Message("critic", "{name}: be brief"),
			)
			if got, want := p.InputVariables(), []string{"history", "n", "name", "question"}; !slices.Equal(got, want) {
				t.Errorf("InputVariables = %q, want %q", got, want)
			}
			got, err := p.FormatMessages(map[string]any{"name": "Ada", "history": tt.history, "question": "2+2", "n": float64(3)})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("messages:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestPlaceholderKeepsMessageFields(t *testing.T) {
	p := prompt.MustChat(prompt.Placeholder("msgs", false))
	in := decodeJSON(t, `[{"type":"ai","content":"","id":"m1","tool_calls":[{"name":"get_weather","args":{"city":"Paris"},"id":"call_1","type":"tool_call"}]},{"type":"tool","content":"72F","tool_call_id":"call_1"}]`)
	got, err := p.FormatMessages(map[string]any{"msgs": in})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "m1" || len(got[0].ToolCalls) != 1 || got[0].ToolCalls[0].Args["city"] != "Paris" ||
		got[1].Type != schema.ToolType || got[1].ToolCallID != "call_1" {
		t.Errorf("messages = %+v", got)
	}
}

func TestPlaceholderInvalid(t *testing.T) {
	p := prompt.MustChat(prompt.Placeholder("history", false))
	for _, tt := range []struct {
		name  string
		value any
		want  string
	}{
		{"string", "hi", "variable history should be a list of messages, got hi of type string"},
		{"nil", nil, "got None"},
		{"map", map[string]any{"type": "human"}, "of type map[string]interface {}"},
		{"number", float64(1), "got 1 of type float64"},
		{"bytes", []byte("[]"), "of type []uint8"},
		{"bad pair", []any{[]any{"human"}}, "[role, content] pair"},
		{"unknown role", []any{[]any{"robot", "beep"}}, `unknown message role "robot"`},
		{"bad element", []any{float64(3)}, "variable history should be a list of messages"},
		{"unencodable", []any{func() {}}, "variable history should be a list of messages"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Invoke(t.Context(), map[string]any{"history": tt.value})
			if !errors.Is(err, prompt.ErrInvalidVariable) {
				t.Fatalf("err = %v, want ErrInvalidVariable", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestOptionalPlaceholder(t *testing.T) {
	p := prompt.MustChat(prompt.System("Be nice."), prompt.Placeholder("history", true), prompt.Message("user", "{q}"))
	if got, want := p.InputVariables(), []string{"q"}; !slices.Equal(got, want) {
		t.Errorf("InputVariables = %q, want %q", got, want)
	}
	got, err := p.FormatMessages(map[string]any{"q": "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []schema.Message{schema.System("Be nice."), schema.Human("hi")}; !reflect.DeepEqual(got, want) {
		t.Errorf("without history: %+v", got)
	}
	got, err = p.FormatMessages(map[string]any{"q": "hi", "history": []any{"earlier"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !reflect.DeepEqual(got[1], schema.Human("earlier")) {
		t.Errorf("with history: %+v", got)
	}
	if _, err := p.FormatMessages(map[string]any{"q": "hi", "history": nil}); !errors.Is(err, prompt.ErrInvalidVariable) {
		t.Errorf("explicit null history: err = %v, want ErrInvalidVariable (as LangChain)", err)
	}

	// "placeholder" role: LangChain's ("placeholder", "{history}") shorthand.
	q := prompt.MustChat(prompt.Message("placeholder", "{history}"), prompt.Human("{q}"))
	if got, want := q.InputVariables(), []string{"q"}; !slices.Equal(got, want) {
		t.Errorf("shorthand InputVariables = %q, want %q", got, want)
	}
}

func TestChatSchemaWithPlaceholders(t *testing.T) {
	p := prompt.MustChat(prompt.Placeholder("history", false), prompt.Placeholder("examples", true), prompt.Human("{question}"))
	s, err := p.InputSchema(runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defs, _ := s["$defs"].(map[string]any)
	if _, ok := defs["HumanMessage"]; !ok {
		t.Errorf("no HumanMessage in $defs: %v", s)
	}
	delete(s, "$defs")
	b, _ := json.Marshal(s)
	const items = `{"items":{"oneOf":[{"$ref":"#/$defs/AIMessage"},{"$ref":"#/$defs/HumanMessage"},{"$ref":"#/$defs/ChatMessage"},{"$ref":"#/$defs/SystemMessage"},{"$ref":"#/$defs/FunctionMessage"},{"$ref":"#/$defs/ToolMessage"},{"$ref":"#/$defs/AIMessageChunk"},{"$ref":"#/$defs/HumanMessageChunk"},{"$ref":"#/$defs/ChatMessageChunk"},{"$ref":"#/$defs/SystemMessageChunk"},{"$ref":"#/$defs/FunctionMessageChunk"},{"$ref":"#/$defs/ToolMessageChunk"}]},`
	want := `{"properties":{"examples":{"default":null,` + items[1:] + `"title":"Examples","type":"array"},` +
		`"history":` + items + `"title":"History","type":"array"},` +
		`"question":{"title":"Question","type":"string"}},"required":["history","question"],"title":"PromptInput","type":"object"}`
	if string(b) != want {
		t.Errorf("schema:\n got %s\nwant %s", b, want)
	}

	// Partial variables leave the schema.
	s, err = p.Partial(map[string]any{"history": []schema.Message{}}).InputSchema(runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if req := s["required"]; !reflect.DeepEqual(req, []any{"question"}) {
		t.Errorf("required after Partial = %v, want [question]", req)
	}
}

func TestChatErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		parts []prompt.Part
		want  string
	}{
		{"bad template", []prompt.Part{prompt.System("ok"), prompt.Human("{oops")}, "part 1 (human)"},
		{"empty role", []prompt.Part{prompt.Message("", "x")}, "empty role"},
		{"bad placeholder shorthand", []prompt.Part{prompt.Message("placeholder", "history")}, "invalid placeholder"},
		{"empty placeholder name", []prompt.Part{prompt.Placeholder("", false)}, "empty variable name"},
		{"zero part", []prompt.Part{{}}, "zero Part"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := prompt.Chat(tt.parts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	var te *prompt.TemplateError
	if _, err := prompt.Chat(prompt.Human("}")); !errors.As(err, &te) {
		t.Errorf("template error not exposed: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustChat did not panic")
		}
	}()
	prompt.MustChat(prompt.Human("{"))
}

func TestChatParts(t *testing.T) {
	p := prompt.MustChat(prompt.System("a {x}"), prompt.Placeholder("h", true))
	// A configurable factory rebuilds a prompt from parts.
	q, err := prompt.Chat(append(p.Parts(), prompt.Human("{y}"))...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.InputVariables(), []string{"x", "y"}; !slices.Equal(got, want) {
		t.Errorf("InputVariables = %q, want %q", got, want)
	}
	if got := p.InputVariables(); !slices.Equal(got, []string{"x"}) {
		t.Errorf("original changed: %q", got)
	}
}

func TestChatBatch(t *testing.T) {
	p := translatePrompt()
	outs, err := p.Batch(t.Context(), []map[string]any{
		{"language": "French", "text": "one"},
		{"language": "German", "text": "two"},
	}, runnable.WithMaxConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || outs[0].Messages[0].Content != "Translate to French: one" || outs[1].Messages[0].Content != "Translate to German: two" {
		t.Errorf("Batch = %+v", outs)
	}
	_, err = p.Batch(t.Context(), []map[string]any{{"language": "French", "text": "one"}, {}})
	if !errors.Is(err, prompt.ErrMissingVariables) {
		t.Errorf("Batch err = %v, want missing variables", err)
	}
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
