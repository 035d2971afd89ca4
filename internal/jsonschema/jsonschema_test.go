package jsonschema

import (
	"encoding/json"
	"errors"
	"net/netip"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	ischema "github.com/invopop/jsonschema"

	"github.com/langserve-go/langserve/runnable/schema"
)

func TestTitle(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"page_content", "Page Content"},
		{"times", "Times"},
		{"run_id", "Run Id"},
		{"tool_call_id", "Tool Call Id"},
		{"userID", "Userid"},       // str.title lower-cases inner capitals
		{"v2beta", "V2Beta"},       // a digit ends a word
		{"__private__", "Private"}, // underscores become spaces, then stripped
		{"llm==chat/responses", "Llm==Chat/Responses"},
		{"élan_vital", "Élan Vital"},
		{"", ""},
	} {
		if got := Title(tt.in); got != tt.want {
			t.Errorf("Title(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

type Inner struct {
	A int `json:"a"`
}

type Labels []string

type Meta map[string]any

type mtree map[string]mtree

type Node struct {
	Name     string  `json:"name"`
	Children []*Node `json:"children,omitempty"`
}

type Base struct {
	ID string `json:"id"`
}

type Page[T any] struct {
	Items []T `json:"items"`
}

type described struct{}

func (described) JSONSchemaDescription() string { return "A described type." }

type Holder struct {
	D described `json:"d"`
}

// Document deliberately has the name of a LangChain definition.
type Document struct {
	Body string `json:"body"`
}

type WithLangChain struct {
	Mine   Document           `json:"mine"`
	Theirs schema.Document    `json:"theirs"`
	Chat   []schema.Message   `json:"chat"`
	Call   *schema.ToolCall   `json:"call"`
	Prompt schema.PromptValue `json:"prompt,omitempty"`
}

type Fields struct {
	Base                    // embedded: fields promoted
	Plain    string         `json:"plain"`
	Omit     string         `json:"omit,omitempty"`
	Zero     int            `json:"zero,omitzero"`
	WithDef  bool           `json:"with_def" jsonschema:"default=true"`
	Ptr      *int           `json:"ptr"`
	PtrReq   *string        `json:"ptr_req" jsonschema:"required"`
	PtrDef   *int           `json:"ptr_def" jsonschema:"default=3,description=Three"`
	Nullable string         `json:"nullable" jsonschema:"nullable"`
	Any      any            `json:"any"`
	Map      map[string]any `json:"map"`
	IntMap   map[string]int `json:"int_map"`
	Nested   Inner          `json:"nested"`
	NestPtr  *Inner         `json:"nest_ptr"`
	Named    Labels         `json:"named"`
	NamedMap Meta           `json:"named_map"`
	Anon     struct {
		X int `json:"x"`
	} `json:"anon"`
	Enum    string   `json:"enum" jsonschema:"enum=a,enum=b,title=Choice"`
	Tagged  []string `json:"tagged" jsonschema_description:"Some tags"`
	Skipped int      `json:"-"`
	Hidden  int      `jsonschema:"-"`
	unexp   int
	NoTag   float64
}

func TestFor(t *testing.T) {
	for _, tt := range []struct {
		name  string
		typ   reflect.Type
		title string
		want  string
	}{
		{"int", reflect.TypeFor[int](), "add_one_input", `{"title":"add_one_input","type":"integer"}`},
		{"uint8", reflect.TypeFor[uint8](), "T", `{"title":"T","type":"integer"}`},
		{"float", reflect.TypeFor[float64](), "T", `{"title":"T","type":"number"}`},
		{"bool", reflect.TypeFor[bool](), "T", `{"title":"T","type":"boolean"}`},
		{"string", reflect.TypeFor[string](), "T", `{"title":"T","type":"string"}`},
		{"pointer root", reflect.TypeFor[*int](), "T", `{"title":"T","type":"integer"}`},
		{"any", reflect.TypeFor[any](), "echo_input", `{"title":"echo_input"}`},
		{"no title", reflect.TypeFor[any](), "", `{}`},
		{"strings", reflect.TypeFor[[]string](), "T", `{"items":{"type":"string"},"title":"T","type":"array"}`},
		{"any list", reflect.TypeFor[[]any](), "T", `{"items":{},"title":"T","type":"array"}`},
		{"array", reflect.TypeFor[[2]int](), "T", `{"items":{"type":"integer"},"maxItems":2,"minItems":2,"title":"T","type":"array"}`},
		{"dict", reflect.TypeFor[map[string]any](), "T", `{"additionalProperties":true,"title":"T","type":"object"}`},
		{"int dict", reflect.TypeFor[map[string]int](), "T", `{"additionalProperties":{"type":"integer"},"title":"T","type":"object"}`},
		{"named slice", reflect.TypeFor[Labels](), "T", `{"items":{"type":"string"},"title":"T","type":"array"}`},
		{"named map", reflect.TypeFor[Meta](), "T", `{"additionalProperties":true,"title":"T","type":"object"}`},
		{"recursive named map", reflect.TypeFor[mtree](), "T",
			`{"$defs":{"mtree":{"additionalProperties":{"$ref":"#/$defs/mtree"},"type":"object"}},"additionalProperties":{"$ref":"#/$defs/mtree"},"title":"T","type":"object"}`},
		{"time", reflect.TypeFor[time.Time](), "T", `{"format":"date-time","title":"T","type":"string"}`},
		{"uuid", reflect.TypeFor[uuid.UUID](), "T", `{"format":"uuid","title":"T","type":"string"}`},
		{"text marshaler", reflect.TypeFor[netip.Addr](), "T", `{"title":"T","type":"string"}`},
		{"bytes", reflect.TypeFor[[]byte](), "T", `{"contentEncoding":"base64","title":"T","type":"string"}`},
		{"named struct keeps its name", reflect.TypeFor[Inner](), "ignored",
			`{"properties":{"a":{"title":"A","type":"integer"}},"required":["a"],"title":"Inner","type":"object"}`},
		{"anonymous struct", reflect.TypeFor[struct {
			Q string `json:"q"`
		}](), "PromptInput", `{"properties":{"q":{"title":"Q","type":"string"}},"required":["q"],"title":"PromptInput","type":"object"}`},
		{"recursive struct is a reference", reflect.TypeFor[Node](), "ignored",
			`{"$defs":{"Node":{"properties":{"children":{"items":{"$ref":"#/$defs/Node"},"title":"Children","type":"array"},"name":{"title":"Name","type":"string"}},"required":["name"],"title":"Node","type":"object"}},"$ref":"#/$defs/Node"}`},
		{"generic struct", reflect.TypeFor[[]Page[Inner]](), "T",
			`{"$defs":{"Inner":{"properties":{"a":{"title":"A","type":"integer"}},"required":["a"],"title":"Inner","type":"object"},` +
				`"Page_Inner_":{"properties":{"items":{"items":{"$ref":"#/$defs/Inner"},"title":"Items","type":"array"}},"required":["items"],"title":"Page[Inner]","type":"object"}},` +
				`"items":{"$ref":"#/$defs/Page_Inner_"},"title":"T","type":"array"}`},
		{"type description", reflect.TypeFor[Holder](), "",
			`{"$defs":{"described":{"description":"A described type.","properties":{},"title":"described","type":"object"}},"properties":{"d":{"$ref":"#/$defs/described"}},"required":["d"],"title":"Holder","type":"object"}`},
		{"message list", reflect.TypeFor[[]schema.Message](), "T", ""},
		{"document", reflect.TypeFor[schema.Document](), "ignored",
			`{"description":"A piece of text with metadata, as returned by a retriever.","properties":{"id":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null,"title":"Id"},"metadata":{"additionalProperties":true,"title":"Metadata","type":"object"},` +
				`"page_content":{"title":"Page Content","type":"string"},"type":{"const":"Document","default":"Document","enum":["Document"],"title":"Type","type":"string"}},"required":["page_content"],"title":"Document","type":"object"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := For(tt.typ, tt.title)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				return // checked by a dedicated test
			}
			if d := diff(normalizeRaw(t, tt.want), normalizeRaw(t, got), "#"); d != "" {
				t.Errorf("%s\ngot: %s", d, mustJSON(t, got))
			}
		})
	}
}

// normalizeRaw decodes a JSON text or value without dropping anything.
func normalizeRaw(t *testing.T, v any) any {
	t.Helper()
	b, ok := v.(string)
	if !ok {
		b = string(mustJSON(t, v))
	}
	var out any
	if err := json.Unmarshal([]byte(b), &out); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return out
}

func TestForStructFields(t *testing.T) {
	got, err := Of[Fields]("ignored")
	if err != nil {
		t.Fatal(err)
	}
	want := `{
	"$defs": {"Inner": {"properties":{"a":{"title":"A","type":"integer"}},"required":["a"],"title":"Inner","type":"object"}},
	"properties": {
		"id":        {"title":"Id","type":"string"},
		"plain":     {"title":"Plain","type":"string"},
		"omit":      {"title":"Omit","type":"string"},
		"zero":      {"title":"Zero","type":"integer"},
		"with_def":  {"default":true,"title":"With Def","type":"boolean"},
		"ptr":       {"anyOf":[{"type":"integer"},{"type":"null"}],"default":null,"title":"Ptr"},
		"ptr_req":   {"anyOf":[{"type":"string"},{"type":"null"}],"title":"Ptr Req"},
		"ptr_def":   {"anyOf":[{"type":"integer"},{"type":"null"}],"default":3,"description":"Three","title":"Ptr Def"},
		"nullable":  {"anyOf":[{"type":"string"},{"type":"null"}],"default":null,"title":"Nullable"},
		"any":       {"title":"Any"},
		"map":       {"additionalProperties":true,"title":"Map","type":"object"},
		"int_map":   {"additionalProperties":{"type":"integer"},"title":"Int Map","type":"object"},
		"nested":    {"$ref":"#/$defs/Inner"},
		"nest_ptr":  {"anyOf":[{"$ref":"#/$defs/Inner"},{"type":"null"}],"default":null},
		"named":     {"items":{"type":"string"},"title":"Named","type":"array"},
		"named_map": {"additionalProperties":true,"title":"Named Map","type":"object"},
		"anon":      {"properties":{"x":{"title":"X","type":"integer"}},"required":["x"],"title":"Anon","type":"object"},
		"enum":      {"enum":["a","b"],"title":"Choice","type":"string"},
		"tagged":    {"description":"Some tags","items":{"type":"string"},"title":"Tagged","type":"array"},
		"NoTag":     {"title":"Notag","type":"number"}
	},
	"required": ["id","plain","ptr_req","any","map","int_map","nested","named","named_map","anon","enum","tagged","NoTag"],
	"title": "Fields",
	"type": "object"
}`
	w, g := normalizeRaw(t, want), normalizeRaw(t, got)
	// required is a list: compare it as a set of names in declaration order.
	if d := diff(w, g, "#"); d != "" {
		t.Errorf("%s\ngot: %s", d, mustJSON(t, got))
	}
}

func TestForLangChainTypes(t *testing.T) {
	got, err := Of[WithLangChain]("")
	if err != nil {
		t.Fatal(err)
	}
	props := got["properties"].(map[string]any)
	defs := got["$defs"].(map[string]any)
	for _, tt := range []struct{ prop, want string }{
		{"mine", `{"$ref":"#/$defs/jsonschema__Document"}`},
		{"theirs", `{"$ref":"#/$defs/Document"}`},
		{"call", `{"anyOf":[{"$ref":"#/$defs/ToolCall"},{"type":"null"}],"default":null}`},
	} {
		if d := diff(normalizeRaw(t, tt.want), normalizeRaw(t, props[tt.prop]), tt.prop); d != "" {
			t.Error(d)
		}
	}
	chat := props["chat"].(map[string]any)
	if chat["title"] != "Chat" || chat["type"] != "array" || len(chat["items"].(map[string]any)["oneOf"].([]any)) != 12 {
		t.Errorf("chat = %s", mustJSON(t, chat))
	}
	prompt := props["prompt"].(map[string]any)
	if len(prompt["anyOf"].([]any)) != 4 || prompt["title"] != "Prompt" {
		t.Errorf("prompt = %s", mustJSON(t, prompt))
	}
	mine := defs["jsonschema__Document"].(map[string]any)
	if mine["title"] != "Document" {
		t.Errorf("user Document definition = %s", mustJSON(t, mine))
	}
	if defs["Document"].(map[string]any)["properties"].(map[string]any)["page_content"] == nil {
		t.Errorf("LangChain Document definition = %s", mustJSON(t, defs["Document"]))
	}
	// Every reference resolves.
	for _, name := range refs(got, nil) {
		if _, ok := defs[name]; !ok {
			t.Errorf("dangling reference to %s", name)
		}
	}
	if got, want := len(defs), 22; got != want { // 20 LangChain definitions reached from PromptValue, plus both Documents
		t.Errorf("%d definitions, want %d", got, want)
	}
}

func TestForMessageList(t *testing.T) {
	got, err := Of[[]schema.Message]("ChatHistory")
	if err != nil {
		t.Fatal(err)
	}
	one, err := Of[schema.Message]("x")
	if err != nil {
		t.Fatal(err)
	}
	want := Schema{"items": Schema{"oneOf": one["oneOf"]}, "type": "array", "title": "ChatHistory", "$defs": one["$defs"]}
	if d := diff(normalizeRaw(t, want), normalizeRaw(t, got), "#"); d != "" {
		t.Error(d)
	}
}

func TestChatModelInput(t *testing.T) {
	got, err := Of[schema.PromptValue]("FakeChatModelInput")
	if err != nil {
		t.Fatal(err)
	}
	alts := got["anyOf"].([]any)
	want := `[{"type":"string"},{"$ref":"#/$defs/StringPromptValue"},{"$ref":"#/$defs/ChatPromptValueConcrete"},{"items":{"oneOf":[` +
		`{"$ref":"#/$defs/AIMessage"},{"$ref":"#/$defs/HumanMessage"},{"$ref":"#/$defs/ChatMessage"},{"$ref":"#/$defs/SystemMessage"},` +
		`{"$ref":"#/$defs/FunctionMessage"},{"$ref":"#/$defs/ToolMessage"},{"$ref":"#/$defs/AIMessageChunk"},{"$ref":"#/$defs/HumanMessageChunk"},` +
		`{"$ref":"#/$defs/ChatMessageChunk"},{"$ref":"#/$defs/SystemMessageChunk"},{"$ref":"#/$defs/FunctionMessageChunk"},{"$ref":"#/$defs/ToolMessageChunk"}]},"type":"array"}]`
	if d := diff(normalizeRaw(t, want), normalizeRaw(t, alts), "anyOf"); d != "" {
		t.Error(d)
	}
	if got["title"] != "FakeChatModelInput" {
		t.Errorf("title = %v", got["title"])
	}
	spv := got["$defs"].(map[string]any)["StringPromptValue"]
	wantSPV := `{"properties":{"text":{"title":"Text","type":"string"},"type":{"const":"StringPromptValue","default":"StringPromptValue","enum":["StringPromptValue"],"title":"Type","type":"string"}},"required":["text"],"title":"StringPromptValue","type":"object"}`
	if d := diff(normalize(t, []byte(wantSPV)), normalize(t, spv), "StringPromptValue"); d != "" {
		t.Error(d)
	}
}

func TestPromptTemplateOutput(t *testing.T) {
	got := PromptTemplateOutput("ChatPromptTemplateOutput")
	if d := diff(normalizeRaw(t, `[{"$ref":"#/$defs/StringPromptValue"},{"$ref":"#/$defs/ChatPromptValueConcrete"}]`), normalizeRaw(t, got["anyOf"]), "anyOf"); d != "" {
		t.Error(d)
	}
	defs := got["$defs"].(map[string]any)
	for _, name := range refs(got, nil) {
		if _, ok := defs[name]; !ok {
			t.Errorf("dangling reference to %s", name)
		}
	}
	if len(defs) != 20 || got["title"] != "ChatPromptTemplateOutput" {
		t.Errorf("%d definitions, title %v", len(defs), got["title"])
	}
}

type selfEmbed struct {
	*selfEmbed
	X int
}

func TestForErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		typ  reflect.Type
	}{
		{"chan", reflect.TypeFor[chan int]()},
		{"func field", reflect.TypeFor[struct{ F func() }]()},
		{"complex in slice", reflect.TypeFor[[]complex128]()},
		{"bool map key", reflect.TypeFor[map[bool]string]()},
		{"nested", reflect.TypeFor[struct{ In struct{ C chan string } }]()},
		{"embedding cycle", reflect.TypeFor[selfEmbed]()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := For(tt.typ, "T")
			if !errors.Is(err, ErrUnsupportedType) {
				t.Fatalf("err = %v, want ErrUnsupportedType", err)
			}
			if _, again := For(tt.typ, "T"); again == nil || again.Error() != err.Error() {
				t.Errorf("second call: %v, want the cached %v", again, err)
			}
		})
	}
	if _, err := For(nil, "T"); err == nil {
		t.Error("For(nil) succeeded")
	}
	// Fields that JSON ignores may have any type.
	if _, err := Of[struct {
		F func() `json:"-"`
		c chan int
	}]("T"); err != nil {
		t.Errorf("ignored fields: %v", err)
	}
}

// TestForReturnsCopies checks that a caller mutating a result cannot change
// what later callers get.
func TestForReturnsCopies(t *testing.T) {
	first, err := Of[schema.Message]("a")
	if err != nil {
		t.Fatal(err)
	}
	want := string(mustJSON(t, first))
	first["title"] = "changed"
	ai := first["$defs"].(map[string]any)["AIMessage"].(map[string]any)
	ai["properties"].(map[string]any)["type"].(map[string]any)["enum"].([]any)[0] = "human"
	delete(first["$defs"].(map[string]any), "ToolCall")
	first["oneOf"].([]any)[0] = nil

	second, err := Of[schema.Message]("a")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(mustJSON(t, second)); got != want {
		t.Errorf("cached schema was modified through a returned copy:\n got %s\nwant %s", got, want)
	}
	if third, _ := Of[schema.Message]("b"); third["title"] != "b" {
		t.Errorf("title = %v, want b", third["title"])
	}
}

func TestForConcurrent(t *testing.T) {
	type fresh struct {
		N  *int             `json:"n"`
		Ms []schema.Message `json:"ms"`
	}
	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range results {
		wg.Go(func() {
			s, err := Of[fresh]("")
			if err != nil {
				t.Error(err)
				return
			}
			s["title"] = i // each goroutine mutates its own copy
			delete(s, "title")
			b, _ := json.Marshal(s)
			results[i] = string(b)
		})
	}
	wg.Wait()
	for i := range results {
		if results[i] != results[0] {
			t.Fatalf("result %d differs:\n%s\n%s", i, results[i], results[0])
		}
	}
}

// Custom schemas written through invopop's hooks are kept as written.
type color string

func (color) JSONSchemaExtend(s *ischema.Schema) { s.Enum = []any{"red", "green"} }

type point struct{ X, Y int }

func (point) JSONSchema() *ischema.Schema {
	return &ischema.Schema{Type: "array", Items: &ischema.Schema{Type: "integer"}}
}

// tree is a recursive named slice: it stays a definition, unlike other
// named slices, which are inlined.
type tree []tree

type ptrDescribed struct {
	V int `json:"v"`
}

func (*ptrDescribed) JSONSchemaDescription() string { return "Described by pointer." }

type Custom struct {
	C    color        `json:"c"`
	P    point        `json:"p"`
	T    tree         `json:"t"`
	D    ptrDescribed `json:"d"`
	Opt  *color       `json:"opt"`
	List []*string    `json:"list"`
}

func TestForCustomSchemas(t *testing.T) {
	got, err := Of[Custom]("")
	if err != nil {
		t.Fatal(err)
	}
	want := `{
	"$defs": {
		"point": {"items":{"type":"integer"},"title":"point","type":"array"},
		"tree": {"items":{"$ref":"#/$defs/tree"},"type":"array"},
		"ptrDescribed": {"description":"Described by pointer.","properties":{"v":{"title":"V","type":"integer"}},"required":["v"],"title":"ptrDescribed","type":"object"}
	},
	"properties": {
		"c": {"enum":["red","green"],"title":"C","type":"string"},
		"p": {"$ref":"#/$defs/point"},
		"t": {"items":{"$ref":"#/$defs/tree"},"title":"T","type":"array"},
		"d": {"$ref":"#/$defs/ptrDescribed"},
		"opt": {"anyOf":[{"enum":["red","green"],"type":"string"},{"type":"null"}],"default":null,"title":"Opt"},
		"list": {"items":{"type":"string"},"title":"List","type":"array"}
	},
	"required": ["c","p","t","d","list"],
	"title": "Custom",
	"type": "object"
}`
	if d := diff(normalizeRaw(t, want), normalizeRaw(t, got), "#"); d != "" {
		t.Errorf("%s\ngot: %s", d, mustJSON(t, got))
	}
}
