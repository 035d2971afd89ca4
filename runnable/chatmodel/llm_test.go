package chatmodel_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"
	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/internal/openaitest"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/schema"
)

// openAIModel returns a chat model backed by langchaingo's OpenAI client
// talking to s.
func openAIModel(t testing.TB, s *openaitest.Server) *chatmodel.Model {
	t.Helper()
	llm, err := openai.New(openai.WithToken(openaitest.DefaultAPIKey), openai.WithBaseURL(s.URL),
		openai.WithModel("gpt-test"), openai.WithHTTPClient(s.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return chatmodel.FromLLM(llm, runnable.Info{Name: "ChatOpenAI", Metadata: map[string]any{"ls_model_name": "gpt-test"}})
}

func TestLLMInvoke(t *testing.T) {
	s := openaitest.New(t, openaitest.WithReplies(openaitest.Reply{Content: "Bonjour le monde"}))
	msg, err := openAIModel(t, s).Invoke(t.Context(), schema.ChatPrompt(
		schema.System("You translate."), schema.Human("Translate to French: hello world")))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Type != schema.AIType || msg.Content != "Bonjour le monde" || !strings.HasPrefix(msg.ID, "run--") {
		t.Errorf("answer %+v", msg)
	}
	// 2 + 5 words in, 3 chunks out (openaitest's counting).
	if u := msg.UsageMetadata; u == nil || !reflect.DeepEqual(*u, schema.UsageMetadata{InputTokens: 7, OutputTokens: 3, TotalTokens: 10}) {
		t.Errorf("usage %+v", u)
	}
	if want := map[string]any{"finish_reason": "stop", "model_name": "gpt-test"}; !reflect.DeepEqual(msg.ResponseMetadata, want) {
		t.Errorf("response metadata %v, want %v", msg.ResponseMetadata, want)
	}
	req := s.Requests()[0]
	if req.Body["stream"] != true || req.Body["model"] != "gpt-test" {
		t.Errorf("request %s", req.Raw)
	}
	want := []any{
		map[string]any{"role": "system", "content": "You translate."},
		map[string]any{"role": "user", "content": "Translate to French: hello world"},
	}
	if !reflect.DeepEqual(req.Body["messages"], want) {
		t.Errorf("messages %v, want %v", req.Body["messages"], want)
	}
}

func TestLLMStream(t *testing.T) {
	s := openaitest.New(t, openaitest.WithReplies(openaitest.Reply{Content: "Bonjour le monde"}))
	var c runnable.Collector
	chunks := collectStream(t, openAIModel(t, s).Stream(t.Context(), prompt, runnable.WithCallbacks(&c)))
	var contents []string
	for _, ch := range chunks {
		contents = append(contents, ch.Content)
		if ch.Type != schema.AIChunkType || ch.ID != chunks[0].ID {
			t.Errorf("chunk %+v: want an AIMessageChunk with id %q", ch, chunks[0].ID)
		}
	}
	// The text in order, then the finish reason and usage on an empty chunk.
	if want := []string{"Bonjour", " le", " monde", ""}; !slices.Equal(contents, want) {
		t.Errorf("chunks %q, want %q", contents, want)
	}
	last := chunks[len(chunks)-1]
	if last.UsageMetadata == nil || last.ResponseMetadata["finish_reason"] != "stop" {
		t.Errorf("last chunk %+v", last)
	}
	evs := c.Events()
	if evs[0].Kind != runnable.EventStart || evs[len(evs)-1].Kind != runnable.EventEnd || len(evs) != len(chunks)+2 {
		t.Errorf("%d events for %d chunks", len(evs), len(chunks))
	}
	if out := evs[len(evs)-1].Output.(schema.Message); out.Content != "Bonjour le monde" || out.UsageMetadata == nil {
		t.Errorf("end output %+v", out)
	}
	if md := evs[0].Metadata; md["ls_provider"] != "openai" || md["ls_model_name"] != "gpt-test" {
		t.Errorf("run metadata %v", md)
	}
}

func TestLLMToolCalls(t *testing.T) {
	s := openaitest.New(t)
	m := openAIModel(t, s).BindTools(weatherTool(), chatmodel.Tool{Name: "now", Description: "The time"})
	calls := []openaitest.ToolCall{
		{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris","unit":"celsius"}`},
		{ID: "call_2", Name: "now", Arguments: `{}`},
	}
	s.Queue(openaitest.Reply{ToolCalls: calls})
	msg, err := m.Invoke(t.Context(), schema.StringPrompt("Weather in Paris, and the time?"))
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.ToolCall{
		{Name: "get_weather", Args: map[string]any{"city": "Paris", "unit": "celsius"}, ID: "call_1"},
		{Name: "now", Args: map[string]any{}, ID: "call_2"},
	}
	if !reflect.DeepEqual(msg.ToolCalls, want) || msg.Content != "" || msg.ResponseMetadata["finish_reason"] != "tool_calls" {
		t.Errorf("answer %+v\nwant tool calls %+v", msg, want)
	}
	tools := s.Requests()[0].Body["tools"].([]any)
	first := tools[0].(map[string]any)["function"].(map[string]any)
	if len(tools) != 2 || first["name"] != "get_weather" || first["description"] != "Weather in a city" ||
		!reflect.DeepEqual(first["parameters"], weatherTool().Parameters) {
		t.Errorf("tools sent %v", tools)
	}
	second := tools[1].(map[string]any)["function"].(map[string]any)
	if !reflect.DeepEqual(second["parameters"], map[string]any{"type": "object", "properties": map[string]any{}}) {
		t.Errorf("parameters of a tool without any: %v", second["parameters"])
	}

	// Streamed, the calls arrive as tool call chunks, in pieces.
	s.Queue(openaitest.Reply{ToolCalls: calls})
	chunks := collectStream(t, m.Stream(t.Context(), prompt))
	pieces := map[int]int{}
	for _, c := range chunks {
		for _, tc := range c.ToolCallChunks {
			pieces[*tc.Index]++
		}
	}
	if pieces[0] < 3 || pieces[1] < 2 || len(pieces) != 2 {
		t.Errorf("tool call chunks per call %v, want several for calls 0 and 1", pieces)
	}
	sum, err := runnable.Collect(seq(chunks))
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.ToMessage().ToolCalls; !reflect.DeepEqual(got, want) {
		t.Errorf("streamed tool calls %+v, want %+v", got, want)
	}
}

func TestLLMToolMessages(t *testing.T) {
	s := openaitest.New(t, openaitest.WithReplies(openaitest.Reply{Content: "Sunny."}))
	history := schema.ChatPrompt(
		schema.Human("Weather in Paris?"),
		schema.Message{Type: schema.AIType, ToolCalls: []schema.ToolCall{{Name: "get_weather", Args: map[string]any{"city": "Paris"}, ID: "call_1"}}},
		schema.Tool("sunny, 21°C", "call_1"),
	)
	if _, err := openAIModel(t, s).BindTools(weatherTool()).Invoke(t.Context(), history); err != nil {
		t.Fatal(err)
	}
	want := []any{
		map[string]any{"role": "user", "content": "Weather in Paris?"},
		map[string]any{"role": "assistant", "content": "", "tool_calls": []any{map[string]any{
			"id": "call_1", "type": "function", "function": map[string]any{"name": "get_weather", "arguments": `{"city":"Paris"}`},
		}}},
		map[string]any{"role": "tool", "content": "sunny, 21°C", "tool_call_id": "call_1"},
	}
	if got := s.Requests()[0].Body["messages"]; !reflect.DeepEqual(got, want) {
		t.Errorf("messages\n got %v\nwant %v", got, want)
	}
}

// waitCancelled waits until s saw the client of a held reply go away. The
// time limit only turns a hang into a failure.
func waitCancelled(t *testing.T, s *openaitest.Server) {
	t.Helper()
	select {
	case <-s.Cancelled():
	case <-time.After(time.Minute):
		t.Fatal("the server never saw the request cancelled")
	}
}

// TestLLMEarlyBreak stops reading after the first chunk: the HTTP request
// must be cancelled and every goroutine gone when the loop is left.
func TestLLMEarlyBreak(t *testing.T) {
	s := openaitest.New(t, openaitest.WithReplies(openaitest.Reply{Content: "one two three four", HoldAfter: 2}))
	m := openAIModel(t, s)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var c runnable.Collector
	n := 0
	for _, err := range m.Stream(t.Context(), prompt, runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		break
	}
	waitCancelled(t, s)
	evs := c.Events()
	if last := evs[len(evs)-1]; n != 1 || last.Kind != runnable.EventError || !errors.Is(last.Err, runnable.ErrStreamStopped) {
		t.Errorf("%d chunks, last event %v %v", n, last.Kind, last.Err)
	}
}

func TestLLMContextCancel(t *testing.T) {
	s := openaitest.New(t, openaitest.WithReplies(openaitest.Reply{Content: "one two three four", HoldAfter: 2}))
	m := openAIModel(t, s)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var got []string
	var last error
	for c, err := range m.Stream(ctx, prompt) {
		if err != nil {
			last = err
			break
		}
		got = append(got, c.Content)
		if len(got) == 2 {
			cancel() // the server holds the rest until the client goes away
		}
	}
	waitCancelled(t, s)
	if !slices.Equal(got, []string{"one", " two"}) || !errors.Is(last, context.Canceled) {
		t.Errorf("got %q then %v, want two chunks then context.Canceled", got, last)
	}
}

func TestLLMErrors(t *testing.T) {
	s := openaitest.New(t, openaitest.WithReplies(openaitest.Reply{Status: 500, Error: "the model is down"}))
	if _, err := openAIModel(t, s).Invoke(t.Context(), prompt); err == nil || !strings.Contains(err.Error(), "the model is down") {
		t.Errorf("server error: %v", err)
	}

	llm, err := openai.New(openai.WithToken("wrong"), openai.WithBaseURL(s.URL), openai.WithHTTPClient(s.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chatmodel.FromLLM(llm, runnable.Info{}).Invoke(t.Context(), prompt); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong key: %v", err)
	}

	if _, err := chatmodel.FromLLM(nil, runnable.Info{}).Invoke(t.Context(), prompt); err == nil {
		t.Error("nil llms.Model: no error")
	}

	// Content langchaingo cannot express is refused before any request.
	n := len(s.Requests())
	bad := schema.ChatPrompt(schema.Message{Type: schema.HumanType, ContentBlocks: []map[string]any{{"type": "audio"}}})
	if _, err := openAIModel(t, s).Invoke(t.Context(), bad); err == nil || !strings.Contains(err.Error(), "audio") {
		t.Errorf("audio block: %v", err)
	}
	if len(s.Requests()) != n {
		t.Error("a request was sent for an invalid prompt")
	}
}

func TestLLMOllamaHasNoTools(t *testing.T) {
	llm, err := ollama.New(ollama.WithServerURL("http://127.0.0.1:1"), ollama.WithModel("llama3.2"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = chatmodel.FromLLM(llm, runnable.Info{Name: "ChatOllama"}).BindTools(weatherTool()).Invoke(t.Context(), prompt)
	if !errors.Is(err, chatmodel.ErrToolsUnsupported) {
		t.Errorf("Ollama with tools: %v, want ErrToolsUnsupported", err)
	}
}

func TestLLMImageContent(t *testing.T) {
	s := openaitest.New(t, openaitest.WithReplies(openaitest.Reply{Content: "A cat."}))
	p := schema.ChatPrompt(schema.Message{Type: schema.HumanType, ContentBlocks: []map[string]any{
		{"type": "text", "text": "What is this?"},
		{"type": "image_url", "image_url": map[string]any{"url": "https://example.com/cat.png", "detail": "low"}},
	}})
	if _, err := openAIModel(t, s).Invoke(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"role": "user", "content": []any{
		map[string]any{"type": "text", "text": "What is this?"},
		map[string]any{"type": "image_url", "image_url": map[string]any{"url": "https://example.com/cat.png", "detail": "low"}},
	}}}
	if got := s.Requests()[0].Body["messages"]; !reflect.DeepEqual(got, want) {
		t.Errorf("messages\n got %v\nwant %v", got, want)
	}
}

// scriptLLM is an in-process llms.Model that streams fixed pieces and then
// returns a fixed response; it records when GenerateContent has returned.
type scriptLLM struct {
	pieces    []string
	resp      *llms.ContentResponse
	err       error
	panicWith any
	returned  atomic.Bool
}

func (l *scriptLLM) GenerateContent(ctx context.Context, _ []llms.MessageContent, options ...llms.CallOption) (*llms.ContentResponse, error) {
	defer l.returned.Store(true)
	var o llms.CallOptions
	for _, opt := range options {
		opt(&o)
	}
	for _, p := range l.pieces {
		if err := o.StreamingFunc(ctx, []byte(p)); err != nil {
			return nil, err
		}
	}
	if l.panicWith != nil {
		panic(l.panicWith)
	}
	return l.resp, l.err
}

func (l *scriptLLM) Call(ctx context.Context, prompt string, options ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, l, prompt, options...)
}

func TestLLMAdapterContract(t *testing.T) {
	usage := map[string]any{"PromptTokens": 3, "CompletionTokens": 2, "TotalTokens": 5, "PromptCachedTokens": 1}
	for _, tt := range []struct {
		name     string
		llm      *scriptLLM
		contents []string
		calls    []schema.ToolCall
		usage    *schema.UsageMetadata
	}{
		{
			name: "empty pieces are dropped",
			llm: &scriptLLM{pieces: []string{"", "Hel", "", "lo"}, resp: &llms.ContentResponse{Choices: []*llms.ContentChoice{
				{Content: "Hello", StopReason: "stop", GenerationInfo: usage},
			}}},
			contents: []string{"Hel", "lo", ""},
			usage:    &schema.UsageMetadata{InputTokens: 3, OutputTokens: 2, TotalTokens: 5, InputTokenDetails: map[string]int{"cache_read": 1}},
		},
		{
			name: "a client that streams nothing",
			llm: &scriptLLM{resp: &llms.ContentResponse{Choices: []*llms.ContentChoice{{
				Content: "Calling.", ToolCalls: []llms.ToolCall{{ID: "c1", Type: "function", FunctionCall: &llms.FunctionCall{Name: "f", Arguments: `{"x":1}`}}},
			}}}},
			contents: []string{"Calling.", ""},
			calls:    []schema.ToolCall{{Name: "f", Args: map[string]any{"x": 1.0}, ID: "c1"}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := chatmodel.FromLLM(tt.llm, runnable.Info{Name: "Scripted"}).BindTools(chatmodel.Tool{Name: "f"})
			chunks := collectStream(t, m.Stream(t.Context(), prompt))
			var contents []string
			for _, c := range chunks {
				contents = append(contents, c.Content)
			}
			if !slices.Equal(contents, tt.contents) {
				t.Errorf("chunk contents %q, want %q", contents, tt.contents)
			}
			sum, err := runnable.Collect(seq(chunks))
			if err != nil {
				t.Fatal(err)
			}
			msg := sum.ToMessage()
			if !reflect.DeepEqual(msg.UsageMetadata, tt.usage) || len(msg.ToolCalls) != len(tt.calls) || len(tt.calls) > 0 && !reflect.DeepEqual(msg.ToolCalls, tt.calls) {
				t.Errorf("answer usage %+v tool calls %+v; want %+v %+v", msg.UsageMetadata, msg.ToolCalls, tt.usage, tt.calls)
			}
		})
	}

	t.Run("break waits for GenerateContent", func(t *testing.T) {
		l := &scriptLLM{pieces: []string{"a", "b", "c"}, resp: &llms.ContentResponse{Choices: []*llms.ContentChoice{{}}}}
		for range chatmodel.FromLLM(l, runnable.Info{}).Stream(t.Context(), prompt) {
			break
		}
		if !l.returned.Load() {
			t.Error("the stream returned before GenerateContent did")
		}
	})
	t.Run("panic", func(t *testing.T) {
		l := &scriptLLM{pieces: []string{"a"}, panicWith: "client broke"}
		_, err := chatmodel.FromLLM(l, runnable.Info{}).Invoke(t.Context(), prompt)
		if pe, ok := errors.AsType[*runnable.PanicError](err); !ok || pe.Value != "client broke" {
			t.Errorf("Invoke: %v, want a PanicError", err)
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, l := range []*scriptLLM{
			{err: errors.New("quota exceeded")},
			{resp: &llms.ContentResponse{}},
			{},
		} {
			if _, err := chatmodel.FromLLM(l, runnable.Info{}).Invoke(t.Context(), prompt); err == nil {
				t.Errorf("%+v: no error", l)
			}
		}
	})
}
