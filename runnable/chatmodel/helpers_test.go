package chatmodel

import (
	"reflect"
	"testing"

	"github.com/tmc/langchaingo/llms"

	"github.com/langserve-go/langserve/runnable/schema"
)

func TestSplitKeepingSpaces(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Bonjour", []string{"Bonjour"}},
		{"Bonjour le monde,", []string{"Bonjour", " ", "le", " ", "monde,"}},
		// Python's re.split(r"(\s)", …) leaves empty strings between
		// adjacent separators and at the ends.
		{"a  b", []string{"a", " ", "", " ", "b"}},
		{" a ", []string{"", " ", "a", " ", ""}},
		{"a\nb\tc", []string{"a", "\n", "b", "\t", "c"}},
		{"é\u00a0ü", []string{"é", "\u00a0", "ü"}},
	} {
		if got := splitKeepingSpaces(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitKeepingSpaces(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProviderOf(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"GenericFakeChatModel", "genericfakechatmodel"},
		{"FakeListChatModel", "fakelistchatmodel"},
		{"ChatOpenAI", "openai"},
		{"ChatOllama", "ollama"},
		{"MistralChat", "mistral"},
	} {
		if got := providerOf(tt.name); got != tt.want {
			t.Errorf("providerOf(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestParseToolDeltas(t *testing.T) {
	for _, tt := range []struct {
		name  string
		in    string
		tools bool
		ok    bool
	}{
		{"new call", `[{"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]`, true, true},
		{"continuation", `[{"type":"","function":{"name":"","arguments":"{\"a\""}}]`, true, true},
		{"no tools bound", `[{"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]`, false, false},
		{"text", `Hello`, true, false},
		{"other JSON list", `[1,2]`, true, false},
		{"unknown key", `[{"function":{"name":"f","arguments":""},"extra":1}]`, true, false},
		{"no function", `[{"id":"x","type":"function"}]`, true, false},
		{"empty list", `[]`, true, false},
		{"trailing text", `[{"type":"function","function":{"name":"f","arguments":""}}] and more`, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := parseToolDeltas([]byte(tt.in), tt.tools); ok != tt.ok {
				t.Errorf("parseToolDeltas(%s) ok = %v, want %v", tt.in, ok, tt.ok)
			}
		})
	}
}

func TestToolCallChunksNumbering(t *testing.T) {
	index := -1
	var got []string
	for _, raw := range []string{
		`[{"id":"a","type":"function","function":{"name":"f","arguments":""}}]`,
		`[{"type":"","function":{"name":"","arguments":"{}"}}]`,
		`[{"id":"b","type":"function","function":{"name":"g","arguments":""}}]`,
		`[{"type":"","function":{"name":"","arguments":"{\"x\":1}"}}]`,
	} {
		deltas, ok := parseToolDeltas([]byte(raw), true)
		if !ok {
			t.Fatalf("not a delta: %s", raw)
		}
		for _, c := range toolCallChunks(deltas, &index) {
			got = append(got, c.Name+"|"+c.ID+"|"+c.Args+"|"+string(rune('0'+*c.Index)))
		}
	}
	want := []string{"f|a||0", "||{}|0", "g|b||1", `||{"x":1}|1`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chunks = %q, want %q", got, want)
	}
}

func TestOllamaURL(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		err      bool
	}{
		{"", "http://127.0.0.1:11434", false},
		{"localhost", "http://localhost:11434", false},
		{"0.0.0.0:8080", "http://0.0.0.0:8080", false},
		{"https://ollama.example:443", "https://ollama.example:443", false},
		{"http://10.0.0.1/", "http://10.0.0.1:11434", false},
		{"[::1]:11434", "http://[::1]:11434", false},
		{"::1", "http://[::1]:11434", false},
		{"ftp://host", "", true},
		{"host:99999", "", true},
		{"host:port", "", true},
		{"http://", "", true},
		{"http://host/path", "", true},
	} {
		got, err := ollamaURL(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ollamaURL(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestToLLMMessage(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   schema.Message
		want llms.MessageContent
		err  bool
	}{
		{"chat as user", schema.Message{Type: schema.ChatType, Role: "user", Content: "hi"},
			llms.MessageContent{Role: llms.ChatMessageTypeHuman, Parts: []llms.ContentPart{llms.TextContent{Text: "hi"}}}, false},
		{"chat with another role", schema.Message{Type: schema.ChatType, Role: "narrator", Content: "once"},
			llms.MessageContent{Role: llms.ChatMessageTypeGeneric, Parts: []llms.ContentPart{llms.TextContent{Text: "once"}}}, false},
		{"developer is system", schema.Message{Type: schema.ChatType, Role: "developer", Content: "be brief"},
			llms.MessageContent{Role: llms.ChatMessageTypeSystem, Parts: []llms.ContentPart{llms.TextContent{Text: "be brief"}}}, false},
		{"function result", schema.Message{Type: schema.FunctionType, Name: "f", Content: "42"},
			llms.MessageContent{Role: llms.ChatMessageTypeFunction, Parts: []llms.ContentPart{llms.ToolCallResponse{Name: "f", Content: "42"}}}, false},
		{"AI chunk with tool call chunks", schema.Message{Type: schema.AIChunkType, ToolCallChunks: []schema.ToolCallChunk{{Name: "f", Args: `{"a":1}`, ID: "c1", Index: new(0)}}},
			llms.MessageContent{Role: llms.ChatMessageTypeAI, Parts: []llms.ContentPart{llms.ToolCall{ID: "c1", Type: "function", FunctionCall: &llms.FunctionCall{Name: "f", Arguments: `{"a":1}`}}}}, false},
		{"human chunk", schema.Message{Type: schema.HumanChunkType, Content: "x"},
			llms.MessageContent{Role: llms.ChatMessageTypeHuman, Parts: []llms.ContentPart{llms.TextContent{Text: "x"}}}, false},
		{"unknown type", schema.Message{Type: "robot"}, llms.MessageContent{}, true},
		{"image without url", schema.Message{Type: schema.HumanType, ContentBlocks: []map[string]any{{"type": "image_url", "image_url": map[string]any{}}}}, llms.MessageContent{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toLLMMessage(tt.in)
			if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("toLLMMessage = %#v, %v; want %#v, error %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestArgsJSON(t *testing.T) {
	got, err := argsJSON(map[string]any{"q": "a<b & c>d", "n": 1})
	if want := `{"n":1,"q":"a<b & c>d"}`; err != nil || got != want {
		t.Errorf("argsJSON = %s, %v; want %s", got, err, want)
	}
	if _, err := argsJSON(map[string]any{"f": func() {}}); err == nil {
		t.Error("argsJSON of a func: no error")
	}
}
