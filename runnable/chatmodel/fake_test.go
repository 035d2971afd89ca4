package chatmodel_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/schema"
)

// reply is the fixed answer of the reference server's fake models.
const reply = "Bonjour le monde, ceci est une réponse fixe."

var prompt = schema.ChatPrompt(schema.Human("Translate to French: hello"))

// readLines reads a testdata file of one JSON value per line.
func readLines(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if sc.Text() != "" {
			out = append(out, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var idField = regexp.MustCompile(`"id":"run--[0-9a-f-]{36}(-0)?"`)

// maskID replaces the message id of a serialized message.
func maskID(s string) string { return idField.ReplaceAllString(s, `"id":"<id>"`) }

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// seq streams chunks.
func seq(chunks []schema.Message) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		for _, c := range chunks {
			if !yield(c, nil) {
				return
			}
		}
	}
}

// collectStream drains a stream, failing the test on error.
func collectStream(t *testing.T, s iter.Seq2[schema.Message, error]) []schema.Message {
	t.Helper()
	var out []schema.Message
	for c, err := range s {
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		out = append(out, c)
	}
	return out
}

func TestFakeStreamMatchesGolden(t *testing.T) {
	var c runnable.Collector
	chunks := collectStream(t, chatmodel.Fake(reply).Stream(t.Context(), prompt, runnable.WithCallbacks(&c)))
	want := readLines(t, "generic_fake_stream.jsonl")
	if len(chunks) != len(want) {
		t.Fatalf("got %d chunks, want %d", len(chunks), len(want))
	}
	runID := c.Events()[0].RunID
	for i, chunk := range chunks {
		if got := maskID(marshal(t, chunk)); got != maskID(want[i]) {
			t.Errorf("chunk %d:\n got %s\nwant %s", i, got, maskID(want[i]))
		}
		if chunk.ID != "run--"+runID.String() {
			t.Errorf("chunk %d: id %q, want run--<run id %s>", i, chunk.ID, runID)
		}
	}
}

func TestFakeInvokeMatchesGolden(t *testing.T) {
	for _, observed := range []bool{false, true} {
		var c runnable.Collector
		var opts []runnable.Option
		if observed {
			opts = append(opts, runnable.WithCallbacks(&c))
		}
		const runID = "11111111-2222-3333-4444-555555555555"
		opts = append(opts, runnable.WithRunID(uuid.MustParse(runID)))
		msg, err := chatmodel.Fake(reply).Invoke(t.Context(), prompt, opts...)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSpace(readLines(t, "generic_fake_invoke.json")[0])
		if got := maskID(marshal(t, msg)); got != maskID(want) {
			t.Errorf("observed=%v: invoke output\n got %s\nwant %s", observed, got, maskID(want))
		}
		// LangChain's non-streamed call ids the first generation
		// "run--<run id>-0"; under a streaming tracer it streams and the
		// answer keeps the chunks' id.
		wantID := "run--" + runID + "-0"
		if observed {
			wantID = "run--" + runID
		}
		if msg.ID != wantID {
			t.Errorf("observed=%v: id %q, want %q", observed, msg.ID, wantID)
		}
	}
}

func TestFakeListStreamMatchesGolden(t *testing.T) {
	var got []string
	for _, c := range collectStream(t, chatmodel.FakeList(reply).Stream(t.Context(), prompt)) {
		got = append(got, marshal(t, c.Content))
	}
	if want := readLines(t, "fake_list_stream.jsonl"); !slices.Equal(got, want) {
		t.Errorf("chunks = %v\nwant %v", got, want)
	}
}

// TestModelRunEvents compares the events of a model run with the
// on_chat_model_* events of the reference server's stream_events.
func TestModelRunEvents(t *testing.T) {
	var c runnable.Collector
	collectStream(t, chatmodel.Fake(reply).Stream(t.Context(), prompt, runnable.WithCallbacks(&c)))
	events := c.Events()
	type streamEvent struct {
		Event string         `json:"event"`
		Name  string         `json:"name"`
		Meta  map[string]any `json:"metadata"`
		Data  struct {
			Chunk  json.RawMessage `json:"chunk"`
			Output json.RawMessage `json:"output"`
		} `json:"data"`
	}
	var golden []streamEvent
	for _, line := range readLines(t, "generic_fake_model_events.jsonl") {
		var ev streamEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		golden = append(golden, ev)
	}
	if len(events) != len(golden) {
		t.Fatalf("got %d events, want %d", len(events), len(golden))
	}
	kinds := map[string]runnable.EventKind{
		"on_chat_model_start": runnable.EventStart, "on_chat_model_stream": runnable.EventStream, "on_chat_model_end": runnable.EventEnd,
	}
	for i, ev := range events {
		g := golden[i]
		if ev.Kind != kinds[g.Event] || ev.Name != g.Name || ev.Type != runnable.ChatModelRun {
			t.Errorf("event %d: %v %s %s, want %s %s chat_model", i, ev.Kind, ev.Name, ev.Type, g.Event, g.Name)
		}
		if !reflect.DeepEqual(ev.Metadata, g.Meta) {
			t.Errorf("event %d: metadata %v, want %v", i, ev.Metadata, g.Meta)
		}
		if ev.RunID != events[0].RunID {
			t.Errorf("event %d: run id %v, want %v", i, ev.RunID, events[0].RunID)
		}
		switch ev.Kind {
		case runnable.EventStart:
			if in, ok := ev.Input.(schema.PromptValue); !ok || !ev.HasInput || !reflect.DeepEqual(in, prompt) {
				t.Errorf("start input = %#v (has %v), want the prompt value", ev.Input, ev.HasInput)
			}
		case runnable.EventStream:
			if got := maskID(marshal(t, ev.Chunk)); got != maskID(string(g.Data.Chunk)) {
				t.Errorf("event %d chunk\n got %s\nwant %s", i, got, maskID(string(g.Data.Chunk)))
			}
		case runnable.EventEnd:
			if got := maskID(marshal(t, ev.Output)); got != maskID(string(g.Data.Output)) {
				t.Errorf("end output\n got %s\nwant %s", got, maskID(string(g.Data.Output)))
			}
			if in, ok := ev.Input.(schema.PromptValue); !ok || !reflect.DeepEqual(in, prompt) {
				t.Errorf("end input = %#v, want the prompt value", ev.Input)
			}
		}
	}
}

func TestInvokeEqualsStream(t *testing.T) {
	weather := schema.Message{Type: schema.AIType, Content: "Let me look.", ToolCalls: []schema.ToolCall{
		{Name: "get_weather", Args: map[string]any{"city": "Paris"}, ID: "call_1"},
	}, UsageMetadata: &schema.UsageMetadata{InputTokens: 3, OutputTokens: 4, TotalTokens: 7}}
	for _, tt := range []struct {
		name string
		m    func() *chatmodel.Model
	}{
		{"Fake", func() *chatmodel.Model { return chatmodel.Fake(reply) }},
		{"FakeList", func() *chatmodel.Model { return chatmodel.FakeList(reply) }},
		{"Scripted", func() *chatmodel.Model { return chatmodel.Scripted(weather) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := runnable.WithRunID(uuid.MustParse("11111111-2222-3333-4444-555555555555"))
			var c runnable.Collector
			invoked, err := tt.m().Invoke(t.Context(), prompt, id, runnable.WithCallbacks(&c))
			if err != nil {
				t.Fatal(err)
			}
			chunks := collectStream(t, tt.m().Stream(t.Context(), prompt, id))
			if len(chunks) < 2 {
				t.Fatalf("only %d chunks", len(chunks))
			}
			streamed, err := runnable.Collect(seq(chunks))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := marshal(t, streamed.ToMessage()), marshal(t, invoked); got != want {
				t.Errorf("stream added up\n got %s\nwant %s", got, want)
			}
			if invoked.Type != schema.AIType {
				t.Errorf("invoke type %q, want ai", invoked.Type)
			}
			// Invoke reports the chunks to an observer as Stream does.
			var n int
			for _, ev := range c.Events() {
				if ev.Kind == runnable.EventStream {
					n++
				}
			}
			if n != len(chunks) {
				t.Errorf("invoke reported %d chunks, stream yielded %d", n, len(chunks))
			}
		})
	}
}

func TestFakeListCycles(t *testing.T) {
	m := chatmodel.FakeList("one", "two")
	var got []string
	for range 5 {
		msg, err := m.Invoke(t.Context(), prompt)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, msg.Content)
	}
	if want := []string{"one", "two", "one", "two", "one"}; !slices.Equal(got, want) {
		t.Errorf("replies %v, want %v", got, want)
	}

	// Concurrent callers share one position: 100 calls give each reply 50
	// times.
	m = chatmodel.FakeList("a", "b")
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			msg, err := m.Invoke(context.Background(), prompt)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			counts[msg.Content]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if counts["a"] != 50 || counts["b"] != 50 {
		t.Errorf("counts %v, want 50 each", counts)
	}

	if _, err := chatmodel.FakeList().Invoke(t.Context(), prompt); err == nil {
		t.Error("FakeList() without replies: no error")
	}
}

func TestEmptyReply(t *testing.T) {
	msg, err := chatmodel.Fake("").Invoke(t.Context(), prompt)
	if err != nil || msg.Type != schema.AIType || msg.Content != "" {
		t.Errorf("Invoke = %+v, %v; want an empty AI message", msg, err)
	}
	var c runnable.Collector
	n := 0
	var last error
	for _, err := range chatmodel.Fake("").Stream(t.Context(), prompt, runnable.WithCallbacks(&c)) {
		n++
		last = err
	}
	if n != 1 || !errors.Is(last, chatmodel.ErrNoChunks) {
		t.Errorf("Stream: %d pairs, last error %v; want ErrNoChunks", n, last)
	}
	if evs := c.Events(); evs[len(evs)-1].Kind != runnable.EventError {
		t.Errorf("run ended with %v, want an error event", evs[len(evs)-1].Kind)
	}
}

func TestStreamEarlyBreak(t *testing.T) {
	var c runnable.Collector
	n := 0
	for _, err := range chatmodel.Fake(reply).Stream(t.Context(), prompt, runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 2 {
			break
		}
	}
	evs := c.Events()
	last := evs[len(evs)-1]
	if last.Kind != runnable.EventError || !errors.Is(last.Err, runnable.ErrStreamStopped) {
		t.Errorf("last event %v %v, want error ErrStreamStopped", last.Kind, last.Err)
	}
	if len(evs) != 4 { // start, 2 chunks, error
		t.Errorf("%d events, want 4", len(evs))
	}
}

func TestStreamContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var got []string
	var last error
	for c, err := range chatmodel.Fake(reply).Stream(ctx, prompt) {
		if err != nil {
			last = err
			break
		}
		got = append(got, c.Content)
		cancel()
	}
	if !errors.Is(last, context.Canceled) || len(got) != 1 {
		t.Errorf("got %q then %v, want one chunk then context.Canceled", got, last)
	}

	if _, err := chatmodel.Fake(reply).Invoke(ctx, prompt); !errors.Is(err, context.Canceled) {
		t.Errorf("Invoke with a cancelled ctx: %v", err)
	}
}

func TestInjectFailAfter(t *testing.T) {
	for _, tt := range []struct {
		name      string
		failAfter *int
		chunks    int
		fails     bool
	}{
		{"before the first chunk", new(0), 0, true},
		{"after three chunks", new(3), 3, true},
		{"beyond the end", new(100), 15, false},
		{"never", nil, 15, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := chatmodel.Fake(reply).Inject(&chatmodel.FakeOptions{FailAfter: tt.failAfter})
			n := 0
			var last error
			for _, err := range m.Stream(t.Context(), prompt) {
				if err != nil {
					last = err
					break
				}
				n++
			}
			if n != tt.chunks || errors.Is(last, chatmodel.ErrInjected) != tt.fails {
				t.Errorf("%d chunks then %v; want %d chunks, failure %v", n, last, tt.chunks, tt.fails)
			}
			_, err := m.Invoke(t.Context(), prompt)
			if errors.Is(err, chatmodel.ErrInjected) != tt.fails {
				t.Errorf("Invoke: %v, want failure %v", err, tt.fails)
			}
		})
	}
	if _, err := chatmodel.Fake(reply).Inject(&chatmodel.FakeOptions{ChunkDelay: -time.Second}).Invoke(t.Context(), prompt); err == nil {
		t.Error("negative ChunkDelay: no error")
	}
	if m := chatmodel.Fake(reply); m.Inject(nil) != m {
		t.Error("Inject(nil) did not return the model itself")
	}
}

func TestInjectChunkDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := chatmodel.FakeList("abc").Inject(&chatmodel.FakeOptions{ChunkDelay: time.Second})
		start := time.Now()
		var at []time.Duration
		for _, err := range m.Stream(t.Context(), prompt) {
			if err != nil {
				t.Fatal(err)
			}
			at = append(at, time.Since(start))
		}
		if want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}; !slices.Equal(at, want) {
			t.Errorf("chunks at %v, want %v", at, want)
		}

		// A done ctx ends the wait for the next chunk.
		ctx, cancel := context.WithCancel(t.Context())
		m = chatmodel.FakeList("abc").Inject(&chatmodel.FakeOptions{ChunkDelay: time.Hour})
		go func() {
			time.Sleep(time.Minute)
			cancel()
		}()
		start = time.Now()
		_, err := m.Invoke(ctx, prompt)
		if !errors.Is(err, context.Canceled) || time.Since(start) != time.Minute {
			t.Errorf("Invoke: %v after %v, want context.Canceled after 1m", err, time.Since(start))
		}
	})
}

func weatherTool() chatmodel.Tool {
	return chatmodel.Tool{Name: "get_weather", Description: "Weather in a city", Parameters: map[string]any{
		"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []any{"city"},
	}}
}

func TestScripted(t *testing.T) {
	call := schema.Message{Type: schema.AIType, ToolCalls: []schema.ToolCall{
		{Name: "get_weather", Args: map[string]any{"city": "Paris"}, ID: "call_1"},
		{Name: "get_weather", Args: map[string]any{"city": "Lyon"}, ID: "call_2"},
	}, ResponseMetadata: map[string]any{"finish_reason": "tool_calls"}}
	m := chatmodel.Scripted(call, schema.AI("Sunny in both.")).BindTools(weatherTool())

	chunks := collectStream(t, m.Stream(t.Context(), prompt))
	var indexes []int
	for _, c := range chunks {
		for _, tc := range c.ToolCallChunks {
			indexes = append(indexes, *tc.Index)
		}
	}
	if !slices.Equal(indexes, []int{0, 1}) {
		t.Errorf("tool call chunk indexes %v, want [0 1]", indexes)
	}
	sum, err := runnable.Collect(seq(chunks))
	if err != nil {
		t.Fatal(err)
	}
	got := sum.ToMessage()
	if !reflect.DeepEqual(got.ToolCalls, call.ToolCalls) {
		t.Errorf("tool calls %+v, want %+v", got.ToolCalls, call.ToolCalls)
	}
	if got.ResponseMetadata["finish_reason"] != "tool_calls" {
		t.Errorf("response metadata %v", got.ResponseMetadata)
	}

	answer, err := m.Invoke(t.Context(), schema.ChatPrompt(schema.Human("weather?"), got, schema.Tool("sunny", "call_1"), schema.Tool("sunny", "call_2")))
	if err != nil || answer.Content != "Sunny in both." || len(answer.ToolCalls) != 0 {
		t.Errorf("second reply %+v, %v", answer, err)
	}
	if _, err := m.Invoke(t.Context(), prompt); !errors.Is(err, chatmodel.ErrScriptEnded) {
		t.Errorf("third call: %v, want ErrScriptEnded", err)
	}
	if _, err := chatmodel.Scripted(schema.Human("hi")).Invoke(t.Context(), prompt); err == nil {
		t.Error("a human message as scripted reply: no error")
	}
}

func TestBindTools(t *testing.T) {
	for _, tt := range []struct {
		name  string
		m     *chatmodel.Model
		wantE error
	}{
		{"fake cannot call tools", chatmodel.Fake("x").BindTools(weatherTool()), chatmodel.ErrToolsUnsupported},
		{"fake list cannot call tools", chatmodel.FakeList("x").BindTools(weatherTool()), chatmodel.ErrToolsUnsupported},
		{"injected fake cannot either", chatmodel.Fake("x").Inject(&chatmodel.FakeOptions{}).BindTools(weatherTool()), chatmodel.ErrToolsUnsupported},
		{"unnamed tool", chatmodel.Scripted(schema.AI("x")).BindTools(chatmodel.Tool{}), nil},
		{"duplicate tool", chatmodel.Scripted(schema.AI("x")).BindTools(weatherTool(), weatherTool()), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.m.Invoke(t.Context(), prompt)
			if err == nil || tt.wantE != nil && !errors.Is(err, tt.wantE) {
				t.Errorf("Invoke: %v, want %v", err, tt.wantE)
			}
			for _, err2 := range tt.m.Stream(t.Context(), prompt) {
				if err2 == nil || err2.Error() != err.Error() {
					t.Errorf("Stream: %v, want %v", err2, err)
				}
			}
		})
	}
	// No tools bound: the fake works again.
	if _, err := chatmodel.Fake("x").BindTools().Invoke(t.Context(), prompt); err != nil {
		t.Errorf("BindTools() without tools: %v", err)
	}
}

// recording is a Streamer that records the options of each call.
type recording struct {
	mu   sync.Mutex
	opts []chatmodel.CallOptions
	msgs [][]schema.Message
}

func (r *recording) StreamChat(_ context.Context, msgs []schema.Message, o chatmodel.CallOptions) iter.Seq2[schema.Message, error] {
	r.mu.Lock()
	r.opts = append(r.opts, o)
	r.msgs = append(r.msgs, msgs)
	r.mu.Unlock()
	return func(yield func(schema.Message, error) bool) { yield(schema.AIChunk("ok"), nil) }
}

func (r *recording) SupportsTools() bool { return true }

func TestBindOptions(t *testing.T) {
	rec := &recording{}
	base := chatmodel.New(runnable.Info{Name: "ChatRecorder", Metadata: map[string]any{"ls_model_name": "rec-1"}}, rec)
	m := base.Bind(chatmodel.CallOptions{Stop: []string{"\n"}, Temperature: new(0.5)}).
		Bind(chatmodel.CallOptions{MaxTokens: 10}).BindTools(weatherTool())
	var c runnable.Collector
	if _, err := m.Invoke(t.Context(), schema.StringPrompt("hi"), runnable.WithCallbacks(&c)); err != nil {
		t.Fatal(err)
	}
	o := rec.opts[0]
	if !slices.Equal(o.Stop, []string{"\n"}) || o.Temperature == nil || *o.Temperature != 0.5 || o.MaxTokens != 10 || len(o.Tools) != 1 {
		t.Errorf("streamer got %+v", o)
	}
	if got := rec.msgs[0]; len(got) != 1 || got[0].Type != schema.HumanType || got[0].Content != "hi" {
		t.Errorf("a string prompt reached the streamer as %+v, want one human message", got)
	}
	want := map[string]any{
		"ls_provider": "recorder", "ls_model_type": "chat", "ls_model_name": "rec-1",
		"ls_stop": []string{"\n"}, "ls_temperature": 0.5, "ls_max_tokens": 10,
	}
	if got := c.Events()[0].Metadata; !reflect.DeepEqual(got, want) {
		t.Errorf("run metadata %v, want %v", got, want)
	}
	// The base model is unchanged.
	if d := base.Describe(); len(d.Metadata) != 3 || len(base.Options().Tools) != 0 {
		t.Errorf("base model changed: %+v %+v", d, base.Options())
	}
	if _, err := base.Bind(chatmodel.CallOptions{MaxTokens: -1}).Invoke(t.Context(), prompt); err == nil {
		t.Error("negative MaxTokens: no error")
	}
}

func TestDescribe(t *testing.T) {
	for _, tt := range []struct {
		m    *chatmodel.Model
		name string
		md   map[string]any
	}{
		{chatmodel.Fake("x"), "GenericFakeChatModel", map[string]any{"ls_provider": "genericfakechatmodel", "ls_model_type": "chat"}},
		{chatmodel.FakeList("x"), "FakeListChatModel", map[string]any{"ls_provider": "fakelistchatmodel", "ls_model_type": "chat"}},
		{chatmodel.Scripted(), "ScriptedChatModel", map[string]any{"ls_provider": "scriptedchatmodel", "ls_model_type": "chat"}},
		{chatmodel.New(runnable.Info{Metadata: map[string]any{"ls_provider": "acme"}}, &recording{}), "ChatModel", map[string]any{"ls_provider": "acme", "ls_model_type": "chat"}},
	} {
		d := tt.m.Describe()
		if d.Name != tt.name || d.Type != runnable.ChatModelRun || !reflect.DeepEqual(d.Metadata, tt.md) {
			t.Errorf("Describe() = %+v, want %s chat_model %v", d, tt.name, tt.md)
		}
	}
}

func TestSchemas(t *testing.T) {
	m := chatmodel.Fake("x")
	out, err := m.OutputSchema(runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, alt := range out["oneOf"].([]any) {
		refs = append(refs, alt.(map[string]any)["$ref"].(string))
	}
	wantRefs := []string{"AIMessage", "HumanMessage", "ChatMessage", "SystemMessage", "FunctionMessage", "ToolMessage",
		"AIMessageChunk", "HumanMessageChunk", "ChatMessageChunk", "SystemMessageChunk", "FunctionMessageChunk", "ToolMessageChunk"}
	for i := range wantRefs {
		wantRefs[i] = "#/$defs/" + wantRefs[i]
	}
	if out["title"] != "GenericFakeChatModelOutput" || !slices.Equal(refs, wantRefs) {
		t.Errorf("output schema title %v, oneOf %v", out["title"], refs)
	}
	if _, ok := out["$defs"].(map[string]any)["AIMessage"]; !ok {
		t.Error("output schema has no AIMessage definition")
	}
	in, err := m.InputSchema(runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if in["title"] != "GenericFakeChatModelInput" || len(in["anyOf"].([]any)) != 4 {
		t.Errorf("input schema %v", in)
	}
}

// panicky is a Streamer that panics after one chunk.
type panicky struct{}

func (panicky) StreamChat(context.Context, []schema.Message, chatmodel.CallOptions) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		if yield(schema.AIChunk("a"), nil) {
			panic("streamer broke")
		}
	}
}

// wrongType is a Streamer that streams a human message.
type wrongType struct{}

func (wrongType) StreamChat(context.Context, []schema.Message, chatmodel.CallOptions) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) { yield(schema.Human("a"), nil) }
}

func TestStreamerFaults(t *testing.T) {
	m := chatmodel.New(runnable.Info{Name: "Panicky"}, panicky{})
	_, err := m.Invoke(t.Context(), prompt)
	if pe, ok := errors.AsType[*runnable.PanicError](err); !ok || pe.Value != "streamer broke" {
		t.Errorf("Invoke: %v, want a PanicError", err)
	}

	// A panic of the consumer is not the streamer's: it goes on.
	func() {
		defer func() {
			if v := recover(); v != "consumer broke" {
				t.Errorf("recovered %v, want the consumer's panic", v)
			}
		}()
		for range chatmodel.Fake(reply).Stream(t.Context(), prompt) {
			panic("consumer broke")
		}
	}()

	if _, err := chatmodel.New(runnable.Info{}, wrongType{}).Invoke(t.Context(), prompt); err == nil || !strings.Contains(err.Error(), "human") {
		t.Errorf("a streamed human message: %v", err)
	}
	if _, err := chatmodel.New(runnable.Info{}, nil).Invoke(t.Context(), prompt); err == nil {
		t.Error("nil Streamer: no error")
	}
}

func TestBatch(t *testing.T) {
	out, err := chatmodel.FakeList("a", "b", "c").Batch(t.Context(), []schema.PromptValue{prompt, prompt, prompt}, runnable.WithMaxConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range out {
		got = append(got, m.Content)
	}
	if !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("batch %v", got)
	}
}

// TestInSequence streams prompt | model | parser and checks that the model's
// chunks flow through the sequence while the model is still streaming.
func TestInSequence(t *testing.T) {
	toPrompt := runnable.NewLambda(runnable.Info{Name: "ChatPromptTemplate", Type: runnable.PromptRun},
		func(_ context.Context, in map[string]any) (schema.PromptValue, error) {
			return schema.ChatPrompt(schema.Human("Translate to French: " + in["text"].(string))), nil
		})
	parse := runnable.NewGenerator(runnable.Info{Name: "StrOutputParser", Type: runnable.ParserRun},
		func(_ context.Context, in iter.Seq2[schema.Message, error]) iter.Seq2[string, error] {
			return func(yield func(string, error) bool) {
				for m, err := range in {
					if !yield(m.Text(), err) || err != nil {
						return
					}
				}
			}
		})
	chain := runnable.Pipe3[map[string]any, schema.PromptValue, schema.Message, string](toPrompt, chatmodel.Fake(reply), parse)
	var c runnable.Collector
	var got []string
	for s, err := range chain.Stream(t.Context(), map[string]any{"text": "hello"}, runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if strings.Join(got, "") != reply || len(got) != 15 {
		t.Errorf("chain streamed %q", got)
	}
	var order []string
	for _, ev := range c.Events() {
		if ev.Name == "GenericFakeChatModel" && ev.Kind != runnable.EventStream {
			order = append(order, ev.Kind.String()+" "+strings.Join(ev.Tags, ","))
		}
		if ev.Name == "StrOutputParser" && ev.Kind == runnable.EventStart {
			order = append(order, "parser start")
		}
	}
	if want := []string{"start seq:step:2", "parser start", "end seq:step:2"}; !slices.Equal(order, want) {
		t.Errorf("event order %v, want %v", order, want)
	}
}
