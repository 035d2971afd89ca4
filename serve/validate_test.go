package serve

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/internal/jsonschema"
	"github.com/langserve-go/langserve/runnable/schema"
)

func decoded(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// brief renders details as "type@loc" lines.
func brief(ds []detailError) string {
	var out []string
	for _, d := range ds {
		loc, _ := json.Marshal(d.Loc)
		out = append(out, d.Type+"@"+string(loc))
	}
	return strings.Join(out, " ")
}

func TestValidateValue(t *testing.T) {
	messages, err := jsonschema.Of[[]schema.Message]("msgs")
	if err != nil {
		t.Fatal(err)
	}
	obj := map[string]any{
		"title": "Thing", "type": "object", "required": []any{"a"},
		"properties": map[string]any{
			"a":   map[string]any{"type": "integer"},
			"b":   map[string]any{"anyOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "null"}}},
			"c":   map[string]any{"type": "array", "items": map[string]any{"type": "boolean"}},
			"d":   map[string]any{"enum": []any{"x", "y", "z"}},
			"e":   map[string]any{"$ref": "#/$defs/E"},
			"f":   map[string]any{"type": "string", "format": "uuid"},
			"g":   map[string]any{"type": "array", "prefixItems": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}, "minItems": 2, "maxItems": 2},
			"h":   map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "integer"}},
			"num": map[string]any{"type": "number"},
			"u":   map[string]any{"anyOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "boolean"}}},
		},
		"$defs": map[string]any{"E": map[string]any{"title": "E", "type": "object", "properties": map[string]any{"k": map[string]any{"const": "v"}}, "required": []any{"k"}}},
	}
	for _, test := range []struct {
		name   string
		schema map[string]any
		value  string
		want   string
	}{
		{"fits", obj, `{"a":1,"b":null,"c":[true],"d":"y","e":{"k":"v"},"f":"00000000-0000-0000-0000-000000000001","g":["s",1.5],"h":{"x":1},"num":3}`, ""},
		{"extra keys are ignored", obj, `{"a":1,"zzz":[]}`, ""},
		{"missing", obj, `{}`, `missing@["a"]`},
		{"not an object", obj, `"x"`, `model_type@[]`},
		{"integer types", obj, `{"a":"1"}`, `int_type@["a"]`},
		{"integer parsing", obj, `{"a":"one"}`, `int_parsing@["a"]`},
		{"integer from float", obj, `{"a":1.5}`, `int_from_float@["a"]`},
		{"integral float", obj, `{"a":2.0}`, ``},
		{"optional string", obj, `{"a":1,"b":3}`, `string_type@["b"]`},
		{"list items", obj, `{"a":1,"c":[true,"no"]}`, `bool_parsing@["c",1]`},
		{"enum", obj, `{"a":1,"d":"w"}`, `literal_error@["d"]`},
		{"nested model", obj, `{"a":1,"e":{"k":"w"}}`, `literal_error@["e","k"]`},
		{"nested missing", obj, `{"a":1,"e":{}}`, `missing@["e","k"]`},
		{"uuid", obj, `{"a":1,"f":"123"}`, `uuid_parsing@["f"]`},
		{"tuple too short", obj, `{"a":1,"g":["s"]}`, `too_short@["g"]`},
		{"tuple item", obj, `{"a":1,"g":["s","t"]}`, `float_parsing@["g",1]`},
		{"dict values", obj, `{"a":1,"h":{"x":"1"}}`, `int_type@["h","x"]`},
		{"number", obj, `{"a":1,"num":true}`, `float_type@["num"]`},
		{"union without a match", obj, `{"a":1,"u":"x"}`, `int_parsing@["u","int"] bool_parsing@["u","bool"]`},
		{"several errors", obj, `{"c":1,"d":5}`, `missing@["a"] list_type@["c"] literal_error@["d"]`},
		{"messages", messages, `[{"type":"human","content":"hi"},{"type":"ai","content":"yo","tool_calls":[]}]`, ""},
		{"message by tag", messages, `[{"type":"ai","content":5}]`, `string_type@[0,"content","str"] list_type@[0,"content","list"]`},
		{"empty schema", map[string]any{}, `{"anything":[1]}`, ""},
	} {
		t.Run(test.name, func(t *testing.T) {
			got := brief(validateValue(test.schema, decoded(t, test.value), nil))
			if got != test.want {
				t.Errorf("got %s\nwant %s", got, test.want)
			}
		})
	}
}

func TestLiteralMessage(t *testing.T) {
	ds := validateValue(map[string]any{"enum": []any{"a", "b", "c"}}, "d", nil)
	if len(ds) != 1 || ds[0].Msg != "Input should be 'a', 'b' or 'c'" || ds[0].Ctx["expected"] != "'a', 'b' or 'c'" {
		t.Errorf("%+v", ds)
	}
}

func TestDecodeError(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type in struct {
		In inner   `json:"in"`
		S  []bool  `json:"s"`
		F  float64 `json:"f"`
	}
	for _, test := range []struct{ value, want string }{
		{`{"in":{"n":"x"}}`, `int_parsing@["in","n"]`},
		{`{"s":{}}`, `list_type@["s"]`},
		{`{"f":"x"}`, `float_parsing@["f"]`},
		{`{"in":[]}`, `dict_type@["in"]`},
	} {
		var v in
		err := json.Unmarshal([]byte(test.value), &v)
		if err == nil {
			t.Fatalf("%s decoded", test.value)
		}
		if got := brief(decodeError(err, decoded(t, test.value))); got != test.want {
			t.Errorf("%s: got %s, want %s", test.value, got, test.want)
		}
	}
}

func TestPyTitle(t *testing.T) {
	for in, want := range map[string]string{
		"echo invoke":                "Echo Invoke",
		"chatv1 stream log":          "Chatv1 Stream Log",
		"my-chain.v1 invoke":         "My-Chain.V1 Invoke",
		"conf invoke with config":    "Conf Invoke With Config",
		"create_feedback_from_token": "Create_Feedback_From_Token",
	} {
		if got := pyTitle(in); got != want {
			t.Errorf("pyTitle(%q) = %q, want %q", in, got, want)
		}
	}
	if got := operationID("chat invoke with config", "/chat/c/{config_hash}/invoke", "post"); got != "chat_invoke_with_config_chat_c__config_hash__invoke_post" {
		t.Errorf("operationID = %q", got)
	}
}
