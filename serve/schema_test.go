package serve_test

import (
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
	"github.com/langserve-go/langserve/serve"
)

// templated is R4 of the protocol spec: the prompt "say {name}" whose
// template is a configurable field.
func templated() runnable.Runnable[map[string]any, schema.PromptValue] {
	spec := runnable.ConfigSpec{ID: "template", Name: "Template", Description: "The template to use for the prompt",
		Default: "say {name}", Schema: runnable.Schema{"type": "string"}}
	return runnable.Configurable[map[string]any, schema.PromptValue](prompt.MustTemplate("say {name}"), []runnable.ConfigSpec{spec},
		func(values map[string]any) (runnable.Runnable[map[string]any, schema.PromptValue], error) {
			return prompt.Template(values["template"].(string))
		})
}

func TestSchemasFollowTheConfig(t *testing.T) {
	h := handler(t, templated(), &serve.Options{Path: "/p", ConfigKeys: []string{"tags", "configurable"}})
	wantJSON(t, do(t, h, "GET", "/p/input_schema", ""), 200,
		`{"properties":{"name":{"title":"Name","type":"string"}},"required":["name"],"title":"PromptInput","type":"object"}`)
	wantJSON(t, do(t, h, "GET", "/p/config_schema", ""), 200,
		`{"$defs":{"Configurable":{"properties":{"template":{"default":"say {name}","description":"The template to use for the prompt","title":"Template","type":"string"}},"title":"Configurable","type":"object"}},"properties":{"configurable":{"$ref":"#/$defs/Configurable","default":null},"tags":{"default":null,"items":{"type":"string"},"title":"Tags","type":"array"}},"title":"PromptTemplateConfig","type":"object"}`)

	// The hash selects another template, with other variables.
	h2 := hash(`{"configurable": {"template": "hear {what}"}}`)
	wantJSON(t, do(t, h, "GET", "/p/c/"+h2+"/input_schema", ""), 200,
		`{"properties":{"what":{"title":"What","type":"string"}},"required":["what"],"title":"PromptInput","type":"object"}`)
	// and the input is validated against that schema.
	wantJSON(t, do(t, h, "POST", "/p/c/"+h2+"/invoke", `{"input":{"name":"x"}}`), 422,
		`{"detail":[{"type":"missing","loc":["what"],"msg":"Field required","input":{"name":"x"},"url":"https://errors.pydantic.dev/2.13/v/missing"}]}`)
	r := do(t, h, "POST", "/p/invoke", `{"input":{"what":"cats"},"config":{"configurable":{"template":"hear {what}"}}}`)
	wantJSON(t, r, 200, `{"output":{"text":"hear cats","type":"StringPromptValue"},"metadata":{"run_id":"<id>","feedback_tokens":[]}}`)
	// A configurable value of the wrong type is the client's error.
	r = do(t, h, "GET", "/p/c/"+hash(`{"configurable":{"template":5}}`)+"/input_schema", "")
	wantJSON(t, r, 422, `{"detail":[{"type":"string_type","loc":["configurable","template"],"msg":"Input should be a valid string","input":5,"url":"https://errors.pydantic.dev/2.13/v/string_type"}]}`)
}

func TestSchemaOverrides(t *testing.T) {
	in := runnable.Schema{"title": "Question", "type": "object",
		"properties": map[string]any{"q": map[string]any{"type": "string", "title": "Q"}}, "required": []any{"q"}}
	out := runnable.Schema{"title": "Answer", "type": "string"}
	h := handler(t, echoRunnable(), &serve.Options{InputSchema: in, OutputSchema: out})
	wantJSON(t, do(t, h, "GET", "/input_schema", ""), 200, mustJSON(in))
	wantJSON(t, do(t, h, "GET", "/c/N4XyA/output_schema", ""), 200, mustJSON(out))
	wantJSON(t, do(t, h, "POST", "/invoke", `{"input":{"x":1}}`), 422,
		`{"detail":[{"type":"missing","loc":["q"],"msg":"Field required","input":{"x":1},"url":"https://errors.pydantic.dev/2.13/v/missing"}]}`)
	if r := do(t, h, "POST", "/invoke", `{"input":{"q":"why"}}`); r.status != 200 {
		t.Errorf("valid input: %d %s", r.status, r.body)
	}
}

func TestConfigSchemaKeys(t *testing.T) {
	h := handler(t, addOne(), &serve.Options{Path: "/add_two_custom", ConfigKeys: []string{"tags", "configurable"}})
	wantJSON(t, do(t, h, "GET", "/add_two_custom/config_schema", ""), 200,
		`{"properties":{"tags":{"default":null,"items":{"type":"string"},"title":"Tags","type":"array"}},"title":"add_one_config","type":"object"}`)
}

func TestMessageInputValidation(t *testing.T) {
	// A chat prompt with a history placeholder takes a list of messages.
	p := prompt.MustChat(prompt.Placeholder("history", false), prompt.Human("{question}"))
	h := handler(t, p, nil)
	// The JavaScript client's message shape validates.
	r := do(t, h, "POST", "/invoke", `{"input":{"question":"q","history":[{"content":"hi","type":"human","additional_kwargs":{},"example":false}]}}`)
	if r.status != 200 {
		t.Fatalf("JS-shaped message: %d %s", r.status, r.body)
	}
	// A message with an unknown type does not.
	r = do(t, h, "POST", "/invoke", `{"input":{"question":"q","history":[{"content":"hi","type":"generic"}]}}`)
	if r.status != 422 {
		t.Fatalf("unknown message type: %d %s", r.status, r.body)
	}
	// A human message without content is reported at its place.
	r = do(t, h, "POST", "/invoke", `{"input":{"question":"q","history":[{"type":"human"}]}}`)
	wantJSON(t, r, 422, `{"detail":[{"type":"missing","loc":["history",0,"content"],"msg":"Field required","input":{"type":"human"},"url":"https://errors.pydantic.dev/2.13/v/missing"}]}`)
}
