package jsonschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/langserve-go/langserve/runnable/schema"
)

// TypedIn and TypedOut mirror the typed route of the reference server.
type TypedIn struct {
	Name  string `json:"name" jsonschema:"description=Who to greet"`
	Times int    `json:"times" jsonschema:"default=1,description=How many times"`
}

func (TypedIn) JSONSchemaDescription() string { return "Input of the typed route." }

type TypedOut struct {
	Greeting string `json:"greeting"`
	Length   int    `json:"length"`
}

func (TypedOut) JSONSchemaDescription() string { return "Output of the typed route." }

// answersField is the configurable field of the reference /conf route.
func answersField(t *testing.T) Field {
	t.Helper()
	items, err := Of[[]string]("")
	if err != nil {
		t.Fatal(err)
	}
	return Field{
		Name:        "answers",
		Schema:      items,
		Default:     []any{"Bonjour le monde, ceci est une réponse fixe."},
		HasDefault:  true,
		Description: "Fixed replies of the fake model",
	}
}

// TestGolden compares schemas with the bodies the Python LangServe server
// served for the reference routes (testdata/*.json, copied from the recorded
// transcripts), as JSON values, ignoring description texts and the "enum"
// that we add next to single-value "const" literals on purpose.
func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		golden string
		got    func(t *testing.T) (Schema, error)
	}{
		{"typed__input_schema", func(*testing.T) (Schema, error) { return Of[TypedIn]("typed_input") }},
		{"typed__output_schema", func(*testing.T) (Schema, error) { return Of[TypedOut]("typed_output") }},
		{"typed__config_schema", func(*testing.T) (Schema, error) { return Config("typed_config", []string{"configurable"}, nil), nil }},
		{"echo__input_schema", func(*testing.T) (Schema, error) { return Of[any]("echo_input") }},
		{"echo__output_schema", func(*testing.T) (Schema, error) { return Of[any]("echo_output") }},
		{"echo__config_schema", func(*testing.T) (Schema, error) { return Config("echo_config", []string{"configurable"}, nil), nil }},
		{"retriever__input_schema", func(*testing.T) (Schema, error) { return Of[string]("TinyRetrieverInput") }},
		{"retriever__output_schema", func(*testing.T) (Schema, error) { return Of[[]schema.Document]("TinyRetrieverOutput") }},
		{"retriever__config_schema", func(*testing.T) (Schema, error) { return Config("TinyRetrieverConfig", nil, nil), nil }},
		{"chatmsg__output_schema", func(*testing.T) (Schema, error) { return Of[schema.Message]("GenericFakeChatModelOutput") }},
		{"chat__output_schema", func(*testing.T) (Schema, error) { return Of[string]("StrOutputParserOutput") }},
		{"chat__input_schema", func(*testing.T) (Schema, error) {
			str := Schema{"type": "string"}
			return Object("PromptInput", []Field{
				{Name: "language", Schema: str, Required: true},
				{Name: "text", Schema: str, Required: true},
			}), nil
		}},
		{"chat__config_schema", func(*testing.T) (Schema, error) {
			return Config("RunnableSequenceConfig", []string{"configurable"}, nil), nil
		}},
		{"conf__config_schema", func(t *testing.T) (Schema, error) {
			return Config("RunnableSequenceConfig", []string{"configurable"}, []Field{answersField(t)}), nil
		}},
		{"conflocked__config_schema", func(t *testing.T) (Schema, error) {
			return Config("RunnableSequenceConfig", []string{"tags"}, []Field{answersField(t)}), nil
		}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", tt.golden+".json"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.got(t)
			if err != nil {
				t.Fatal(err)
			}
			w, g := normalize(t, want), normalize(t, got)
			if d := diff(w, g, "#"); d != "" {
				t.Errorf("schema differs from %s: %s\ngot: %s", tt.golden, d, mustJSON(t, g))
			}
		})
	}
}

// normalize turns v into a plain JSON value (numbers as json.Number) and
// drops what the comparison ignores.
func normalize(t *testing.T, v any) any {
	t.Helper()
	var b []byte
	switch v := v.(type) {
	case []byte:
		b = v
	default:
		b = mustJSON(t, v)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return strip(out)
}

func strip(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["description"].(string); ok {
			delete(v, "description")
		}
		if c, ok := v["const"]; ok {
			if e, ok := v["enum"].([]any); ok && len(e) == 1 && e[0] == c {
				delete(v, "enum")
			}
		}
		for k, x := range v {
			v[k] = strip(x)
		}
	case []any:
		for i, x := range v {
			v[i] = strip(x)
		}
	}
	return v
}

// diff describes the first difference between two JSON values, or returns "".
func diff(want, got any, path string) string {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if wok && gok {
		for k, w := range wm {
			g, ok := gm[k]
			if !ok {
				return path + "/" + k + ": missing"
			}
			if d := diff(w, g, path+"/"+k); d != "" {
				return d
			}
		}
		for k := range gm {
			if _, ok := wm[k]; !ok {
				return path + "/" + k + ": unexpected"
			}
		}
		return ""
	}
	wl, wok := want.([]any)
	gl, gok := got.([]any)
	if wok && gok && len(wl) == len(gl) {
		for i := range wl {
			if d := diff(wl[i], gl[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("%s: got %v, want %v", path, got, want)
	}
	return ""
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMessageTypeEnum checks what the chat playground relies on: every
// message class of a message output carries its type literal in
// properties.type.enum, and AIMessage's is "ai".
func TestMessageTypeEnum(t *testing.T) {
	s, err := Of[schema.Message]("out")
	if err != nil {
		t.Fatal(err)
	}
	defs := s["$defs"].(map[string]any)
	alts := s["oneOf"].([]any)
	if len(alts) != len(messageClasses) {
		t.Fatalf("oneOf has %d alternatives, want %d", len(alts), len(messageClasses))
	}
	for _, a := range alts {
		name := a.(map[string]any)["$ref"].(string)[len(defsPrefix):]
		typ := defs[name].(map[string]any)["properties"].(map[string]any)["type"].(map[string]any)
		enum, _ := typ["enum"].([]any)
		if len(enum) != 1 || enum[0] != typ["const"] {
			t.Errorf("%s: type enum = %v, const = %v", name, typ["enum"], typ["const"])
		}
	}
	ai := defs["AIMessage"].(map[string]any)["properties"].(map[string]any)["type"].(map[string]any)
	if !slices.Contains(ai["enum"].([]any), any("ai")) {
		t.Errorf("AIMessage type enum = %v, want it to contain \"ai\"", ai["enum"])
	}
}
