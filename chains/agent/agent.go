package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/langserve-go/langserve/internal/jsonschema"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/graph"
	"github.com/langserve-go/langserve/runnable/schema"
)

// The names of the agent's nodes, as in LangGraph's create_react_agent.
const (
	AgentNode = "agent"
	ToolsNode = "tools"
)

// State is the agent's input and output: the conversation. Its JSON form is
// {"messages": […]}, what LangGraph agents and the chat playground use.
// The agent appends to it: the model's answers and the tools' messages.
type State struct {
	Messages []schema.Message `json:"messages"`
}

// MarshalJSON writes {"messages": […]}, with [] for no messages.
func (s State) MarshalJSON() ([]byte, error) {
	msgs := s.Messages
	if msgs == nil {
		msgs = []schema.Message{}
	}
	return json.Marshal(struct {
		Messages []schema.Message `json:"messages"`
	}{msgs})
}

// UnmarshalJSON reads {"messages": …}, where the messages may be given in
// any form LangChain accepts for a conversation: message objects,
// {"role","content"} objects, [role, content] pairs, bare strings (human
// messages), or a single string for a one-message conversation. Other keys
// are ignored.
func (s *State) UnmarshalJSON(data []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return fmt.Errorf(`agent: the state must be an object with "messages", got %s`, shorten(data))
	}
	raw, ok := obj["messages"]
	t := bytes.TrimSpace(raw)
	if !ok || len(t) == 0 || string(t) == "null" {
		return errors.New(`agent: the state needs "messages"`)
	}
	if t[0] != '[' && t[0] != '"' {
		return fmt.Errorf(`agent: "messages" must be a list of messages, got %s`, shorten(t))
	}
	var pv schema.PromptValue
	if err := json.Unmarshal(t, &pv); err != nil {
		return fmt.Errorf("agent: messages: %w", err)
	}
	s.Messages = pv.ToMessages()
	return nil
}

func shorten(b []byte) string {
	const max = 60
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// reduce merges a node's messages into the conversation (LangGraph's
// add_messages).
func reduce(old, update State) State {
	return State{Messages: graph.AppendMessages(old.Messages, update.Messages)}
}

// Options configure an agent. The zero value (or nil) is a nameless agent
// without system prompt that keeps to the config's recursion limit.
type Options struct {
	// SystemPrompt, when not empty, is sent to the model as a system
	// message before the conversation. It is not added to the state.
	SystemPrompt string
	// MaxSteps replaces the default recursion limit: it bounds the graph
	// steps (model turns and tool rounds) of runs whose config sets no
	// recursion_limit, or LangChain's default of 25, which nested runs
	// inherit; see package graph for how steps count. Zero keeps the
	// config's limit.
	MaxSteps int
	// Name names the agent's runs and schemas; empty means "LangGraph".
	Name string
}

// Agent is a tool-calling agent: a graph that asks the model, runs the
// tools it calls, gives it their results and asks again, until the model
// answers without calling a tool (LangGraph's create_react_agent). Build
// one with [New].
//
// An Agent is a runnable from [State] to [State] that can be served with
// serve.AddRoutes: the output is the input conversation followed by the
// model's messages and the tool messages. Its input schema marks the
// messages for the playgrounds' chat widget; [Agent.Answer] adapts it to
// the chat playground. It is immutable and safe for concurrent use.
type Agent struct {
	g        *graph.Graph[State]
	model    *chatmodel.Model
	tools    map[string]Tool
	names    []string
	system   string
	maxSteps int
}

// New builds an agent that asks model, offering it tools (which may be
// empty: the agent then only asks the model once). The tools must have
// distinct names and no construction mistakes.
func New(model *chatmodel.Model, tools []Tool, opts *Options) (*Agent, error) {
	if opts == nil {
		opts = &Options{}
	}
	var errs []error
	if model == nil {
		errs = append(errs, errors.New("agent: nil model"))
	}
	if opts.MaxSteps < 0 {
		errs = append(errs, fmt.Errorf("agent: MaxSteps must not be negative, got %d", opts.MaxSteps))
	}
	a := &Agent{model: model, tools: map[string]Tool{}, system: opts.SystemPrompt, maxSteps: opts.MaxSteps}
	specs := make([]chatmodel.Tool, 0, len(tools))
	for i, t := range tools {
		if err := t.Err(); err != nil {
			errs = append(errs, fmt.Errorf("agent: tool %d: %w", i, err))
			continue
		}
		if _, dup := a.tools[t.name]; dup {
			errs = append(errs, fmt.Errorf("agent: tool name %q is used twice", t.name))
			continue
		}
		a.tools[t.name] = t
		a.names = append(a.names, t.name)
		specs = append(specs, t.Spec())
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(specs) > 0 {
		a.model = model.BindTools(specs...)
	}
	b := graph.New(reduce).AddFunc(AgentNode, a.callModel).SetEntry(AgentNode)
	if len(specs) > 0 {
		b.AddFunc(ToolsNode, a.callTools).
			AddConditionalEdges(AgentNode, shouldContinue, ToolsNode, graph.END).
			AddEdge(ToolsNode, AgentNode)
	} else {
		b.AddEdge(AgentNode, graph.END)
	}
	g, err := b.Compile()
	if err != nil {
		return nil, err
	}
	if opts.Name != "" {
		g = g.Named(opts.Name)
	}
	a.g = g
	return a, nil
}

// callModel is the agent node: it asks the model with the conversation
// and adds its answer.
func (a *Agent) callModel(ctx context.Context, s State) (State, error) {
	msgs := s.Messages
	if a.system != "" {
		msgs = append([]schema.Message{schema.System(a.system)}, msgs...)
	}
	answer, err := a.model.Invoke(ctx, schema.ChatPrompt(msgs...))
	if err != nil {
		return State{}, err
	}
	return State{Messages: []schema.Message{answer}}, nil
}

// shouldContinue runs the tools when the model called any, and ends the run
// otherwise.
func shouldContinue(_ context.Context, s State) (string, error) {
	if n := len(s.Messages); n > 0 && len(s.Messages[n-1].ToolCalls) > 0 {
		return ToolsNode, nil
	}
	return graph.END, nil
}

// callTools is the tools node: it answers every tool call of the last AI
// message with a tool message, running the calls in parallel (at most
// max_concurrency at once) and keeping their order. A call that fails, or
// names no tool, gets an error message for the model to read; only a
// cancellation fails the node.
func (a *Agent) callTools(ctx context.Context, s State) (State, error) {
	n := len(s.Messages)
	if n == 0 || s.Messages[n-1].Type != schema.AIType {
		return State{}, errors.New("agent: the tools node needs an AI message last in the conversation")
	}
	calls := s.Messages[n-1].ToolCalls
	out := make([]schema.Message, len(calls))
	limit := runnable.ConfigFrom(ctx).MaxConcurrency
	if limit <= 0 || limit > len(calls) {
		limit = len(calls)
	}
	if limit <= 1 {
		for i, c := range calls {
			out[i] = a.call(ctx, c)
		}
	} else {
		var wg sync.WaitGroup
		sem := make(chan struct{}, limit)
		for i, c := range calls {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				out[i] = a.call(ctx, c)
			})
		}
		wg.Wait()
	}
	if err := ctx.Err(); err != nil {
		return State{}, context.Cause(ctx)
	}
	return State{Messages: out}, nil
}

// call runs one tool call; an unknown tool gets LangGraph's error reply
// without any tool run.
func (a *Agent) call(ctx context.Context, c schema.ToolCall) schema.Message {
	t, ok := a.tools[c.Name]
	if !ok {
		msg := schema.Message{Type: schema.ToolType, Name: c.Name, ToolCallID: c.ID}
		return errorMessage(msg, fmt.Sprintf("%s is not a valid tool, try one of [%s].", c.Name, strings.Join(a.names, ", ")))
	}
	return t.Call(ctx, c)
}

// Graph returns the agent's graph.
func (a *Agent) Graph() *graph.Graph[State] { return a.g }

// Tools returns the agent's tools in the order they were given.
func (a *Agent) Tools() []Tool {
	out := make([]Tool, len(a.names))
	for i, n := range a.names {
		out[i] = a.tools[n]
	}
	return out
}

// options applies MaxSteps when neither the caller's config nor opts set a
// recursion limit other than the default. (Every run passes the default on
// to its nested runs, so an agent inside a sequence sees 25 even when
// nobody chose it.)
func (a *Agent) options(ctx context.Context, opts []runnable.Option) []runnable.Option {
	if a.maxSteps == 0 {
		return opts
	}
	c := runnable.ConfigFrom(ctx)
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.RecursionLimit != 0 && c.RecursionLimit != runnable.DefaultRecursionLimit {
		return opts
	}
	return append(slices.Clip(opts), runnable.WithRecursionLimit(a.maxSteps))
}

// Describe names the agent "LangGraph" unless Options.Name says otherwise.
func (a *Agent) Describe() runnable.Info { return a.g.Describe() }

// Invoke runs the agent on the conversation in and returns it with the
// agent's messages appended. A run that exceeds the recursion limit fails
// with an error wrapping runnable.ErrRecursionLimit.
func (a *Agent) Invoke(ctx context.Context, in State, opts ...runnable.Option) (State, error) {
	return a.g.Invoke(ctx, in, a.options(ctx, opts)...)
}

// Stream yields the conversation after each step: the input, then the
// input and the model's first answer, then with the tool messages, and so
// on. It returns a single-use iterator; see [graph.Graph.Stream].
func (a *Agent) Stream(ctx context.Context, in State, opts ...runnable.Option) iter.Seq2[State, error] {
	return a.g.Stream(ctx, in, a.options(ctx, opts)...)
}

// Updates yields the messages each step added, with the step number and
// the node ("agent" or "tools"). It returns a single-use iterator; see
// [graph.Graph.Updates].
func (a *Agent) Updates(ctx context.Context, in State, opts ...runnable.Option) iter.Seq2[graph.Update[State], error] {
	return a.g.Updates(ctx, in, a.options(ctx, opts)...)
}

// Batch runs the agent on every input; see [runnable.BatchOf].
func (a *Agent) Batch(ctx context.Context, ins []State, opts ...runnable.Option) ([]State, error) {
	return runnable.BatchOf(ctx, a, ins, opts...)
}

// chatWidget tells LangServe's playground to edit the messages as a chat.
var chatWidget = map[string]any{"widget": map[string]any{"type": "chat", "input": "messages"}}

// InputSchema is {"messages": [message, …]} titled after the agent
// ("LangGraphInput"), with the chat widget hint on "messages".
func (a *Agent) InputSchema(runnable.Config) (runnable.Schema, error) {
	s, err := stateSchema(runnable.SchemaTitle(a.Describe().Name, "Input"))
	if err != nil {
		return nil, err
	}
	if props, ok := s["properties"].(map[string]any); ok {
		if m, ok := props["messages"].(map[string]any); ok {
			m["extra"] = chatWidget
		}
	}
	return s, nil
}

// OutputSchema is {"messages": [message, …]} titled after the agent
// ("LangGraphOutput").
func (a *Agent) OutputSchema(runnable.Config) (runnable.Schema, error) {
	return stateSchema(runnable.SchemaTitle(a.Describe().Name, "Output"))
}

func stateSchema(title string) (runnable.Schema, error) {
	s, err := jsonschema.For(reflect.TypeFor[State](), title)
	if err != nil {
		return nil, err
	}
	s["title"] = title
	return s, nil
}

// Answer returns a runnable that runs the agent and returns its last
// message, the model's final answer: the shape the chat playground wants
// (messages in, an AI message out). It traces as a sequence of the agent
// and a "final_answer" step.
func (a *Agent) Answer() runnable.Runnable[State, schema.Message] {
	last := runnable.NewInvoker(runnable.Info{Name: "final_answer"}, func(_ context.Context, s State) (schema.Message, error) {
		if len(s.Messages) == 0 {
			return schema.Message{}, errors.New("agent: the conversation is empty")
		}
		return s.Messages[len(s.Messages)-1], nil
	})
	return runnable.Pipe[State, State, schema.Message](a, last)
}

var (
	_ runnable.Runnable[State, State] = (*Agent)(nil)
	_ runnable.Describer              = (*Agent)(nil)
	_ runnable.SchemaProvider         = (*Agent)(nil)
)
