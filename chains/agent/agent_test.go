package agent_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/langserve-go/langserve/chains/agent"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/schema"
)

// aiCalls is a model reply that calls tools.
func aiCalls(calls ...schema.ToolCall) schema.Message {
	m := schema.AI("")
	m.ToolCalls = calls
	return m
}

func call(id, name string, args map[string]any) schema.ToolCall {
	return schema.ToolCall{ID: id, Name: name, Args: args}
}

func scriptedModel(replies ...schema.Message) *chatmodel.Model {
	return chatmodel.Scripted(replies...)
}

func failingTool() agent.Tool {
	return agent.NewTool("lookup", "Looks a word up.", func(_ context.Context, in struct {
		Word string `json:"word"`
	}) (string, error) {
		return "", fmt.Errorf("dictionary offline, cannot look up %q", in.Word)
	})
}

func newAgent(t *testing.T, model *chatmodel.Model, opts *agent.Options, tools ...agent.Tool) *agent.Agent {
	t.Helper()
	a, err := agent.New(model, tools, opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func question(text string) agent.State {
	return agent.State{Messages: []schema.Message{schema.Human(text)}}
}

// summary renders a conversation compactly: type, then content or calls.
func summary(msgs []schema.Message) []string {
	var out []string
	for _, m := range msgs {
		s := string(m.Type) + ":" + m.Content
		for _, c := range m.ToolCalls {
			s += fmt.Sprintf(" %s(%s)#%s", c.Name, jsonArgs(c.Args), c.ID)
		}
		if m.Type == schema.ToolType {
			s += fmt.Sprintf(" [%s %s %s]", m.Name, m.ToolCallID, m.Status)
		}
		out = append(out, s)
	}
	return out
}

func jsonArgs(args map[string]any) string {
	b, _ := json.Marshal(args)
	return string(b)
}

func TestMultiStepToolUse(t *testing.T) {
	model := scriptedModel(
		aiCalls(call("call_1", "add", map[string]any{"a": 2, "b": 3})),
		aiCalls(
			call("call_2", "weather", map[string]any{"where": map[string]any{"city": "Paris"}}),
			call("call_3", "add", map[string]any{"a": 5, "b": 1}),
		),
		schema.AI("It is 21.5 degrees in Paris, and the sum is 6."),
	)
	a := newAgent(t, model, &agent.Options{SystemPrompt: "You are terse."}, addTool(), weatherTool())
	var c runnable.Collector
	out, err := a.Invoke(t.Context(), question("what is 2+3, then the weather?"), runnable.WithCallbacks(&c))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"human:what is 2+3, then the weather?",
		`ai: add({"a":2,"b":3})#call_1`,
		"tool:5 [add call_1 ]",
		`ai: weather({"where":{"city":"Paris"}})#call_2 add({"a":5,"b":1})#call_3`,
		`tool:{"city":"Paris","temp":21.5,"sky":"clear & <sunny>"} [weather call_2 ]`,
		"tool:6 [add call_3 ]",
		"ai:It is 21.5 degrees in Paris, and the sum is 6.",
	}
	if got := summary(out.Messages); !slices.Equal(got, want) {
		t.Errorf("conversation:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, m := range out.Messages {
		if m.ID == "" {
			t.Errorf("message %q has no id; the reducer gives every message one", m.Content)
		}
	}

	// The model saw the system prompt first and every tool result.
	var prompts [][]string
	for _, ev := range c.Events() {
		if ev.Kind == runnable.EventStart && ev.Type == runnable.ChatModelRun {
			pv, _ := ev.Input.(schema.PromptValue)
			prompts = append(prompts, summary(pv.ToMessages()))
		}
	}
	if len(prompts) != 3 {
		t.Fatalf("%d model calls, want 3", len(prompts))
	}
	wantLast := append([]string{"system:You are terse."}, want[:6]...)
	if !slices.Equal(prompts[2], wantLast) {
		t.Errorf("third prompt:\n%s\nwant:\n%s", strings.Join(prompts[2], "\n"), strings.Join(wantLast, "\n"))
	}
}

func TestFailingTool(t *testing.T) {
	model := scriptedModel(
		aiCalls(
			call("c1", "lookup", map[string]any{"word": "graph"}),
			call("c2", "add", map[string]any{"a": "two"}),
			call("c3", "nope", nil),
			call("c4", "explode", map[string]any{}),
		),
		schema.AI("Sorry, the tools failed."),
	)
	explode := agent.NewTool("explode", "Panics.", func(context.Context, struct{}) (string, error) { panic("kaboom") })
	a := newAgent(t, model, nil, addTool(), failingTool(), explode)
	var c runnable.Collector
	out, err := a.Invoke(t.Context(), question("define graph"), runnable.WithCallbacks(&c))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 7 {
		t.Fatalf("conversation %v, want 7 messages", summary(out.Messages))
	}
	for i, want := range []string{
		`Error: dictionary offline, cannot look up "graph"` + "\n Please fix your mistakes.",
		"Error: agent: invalid tool arguments for tool \"add\": b: Field required; a: Input should be a valid integer, unable to parse string as an integer\n Please fix your mistakes.",
		"Error: nope is not a valid tool, try one of [add, lookup, explode].\n Please fix your mistakes.",
		"Error: runnable: panic: kaboom\n Please fix your mistakes.",
	} {
		m := out.Messages[2+i]
		if m.Type != schema.ToolType || m.Status != "error" || m.Content != want {
			t.Errorf("tool message %d: %+v\nwant content %q with status error", i, m, want)
		}
	}
	if last := out.Messages[6]; last.Content != "Sorry, the tools failed." {
		t.Errorf("last message %+v, want the model's recovery", last)
	}

	// The failing tools' runs report errors; the unknown tool has no run.
	failed := map[string]bool{}
	for _, ev := range c.Events() {
		if ev.Type == runnable.ToolRun && ev.Kind == runnable.EventError {
			failed[ev.Name] = true
		}
		if ev.Name == "nope" {
			t.Errorf("a run for the unknown tool: %+v", ev)
		}
	}
	if !failed["lookup"] || !failed["add"] || !failed["explode"] {
		t.Errorf("tool runs that failed: %v, want lookup, add and explode", failed)
	}
}

func TestRecursionLimit(t *testing.T) {
	loop := func() *chatmodel.Model {
		var replies []schema.Message
		for i := range 20 {
			replies = append(replies, aiCalls(call(fmt.Sprint("c", i), "add", map[string]any{"a": i, "b": 1})))
		}
		return scriptedModel(replies...)
	}
	for _, tt := range []struct {
		name       string
		opts       *agent.Options
		callOpts   []runnable.Option
		wantLimit  int
		wantModels int
	}{
		{"MaxSteps", &agent.Options{MaxSteps: 4}, nil, 4, 2},
		{"config limit wins over MaxSteps", &agent.Options{MaxSteps: 4}, []runnable.Option{runnable.WithRecursionLimit(7)}, 7, 4},
		{"config limit", nil, []runnable.Option{runnable.WithRecursionLimit(5)}, 5, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var models atomic.Int32
			counter := runnable.HandlerFunc(func(_ context.Context, ev *runnable.Event) {
				if ev.Kind == runnable.EventStart && ev.Type == runnable.ChatModelRun {
					models.Add(1)
				}
			})
			a := newAgent(t, loop(), tt.opts, addTool())
			_, err := a.Invoke(t.Context(), question("count forever"), append(tt.callOpts, runnable.WithCallbacks(counter))...)
			if !errors.Is(err, runnable.ErrRecursionLimit) || !strings.Contains(err.Error(), fmt.Sprintf("limit of %d", tt.wantLimit)) {
				t.Fatalf("error %v, want ErrRecursionLimit with limit %d", err, tt.wantLimit)
			}
			if got := int(models.Load()); got != tt.wantModels {
				t.Errorf("%d model calls, want %d", got, tt.wantModels)
			}
		})
	}
	// MaxSteps also applies inside a sequence, which passes the default on.
	a := newAgent(t, loop(), &agent.Options{MaxSteps: 3}, addTool())
	if _, err := a.Answer().Invoke(t.Context(), question("count")); !errors.Is(err, runnable.ErrRecursionLimit) || !strings.Contains(err.Error(), "limit of 3") {
		t.Errorf("Answer: error %v, want the MaxSteps limit", err)
	}
}

func TestStepStreaming(t *testing.T) {
	newA := func() *agent.Agent {
		return newAgent(t, scriptedModel(
			aiCalls(call("c1", "add", map[string]any{"a": 1, "b": 2})),
			schema.AI("3"),
		), nil, addTool())
	}
	var updates []string
	for u, err := range newA().Updates(t.Context(), question("1+2?")) {
		if err != nil {
			t.Fatal(err)
		}
		updates = append(updates, fmt.Sprintf("%d %s %v", u.Step, u.Node, summary(u.Value.Messages)))
	}
	want := []string{
		`1 agent [ai: add({"a":1,"b":2})#c1]`,
		"2 tools [tool:3 [add c1 ]]",
		"3 agent [ai:3]",
	}
	if !slices.Equal(updates, want) {
		t.Errorf("updates:\n%s\nwant:\n%s", strings.Join(updates, "\n"), strings.Join(want, "\n"))
	}

	var sizes []int
	for s, err := range newA().Stream(t.Context(), question("1+2?")) {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(s.Messages))
	}
	if !slices.Equal(sizes, []int{1, 2, 3, 4}) {
		t.Errorf("streamed conversation sizes %v, want [1 2 3 4]", sizes)
	}

	// Stopping after the first model turn leaves the tools unrun.
	var c runnable.Collector
	for range newA().Updates(t.Context(), question("1+2?"), runnable.WithCallbacks(&c)) {
		break
	}
	for _, ev := range c.Events() {
		if ev.Type == runnable.ToolRun || ev.Name == agent.ToolsNode {
			t.Errorf("a %s run after the consumer stopped", ev.Name)
		}
	}
}

// TestEvents checks the run tree stream_events is built from.
func TestEvents(t *testing.T) {
	a := newAgent(t, scriptedModel(
		aiCalls(call("c1", "add", map[string]any{"a": 1, "b": 2})),
		schema.AI("three"),
	), nil, addTool())
	var c runnable.Collector
	for _, err := range a.Stream(t.Context(), question("1+2?"), runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
	}
	events := c.Events()
	byID := map[string]runnable.Event{}
	for _, ev := range events {
		if ev.Kind == runnable.EventStart {
			byID[ev.RunID.String()] = ev
		}
	}
	parentName := func(ev runnable.Event) string {
		if len(ev.ParentIDs) == 0 {
			return ""
		}
		return byID[ev.ParentIDs[len(ev.ParentIDs)-1].String()].Name
	}
	var got []string
	for _, ev := range events {
		if ev.Kind == runnable.EventStream && ev.Type == runnable.ChatModelRun {
			continue // the scripted model's chunks, checked below
		}
		got = append(got, fmt.Sprintf("%s %s %s < %s", ev.Kind, ev.Type, ev.Name, parentName(ev)))
	}
	want := []string{
		"start chain LangGraph < ",
		"start chain __start__ < LangGraph",
		"end chain __start__ < LangGraph",
		"stream chain LangGraph < ",
		"start chain agent < LangGraph",
		"start chat_model ScriptedChatModel < agent",
		"end chat_model ScriptedChatModel < agent",
		"end chain agent < LangGraph",
		"stream chain LangGraph < ",
		"start chain tools < LangGraph",
		"start tool add < tools",
		"end tool add < tools",
		"end chain tools < LangGraph",
		"stream chain LangGraph < ",
		"start chain agent < LangGraph",
		"start chat_model ScriptedChatModel < agent",
		"end chat_model ScriptedChatModel < agent",
		"end chain agent < LangGraph",
		"stream chain LangGraph < ",
		"end chain LangGraph < ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var chunks int
	for _, ev := range events {
		switch {
		case ev.Kind == runnable.EventStream && ev.Type == runnable.ChatModelRun:
			chunks++
			if ev.Metadata["langgraph_node"] != agent.AgentNode || ev.Metadata["ls_model_type"] != "chat" {
				t.Errorf("model chunk metadata %v", ev.Metadata)
			}
		case ev.Kind == runnable.EventStart && ev.Type == runnable.ToolRun:
			if args, _ := ev.Input.(map[string]any); fmt.Sprint(args) != "map[a:1 b:2]" {
				t.Errorf("tool start input %v, want the call's arguments", ev.Input)
			}
			if ev.Metadata["langgraph_node"] != agent.ToolsNode || ev.Metadata["langgraph_step"] != 2 {
				t.Errorf("tool run metadata %v", ev.Metadata)
			}
		case ev.Kind == runnable.EventEnd && ev.Type == runnable.ToolRun:
			if m, _ := ev.Output.(schema.Message); m.Type != schema.ToolType || m.Content != "3" || m.ToolCallID != "c1" {
				t.Errorf("tool end output %v, want the tool message", ev.Output)
			}
		}
	}
	// One chunk with the tool call, then "three" in one piece.
	if chunks != 2 {
		t.Errorf("%d chat model chunks, want 2", chunks)
	}
}

func TestCancelledInTool(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stop := agent.NewTool("stop", "Cancels the run.", func(context.Context, struct{}) (string, error) {
		cancel()
		return "stopped", nil
	})
	a := newAgent(t, scriptedModel(aiCalls(call("c1", "stop", nil)), schema.AI("unreachable")), nil, stop)
	if _, err := a.Invoke(ctx, question("stop")); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestToolCallsConcurrency(t *testing.T) {
	var active, peak atomic.Int32
	slow := agent.NewTool("probe", "d", func(context.Context, struct{}) (string, error) {
		n := active.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		active.Add(-1)
		return "ok", nil
	})
	a := newAgent(t, scriptedModel(
		aiCalls(call("c1", "probe", nil), call("c2", "probe", nil), call("c3", "probe", nil)),
		schema.AI("done"),
	), nil, slow)
	out, err := a.Invoke(t.Context(), question("go"), runnable.WithMaxConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(out.Messages[2:5]); !slices.Equal(got, []string{"tool:ok [probe c1 ]", "tool:ok [probe c2 ]", "tool:ok [probe c3 ]"}) {
		t.Errorf("tool messages %v, want one per call in order", got)
	}
	if peak.Load() != 1 {
		t.Errorf("%d tool calls at once, want 1", peak.Load())
	}
}

func TestNoTools(t *testing.T) {
	a := newAgent(t, chatmodel.Fake("hello"), nil)
	out, err := a.Invoke(t.Context(), question("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(out.Messages); !slices.Equal(got, []string{"human:hi", "ai:hello"}) {
		t.Errorf("conversation %v", got)
	}
	if n := a.Graph().Nodes(); !slices.Equal(n, []string{"agent"}) {
		t.Errorf("nodes %v, want only agent", n)
	}
}

func TestNewErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		model *chatmodel.Model
		tools []agent.Tool
		opts  *agent.Options
		want  string
	}{
		{"nil model", nil, nil, nil, "nil model"},
		{"duplicate tools", scriptedModel(), []agent.Tool{addTool(), addTool()}, nil, `tool name "add" is used twice`},
		{"negative MaxSteps", scriptedModel(), nil, &agent.Options{MaxSteps: -1}, "MaxSteps"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := agent.New(tt.model, tt.tools, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	// A model that cannot call tools fails the run clearly.
	a := newAgent(t, chatmodel.Fake("hi"), nil, addTool())
	if _, err := a.Invoke(t.Context(), question("hi")); !errors.Is(err, chatmodel.ErrToolsUnsupported) {
		t.Errorf("error %v, want ErrToolsUnsupported", err)
	}
}

func TestStateJSON(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
		err  string
	}{
		{in: `{"messages":[{"type":"human","content":"hi"},{"type":"ai","content":"hello"}]}`, want: []string{"human:hi", "ai:hello"}},
		{in: `{"messages":[["user","hi"],{"role":"assistant","content":"yo"},"bare"],"extra":1}`, want: []string{"human:hi", "ai:yo", "human:bare"}},
		{in: `{"messages":"just text"}`, want: []string{"human:just text"}},
		{in: `{"messages":[]}`, want: nil},
		{in: `{}`, err: `needs "messages"`},
		{in: `{"messages":null}`, err: `needs "messages"`},
		{in: `{"messages":{"text":"x"}}`, err: "must be a list of messages"},
		{in: `{"messages":[{"type":"martian","content":"x"}]}`, err: "messages"},
		{in: `[1,2]`, err: "must be an object"},
	} {
		var s agent.State
		err := json.Unmarshal([]byte(tt.in), &s)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one mentioning %q", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.in, err)
		case !slices.Equal(summary(s.Messages), tt.want):
			t.Errorf("%s: got %v, want %v", tt.in, summary(s.Messages), tt.want)
		}
	}
	b, err := json.Marshal(agent.State{})
	if err != nil || string(b) != `{"messages":[]}` {
		t.Errorf("Marshal(State{}) = %s, %v", b, err)
	}
	b, err = json.Marshal(question("hi"))
	if err != nil || !strings.HasPrefix(string(b), `{"messages":[{"content":"hi",`) {
		t.Errorf("Marshal = %s, %v", b, err)
	}
}

func TestSchemas(t *testing.T) {
	a := newAgent(t, scriptedModel(), nil, addTool())
	in, err := runnable.InputSchema(a, runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	props, _ := in["properties"].(map[string]any)
	msgs, _ := props["messages"].(map[string]any)
	if in["title"] != "LangGraphInput" || msgs["type"] != "array" || jsonOf(t, msgs["extra"]) != `{"widget":{"input":"messages","type":"chat"}}` {
		t.Errorf("input schema: title %v, messages %v", in["title"], msgs)
	}
	if req, _ := in["required"].([]any); len(req) != 1 || req[0] != "messages" {
		t.Errorf("input schema required %v, want [messages]", in["required"])
	}
	out, err := runnable.OutputSchema(a, runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if props, _ := out["properties"].(map[string]any); out["title"] != "LangGraphOutput" || props["messages"].(map[string]any)["extra"] != nil {
		t.Errorf("output schema %v", out)
	}
	named := newAgent(t, scriptedModel(), &agent.Options{Name: "Helper"}, addTool())
	if s, _ := runnable.InputSchema(named, runnable.Config{}); s["title"] != "HelperInput" || named.Describe().Name != "Helper" {
		t.Errorf("named agent: title %v, name %v", s["title"], named.Describe().Name)
	}

	// Answer's output is a message union with an AI option: what the chat
	// playground accepts.
	ans, err := runnable.OutputSchema(a.Answer(), runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(jsonOf(t, ans["oneOf"]), `"#/$defs/AIMessage"`) {
		t.Errorf("Answer output schema %v, want a message union", ans)
	}
	if s, _ := runnable.InputSchema(a.Answer(), runnable.Config{}); s["title"] != "LangGraphInput" {
		t.Errorf("Answer input schema title %v", s["title"])
	}
}

func TestAnswer(t *testing.T) {
	a := newAgent(t, scriptedModel(
		aiCalls(call("c1", "add", map[string]any{"a": 20, "b": 22})),
		schema.AI("42"),
	), nil, addTool())
	var got []string
	for m, err := range a.Answer().Stream(t.Context(), question("20+22?")) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(m.Type)+":"+m.Content)
	}
	if !slices.Equal(got, []string{"ai:42"}) {
		t.Errorf("Answer stream %v, want the final AI message only", got)
	}
}
