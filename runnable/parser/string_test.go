package parser_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestStringInvoke(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   schema.Message
		want string
	}{
		{"ai message", schema.AI("hello"), "hello"},
		{"chunk", schema.AIChunk("part"), "part"},
		{"human message", schema.Human("hi"), "hi"},
		{"empty", schema.AI(""), ""},
		{"content blocks: first text block", schema.Message{Type: schema.AIType, ContentBlocks: []map[string]any{
			{"type": "image_url", "image_url": "x"}, {"type": "text", "text": "first"}, {"type": "text", "text": "second"},
		}}, "first"},
		{"content blocks: no text", schema.Message{Type: schema.AIType, ContentBlocks: []map[string]any{{"type": "tool_use"}}}, ""},
		{"content blocks: empty list", schema.Message{Type: schema.AIType, ContentBlocks: []map[string]any{}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c runnable.Collector
			got, err := parser.String().Invoke(t.Context(), tt.in, runnable.WithCallbacks(&c))
			if err != nil || got != tt.want {
				t.Fatalf("Invoke = %q, %v; want %q", got, err, tt.want)
			}
			evs := c.Events()
			want := "start parser StrOutputParser []\nend parser StrOutputParser []"
			if lines(evs) != want || !evs[0].HasInput || evs[1].Output != tt.want {
				t.Errorf("events:\n%s\nwant:\n%s", lines(evs), want)
			}
		})
	}
}

func TestStringStreamAlone(t *testing.T) {
	// Streamed on its own the parser does not stream, as in LangChain: one
	// value and no stream event.
	var c runnable.Collector
	var got []string
	for s, err := range parser.String().Stream(t.Context(), schema.AI("whole"), runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if !slices.Equal(got, []string{"whole"}) {
		t.Errorf("stream = %q", got)
	}
	if want := "start parser StrOutputParser []\nend parser StrOutputParser []"; lines(c.Events()) != want {
		t.Errorf("events:\n%s", lines(c.Events()))
	}
}

func TestStringTransform(t *testing.T) {
	in := aiChunks("", "Hel", "", "lo")
	var c runnable.Collector
	var got []string
	for s, err := range parser.String().Transform(t.Context(), chunks(in...), runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	// One output chunk per input chunk, empty ones included (LangChain's
	// StrOutputParser yields "" for an empty model chunk).
	if want := []string{"", "Hel", "", "lo"}; !slices.Equal(got, want) {
		t.Errorf("chunks = %q, want %q", got, want)
	}
	evs := c.Events()
	if len(evs) != 6 {
		t.Fatalf("events:\n%s", lines(evs))
	}
	end := evs[5]
	if evs[0].HasInput || end.Kind != runnable.EventEnd || end.Output != "Hello" {
		t.Errorf("start/end = %+v / %+v", evs[0], end)
	}
	if m, ok := end.Input.(schema.Message); !ok || m.Content != "Hello" || m.Type != schema.AIChunkType {
		t.Errorf("end input = %#v, want the added-up chunk", end.Input)
	}
}

// TestChatChainStreamEvents runs the /chat route of the reference server
// (prompt | streaming chat model | StrOutputParser) and checks the event
// order of golden/chat__stream_events.txt: the prompt runs and ends first,
// then each model chunk is followed by the parser's chunk and the chain's.
func TestChatChainStreamEvents(t *testing.T) {
	const reply = "Bonjour le monde, ceci est une réponse fixe."
	pieces := splitReply(reply)
	if len(pieces) != 15 {
		t.Fatalf("%d pieces, want the golden 15", len(pieces))
	}
	chain := runnable.Pipe3(
		prompt.MustChat(prompt.Human("Translate to {language}: {text}")),
		fakeModel(pieces...),
		parser.String(),
	)
	var c runnable.Collector
	var got []string
	for s, err := range chain.Stream(t.Context(), map[string]any{"language": "French", "text": "hello"},
		runnable.WithCallbacks(&c), runnable.WithRunName("/chat")) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if !slices.Equal(got, pieces) {
		t.Errorf("stream = %q, want %q", got, pieces)
	}

	want := []string{
		"start chain /chat []",
		"start prompt ChatPromptTemplate [seq:step:1]",
		"end prompt ChatPromptTemplate [seq:step:1]",
		"start chat_model GenericFakeChatModel [seq:step:2]",
	}
	for i, p := range pieces {
		want = append(want, `stream chat_model GenericFakeChatModel [seq:step:2] "`+p+`"`)
		if i == 0 {
			want = append(want, "start parser StrOutputParser [seq:step:3]")
		}
		want = append(want,
			`stream parser StrOutputParser [seq:step:3] "`+p+`"`,
			`stream chain /chat [] "`+p+`"`)
	}
	want = append(want,
		"end chat_model GenericFakeChatModel [seq:step:2]",
		"end parser StrOutputParser [seq:step:3]",
		"end chain /chat []")
	evs := c.Events()
	if got := lines(evs); got != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\n\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	parserEnd := evs[len(evs)-2]
	if m, ok := parserEnd.Input.(schema.Message); !ok || m.Content != reply || m.ID != "run-1" || parserEnd.Output != reply {
		t.Errorf("parser end: input %#v output %#v", parserEnd.Input, parserEnd.Output)
	}

	// Invoke gives the whole reply.
	out, err := chain.Invoke(t.Context(), map[string]any{"language": "French", "text": "hello"})
	if err != nil || out != reply {
		t.Errorf("Invoke = %q, %v", out, err)
	}
}

func TestStringTransformErrors(t *testing.T) {
	boom := errors.New("model failed")
	failing := func(yield func(schema.Message, error) bool) {
		if !yield(schema.AIChunk("a"), nil) {
			return
		}
		yield(schema.Message{}, boom)
	}
	var c runnable.Collector
	var got []string
	var gotErr error
	for s, err := range parser.String().Transform(t.Context(), failing, runnable.WithCallbacks(&c)) {
		if err != nil {
			gotErr = err
			break
		}
		got = append(got, s)
	}
	if !errors.Is(gotErr, boom) || !slices.Equal(got, []string{"a"}) {
		t.Errorf("got %q, %v", got, gotErr)
	}
	if evs := c.Events(); evs[len(evs)-1].Kind != runnable.EventError {
		t.Errorf("events:\n%s", lines(evs))
	}

	// An early break stops the upstream and fails the run.
	c = runnable.Collector{}
	for range parser.String().Transform(t.Context(), chunks(aiChunks("a", "b", "c")...), runnable.WithCallbacks(&c)) {
		break
	}
	if evs := c.Events(); evs[len(evs)-1].Kind != runnable.EventError || !errors.Is(evs[len(evs)-1].Err, runnable.ErrStreamStopped) {
		t.Errorf("after break:\n%s", lines(evs))
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := parser.String().Invoke(ctx, schema.AI("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Invoke with cancelled ctx: %v", err)
	}
}

func TestStringBatch(t *testing.T) {
	got, err := parser.String().Batch(t.Context(), []schema.Message{schema.AI("a"), schema.AIChunk("b")})
	if err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Batch = %q, %v", got, err)
	}
}
