package jsonschema_test

import (
	"encoding/json"
	"fmt"

	"github.com/langserve-go/langserve/internal/jsonschema"
)

type Greeting struct {
	Name  string  `json:"name" jsonschema:"description=Who to greet"`
	Times int     `json:"times" jsonschema:"default=1"`
	Tone  *string `json:"tone"`
}

func (Greeting) JSONSchemaDescription() string { return "What to greet." }

func ExampleFor() {
	s, err := jsonschema.Of[Greeting]("greet_input")
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := json.Marshal(s)
	fmt.Println(string(b))

	s, _ = jsonschema.Of[int]("add_one_input")
	b, _ = json.Marshal(s)
	fmt.Println(string(b))
	// Output:
	// {"description":"What to greet.","properties":{"name":{"description":"Who to greet","title":"Name","type":"string"},"times":{"default":1,"title":"Times","type":"integer"},"tone":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null,"title":"Tone"}},"required":["name"],"title":"Greeting","type":"object"}
	// {"title":"add_one_input","type":"integer"}
}

func ExampleObject() {
	str := jsonschema.Schema{"type": "string"}
	s := jsonschema.Object("PromptInput", []jsonschema.Field{
		{Name: "language", Schema: str, Required: true},
		{Name: "text", Schema: str, Required: true},
	})
	b, _ := json.Marshal(s)
	fmt.Println(string(b))
	// Output:
	// {"properties":{"language":{"title":"Language","type":"string"},"text":{"title":"Text","type":"string"}},"required":["language","text"],"title":"PromptInput","type":"object"}
}

func ExampleConfig() {
	s := jsonschema.Config("RunnableSequenceConfig", []string{"tags"}, []jsonschema.Field{
		jsonschema.Choice("llm", "LLM", "", []string{"openai", "default"}, "default"),
	})
	b, _ := json.Marshal(s)
	fmt.Println(string(b))
	// Output:
	// {"$defs":{"Configurable":{"properties":{"llm":{"$ref":"#/$defs/LLM","default":"default","title":"LLM"}},"title":"Configurable","type":"object"},"LLM":{"enum":["openai","default"],"title":"LLM","type":"string"}},"properties":{"configurable":{"$ref":"#/$defs/Configurable","default":null},"tags":{"default":null,"items":{"type":"string"},"title":"Tags","type":"array"}},"title":"RunnableSequenceConfig","type":"object"}
}

func ExampleTitle() {
	fmt.Println(jsonschema.Title("page_content"))
	// Output: Page Content
}
