// Package openaitest is a local server speaking enough of the OpenAI HTTP API
// for tests to exercise real OpenAI clients (langchaingo's, the Python and JS
// SDKs) over HTTP without a network: chat completions, streamed as SSE or
// not, with tool calls and usage, and embeddings.
//
// Answers are scripted: [Server.Queue] adds replies that the chat endpoint
// hands out in order; without a queued reply it echoes the last user
// message. Every request is recorded ([Server.Requests]). Embeddings are
// deterministic word-hashing vectors ([Embed]), so texts sharing words are
// near each other.
package openaitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
)

// DefaultAPIKey is the key a server accepts unless [WithAPIKey] says
// otherwise.
const DefaultAPIKey = "test-key"

// Reply is one scripted answer of the chat completions endpoint.
type Reply struct {
	// Content is the answer's text.
	Content string
	// Chunks is how Content is streamed; they must add up to Content. nil
	// streams one chunk per word, each word after the first carrying the
	// space before it ("Hello", " world").
	Chunks []string
	// ToolCalls are the tools the model calls. When streamed, each call's
	// arguments come in pieces of at most 8 runes.
	ToolCalls []ToolCall
	// FinishReason defaults to "tool_calls" when there are tool calls and
	// "stop" otherwise.
	FinishReason string
	// Usage defaults to counting words: prompt tokens are the words of the
	// request's messages, completion tokens the content chunks plus tool
	// calls.
	Usage *Usage
	// Status, when not 0 or 200, makes the server answer with this HTTP
	// status and an OpenAI error body carrying Error.
	Status int
	Error  string
	// HoldAfter, when positive, makes a streamed answer stop after this
	// many content chunks and wait until the client goes away; the server
	// then reports the cancellation on [Server.Cancelled].
	HoldAfter int
}

// ToolCall is a tool call in a reply. Arguments is the JSON text of the
// arguments.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string
}

// Usage is the token count of a reply.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Request is a request the server received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	// Raw is the request body; Body is Raw decoded when it is a JSON object.
	Raw  []byte
	Body map[string]any
}

// Server is the test server. It is safe for concurrent use.
type Server struct {
	// URL is the base URL of the API, ending in /v1, as OPENAI_BASE_URL
	// takes it.
	URL string

	srv       *httptest.Server
	key       string
	dims      int
	cancelled chan struct{}

	mu       sync.Mutex
	replies  []Reply
	requests []Request
	ids      int
}

// Option configures a Server.
type Option func(*Server)

// WithAPIKey sets the bearer token the server requires ([DefaultAPIKey] by
// default). An empty key accepts any request.
func WithAPIKey(key string) Option { return func(s *Server) { s.key = key } }

// WithReplies queues replies, as [Server.Queue] does.
func WithReplies(replies ...Reply) Option {
	return func(s *Server) { s.replies = append(s.replies, replies...) }
}

// WithEmbeddingDimensions sets the length of the vectors the embeddings
// endpoint returns when the request does not ask for one (16 by default).
func WithEmbeddingDimensions(n int) Option { return func(s *Server) { s.dims = n } }

// New starts a server that is closed when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{key: DefaultAPIKey, dims: 16, cancelled: make(chan struct{}, 64)}
	for _, o := range opts {
		o(s)
	}
	if s.dims <= 0 {
		t.Fatalf("openaitest: embedding dimensions must be positive, got %d", s.dims)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("GET /v1/models", s.models)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(r, nil)
		writeError(w, http.StatusNotFound, "invalid_request_error", fmt.Sprintf("Unknown request URL: %s %s", r.Method, r.URL.Path))
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.srv.Close)
	return s
}

// Client returns an HTTP client for the server; its idle connections are
// closed with the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close shuts the server down (it is also closed when the test ends).
func (s *Server) Close() { s.srv.Close() }

// Queue adds replies that the chat endpoint gives in order.
func (s *Server) Queue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, replies...)
}

// Requests returns the requests received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	copy(out, s.requests)
	return out
}

// Cancelled receives a value each time the client of a held reply
// ([Reply.HoldAfter]) has gone away.
func (s *Server) Cancelled() <-chan struct{} { return s.cancelled }

func (s *Server) record(r *http.Request, raw []byte) map[string]any {
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		body = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Raw: raw, Body: body})
	return body
}

// read records the request and checks its key and JSON body.
func (s *Server) read(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	body := s.record(r, raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "could not read the request body: "+err.Error())
		return nil, false
	}
	if s.key != "" && r.Header.Get("Authorization") != "Bearer "+s.key {
		writeErrorCode(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.")
		return nil, false
	}
	if body == nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "the request body must be a JSON object")
		return nil, false
	}
	return body, true
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	writeErrorCode(w, status, typ, "", msg)
}

func writeErrorCode(w http.ResponseWriter, status int, typ, code, msg string) {
	e := map[string]any{"message": msg, "type": typ, "param": nil, "code": nil}
	if code != "" {
		e["code"] = code
	}
	writeJSON(w, status, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	s.record(r, nil)
	if s.key != "" && r.Header.Get("Authorization") != "Bearer "+s.key {
		writeErrorCode(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{
		map[string]any{"id": "openaitest", "object": "model", "created": created, "owned_by": "openaitest"},
	}})
}

// created is the fixed timestamp of every answer, so that answers are
// deterministic.
const created = 1700000000

func (s *Server) nextID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids++
	return fmt.Sprintf("chatcmpl-openaitest-%d", s.ids)
}

// next takes the next queued reply, or echoes the last user message.
func (s *Server) next(msgs []any) Reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.replies) > 0 {
		r := s.replies[0]
		s.replies = s.replies[1:]
		return r
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if m, ok := msgs[i].(map[string]any); ok && m["role"] == "user" {
			return Reply{Content: textOf(m["content"])}
		}
	}
	return Reply{}
}

// textOf returns the text of a message content: a string or a list of
// parts.
func textOf(c any) string {
	switch c := c.(type) {
	case string:
		return c
	case []any:
		var b strings.Builder
		for _, p := range c {
			if m, ok := p.(map[string]any); ok {
				if t, ok := m["text"].(string); ok {
					b.WriteString(t)
				}
			}
		}
		return b.String()
	}
	return ""
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	body, ok := s.read(w, r)
	if !ok {
		return
	}
	model, _ := body["model"].(string)
	msgs, _ := body["messages"].([]any)
	if model == "" || len(msgs) == 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", `"model" (a string) and "messages" (a non-empty list) are required`)
		return
	}
	reply := s.next(msgs)
	if reply.Status != 0 && reply.Status != http.StatusOK {
		writeError(w, reply.Status, "server_error", reply.Error)
		return
	}
	chunks := reply.Chunks
	if chunks == nil {
		chunks = words(reply.Content)
	}
	if strings.Join(chunks, "") != reply.Content {
		writeError(w, http.StatusInternalServerError, "server_error", "openaitest: the reply's chunks do not add up to its content")
		return
	}
	finish := reply.FinishReason
	if finish == "" {
		finish = "stop"
		if len(reply.ToolCalls) > 0 {
			finish = "tool_calls"
		}
	}
	usage := reply.Usage
	if usage == nil {
		prompt := 0
		for _, m := range msgs {
			if m, ok := m.(map[string]any); ok {
				prompt += len(strings.Fields(textOf(m["content"])))
			}
		}
		usage = &Usage{PromptTokens: prompt, CompletionTokens: len(chunks) + len(reply.ToolCalls)}
	}
	usageJSON := map[string]any{
		"prompt_tokens": usage.PromptTokens, "completion_tokens": usage.CompletionTokens,
		"total_tokens": usage.PromptTokens + usage.CompletionTokens,
	}
	id := s.nextID()
	if stream, _ := body["stream"].(bool); !stream {
		msg := map[string]any{"role": "assistant", "content": reply.Content}
		if len(reply.ToolCalls) > 0 {
			if reply.Content == "" {
				msg["content"] = nil
			}
			calls := make([]any, len(reply.ToolCalls))
			for i, tc := range reply.ToolCalls {
				calls[i] = map[string]any{"id": tc.ID, "type": "function", "function": map[string]any{"name": tc.Name, "arguments": tc.Arguments}}
			}
			msg["tool_calls"] = calls
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"id": id, "object": "chat.completion", "created": created, "model": model,
			"system_fingerprint": "fp_openaitest",
			"choices":            []any{map[string]any{"index": 0, "message": msg, "logprobs": nil, "finish_reason": finish}},
			"usage":              usageJSON,
		})
		return
	}

	includeUsage := false
	if so, ok := body["stream_options"].(map[string]any); ok {
		includeUsage, _ = so["include_usage"].(bool)
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(delta map[string]any, finish any) bool {
		chunk := map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
			"system_fingerprint": "fp_openaitest",
			"choices":            []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}},
		}
		return sendEvent(w, rc, chunk)
	}
	if !send(map[string]any{"role": "assistant", "content": ""}, nil) {
		return
	}
	for i, c := range chunks {
		if reply.HoldAfter > 0 && i == reply.HoldAfter {
			s.hold(r)
			return
		}
		if !send(map[string]any{"content": c}, nil) {
			return
		}
	}
	if reply.HoldAfter > 0 && reply.HoldAfter >= len(chunks) {
		s.hold(r)
		return
	}
	for i, tc := range reply.ToolCalls {
		first := map[string]any{"index": i, "id": tc.ID, "type": "function", "function": map[string]any{"name": tc.Name, "arguments": ""}}
		if !send(map[string]any{"tool_calls": []any{first}}, nil) {
			return
		}
		for _, piece := range pieces(tc.Arguments, 8) {
			more := map[string]any{"index": i, "function": map[string]any{"arguments": piece}}
			if !send(map[string]any{"tool_calls": []any{more}}, nil) {
				return
			}
		}
	}
	if !send(map[string]any{}, finish) {
		return
	}
	if includeUsage {
		if !sendEvent(w, rc, map[string]any{
			"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
			"system_fingerprint": "fp_openaitest", "choices": []any{}, "usage": usageJSON,
		}) {
			return
		}
	}
	io.WriteString(w, "data: [DONE]\n\n")
	rc.Flush()
}

// hold waits until the client of r goes away and reports it.
func (s *Server) hold(r *http.Request) {
	<-r.Context().Done()
	select {
	case s.cancelled <- struct{}{}:
	default:
	}
}

func sendEvent(w io.Writer, rc *http.ResponseController, v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	var buf bytes.Buffer
	buf.WriteString("data: ")
	buf.Write(b)
	buf.WriteString("\n\n")
	if _, err := w.Write(buf.Bytes()); err != nil {
		return false
	}
	return rc.Flush() == nil
}

// words splits s into words, each but the first with the whitespace before
// it, as OpenAI tokens usually come.
func words(s string) []string {
	var out []string
	start := 0
	inWord := false
	for i, r := range s {
		space := unicode.IsSpace(r)
		if space && inWord {
			out = append(out, s[start:i])
			start = i
		}
		inWord = !space
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// pieces cuts s into pieces of at most n runes.
func pieces(s string, n int) []string {
	var out []string
	for s != "" {
		i, count := 0, 0
		for i < len(s) && count < n {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			count++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}
