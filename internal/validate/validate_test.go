package validate

import (
	"encoding/json"
	"testing"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// The expected details are the bodies of the golden bad__*.txt transcripts
// recorded from LangServe (pydantic 2.13).
func TestValueMatchesPydantic(t *testing.T) {
	typed := `{"description":"Input of the typed route.","properties":{"name":{"description":"Who to greet","title":"Name","type":"string"},"times":{"default":1,"description":"How many times","title":"Times","type":"integer"}},"required":["name"],"title":"TypedIn","type":"object"}`
	prompt := `{"properties":{"language":{"title":"Language","type":"string"},"text":{"title":"Text","type":"string"}},"required":["language","text"],"title":"PromptInput","type":"object"}`
	config := `{"$defs":{"Configurable":{"properties":{"answers":{"default":["x"],"items":{"type":"string"},"title":"Answers","type":"array"}},"title":"Configurable","type":"object"}},"properties":{"configurable":{"$ref":"#/$defs/Configurable","default":null}},"title":"RunnableSequenceConfig","type":"object"}`
	for _, tt := range []struct {
		name, schema, input, want string
	}{
		{"valid typed", typed, `{"name":"Ada","times":2}`, `null`},
		{"typed default may be absent", typed, `{"name":"Ada"}`, `null`},
		{"typed missing field", typed, `{"times":2}`,
			`[{"type":"missing","loc":["name"],"msg":"Field required","input":{"times":2},"url":"https://errors.pydantic.dev/2.13/v/missing"}]`},
		{"typed int parsing", typed, `{"name":"Ada","times":"many"}`,
			`[{"type":"int_parsing","loc":["times"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"many","url":"https://errors.pydantic.dev/2.13/v/int_parsing"}]`},
		{"prompt missing variable", prompt, `{"language":"French"}`,
			`[{"type":"missing","loc":["text"],"msg":"Field required","input":{"language":"French"},"url":"https://errors.pydantic.dev/2.13/v/missing"}]`},
		{"prompt given a string", prompt, `"just a string"`,
			`[{"type":"model_type","loc":[],"msg":"Input should be a valid dictionary or instance of PromptInput","input":"just a string","ctx":{"class_name":"PromptInput"},"url":"https://errors.pydantic.dev/2.13/v/model_type"}]`},
		{"retriever given an object", `{"title":"TinyRetrieverInput","type":"string"}`, `{"query":"cats"}`,
			`[{"type":"string_type","loc":[],"msg":"Input should be a valid string","input":{"query":"cats"},"url":"https://errors.pydantic.dev/2.13/v/string_type"}]`},
		{"configurable of the wrong type", config, `{"configurable":{"answers":"not a list"}}`,
			`[{"type":"list_type","loc":["configurable","answers"],"msg":"Input should be a valid list","input":"not a list","url":"https://errors.pydantic.dev/2.13/v/list_type"}]`},
		{"any value for an untyped schema", `{"title":"echo_input"}`, `{"a":[1,null]}`, `null`},
		{"integer from float", `{"type":"integer"}`, `1.5`,
			`[{"type":"int_from_float","loc":[],"msg":"Input should be a valid integer, got a number with a fractional part","input":1.5,"url":"https://errors.pydantic.dev/2.13/v/int_from_float"}]`},
		{"enum", `{"enum":["a","b"],"type":"string"}`, `"c"`,
			`[{"type":"literal_error","loc":[],"msg":"Input should be 'a' or 'b'","input":"c","ctx":{"expected":"'a' or 'b'"},"url":"https://errors.pydantic.dev/2.13/v/literal_error"}]`},
		{"nullable accepts null", `{"anyOf":[{"type":"string"},{"type":"null"}]}`, `null`, `null`},
		{"array items", `{"items":{"type":"integer"},"type":"array"}`, `[1,"x"]`,
			`[{"type":"int_parsing","loc":[1],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x","url":"https://errors.pydantic.dev/2.13/v/int_parsing"}]`},
		{"too long", `{"maxLength":3,"type":"string"}`, `"abcd"`,
			`[{"type":"string_too_long","loc":[],"msg":"String should have at most 3 characters","input":"abcd","ctx":{"max_length":3},"url":"https://errors.pydantic.dev/2.13/v/string_too_long"}]`},
		{"too short", `{"minLength":1,"type":"string"}`, `""`,
			`[{"type":"string_too_short","loc":[],"msg":"String should have at least 1 character","input":"","ctx":{"min_length":1},"url":"https://errors.pydantic.dev/2.13/v/string_too_short"}]`},
		{"uuid", `{"format":"uuid","type":"string"}`, `"00000000-0000-0000-0000-000000000009"`, `null`},
		{"self reference terminates", `{"$defs":{"N":{"properties":{"next":{"$ref":"#/$defs/N"}},"type":"object"}},"$ref":"#/$defs/N"}`, `{"next":{"next":{"next":{}}}}`, `null`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var schema map[string]any
			if err := json.Unmarshal([]byte(tt.schema), &schema); err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(Value(schema, decode(t, tt.input)))
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
