package openaitest

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// post sends body to path with the default key and returns the response.
func post(t *testing.T, s *Server, path, key, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func decode(t *testing.T, r io.Reader) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.NewDecoder(r).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestChatNonStreaming(t *testing.T) {
	s := New(t, WithReplies(
		Reply{Content: "Hello there"},
		Reply{ToolCalls: []ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}}},
	))
	resp := post(t, s, "/chat/completions", DefaultAPIKey, `{"model":"m1","messages":[{"role":"user","content":"hi you"}]}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	got := decode(t, resp.Body)
	choice := got["choices"].([]any)[0].(map[string]any)
	if msg := choice["message"].(map[string]any); msg["content"] != "Hello there" || msg["role"] != "assistant" {
		t.Errorf("message %v", msg)
	}
	if choice["finish_reason"] != "stop" || got["model"] != "m1" || got["object"] != "chat.completion" {
		t.Errorf("answer %v", got)
	}
	wantUsage := map[string]any{"prompt_tokens": 2.0, "completion_tokens": 2.0, "total_tokens": 4.0}
	if !reflect.DeepEqual(got["usage"], wantUsage) {
		t.Errorf("usage %v, want %v", got["usage"], wantUsage)
	}

	got = decode(t, post(t, s, "/chat/completions", DefaultAPIKey, `{"model":"m1","messages":[{"role":"user","content":"weather?"}]}`).Body)
	choice = got["choices"].([]any)[0].(map[string]any)
	msg := choice["message"].(map[string]any)
	want := []any{map[string]any{"id": "call_1", "type": "function", "function": map[string]any{"name": "get_weather", "arguments": `{"city":"Paris"}`}}}
	if msg["content"] != nil || !reflect.DeepEqual(msg["tool_calls"], want) || choice["finish_reason"] != "tool_calls" {
		t.Errorf("tool call answer %v", choice)
	}

	// The queue is empty: the server echoes the last user message.
	got = decode(t, post(t, s, "/chat/completions", DefaultAPIKey,
		`{"model":"m1","messages":[{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"role":"user","content":[{"type":"text","text":"second"}]}]}`).Body)
	if c := got["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"]; c != "second" {
		t.Errorf("echo %v, want second", c)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d requests recorded, want 3", n)
	}
	if r := s.Requests()[0]; r.Path != "/v1/chat/completions" || r.Body["model"] != "m1" || r.Header.Get("Authorization") != "Bearer "+DefaultAPIKey {
		t.Errorf("recorded %+v", r)
	}
}

// events reads an SSE body into its data payloads.
func events(t *testing.T, r io.Reader) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("unexpected SSE line %q", line)
		}
		out = append(out, data)
	}
	return out
}

func TestChatStreaming(t *testing.T) {
	s := New(t, WithReplies(Reply{
		Content:   "Hi there",
		ToolCalls: []ToolCall{{ID: "call_1", Name: "lookup", Arguments: `{"query":"éléphant"}`}},
	}))
	resp := post(t, s, "/chat/completions", DefaultAPIKey,
		`{"model":"m1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hello"}]}`)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	data := events(t, resp.Body)
	if data[len(data)-1] != "[DONE]" {
		t.Fatalf("last event %q, want [DONE]", data[len(data)-1])
	}
	var deltas []string
	var finish []any
	var usage any
	for _, d := range data[:len(data)-1] {
		var chunk struct {
			Object  string `json:"object"`
			Choices []struct {
				Delta        map[string]any `json:"delta"`
				FinishReason any            `json:"finish_reason"`
			} `json:"choices"`
			Usage any `json:"usage"`
		}
		if err := json.Unmarshal([]byte(d), &chunk); err != nil {
			t.Fatal(err)
		}
		if chunk.Object != "chat.completion.chunk" {
			t.Errorf("object %q", chunk.Object)
		}
		if chunk.Usage != nil {
			usage = chunk.Usage
			continue
		}
		b, _ := json.Marshal(chunk.Choices[0].Delta)
		deltas = append(deltas, string(b))
		finish = append(finish, chunk.Choices[0].FinishReason)
	}
	want := []string{
		`{"content":"","role":"assistant"}`,
		`{"content":"Hi"}`,
		`{"content":" there"}`,
		`{"tool_calls":[{"function":{"arguments":"","name":"lookup"},"id":"call_1","index":0,"type":"function"}]}`,
		`{"tool_calls":[{"function":{"arguments":"{\"query\""},"index":0}]}`,
		`{"tool_calls":[{"function":{"arguments":":\"élépha"},"index":0}]}`,
		`{"tool_calls":[{"function":{"arguments":"nt\"}"},"index":0}]}`,
		`{}`,
	}
	if !slices.Equal(deltas, want) {
		t.Errorf("deltas\n%s\nwant\n%s", strings.Join(deltas, "\n"), strings.Join(want, "\n"))
	}
	if finish[len(finish)-1] != "tool_calls" || finish[0] != nil {
		t.Errorf("finish reasons %v", finish)
	}
	if want := map[string]any{"prompt_tokens": 1.0, "completion_tokens": 3.0, "total_tokens": 4.0}; !reflect.DeepEqual(usage, want) {
		t.Errorf("usage %v, want %v", usage, want)
	}

	// Without include_usage there is no usage chunk.
	s.Queue(Reply{Content: "a b", Chunks: []string{"a", " b"}})
	for _, d := range events(t, post(t, s, "/chat/completions", DefaultAPIKey, `{"model":"m1","stream":true,"messages":[{"role":"user","content":"x"}]}`).Body) {
		if strings.Contains(d, `"usage"`) {
			t.Errorf("usage sent without include_usage: %s", d)
		}
	}
}

func TestChatErrors(t *testing.T) {
	s := New(t, WithReplies(Reply{Status: http.StatusTooManyRequests, Error: "slow down"}, Reply{Content: "ab", Chunks: []string{"a"}}))
	for _, tt := range []struct {
		name, path, key, body string
		status                int
		message               string
	}{
		{"scripted error", "/chat/completions", DefaultAPIKey, `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 429, "slow down"},
		{"chunks that do not add up", "/chat/completions", DefaultAPIKey, `{"model":"m","messages":[{"role":"user","content":"x"}]}`, 500, "do not add up"},
		{"wrong key", "/chat/completions", "nope", `{"model":"m","messages":[]}`, 401, "Incorrect API key"},
		{"no key", "/embeddings", "", `{"model":"m","input":"x"}`, 401, "Incorrect API key"},
		{"not JSON", "/chat/completions", DefaultAPIKey, `hello`, 400, "JSON object"},
		{"no messages", "/chat/completions", DefaultAPIKey, `{"model":"m","messages":[]}`, 400, "messages"},
		{"no model", "/embeddings", DefaultAPIKey, `{"input":"x"}`, 400, "model"},
		{"token input", "/embeddings", DefaultAPIKey, `{"model":"m","input":[[1,2]]}`, 400, "token arrays"},
		{"empty input", "/embeddings", DefaultAPIKey, `{"model":"m","input":[]}`, 400, "input"},
		{"base64", "/embeddings", DefaultAPIKey, `{"model":"m","input":"x","encoding_format":"base64"}`, 400, "encoding_format"},
		{"bad dimensions", "/embeddings", DefaultAPIKey, `{"model":"m","input":"x","dimensions":0}`, 400, "dimensions"},
		{"unknown route", "/completions", DefaultAPIKey, `{}`, 404, "Unknown request URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, s, tt.path, tt.key, tt.body)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			e, _ := decode(t, resp.Body)["error"].(map[string]any)
			if msg, _ := e["message"].(string); !strings.Contains(msg, tt.message) {
				t.Errorf("error %v, want a message containing %q", e, tt.message)
			}
		})
	}
}

func TestEmbeddings(t *testing.T) {
	s := New(t, WithAPIKey(""), WithEmbeddingDimensions(8))
	got := decode(t, post(t, s, "/embeddings", "", `{"model":"e1","input":["red apple","green apple"]}`).Body)
	data := got["data"].([]any)
	if len(data) != 2 || got["model"] != "e1" {
		t.Fatalf("answer %v", got)
	}
	for i, text := range []string{"red apple", "green apple"} {
		d := data[i].(map[string]any)
		var vec []float32
		for _, x := range d["embedding"].([]any) {
			vec = append(vec, float32(x.(float64)))
		}
		if d["index"] != float64(i) || !slices.Equal(vec, Embed(text, 8)) {
			t.Errorf("data[%d] = %v, want Embed(%q)", i, d, text)
		}
	}
	got = decode(t, post(t, s, "/embeddings", "", `{"model":"e1","input":"one","dimensions":3}`).Body)
	if n := len(got["data"].([]any)[0].(map[string]any)["embedding"].([]any)); n != 3 {
		t.Errorf("asked for 3 dimensions, got %d", n)
	}
}

func cosine(a, b []float32) float64 {
	var dot float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
	}
	return dot
}

func TestEmbed(t *testing.T) {
	a, b, c := Embed("The red apple", 64), Embed("an apple, red!", 64), Embed("quantum chromodynamics", 64)
	for _, v := range [][]float32{a, b, c, Embed("", 64)} {
		if n := cosine(v, v); math.Abs(n-1) > 1e-6 {
			t.Errorf("norm² %v, want 1", n)
		}
	}
	if !slices.Equal(a, Embed("The red apple", 64)) {
		t.Error("Embed is not deterministic")
	}
	if cosine(a, b) <= cosine(a, c) {
		t.Errorf("texts sharing words are not closer: %v <= %v", cosine(a, b), cosine(a, c))
	}
	if e := Embed("...", 4); !slices.Equal(e, []float32{1, 0, 0, 0}) {
		t.Errorf("Embed without words = %v", e)
	}
}

func TestWordsAndPieces(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hello", []string{"Hello"}},
		{"Hello big  world!", []string{"Hello", " big", "  world!"}},
		{" lead", []string{" lead"}},
		{"trail ", []string{"trail", " "}},
	} {
		if got := words(tt.in); !slices.Equal(got, tt.want) || strings.Join(got, "") != tt.in {
			t.Errorf("words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := pieces("abcdéfghij", 4); !slices.Equal(got, []string{"abcd", "éfgh", "ij"}) {
		t.Errorf("pieces = %q", got)
	}
}

func TestModels(t *testing.T) {
	s := New(t)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/models", nil)
	req.Header.Set("Authorization", "Bearer "+DefaultAPIKey)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := decode(t, resp.Body); got["object"] != "list" {
		t.Errorf("models %v", got)
	}
}
