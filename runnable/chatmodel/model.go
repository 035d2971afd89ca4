package chatmodel

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/langserve-go/langserve/internal/jsonschema"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Streamer is the part of a chat model that talks to the model itself: it
// answers msgs with a stream of AIMessageChunks. [New] turns a Streamer into
// a runnable with tracing, ids, Invoke, Batch and schemas, so a Streamer only
// has to produce chunks.
//
// StreamChat returns a single-use iterator. A non-nil error is the last pair
// it yields. It must stop when yield returns false or ctx is done, and must
// release everything it started (goroutines, HTTP requests) before it
// returns. Chunks may leave ID empty: the model then gives every chunk of a
// response the id LangChain would ("run-" + "-" + the run id).
//
// A Streamer must be safe for concurrent use.
type Streamer interface {
	StreamChat(ctx context.Context, msgs []schema.Message, opts CallOptions) iter.Seq2[schema.Message, error]
}

// ToolCaller is implemented by streamers that can offer tools to the model.
// A model whose streamer does not implement it, or reports false, fails
// every call made with tools bound with [ErrToolsUnsupported].
type ToolCaller interface {
	SupportsTools() bool
}

// Tool describes a tool the model may call: LangChain's tool spec in the
// OpenAI function format.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the tool's arguments. nil means a
	// tool without arguments ({"type":"object","properties":{}}).
	Parameters map[string]any
}

// CallOptions are the generation settings a Streamer receives with each
// call. Zero values mean "the provider's default".
type CallOptions struct {
	Tools []Tool
	// Stop lists stop sequences.
	Stop []string
	// Temperature is nil for the provider's default.
	Temperature *float64
	// MaxTokens bounds the length of the answer; 0 means no bound.
	MaxTokens int
}

// ErrToolsUnsupported is returned by calls of a model with tools bound
// ([Model.BindTools]) whose streamer cannot offer tools to the model.
var ErrToolsUnsupported = errors.New("chatmodel: this model cannot call tools")

// ErrNoChunks is returned by Stream when the model produced no chunk at
// all, as LangChain raises "No generation chunks were returned". Invoke
// returns an empty AI message instead.
var ErrNoChunks = errors.New("chatmodel: the model returned no chunks")

// Model is a chat model as a runnable: it turns a prompt value into an AI
// message (LangChain's BaseChatModel). Build one with [New], [FromLLM],
// [FromEnv] or one of the fakes ([Fake], [FakeList], [Scripted]).
//
// Every run has run type chat_model; its input is the prompt value, each
// streamed AIMessageChunk is reported as a stream event, and its output is
// the AIMessageChunk added up from the stream (Stream) or the final AIMessage
// (Invoke). A Model is immutable and safe for concurrent use; [Model.Bind]
// and [Model.BindTools] return modified copies.
type Model struct {
	info runnable.Info
	s    Streamer
	opts CallOptions
	err  error // reported by every call: a construction or binding mistake
}

// New returns a model that gets its chunks from s. info names the model;
// its Type is always chat_model, and its Metadata gets LangChain's
// ls_model_type "chat" and, unless given, an ls_provider derived from the
// name as LangChain derives it from the class name ("ChatOpenAI" → "openai",
// "GenericFakeChatModel" → "genericfakechatmodel").
func New(info runnable.Info, s Streamer) *Model {
	if info.Name == "" {
		info.Name = "ChatModel"
	}
	info.Type = runnable.ChatModelRun
	md := maps.Clone(info.Metadata)
	if md == nil {
		md = map[string]any{}
	}
	if _, ok := md["ls_provider"]; !ok {
		md["ls_provider"] = providerOf(info.Name)
	}
	if _, ok := md["ls_model_type"]; !ok {
		md["ls_model_type"] = "chat"
	}
	info.Metadata = md
	m := &Model{info: info, s: s}
	if s == nil {
		m.err = errors.New("chatmodel: New: nil Streamer")
	}
	return m
}

// providerOf is LangChain's default ls_provider: the class name without a
// leading "Chat" or a trailing "Chat", lower-cased.
func providerOf(name string) string {
	switch {
	case strings.HasPrefix(name, "Chat"):
		name = name[len("Chat"):]
	case strings.HasSuffix(name, "Chat"):
		name = name[:len(name)-len("Chat")]
	}
	return strings.ToLower(name)
}

// Describe returns the model's name, run type chat_model and ls_* metadata.
func (m *Model) Describe() runnable.Info {
	info := m.info
	info.Metadata = maps.Clone(m.info.Metadata)
	return info
}

// Bind returns a copy of m whose calls use o: each non-zero field of o
// replaces the one bound so far (LangChain's model.bind(stop=…)).
func (m *Model) Bind(o CallOptions) *Model {
	c := *m
	if o.Tools != nil {
		c.opts.Tools = slices.Clone(o.Tools)
		c.err = errors.Join(m.err, checkTools(o.Tools))
	}
	if o.Stop != nil {
		c.opts.Stop = slices.Clone(o.Stop)
	}
	if o.Temperature != nil {
		c.opts.Temperature = new(*o.Temperature)
	}
	if o.MaxTokens != 0 {
		c.opts.MaxTokens = o.MaxTokens
	}
	if o.MaxTokens < 0 {
		c.err = errors.Join(c.err, fmt.Errorf("chatmodel: MaxTokens must not be negative, got %d", o.MaxTokens))
	}
	return &c
}

// BindTools returns a copy of m that offers tools to the model, replacing
// any bound before (LangChain's bind_tools). Tool names must be non-empty
// and unique; a mistake, or a model that cannot call tools, makes every call
// of the copy fail with a clear error.
func (m *Model) BindTools(tools ...Tool) *Model {
	if tools == nil {
		tools = []Tool{}
	}
	return m.Bind(CallOptions{Tools: tools})
}

// Options returns the call options bound to m.
func (m *Model) Options() CallOptions {
	o := m.opts
	o.Tools = slices.Clone(o.Tools)
	o.Stop = slices.Clone(o.Stop)
	return o
}

func checkTools(tools []Tool) error {
	seen := map[string]bool{}
	var errs []error
	for i, t := range tools {
		switch {
		case t.Name == "":
			errs = append(errs, fmt.Errorf("chatmodel: tool %d has no name", i))
		case seen[t.Name]:
			errs = append(errs, fmt.Errorf("chatmodel: tool name %q is used twice", t.Name))
		}
		seen[t.Name] = true
	}
	return errors.Join(errs...)
}

// runInfo adds the call-dependent LangSmith parameters to the run's
// metadata, as BaseChatModel._get_ls_params does.
func (m *Model) runInfo() runnable.Info {
	info := m.info
	if len(m.opts.Stop) == 0 && m.opts.Temperature == nil && m.opts.MaxTokens == 0 {
		return info
	}
	info.Metadata = maps.Clone(info.Metadata)
	if len(m.opts.Stop) > 0 {
		info.Metadata["ls_stop"] = slices.Clone(m.opts.Stop)
	}
	if m.opts.Temperature != nil {
		info.Metadata["ls_temperature"] = *m.opts.Temperature
	}
	if m.opts.MaxTokens > 0 {
		info.Metadata["ls_max_tokens"] = m.opts.MaxTokens
	}
	return info
}

// check reports a construction mistake or tools the streamer cannot use.
func (m *Model) check() error {
	if m.err != nil {
		return m.err
	}
	if len(m.opts.Tools) > 0 && !supportsTools(m.s) {
		return fmt.Errorf("%w: %s", ErrToolsUnsupported, m.info.Name)
	}
	return nil
}

func supportsTools(s Streamer) bool {
	tc, ok := s.(ToolCaller)
	return ok && tc.SupportsTools()
}

// messageID is the id LangChain gives the chunks of a streamed response
// when the provider set none: "run-" + "-" + run id (the prefix "run-"
// followed by the UUID, hence the double dash).
func messageID(run *runnable.Run) string { return "run--" + run.ID().String() }

// Invoke asks the model and returns its answer as an AIMessage (type "ai"),
// with tool calls parsed from the streamed tool call chunks.
//
// When the run is observed (a handler receives its events), each chunk is
// reported as a stream event, as LangChain streams a chat model that is
// invoked under stream_log or stream_events; chunks and answer then carry
// the id "run--<run id>". Otherwise the answer's id is "run--<run id>-0",
// LangChain's id for the first generation of a non-streamed call.
func (m *Model) Invoke(ctx context.Context, in schema.PromptValue, opts ...runnable.Option) (schema.Message, error) {
	ctx, run := runnable.StartRun(ctx, m.runInfo(), in, opts...)
	if err := m.check(); err != nil {
		return schema.Message{}, run.Fail(err)
	}
	if err := ctx.Err(); err != nil {
		return schema.Message{}, run.Fail(context.Cause(ctx))
	}
	streamed := run.Observed()
	id := ""
	if streamed {
		id = messageID(run)
	}
	var acc schema.Message
	got := false
	for chunk, err := range m.chunks(ctx, in) {
		if err != nil {
			return schema.Message{}, run.Fail(err)
		}
		if chunk.ID == "" {
			chunk.ID = id
		}
		run.Chunk(chunk)
		acc, got = add(acc, chunk, got), true
	}
	out := schema.AI("")
	if got {
		out = acc.ToMessage()
	}
	if out.ID == "" {
		out.ID = messageID(run) + "-0"
	}
	run.End(out)
	return out, nil
}

// Stream asks the model and yields its answer as AIMessageChunks, all with
// the same id. It returns a single-use iterator; a non-nil error is the last
// pair it yields. Breaking out of the loop stops the model's work (the HTTP
// request of a provider model is cancelled) and fails the run with
// [runnable.ErrStreamStopped]. A stream without any chunk fails with
// [ErrNoChunks].
func (m *Model) Stream(ctx context.Context, in schema.PromptValue, opts ...runnable.Option) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		ctx, run := runnable.StartRun(ctx, m.runInfo(), in, opts...)
		if err := m.check(); err != nil {
			yield(schema.Message{}, run.Fail(err))
			return
		}
		if err := ctx.Err(); err != nil {
			yield(schema.Message{}, run.Fail(context.Cause(ctx)))
			return
		}
		id := messageID(run)
		// Only the run's end event needs the chunks added up.
		observed := run.Observed()
		var acc schema.Message
		got := false
		for chunk, err := range m.chunks(ctx, in) {
			if err != nil {
				yield(schema.Message{}, run.Fail(err))
				return
			}
			if chunk.ID == "" {
				chunk.ID = id
			}
			run.Chunk(chunk)
			if observed {
				acc = add(acc, chunk, got)
			}
			got = true
			if !yield(chunk, nil) {
				run.Fail(runnable.ErrStreamStopped)
				return
			}
		}
		if !got {
			yield(schema.Message{}, run.Fail(ErrNoChunks))
			return
		}
		run.End(acc)
	}
}

func add(acc, chunk schema.Message, got bool) schema.Message {
	if !got {
		return chunk
	}
	return acc.Concat(chunk)
}

// Batch invokes the model on every input; see [runnable.BatchOf].
func (m *Model) Batch(ctx context.Context, ins []schema.PromptValue, opts ...runnable.Option) ([]schema.Message, error) {
	return runnable.BatchOf(ctx, m, ins, opts...)
}

// chunks runs the streamer on the prompt's messages, checking what it
// yields: every chunk becomes an AIMessageChunk, a done ctx ends the stream
// with its cause, and a panic in the streamer becomes a
// *runnable.PanicError (a panic of the consumer is not ours and goes on).
func (m *Model) chunks(ctx context.Context, in schema.PromptValue) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		inYield := false
		defer func() {
			if v := recover(); v != nil {
				if inYield {
					panic(v)
				}
				yield(schema.Message{}, &runnable.PanicError{Value: v, Stack: debug.Stack()})
			}
		}()
		for chunk, err := range m.s.StreamChat(ctx, in.ToMessages(), m.Options()) {
			if err == nil && ctx.Err() != nil {
				err = context.Cause(ctx)
			}
			if err == nil {
				chunk, err = asChunk(chunk)
			}
			if err != nil {
				inYield = true
				yield(schema.Message{}, err)
				return
			}
			inYield = true
			if !yield(chunk, nil) {
				return
			}
			inYield = false
		}
		// A streamer that stops quietly when ctx is done still ends the
		// stream with the cause, so a cut answer never looks complete.
		if ctx.Err() != nil {
			inYield = true
			yield(schema.Message{}, context.Cause(ctx))
		}
	}
}

// asChunk makes a streamed message an AIMessageChunk.
func asChunk(c schema.Message) (schema.Message, error) {
	switch c.Type {
	case "":
		c.Type = schema.AIChunkType
		return c, nil
	case schema.AIChunkType:
		return c, nil
	case schema.AIType:
		return c.ToChunk(), nil
	}
	return schema.Message{}, fmt.Errorf("chatmodel: the model streamed a %q message, want AIMessageChunk", c.Type)
}

// InputSchema is LangChain's chat model input: a string, a prompt value or
// a list of messages, titled "<Name>Input".
func (m *Model) InputSchema(runnable.Config) (runnable.Schema, error) {
	return jsonschema.For(reflect.TypeFor[schema.PromptValue](), m.info.Name+"Input")
}

// OutputSchema is LangChain's AnyMessage union, titled "<Name>Output".
func (m *Model) OutputSchema(runnable.Config) (runnable.Schema, error) {
	return jsonschema.For(reflect.TypeFor[schema.Message](), m.info.Name+"Output")
}

var (
	_ runnable.Runnable[schema.PromptValue, schema.Message] = (*Model)(nil)
	_ runnable.Describer                                    = (*Model)(nil)
	_ runnable.SchemaProvider                               = (*Model)(nil)
)
