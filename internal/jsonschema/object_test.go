package jsonschema

import (
	"testing"

	"github.com/langserve-go/langserve/runnable/schema"
)

func TestObject(t *testing.T) {
	for _, tt := range []struct {
		name   string
		title  string
		fields []Field
		want   string
	}{
		{"prompt input", "PromptInput", []Field{
			{Name: "question", Schema: Schema{"type": "string"}, Required: true},
		}, `{"properties":{"question":{"title":"Question","type":"string"}},"required":["question"],"title":"PromptInput","type":"object"}`},
		{"no fields", "Empty", nil, `{"properties":{},"title":"Empty","type":"object"}`},
		{"no title", "", []Field{{Name: "a"}}, `{"properties":{"a":{"title":"A"}},"type":"object"}`},
		{"default beats required", "T", []Field{
			{Name: "n", Schema: Schema{"type": "integer"}, Required: true, Default: 1, HasDefault: true},
			{Name: "s", Schema: Schema{"type": "string"}, HasDefault: true}, // nil default is written
		}, `{"properties":{"n":{"default":1,"title":"N","type":"integer"},"s":{"default":null,"title":"S","type":"string"}},"title":"T","type":"object"}`},
		{"schema title and description kept or replaced", "T", []Field{
			{Name: "a", Schema: Schema{"type": "string", "title": "Custom", "description": "old"}, Description: "new"},
			{Name: "b", Schema: Schema{"type": "string", "description": "kept"}},
		}, `{"properties":{"a":{"description":"new","title":"Custom","type":"string"},"b":{"description":"kept","title":"B","type":"string"}},"title":"T","type":"object"}`},
		{"later field of the same name wins", "T", []Field{
			{Name: "a", Schema: Schema{"type": "string"}, Required: true},
			{Name: "b", Schema: Schema{"type": "string"}, Required: true},
			{Name: "a", Schema: Schema{"type": "integer"}},
		}, `{"properties":{"a":{"title":"A","type":"integer"},"b":{"title":"B","type":"string"}},"required":["b"],"title":"T","type":"object"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Object(tt.title, tt.fields)
			if d := diff(normalizeRaw(t, tt.want), normalizeRaw(t, got), "#"); d != "" {
				t.Errorf("%s\ngot: %s", d, mustJSON(t, got))
			}
		})
	}
}

func TestObjectDefinitions(t *testing.T) {
	msgs, err := Of[[]schema.Message]("")
	if err != nil {
		t.Fatal(err)
	}
	got := Object("ChatInput", []Field{
		{Name: "messages", Schema: msgs, Required: true},
		{Name: "llm", Schema: Choice("llm", "", "", []string{"a", "default"}, "default").Schema},
	})
	defs, ok := got["$defs"].(map[string]any)
	if !ok {
		t.Fatalf("no $defs: %s", mustJSON(t, got))
	}
	for _, name := range refs(got, nil) {
		if _, ok := defs[name]; !ok {
			t.Errorf("dangling reference to %s", name)
		}
	}
	props := got["properties"].(map[string]any)
	if _, nested := props["messages"].(map[string]any)["$defs"]; nested {
		t.Error("$defs left inside a property")
	}
	if d := diff(normalizeRaw(t, `{"$ref":"#/$defs/llm"}`), normalizeRaw(t, props["llm"]), "llm"); d != "" {
		t.Error(d)
	}
	if props["messages"].(map[string]any)["title"] != "Messages" {
		t.Errorf("messages = %s", mustJSON(t, props["messages"]))
	}
	// The input schema is not changed by Object.
	if _, ok := msgs["$defs"]; !ok {
		t.Error("Object removed $defs from the caller's schema")
	}
}

func TestConfig(t *testing.T) {
	for _, tt := range []struct {
		name string
		keys []string
		conf []Field
		want string
	}{
		{"nothing", []string{"configurable"}, nil, `{"properties":{},"title":"C","type":"object"}`},
		{"runnable config keys", []string{"tags", "metadata", "run_id", "max_concurrency", "recursion_limit", "run_name", "bogus", "configurable"}, nil,
			`{"properties":{` +
				`"tags":{"default":null,"items":{"type":"string"},"title":"Tags","type":"array"},` +
				`"metadata":{"additionalProperties":true,"default":null,"title":"Metadata","type":"object"},` +
				`"run_id":{"anyOf":[{"format":"uuid","type":"string"},{"type":"null"}],"default":null,"title":"Run Id"},` +
				`"max_concurrency":{"anyOf":[{"type":"integer"},{"type":"null"}],"default":null,"title":"Max Concurrency"},` +
				`"recursion_limit":{"default":null,"title":"Recursion Limit","type":"integer"},` +
				`"run_name":{"default":null,"title":"Run Name","type":"string"}` +
				`},"title":"C","type":"object"}`},
		{"configurable without the key", nil, []Field{
			{Name: "template", Schema: Schema{"type": "string"}, Default: "say {name}", HasDefault: true, Description: "The template"},
			{Name: "temperature", Schema: Schema{"type": "number"}, Required: true},
		}, `{"$defs":{"Configurable":{"properties":{` +
			`"template":{"default":"say {name}","description":"The template","title":"Template","type":"string"},` +
			`"temperature":{"default":null,"title":"Temperature","type":"number"}},"title":"Configurable","type":"object"}},` +
			`"properties":{"configurable":{"$ref":"#/$defs/Configurable","default":null}},"title":"C","type":"object"}`},
		{"alternatives", []string{"configurable"}, []Field{
			Choice("llm", "LLM", "Which model", []string{"openai", "default"}, "default"),
			Choice("style", "", "", []string{"short", "long"}, "short"),
			MultiChoice("chat_responses", "Chat Responses", "", []string{"hello", "bye", "helpful"}, []string{"hello", "bye"}),
		}, `{"$defs":{` +
			`"LLM":{"enum":["openai","default"],"title":"LLM","type":"string"},` +
			`"style":{"enum":["short","long"],"title":"style","type":"string"},` +
			`"Chat_Responses":{"enum":["hello","bye","helpful"],"title":"Chat Responses","type":"string"},` +
			`"Configurable":{"properties":{` +
			`"llm":{"$ref":"#/$defs/LLM","default":"default","description":"Which model","title":"LLM"},` +
			`"style":{"$ref":"#/$defs/style","default":"short"},` +
			`"chat_responses":{"default":["hello","bye"],"items":{"$ref":"#/$defs/Chat_Responses"},"title":"Chat Responses","type":"array"}` +
			`},"title":"Configurable","type":"object"}},` +
			`"properties":{"configurable":{"$ref":"#/$defs/Configurable","default":null}},"title":"C","type":"object"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Config("C", tt.keys, tt.conf)
			if d := diff(normalizeRaw(t, tt.want), normalizeRaw(t, got), "#"); d != "" {
				t.Errorf("%s\ngot: %s", d, mustJSON(t, got))
			}
		})
	}
}
