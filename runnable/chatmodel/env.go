package chatmodel

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/langserve-go/langserve/runnable"
)

// Provider names the model provider [FromEnv] chose.
type Provider string

// The providers FromEnv knows.
const (
	// ProviderOpenAI is OpenAI or any server speaking its HTTP API (vLLM,
	// llama.cpp, LiteLLM, …) at OPENAI_BASE_URL.
	ProviderOpenAI Provider = "openai"
	// ProviderOllama is an Ollama server.
	ProviderOllama Provider = "ollama"
)

// Default model names, used when the environment names none.
const (
	DefaultOpenAIModel          = "gpt-4o-mini"
	DefaultOpenAIEmbeddingModel = "text-embedding-3-small"
	defaultOllamaPort           = "11434"
)

// FromEnv returns a chat model configured by environment variables, read
// through getenv (os.Getenv in programs, a map lookup in tests):
//
//   - OPENAI_API_KEY selects OpenAI through langchaingo, with
//     OPENAI_BASE_URL (any OpenAI-compatible server; default the OpenAI API)
//     and OPENAI_MODEL (default [DefaultOpenAIModel]);
//   - otherwise OLLAMA_MODEL or OLLAMA_HOST selects Ollama, with
//     OLLAMA_HOST ("host:port" or a URL; default 127.0.0.1:11434). Both
//     must name a model: OLLAMA_MODEL is required.
//
// With none of them set it returns (nil, "", nil), and callers fall back to
// a local model such as [Fake]. Settings that cannot work (a base URL that is
// not http(s), OPENAI_BASE_URL without a key) are errors rather than a
// silent fallback. Nothing is contacted until the model is called.
func FromEnv(getenv func(string) string) (*Model, Provider, error) {
	env := trimmed(getenv)
	key, base := env("OPENAI_API_KEY"), env("OPENAI_BASE_URL")
	switch {
	case key != "":
		model := or(env("OPENAI_MODEL"), DefaultOpenAIModel)
		llm, err := newOpenAI(key, base, openai.WithModel(model))
		if err != nil {
			return nil, "", err
		}
		return FromLLM(llm, runnable.Info{Name: "ChatOpenAI", Metadata: map[string]any{
			"ls_provider": "openai", "ls_model_name": model,
		}}), ProviderOpenAI, nil
	case base != "":
		return nil, "", fmt.Errorf("chatmodel: OPENAI_BASE_URL is set but OPENAI_API_KEY is empty; set a key (any value for a server that does not check keys)")
	case env("OLLAMA_MODEL") != "" || env("OLLAMA_HOST") != "":
		model := env("OLLAMA_MODEL")
		if model == "" {
			return nil, "", fmt.Errorf("chatmodel: OLLAMA_HOST is set but OLLAMA_MODEL is empty; name the model to use (for example llama3.2)")
		}
		llm, err := newOllama(env("OLLAMA_HOST"), model)
		if err != nil {
			return nil, "", err
		}
		return FromLLM(llm, runnable.Info{Name: "ChatOllama", Metadata: map[string]any{
			"ls_provider": "ollama", "ls_model_name": model,
		}}), ProviderOllama, nil
	}
	return nil, "", nil
}

// EmbedderFromEnv returns a langchaingo embedder chosen like [FromEnv]:
// OpenAI with OPENAI_EMBEDDING_MODEL (default
// [DefaultOpenAIEmbeddingModel]) and optional OPENAI_EMBEDDING_DIMENSIONS,
// or Ollama with OLLAMA_EMBEDDING_MODEL (default OLLAMA_MODEL). With no
// provider configured it returns (nil, "", nil).
func EmbedderFromEnv(getenv func(string) string) (embeddings.Embedder, Provider, error) {
	env := trimmed(getenv)
	key, base := env("OPENAI_API_KEY"), env("OPENAI_BASE_URL")
	switch {
	case key != "":
		opts := []openai.Option{openai.WithEmbeddingModel(or(env("OPENAI_EMBEDDING_MODEL"), DefaultOpenAIEmbeddingModel))}
		if d := env("OPENAI_EMBEDDING_DIMENSIONS"); d != "" {
			n, err := strconv.Atoi(d)
			if err != nil || n <= 0 {
				return nil, "", fmt.Errorf("chatmodel: OPENAI_EMBEDDING_DIMENSIONS must be a positive integer, got %q", d)
			}
			opts = append(opts, openai.WithEmbeddingDimensions(n))
		}
		llm, err := newOpenAI(key, base, opts...)
		if err != nil {
			return nil, "", err
		}
		e, err := embeddings.NewEmbedder(llm)
		if err != nil {
			return nil, "", fmt.Errorf("chatmodel: openai embedder: %w", err)
		}
		return e, ProviderOpenAI, nil
	case base != "":
		return nil, "", fmt.Errorf("chatmodel: OPENAI_BASE_URL is set but OPENAI_API_KEY is empty; set a key (any value for a server that does not check keys)")
	case env("OLLAMA_EMBEDDING_MODEL") != "" || env("OLLAMA_MODEL") != "" || env("OLLAMA_HOST") != "":
		model := or(env("OLLAMA_EMBEDDING_MODEL"), env("OLLAMA_MODEL"))
		if model == "" {
			return nil, "", fmt.Errorf("chatmodel: OLLAMA_HOST is set but neither OLLAMA_EMBEDDING_MODEL nor OLLAMA_MODEL names a model")
		}
		llm, err := newOllama(env("OLLAMA_HOST"), model)
		if err != nil {
			return nil, "", err
		}
		e, err := embeddings.NewEmbedder(llm)
		if err != nil {
			return nil, "", fmt.Errorf("chatmodel: ollama embedder: %w", err)
		}
		return e, ProviderOllama, nil
	}
	return nil, "", nil
}

func trimmed(getenv func(string) string) func(string) string {
	if getenv == nil {
		return func(string) string { return "" }
	}
	return func(k string) string { return strings.TrimSpace(getenv(k)) }
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// newOpenAI builds a langchaingo OpenAI client from explicit settings only:
// openai.New would otherwise fill unset ones from the process environment,
// which getenv is meant to replace.
func newOpenAI(key, base string, opts ...openai.Option) (*openai.LLM, error) {
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("chatmodel: OPENAI_BASE_URL must be an http(s) URL such as https://api.openai.com/v1, got %q", base)
		}
	}
	all := append([]openai.Option{openai.WithToken(key), openai.WithBaseURL(base), openai.WithModel(DefaultOpenAIModel), openai.WithOrganization("")}, opts...)
	llm, err := openai.New(all...)
	if err != nil {
		return nil, fmt.Errorf("chatmodel: openai: %w", err)
	}
	return llm, nil
}

// newOllama builds a langchaingo Ollama client. The server URL is checked
// here because the client's own option exits the process on a bad URL.
func newOllama(host, model string) (*ollama.LLM, error) {
	u, err := ollamaURL(host)
	if err != nil {
		return nil, err
	}
	llm, err := ollama.New(ollama.WithServerURL(u), ollama.WithModel(model))
	if err != nil {
		return nil, fmt.Errorf("chatmodel: ollama: %w", err)
	}
	return llm, nil
}

// ollamaURL reads OLLAMA_HOST the way the ollama CLI does: an optional
// scheme (default http), a host (default 127.0.0.1) and an optional port
// (default 11434).
func ollamaURL(host string) (string, error) {
	if host == "" {
		return "http://127.0.0.1:" + defaultOllamaPort, nil
	}
	scheme, rest, ok := strings.Cut(host, "://")
	if !ok {
		scheme, rest = "http", host
	}
	rest = strings.TrimSuffix(rest, "/")
	bad := fmt.Errorf("chatmodel: OLLAMA_HOST must be host[:port] or an http(s) URL, got %q", host)
	if scheme != "http" && scheme != "https" || rest == "" || strings.ContainsAny(rest, "/?#@ ") {
		return "", bad
	}
	h, port, err := net.SplitHostPort(rest)
	if err != nil {
		h, port = strings.Trim(rest, "[]"), defaultOllamaPort
	}
	if h == "" {
		h = "127.0.0.1"
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return "", bad
	}
	u := scheme + "://" + net.JoinHostPort(h, port)
	if _, err := url.Parse(u); err != nil {
		return "", bad
	}
	return u, nil
}
