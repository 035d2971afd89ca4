package chatmodel_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/internal/openaitest"
	"github.com/langserve-go/langserve/runnable/chatmodel"
)

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestFromEnv(t *testing.T) {
	for _, tt := range []struct {
		name     string
		vars     map[string]string
		provider chatmodel.Provider
		model    string // ls_model_name; "" when no model is returned
		modelNm  string // Describe().Name
		err      string
	}{
		{name: "nothing set", vars: nil},
		{name: "blank values", vars: map[string]string{"OPENAI_API_KEY": "  ", "OLLAMA_MODEL": ""}},
		{name: "openai with defaults", vars: map[string]string{"OPENAI_API_KEY": "sk-x"},
			provider: chatmodel.ProviderOpenAI, model: chatmodel.DefaultOpenAIModel, modelNm: "ChatOpenAI"},
		{name: "openai-compatible server", vars: map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://127.0.0.1:8000/v1", "OPENAI_MODEL": "qwen2.5"},
			provider: chatmodel.ProviderOpenAI, model: "qwen2.5", modelNm: "ChatOpenAI"},
		{name: "openai wins over ollama", vars: map[string]string{"OPENAI_API_KEY": "k", "OLLAMA_MODEL": "llama3.2"},
			provider: chatmodel.ProviderOpenAI, model: chatmodel.DefaultOpenAIModel, modelNm: "ChatOpenAI"},
		{name: "base URL without key", vars: map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:8000/v1"}, err: "OPENAI_API_KEY is empty"},
		{name: "base URL not http", vars: map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "127.0.0.1:8000"}, err: "OPENAI_BASE_URL must be"},
		{name: "ollama", vars: map[string]string{"OLLAMA_MODEL": "llama3.2"},
			provider: chatmodel.ProviderOllama, model: "llama3.2", modelNm: "ChatOllama"},
		{name: "ollama on another host", vars: map[string]string{"OLLAMA_HOST": "gpu-box:11500", "OLLAMA_MODEL": "qwen3"},
			provider: chatmodel.ProviderOllama, model: "qwen3", modelNm: "ChatOllama"},
		{name: "ollama host without model", vars: map[string]string{"OLLAMA_HOST": "gpu-box"}, err: "OLLAMA_MODEL is empty"},
		{name: "bad ollama host", vars: map[string]string{"OLLAMA_HOST": "ftp://x", "OLLAMA_MODEL": "m"}, err: "OLLAMA_HOST must be"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, p, err := chatmodel.FromEnv(env(tt.vars))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || m != nil {
					t.Fatalf("FromEnv = %v, %q, %v; want an error containing %q", m, p, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p != tt.provider || (m == nil) != (tt.model == "") {
				t.Fatalf("FromEnv = %v, %q; want provider %q", m, p, tt.provider)
			}
			if m == nil {
				return
			}
			d := m.Describe()
			want := map[string]any{"ls_provider": string(tt.provider), "ls_model_type": "chat", "ls_model_name": tt.model}
			if d.Name != tt.modelNm || !reflect.DeepEqual(d.Metadata, want) {
				t.Errorf("Describe() = %+v, want %s %v", d, tt.modelNm, want)
			}
		})
	}
	if m, p, err := chatmodel.FromEnv(nil); m != nil || p != "" || err != nil {
		t.Errorf("FromEnv(nil) = %v, %q, %v", m, p, err)
	}
}

// TestFromEnvOverHTTP calls a model configured from the environment: the
// settings must reach langchaingo's client, not the process environment.
func TestFromEnvOverHTTP(t *testing.T) {
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1") // must be ignored
	t.Setenv("OPENAI_API_KEY", "process-key")
	s := openaitest.New(t, openaitest.WithReplies(openaitest.Reply{Content: "Hello from the server"}))
	m, _, err := chatmodel.FromEnv(env(map[string]string{
		"OPENAI_API_KEY": openaitest.DefaultAPIKey, "OPENAI_BASE_URL": s.URL, "OPENAI_MODEL": "local-model",
	}))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := m.Invoke(t.Context(), prompt)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Content != "Hello from the server" || msg.ResponseMetadata["model_name"] != "local-model" {
		t.Errorf("answer %+v", msg)
	}
	if got := s.Requests()[0].Body["model"]; got != "local-model" {
		t.Errorf("model sent %v", got)
	}
	s.Close() // closes the idle client connections before the leak check
}

func TestEmbedderFromEnv(t *testing.T) {
	s := openaitest.New(t)
	e, p, err := chatmodel.EmbedderFromEnv(env(map[string]string{
		"OPENAI_API_KEY": openaitest.DefaultAPIKey, "OPENAI_BASE_URL": s.URL,
		"OPENAI_EMBEDDING_MODEL": "embed-small", "OPENAI_EMBEDDING_DIMENSIONS": "8",
	}))
	if err != nil || p != chatmodel.ProviderOpenAI {
		t.Fatalf("EmbedderFromEnv = %v, %q, %v", e, p, err)
	}
	texts := []string{"red apple", "green pear"}
	vecs, err := e.EmbedDocuments(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range texts {
		if !slices.Equal(vecs[i], openaitest.Embed(text, 8)) {
			t.Errorf("vector %d = %v, want openaitest.Embed(%q, 8)", i, vecs[i], text)
		}
	}
	req := s.Requests()[0]
	if req.Path != "/v1/embeddings" || req.Body["model"] != "embed-small" || req.Body["dimensions"] != 8.0 {
		t.Errorf("request %s", req.Raw)
	}
	s.Close()

	for _, tt := range []struct {
		name     string
		vars     map[string]string
		provider chatmodel.Provider
		err      string
	}{
		{name: "nothing set"},
		{name: "ollama embedding model", vars: map[string]string{"OLLAMA_EMBEDDING_MODEL": "nomic-embed-text"}, provider: chatmodel.ProviderOllama},
		{name: "ollama chat model", vars: map[string]string{"OLLAMA_MODEL": "llama3.2"}, provider: chatmodel.ProviderOllama},
		{name: "ollama host only", vars: map[string]string{"OLLAMA_HOST": "x"}, err: "names a model"},
		{name: "bad dimensions", vars: map[string]string{"OPENAI_API_KEY": "k", "OPENAI_EMBEDDING_DIMENSIONS": "many"}, err: "OPENAI_EMBEDDING_DIMENSIONS"},
		{name: "base URL without key", vars: map[string]string{"OPENAI_BASE_URL": "http://x/v1"}, err: "OPENAI_API_KEY is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, p, err := chatmodel.EmbedderFromEnv(env(tt.vars))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || p != tt.provider || (e == nil) != (tt.provider == "") {
				t.Errorf("EmbedderFromEnv = %v, %q, %v; want provider %q", e, p, err, tt.provider)
			}
		})
	}
}
