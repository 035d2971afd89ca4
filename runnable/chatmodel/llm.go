package chatmodel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"runtime/debug"
	"strings"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// FromLLM returns a chat model backed by a langchaingo model (OpenAI,
// Ollama, Anthropic, … clients). info names it for tracing, for example
// {Name: "ChatOpenAI", Metadata: {"ls_provider": "openai", "ls_model_name":
// "gpt-4o-mini"}}; see [New] for the defaults.
//
// Every call streams: GenerateContent runs on a goroutine of its own and
// hands each piece of text to the stream through langchaingo's streaming
// callback. Breaking out of the stream, or ctx ending, cancels the call's
// context (and so its HTTP request) and waits for the goroutine to return,
// so no goroutine outlives the call. Empty pieces are dropped. Tool calls
// come from the streamed tool call deltas when the client reports them
// (langchaingo's OpenAI client does), otherwise from the final response;
// token counts in the response's GenerationInfo become usage_metadata, and
// the stop reason becomes response_metadata.finish_reason, both on a last
// chunk with empty content, as LangChain's OpenAI model sends them.
//
// langchaingo's Ollama client cannot pass tools or tool messages, so a
// model made from it reports [ErrToolsUnsupported] when tools are bound.
func FromLLM(m llms.Model, info runnable.Info) *Model {
	if m == nil {
		cm := New(info, nil)
		cm.err = errors.New("chatmodel: FromLLM: nil llms.Model")
		return cm
	}
	_, isOllama := m.(*ollama.LLM)
	modelName, _ := info.Metadata["ls_model_name"].(string)
	return New(info, &llmStreamer{llm: m, tools: !isOllama, modelName: modelName})
}

type llmStreamer struct {
	llm       llms.Model
	tools     bool
	modelName string
}

func (l *llmStreamer) SupportsTools() bool { return l.tools }

// generated is what the GenerateContent goroutine ends with.
type generated struct {
	resp *llms.ContentResponse
	err  error
}

func (l *llmStreamer) StreamChat(ctx context.Context, msgs []schema.Message, opts CallOptions) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		content, err := toLLMMessages(msgs)
		if err != nil {
			yield(schema.Message{}, err)
			return
		}
		callOpts := toLLMOptions(opts)
		ctx, cancel := context.WithCancelCause(ctx)
		pieces := make(chan []byte) // unbuffered: the model waits for us
		done := make(chan generated, 1)
		// GenerateContent blocks while it calls the streaming function, so it
		// runs on its own goroutine; cancel plus the wait on done below make
		// sure it has returned before this iterator does.
		go func() {
			var g generated
			defer func() {
				if v := recover(); v != nil {
					g = generated{err: &runnable.PanicError{Value: v, Stack: debug.Stack()}}
				}
				done <- g
			}()
			stream := llms.WithStreamingFunc(func(ctx context.Context, b []byte) error {
				if len(b) == 0 {
					return nil // the OpenAI client reports the role and the finish as empty pieces
				}
				select {
				case pieces <- bytes.Clone(b):
					return nil
				case <-ctx.Done():
					return context.Cause(ctx)
				}
			})
			g.resp, g.err = l.llm.GenerateContent(ctx, content, append(callOpts, stream)...)
		}()
		var final generated
		finished := false
		defer func() {
			if !finished {
				cancel(runnable.ErrStreamStopped)
				<-done
			}
			cancel(nil)
		}()

		var (
			text      bool // some text was streamed
			toolDelta bool // some tool call delta was streamed
			index     = -1 // index of the tool call being streamed
		)
		for !finished {
			select {
			case b := <-pieces:
				var chunk schema.Message
				if deltas, ok := parseToolDeltas(b, len(opts.Tools) > 0); ok {
					chunk = schema.Message{Type: schema.AIChunkType, ToolCallChunks: toolCallChunks(deltas, &index)}
					toolDelta = true
				} else {
					chunk = schema.AIChunk(string(b))
					text = true
				}
				if !yield(chunk, nil) {
					return
				}
			case final = <-done:
				finished = true
			}
		}
		if final.err != nil {
			if ctx.Err() != nil && context.Cause(ctx) != nil {
				yield(schema.Message{}, context.Cause(ctx))
				return
			}
			yield(schema.Message{}, fmt.Errorf("chatmodel: %w", final.err))
			return
		}
		if final.resp == nil || len(final.resp.Choices) == 0 || final.resp.Choices[0] == nil {
			yield(schema.Message{}, errors.New("chatmodel: the model returned no choices"))
			return
		}
		for _, c := range l.closing(final.resp.Choices[0], text, toolDelta) {
			if !yield(c, nil) {
				return
			}
		}
	}
}

// closing returns the chunks that follow the streamed ones: what the
// client did not stream (text or tool calls of a client that reports them
// only at the end), then the finish reason and usage.
func (l *llmStreamer) closing(choice *llms.ContentChoice, text, toolDelta bool) []schema.Message {
	var out []schema.Message
	if !text && choice.Content != "" {
		out = append(out, schema.AIChunk(choice.Content))
	}
	if !toolDelta && len(choice.ToolCalls) > 0 {
		c := schema.Message{Type: schema.AIChunkType}
		for i, tc := range choice.ToolCalls {
			tcc := schema.ToolCallChunk{ID: tc.ID, Index: new(i)}
			if tc.FunctionCall != nil {
				tcc.Name, tcc.Args = tc.FunctionCall.Name, tc.FunctionCall.Arguments
			}
			c.ToolCallChunks = append(c.ToolCallChunks, tcc)
		}
		out = append(out, c)
	}
	last := schema.Message{Type: schema.AIChunkType, ResponseMetadata: map[string]any{}}
	if choice.StopReason != "" {
		last.ResponseMetadata["finish_reason"] = choice.StopReason
	}
	if l.modelName != "" {
		last.ResponseMetadata["model_name"] = l.modelName
	}
	last.UsageMetadata = usageOf(choice.GenerationInfo)
	if len(last.ResponseMetadata) > 0 || last.UsageMetadata != nil {
		out = append(out, last)
	}
	return out
}

// usageOf reads langchaingo's token counts (PromptTokens, CompletionTokens,
// TotalTokens, and the cached and reasoning details some clients add).
func usageOf(info map[string]any) *schema.UsageMetadata {
	in, okIn := intOf(info["PromptTokens"])
	out, okOut := intOf(info["CompletionTokens"])
	total, okTotal := intOf(info["TotalTokens"])
	if !okIn && !okOut && !okTotal || in == 0 && out == 0 && total == 0 {
		return nil
	}
	if !okTotal || total == 0 {
		total = in + out
	}
	u := &schema.UsageMetadata{InputTokens: in, OutputTokens: out, TotalTokens: total}
	if n, ok := intOf(info["PromptCachedTokens"]); ok && n > 0 {
		u.InputTokenDetails = map[string]int{"cache_read": n}
	}
	if n, ok := intOf(info["ReasoningTokens"]); ok && n > 0 {
		u.OutputTokenDetails = map[string]int{"reasoning": n}
	}
	return u
}

func intOf(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	}
	return 0, false
}

// toolDelta is one element of the JSON that langchaingo's OpenAI client
// passes to the streaming function for a streamed tool call delta: a new
// call has a type, a continuation only more argument text.
type toolDelta struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function *struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// parseToolDeltas recognizes a streamed tool call delta. langchaingo gives
// it to the streaming function as JSON text, just like a piece of the
// answer, so it is only looked for when tools are bound, and only in the
// exact shape the client writes.
func parseToolDeltas(b []byte, toolsBound bool) ([]toolDelta, bool) {
	if !toolsBound || len(b) < 2 || b[0] != '[' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var deltas []toolDelta
	if err := dec.Decode(&deltas); err != nil || dec.More() || len(deltas) == 0 {
		return nil, false
	}
	for _, d := range deltas {
		if d.Function == nil {
			return nil, false
		}
	}
	return deltas, true
}

// toolCallChunks turns deltas into tool call chunks, numbering the calls
// as langchaingo groups them: a delta with a type starts a new call, one
// without continues the last.
func toolCallChunks(deltas []toolDelta, index *int) []schema.ToolCallChunk {
	var out []schema.ToolCallChunk
	for _, d := range deltas {
		if d.Type != "" || *index < 0 {
			*index++
			out = append(out, schema.ToolCallChunk{Name: d.Function.Name, Args: d.Function.Arguments, ID: d.ID, Index: new(*index)})
			continue
		}
		out = append(out, schema.ToolCallChunk{Args: d.Function.Arguments, Index: new(*index)})
	}
	return out
}

// argsJSON encodes tool call arguments compactly and without the HTML
// escaping of encoding/json ("<" stays "<"), as Python's json.dumps and the
// providers write them.
func argsJSON(args map[string]any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(args); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// toLLMOptions maps call options to langchaingo's.
func toLLMOptions(o CallOptions) []llms.CallOption {
	var out []llms.CallOption
	if len(o.Tools) > 0 {
		tools := make([]llms.Tool, len(o.Tools))
		for i, t := range o.Tools {
			params := any(t.Parameters)
			if t.Parameters == nil {
				params = map[string]any{"type": "object", "properties": map[string]any{}}
			}
			tools[i] = llms.Tool{Type: "function", Function: &llms.FunctionDefinition{
				Name: t.Name, Description: t.Description, Parameters: params,
			}}
		}
		out = append(out, llms.WithTools(tools))
	}
	if len(o.Stop) > 0 {
		out = append(out, llms.WithStopWords(o.Stop))
	}
	if o.Temperature != nil {
		out = append(out, llms.WithTemperature(*o.Temperature))
	}
	if o.MaxTokens > 0 {
		out = append(out, llms.WithMaxTokens(o.MaxTokens))
	}
	return out
}

// toLLMMessages converts LangChain messages to langchaingo's.
func toLLMMessages(msgs []schema.Message) ([]llms.MessageContent, error) {
	out := make([]llms.MessageContent, 0, len(msgs))
	for i, m := range msgs {
		mc, err := toLLMMessage(m)
		if err != nil {
			return nil, fmt.Errorf("chatmodel: message %d: %w", i, err)
		}
		out = append(out, mc)
	}
	return out, nil
}

func toLLMMessage(m schema.Message) (llms.MessageContent, error) {
	var role llms.ChatMessageType
	switch t := m.Type.Base(); t {
	case schema.HumanType:
		role = llms.ChatMessageTypeHuman
	case schema.AIType:
		role = llms.ChatMessageTypeAI
	case schema.SystemType:
		role = llms.ChatMessageTypeSystem
	case schema.ToolType:
		return llms.MessageContent{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{
			llms.ToolCallResponse{ToolCallID: m.ToolCallID, Name: m.Name, Content: m.Text()},
		}}, nil
	case schema.FunctionType:
		return llms.MessageContent{Role: llms.ChatMessageTypeFunction, Parts: []llms.ContentPart{
			llms.ToolCallResponse{Name: m.Name, Content: m.Text()},
		}}, nil
	case schema.ChatType:
		switch m.Role {
		case "user", "human":
			role = llms.ChatMessageTypeHuman
		case "assistant", "ai":
			role = llms.ChatMessageTypeAI
		case "system", "developer":
			role = llms.ChatMessageTypeSystem
		default:
			role = llms.ChatMessageTypeGeneric
		}
	default:
		return llms.MessageContent{}, fmt.Errorf("unsupported message type %q", t)
	}
	parts, err := contentParts(m)
	if err != nil {
		return llms.MessageContent{}, err
	}
	if role == llms.ChatMessageTypeAI {
		calls := m.ToolCalls
		if m.IsChunk() && len(calls) == 0 {
			calls = m.ToMessage().ToolCalls
		}
		for _, tc := range calls {
			args := tc.Args
			if args == nil {
				args = map[string]any{}
			}
			b, err := argsJSON(args)
			if err != nil {
				return llms.MessageContent{}, fmt.Errorf("tool call %q: arguments: %w", tc.Name, err)
			}
			parts = append(parts, llms.ToolCall{ID: tc.ID, Type: "function", FunctionCall: &llms.FunctionCall{Name: tc.Name, Arguments: b}})
		}
	}
	return llms.MessageContent{Role: role, Parts: parts}, nil
}

// contentParts converts a message's content: text, or content blocks of
// type text and image_url.
func contentParts(m schema.Message) ([]llms.ContentPart, error) {
	if m.ContentBlocks == nil {
		if m.Content == "" && m.Type.Base() == schema.AIType {
			return nil, nil // an AI message that only calls tools
		}
		return []llms.ContentPart{llms.TextContent{Text: m.Content}}, nil
	}
	var parts []llms.ContentPart
	for i, b := range m.ContentBlocks {
		switch b["type"] {
		case "text":
			s, _ := b["text"].(string)
			parts = append(parts, llms.TextContent{Text: s})
		case "image_url":
			switch v := b["image_url"].(type) {
			case string:
				parts = append(parts, llms.ImageURLContent{URL: v})
			case map[string]any:
				url, _ := v["url"].(string)
				detail, _ := v["detail"].(string)
				if url == "" {
					return nil, fmt.Errorf("content block %d: image_url without url", i)
				}
				parts = append(parts, llms.ImageURLContent{URL: url, Detail: detail})
			default:
				return nil, fmt.Errorf("content block %d: image_url must be a string or an object", i)
			}
		default:
			return nil, fmt.Errorf("content block %d: unsupported type %v (want text or image_url)", i, b["type"])
		}
	}
	return parts, nil
}
