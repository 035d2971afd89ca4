package validate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/internal/jsonschema"
	"github.com/langserve-go/langserve/runnable/schema"
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
		{"too short, plural", `{"minLength":2,"type":"string"}`, `"é"`,
			`[{"type":"string_too_short","loc":[],"msg":"String should have at least 2 characters","input":"é","ctx":{"min_length":2},"url":"https://errors.pydantic.dev/2.13/v/string_too_short"}]`},
		{"too long, one character", `{"maxLength":1,"type":"string"}`, `"ab"`,
			`[{"type":"string_too_long","loc":[],"msg":"String should have at most 1 character","input":"ab","ctx":{"max_length":1},"url":"https://errors.pydantic.dev/2.13/v/string_too_long"}]`},
		{"lengths count characters", `{"maxLength":2,"type":"string"}`, `"日本"`, `null`},
		{"pattern", `{"pattern":"\\S","type":"string"}`, `" \t"`,
			`[{"type":"string_pattern_mismatch","loc":[],"msg":"String should match pattern '\\S'","input":" \t","ctx":{"pattern":"\\S"},"url":"https://errors.pydantic.dev/2.13/v/string_pattern_mismatch"}]`},
		{"pattern is searched for", `{"pattern":"\\S","type":"string"}`, `"  x  "`, `null`},
		{"too short before pattern", `{"minLength":1,"pattern":"\\S","type":"string"}`, `""`,
			`[{"type":"string_too_short","loc":[],"msg":"String should have at least 1 character","input":"","ctx":{"min_length":1},"url":"https://errors.pydantic.dev/2.13/v/string_too_short"}]`},
		{"a pattern RE2 cannot compile constrains nothing", `{"pattern":"(?<=a)b","type":"string"}`, `"zz"`, `null`},
		{"list too long", `{"items":{"type":"integer"},"maxItems":1,"type":"array"}`, `[1,2]`,
			`[{"type":"too_long","loc":[],"msg":"List should have at most 1 item after validation, not 2","input":[1,2],"ctx":{"field_type":"List","max_length":1,"actual_length":2},"url":"https://errors.pydantic.dev/2.13/v/too_long"}]`},
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

// brief renders errors as "type@loc" words.
func brief(errs []Error) string {
	var out []string
	for _, e := range errs {
		loc, _ := json.Marshal(e.Loc)
		out = append(out, e.Type+"@"+string(loc))
	}
	return strings.Join(out, " ")
}

// TestValue pins where each error type is reported and which of several
// errors come out, in the order pydantic lists them.
func TestValue(t *testing.T) {
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
			"s":   map[string]any{"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^[a-z]+$"},
		},
		"$defs": map[string]any{"E": map[string]any{"title": "E", "type": "object", "properties": map[string]any{"k": map[string]any{"const": "v"}}, "required": []any{"k"}}},
	}
	for _, test := range []struct {
		name   string
		schema map[string]any
		value  string
		want   string
	}{
		{"fits", obj, `{"a":1,"b":null,"c":[true],"d":"y","e":{"k":"v"},"f":"00000000-0000-0000-0000-000000000001","g":["s",1.5],"h":{"x":1},"num":3,"s":"abc"}`, ""},
		{"extra keys are ignored", obj, `{"a":1,"zzz":[]}`, ""},
		{"missing", obj, `{}`, `missing@["a"]`},
		{"not an object", obj, `"x"`, `model_type@[]`},
		{"strict integers", obj, `{"a":"1"}`, `int_type@["a"]`},
		{"integer parsing", obj, `{"a":"one"}`, `int_parsing@["a"]`},
		{"integer from float", obj, `{"a":1.5}`, `int_from_float@["a"]`},
		{"integral float", obj, `{"a":2.0}`, ``},
		{"optional string", obj, `{"a":1,"b":3}`, `string_type@["b"]`},
		{"strict booleans", obj, `{"a":1,"c":[true,"no"]}`, `bool_parsing@["c",1]`},
		{"boolean type", obj, `{"a":1,"c":[1]}`, `bool_type@["c",0]`},
		{"enum", obj, `{"a":1,"d":"w"}`, `literal_error@["d"]`},
		{"nested model", obj, `{"a":1,"e":{"k":"w"}}`, `literal_error@["e","k"]`},
		{"nested missing", obj, `{"a":1,"e":{}}`, `missing@["e","k"]`},
		{"nested model type", obj, `{"a":1,"e":[]}`, `model_type@["e"]`},
		{"uuid", obj, `{"a":1,"f":"123"}`, `uuid_parsing@["f"]`},
		{"tuple too short", obj, `{"a":1,"g":["s"]}`, `too_short@["g"]`},
		{"tuple item", obj, `{"a":1,"g":["s","t"]}`, `float_parsing@["g",1]`},
		{"dict values", obj, `{"a":1,"h":{"x":"1"}}`, `int_type@["h","x"]`},
		{"dict type", obj, `{"a":1,"h":[]}`, `dict_type@["h"]`},
		{"number", obj, `{"a":1,"num":true}`, `float_type@["num"]`},
		{"union without a match", obj, `{"a":1,"u":"x"}`, `int_parsing@["u","int"] bool_parsing@["u","bool"]`},
		{"string too short", obj, `{"a":1,"s":""}`, `string_too_short@["s"]`},
		{"string too long", obj, `{"a":1,"s":"abcd"}`, `string_too_long@["s"]`},
		{"string pattern", obj, `{"a":1,"s":"AB"}`, `string_pattern_mismatch@["s"]`},
		{"several errors", obj, `{"c":1,"d":5}`, `missing@["a"] list_type@["c"] literal_error@["d"]`},
		{"messages", messages, `[{"type":"human","content":"hi"},{"type":"ai","content":"yo","tool_calls":[]}]`, ""},
		{"message by tag", messages, `[{"type":"ai","content":5}]`, `string_type@[0,"content","str"] list_type@[0,"content","list"]`},
		{"empty schema", map[string]any{}, `{"anything":[1]}`, ""},
		{"nullable type list", map[string]any{"type": []any{"integer", "null"}}, `"x"`, `int_parsing@[]`},
		{"unknown reference", map[string]any{"$ref": "#/$defs/Nowhere"}, `5`, ``},
		{"unknown type", map[string]any{"type": "date"}, `5`, ``},
	} {
		t.Run(test.name, func(t *testing.T) {
			if got := brief(Value(test.schema, decode(t, test.value))); got != test.want {
				t.Errorf("got  %s\nwant %s", got, test.want)
			}
		})
	}
	if got := brief(Value(obj, decode(t, `{}`), "inputs", 3)); got != `missing@["inputs",3,"a"]` {
		t.Errorf("with a location prefix: %s", got)
	}
	if Value(nil, "anything") != nil {
		t.Error("a nil schema rejected a value")
	}
}

// Tool arguments are decoded with UseNumber; json.Number must be judged
// like float64.
func TestValueNumbers(t *testing.T) {
	s := map[string]any{"type": "object", "properties": map[string]any{
		"i": map[string]any{"type": "integer"}, "n": map[string]any{"type": "number"}, "c": map[string]any{"const": 2},
	}}
	for _, tt := range []struct {
		v    map[string]any
		want string
	}{
		{map[string]any{"i": json.Number("7"), "n": json.Number("1e3"), "c": json.Number("2.0")}, ""},
		{map[string]any{"i": json.Number("7.0")}, `int_type@["i"]`},
		{map[string]any{"i": json.Number("7.5")}, `int_from_float@["i"]`},
		{map[string]any{"i": 7, "n": int64(3), "c": 2}, ""},
		{map[string]any{"c": json.Number("3")}, `literal_error@["c"]`},
	} {
		if got := brief(Value(s, tt.v)); got != tt.want {
			t.Errorf("%v: got %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestMaxErrors(t *testing.T) {
	items := make([]any, 3*MaxErrors)
	for i := range items {
		items[i] = "x"
	}
	errs := Value(map[string]any{"type": "array", "items": map[string]any{"type": "integer"}}, items)
	if len(errs) != MaxErrors {
		t.Errorf("%d errors, want the first %d", len(errs), MaxErrors)
	}
	if len(errs) > 0 && errs[len(errs)-1].Loc[0] != MaxErrors-1 {
		t.Errorf("last error at %v", errs[len(errs)-1].Loc)
	}
}

// A deep value under a recursive schema is cut off, not followed until
// the stack runs out.
func TestDeepValue(t *testing.T) {
	s := map[string]any{"$defs": map[string]any{"L": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/$defs/L"}}}, "$ref": "#/$defs/L"}
	var v any = []any{"not a list"}
	for range 10000 {
		v = []any{v}
	}
	if errs := Value(s, v); len(errs) != 0 {
		t.Errorf("%d errors below the depth bound", len(errs))
	}
	shallow := []any{[]any{"not a list"}}
	if got := brief(Value(s, shallow)); got != `list_type@[0,0]` {
		t.Errorf("shallow: %s", got)
	}
}

func TestLiteralMessage(t *testing.T) {
	for _, tt := range []struct {
		schema map[string]any
		want   string
	}{
		{map[string]any{"enum": []any{"a", "b", "c"}}, "'a', 'b' or 'c'"},
		{map[string]any{"const": "a"}, "'a'"},
		{map[string]any{"enum": []any{1, true, nil}}, "1, True or None"},
		{map[string]any{"enum": []any{"it's", 2.5}}, `"it's" or 2.5`},
	} {
		errs := Value(tt.schema, "d")
		if len(errs) != 1 || errs[0].Msg != "Input should be "+tt.want || errs[0].Ctx["expected"] != tt.want {
			t.Errorf("%v: %+v, want %q", tt.schema, errs, tt.want)
		}
	}
}

func TestNewAndMissing(t *testing.T) {
	b, _ := json.Marshal([]Error{
		Missing(nil, map[string]any{}),
		New("value_error", []any{"configurable", "k"}, "Value error, bad", 5),
	})
	want := `[{"type":"missing","loc":[],"msg":"Field required","input":{},"url":"https://errors.pydantic.dev/2.13/v/missing"},` +
		`{"type":"value_error","loc":["configurable","k"],"msg":"Value error, bad","input":5,"url":"https://errors.pydantic.dev/2.13/v/value_error"}]`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	loc := []any{"a"}
	e := New("missing", loc, "Field required", nil)
	loc[0] = "changed"
	if e.Loc[0] != "a" {
		t.Error("New shares the caller's loc")
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
		U  uint8   `json:"u"`
	}
	for _, test := range []struct {
		value string
		loc   []any
		want  string
	}{
		{`{"in":{"n":"x"}}`, nil, `int_parsing@["in","n"]`},
		{`{"s":{}}`, nil, `list_type@["s"]`},
		{`{"f":"x"}`, nil, `float_parsing@["f"]`},
		{`{"in":[]}`, nil, `dict_type@["in"]`},
		{`{"u":300}`, []any{"inputs", 1}, `int_type@["inputs",1,"u"]`},
		{`[1]`, nil, `dict_type@[]`},
	} {
		var v in
		err := json.Unmarshal([]byte(test.value), &v)
		if err == nil {
			t.Fatalf("%s decoded", test.value)
		}
		if got := brief(DecodeError(err, decode(t, test.value), test.loc...)); got != test.want {
			t.Errorf("%s: got %s, want %s", test.value, got, test.want)
		}
	}
	other := DecodeError(json.Unmarshal([]byte(`{`), new(in)), nil, "x")
	if len(other) != 1 || other[0].Type != "value_error" || brief(other) != `value_error@["x"]` {
		t.Errorf("syntax error: %+v", other)
	}
}

// Errors are written in pydantic's member order, ctx included, and
// without HTML escaping.
func TestErrorJSON(t *testing.T) {
	e := New("too_short", []any{"g"}, "List should have at least 2 items after validation, not 1", "<b>&")
	e.Ctx = map[string]any{"actual_length": 1, "min_length": 2, "field_type": "List", "zeta": true, "alpha": nil}
	// json.Marshal escapes HTML in any case; an encoder told not to
	// (as serve's writer) gets the bytes as they are.
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		t.Fatal(err)
	}
	b := strings.TrimSuffix(buf.String(), "\n")
	want := `{"type":"too_short","loc":["g"],"msg":"List should have at least 2 items after validation, not 1","input":"<b>&",` +
		`"ctx":{"field_type":"List","min_length":2,"actual_length":1,"alpha":null,"zeta":true},"url":"https://errors.pydantic.dev/2.13/v/too_short"}`
	if b != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	hand, err := json.Marshal(Error{Type: "custom", Msg: "m"})
	if err != nil || string(hand) != `{"type":"custom","loc":[],"msg":"m","input":null}` {
		t.Errorf("hand-made error: %s %v", hand, err)
	}
	if _, err := json.Marshal(New("x", nil, "m", func() {})); err == nil {
		t.Error("an input that cannot be encoded was encoded")
	}
}
