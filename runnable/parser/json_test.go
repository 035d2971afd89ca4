package parser_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestJSONInvoke(t *testing.T) {
	var c runnable.Collector
	got, err := parser.JSON().Invoke(t.Context(), schema.AI("```json\n{\"answer\": 42}\n```"), runnable.WithCallbacks(&c))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, map[string]any{"answer": float64(42)}) {
		t.Errorf("Invoke = %#v", got)
	}
	if want := "start parser JsonOutputParser []\nend parser JsonOutputParser []"; lines(c.Events()) != want {
		t.Errorf("events:\n%s", lines(c.Events()))
	}

	c = runnable.Collector{}
	_, err = parser.JSON().Invoke(t.Context(), schema.AI("I don't know."), runnable.WithCallbacks(&c))
	if pe, ok := errors.AsType[*parser.ParseError](err); !ok || pe.Text != "I don't know." {
		t.Fatalf("err = %v, want a *ParseError", err)
	}
	if evs := c.Events(); len(evs) != 2 || evs[1].Kind != runnable.EventError {
		t.Errorf("events:\n%s", lines(evs))
	}
}

// jsonStream feeds texts as AIMessageChunks through the parser's Transform
// and returns what it yields, as JSON, and the final error.
func jsonStream(t *testing.T, c *runnable.Collector, texts ...string) ([]string, error) {
	t.Helper()
	var got []string
	for v, err := range parser.JSON().Transform(t.Context(), chunks(aiChunks(texts...)...), runnable.WithCallbacks(c)) {
		if err != nil {
			return got, err
		}
		got = append(got, fmt.Sprint(v))
	}
	return got, nil
}

func TestJSONTransform(t *testing.T) {
	for _, tt := range []struct {
		name   string
		chunks []string
		want   []string
	}{
		{
			name:   "object growing field by field",
			chunks: []string{`{"na`, `me": "Bon`, `jour"`, `, "n`, `": 1`, `2}`},
			// `, "n` parses as before and yields nothing.
			want: []string{"map[]", "map[name:Bon]", "map[name:Bonjour]", "map[n:1 name:Bonjour]", "map[n:12 name:Bonjour]"},
		},
		{
			name:   "fenced",
			chunks: []string{"```", "json\n{", `"a": [1`, `, 2]`, "}\n```"},
			want:   []string{"map[]", "map[a:[1]]", "map[a:[1 2]]"},
		},
		{
			name:   "leading whitespace and empty chunks",
			chunks: []string{"", "\n", "[", "", `"x"`, "]"},
			want:   []string{"[]", "[x]"},
		},
		{
			name:   "null is not reported",
			chunks: []string{"nu", "ll"},
			want:   nil,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c runnable.Collector
			got, err := jsonStream(t, &c, tt.chunks...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("yielded %q, want %q", got, tt.want)
			}
			evs := c.Events()
			if len(evs) != len(tt.want)+2 {
				t.Fatalf("events:\n%s", lines(evs))
			}
			end := evs[len(evs)-1]
			if end.Kind != runnable.EventEnd {
				t.Fatalf("last event %s", end.Kind)
			}
			if m, ok := end.Input.(schema.Message); !ok || m.Content != strings.Join(tt.chunks, "") {
				t.Errorf("end input = %#v, want the added-up chunks", end.Input)
			}
			// The end output is the last value, not the sum of the partial values.
			if want := ""; len(tt.want) > 0 {
				want = tt.want[len(tt.want)-1]
				if fmt.Sprint(end.Output) != want {
					t.Errorf("end output = %v, want %s", end.Output, want)
				}
			} else if end.Output != nil {
				t.Errorf("end output = %v, want nil", end.Output)
			}
		})
	}
}

func TestJSONTransformInvalid(t *testing.T) {
	var c runnable.Collector
	got, err := jsonStream(t, &c, "Sorry", ", no JSON", " here.")
	pe, ok := errors.AsType[*parser.ParseError](err)
	if !ok || pe.Text != "Sorry, no JSON here." || len(got) != 0 {
		t.Fatalf("yielded %q, err %v; want nothing and a *ParseError", got, err)
	}
	if evs := c.Events(); len(evs) != 2 || evs[1].Kind != runnable.EventError || evs[1].Err != err {
		t.Errorf("events:\n%s", lines(evs))
	}

	// Valid JSON followed by a stray bracket: the values so far were yielded,
	// then the stream fails, as Invoke would on the whole text.
	c = runnable.Collector{}
	got, err = jsonStream(t, &c, `{"a": 1}`, "]")
	if _, ok := errors.AsType[*parser.ParseError](err); !ok || !reflect.DeepEqual(got, []string{"map[a:1]"}) {
		t.Errorf("yielded %q, err %v", got, err)
	}
}

func TestJSONChainStream(t *testing.T) {
	chain := runnable.Pipe3(
		prompt.MustChat(prompt.System("Answer in JSON."), prompt.Human("{q}")),
		fakeModel(`{"city":`, ` "Pa`, `ris", "country": "Fr`, `ance"}`),
		parser.JSON(),
	)
	var c runnable.Collector
	var got []string
	for v, err := range chain.Stream(t.Context(), map[string]any{"q": "capital of France?"}, runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(v))
	}
	want := []string{"map[]", "map[city:Pa]", "map[city:Paris country:Fr]", "map[city:Paris country:France]"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stream = %q, want %q", got, want)
	}
	var names []string
	for _, ev := range c.Events() {
		if ev.Kind == runnable.EventStart {
			names = append(names, ev.Name)
		}
	}
	if want := []string{"RunnableSequence", "ChatPromptTemplate", "GenericFakeChatModel", "JsonOutputParser"}; !reflect.DeepEqual(names, want) {
		t.Errorf("runs started: %q, want %q", names, want)
	}

	out, err := chain.Invoke(t.Context(), map[string]any{"q": "capital of France?"})
	if err != nil || !reflect.DeepEqual(out, map[string]any{"city": "Paris", "country": "France"}) {
		t.Errorf("Invoke = %#v, %v", out, err)
	}
}

func TestJSONTransformStops(t *testing.T) {
	// Upstream error.
	boom := errors.New("model failed")
	failing := func(yield func(schema.Message, error) bool) {
		if !yield(schema.AIChunk(`{"a": 1`), nil) {
			return
		}
		yield(schema.Message{}, boom)
	}
	var c runnable.Collector
	var errs []error
	for _, err := range parser.JSON().Transform(t.Context(), failing, runnable.WithCallbacks(&c)) {
		errs = append(errs, err)
	}
	if len(errs) != 2 || errs[0] != nil || !errors.Is(errs[1], boom) {
		t.Errorf("errors = %v", errs)
	}
	if evs := c.Events(); evs[len(evs)-1].Kind != runnable.EventError {
		t.Errorf("events:\n%s", lines(evs))
	}

	// An error as the very first element is passed on without a run.
	c = runnable.Collector{}
	first := func(yield func(schema.Message, error) bool) { yield(schema.Message{}, boom) }
	for _, err := range parser.JSON().Transform(t.Context(), first, runnable.WithCallbacks(&c)) {
		if !errors.Is(err, boom) {
			t.Errorf("err = %v", err)
		}
	}
	if evs := c.Events(); len(evs) != 0 {
		t.Errorf("events:\n%s", lines(evs))
	}

	// Early break.
	c = runnable.Collector{}
	for range parser.JSON().Transform(t.Context(), chunks(aiChunks("[1", ", 2", "]")...), runnable.WithCallbacks(&c)) {
		break
	}
	if evs := c.Events(); evs[len(evs)-1].Kind != runnable.EventError || !errors.Is(evs[len(evs)-1].Err, runnable.ErrStreamStopped) {
		t.Errorf("after break:\n%s", lines(evs))
	}

	// Cancelled context.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, err := range parser.JSON().Transform(ctx, chunks(aiChunks("[1]")...)) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	}
	if _, err := parser.JSON().Invoke(ctx, schema.AI("[1]")); !errors.Is(err, context.Canceled) {
		t.Errorf("Invoke err = %v", err)
	}

	// An empty input stream yields nothing and ends the run.
	c = runnable.Collector{}
	for v, err := range parser.JSON().Transform(t.Context(), chunks(), runnable.WithCallbacks(&c)) {
		t.Errorf("yielded %v, %v", v, err)
	}
	if evs := c.Events(); len(evs) != 2 || evs[1].Kind != runnable.EventEnd {
		t.Errorf("events:\n%s", lines(evs))
	}
}

func TestJSONStreamAloneAndBatch(t *testing.T) {
	var got []any
	for v, err := range parser.JSON().Stream(t.Context(), schema.AI(`{"a": [1, 2`)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if !reflect.DeepEqual(got, []any{map[string]any{"a": []any{float64(1), float64(2)}}}) {
		t.Errorf("Stream = %#v", got)
	}
	outs, err := parser.JSON().Batch(t.Context(), []schema.Message{schema.AI("1"), schema.AI("[true]")})
	if err != nil || !reflect.DeepEqual(outs, []any{float64(1), []any{true}}) {
		t.Errorf("Batch = %#v, %v", outs, err)
	}
	if _, err := parser.JSON().Batch(t.Context(), []schema.Message{schema.AI("1"), schema.AI("nope")}); err == nil {
		t.Error("Batch accepted invalid JSON")
	}
}
