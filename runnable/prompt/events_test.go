package prompt_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

func describe(ev runnable.Event) string {
	s := fmt.Sprintf("%s %s %s %v", ev.Kind, ev.Type, ev.Name, ev.Tags)
	if ev.Kind == runnable.EventStart || ev.Kind == runnable.EventEnd {
		if ev.HasInput {
			s += fmt.Sprintf(" input=%v", ev.Input)
		}
	}
	switch ev.Kind {
	case runnable.EventStream:
		s += fmt.Sprintf(" chunk=%v", ev.Chunk)
	case runnable.EventEnd:
		s += fmt.Sprintf(" output=%v", ev.Output)
	}
	return s
}

func describeAll(evs []runnable.Event) string {
	var lines []string
	for _, ev := range evs {
		lines = append(lines, describe(ev))
	}
	return strings.Join(lines, "\n")
}

func TestPromptEvents(t *testing.T) {
	in := map[string]any{"language": "French", "text": "hello"}
	value := schema.ChatPrompt(schema.Message{Type: schema.HumanType, Content: "Translate to French: hello"})
	// A prompt run starts with its input and ends with its output; it never
	// reports a stream event, whether it is invoked or streamed.
	want := strings.Join([]string{
		"start prompt ChatPromptTemplate [] input=" + fmt.Sprint(in),
		"end prompt ChatPromptTemplate [] input=" + fmt.Sprint(in) + " output=" + fmt.Sprint(value),
	}, "\n")
	p := translatePrompt()

	t.Run("invoke", func(t *testing.T) {
		var c runnable.Collector
		if _, err := p.Invoke(t.Context(), in, runnable.WithCallbacks(&c)); err != nil {
			t.Fatal(err)
		}
		if got := describeAll(c.Events()); got != want {
			t.Errorf("events:\n%s\nwant:\n%s", got, want)
		}
		if out := c.Events()[1].Output; !reflect.DeepEqual(out, value) {
			t.Errorf("end output = %#v", out)
		}
	})
	t.Run("stream", func(t *testing.T) {
		var c runnable.Collector
		var got []schema.PromptValue
		for v, err := range p.Stream(t.Context(), in, runnable.WithCallbacks(&c)) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], value) {
			t.Errorf("stream = %v", got)
		}
		if got := describeAll(c.Events()); got != want {
			t.Errorf("events:\n%s\nwant:\n%s", got, want)
		}
	})
}

func TestPromptInSequenceEvents(t *testing.T) {
	length := runnable.Lambda("length", func(_ context.Context, v schema.PromptValue) (int, error) {
		return len(v.String()), nil
	})
	seq := runnable.Pipe[map[string]any, schema.PromptValue, int](prompt.MustTemplate("say {word}"), length)
	var c runnable.Collector
	var got []int
	for v, err := range seq.Stream(t.Context(), map[string]any{"word": "cat"}, runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if len(got) != 1 || got[0] != len("say cat") {
		t.Errorf("stream = %v", got)
	}
	want := strings.Join([]string{
		"start chain RunnableSequence []",
		"start prompt PromptTemplate [seq:step:1] input=map[word:cat]",
		"end prompt PromptTemplate [seq:step:1] input=map[word:cat] output=say cat",
		"start chain length [seq:step:2]",
		"stream chain length [seq:step:2] chunk=7",
		"stream chain RunnableSequence [] chunk=7",
		"end chain length [seq:step:2] input=say cat output=7",
		"end chain RunnableSequence [] input=map[word:cat] output=7",
	}, "\n")
	if got := describeAll(c.Events()); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
}

func TestPromptCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var c runnable.Collector
	_, err := translatePrompt().Invoke(ctx, map[string]any{"language": "a", "text": "b"}, runnable.WithCallbacks(&c))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if evs := c.Events(); len(evs) != 2 || evs[1].Kind != runnable.EventError {
		t.Errorf("events = %v", kinds(evs))
	}
	// Breaking out of the stream leaves nothing running (goleak checks).
	for range translatePrompt().Stream(t.Context(), map[string]any{"language": "a", "text": "b"}) {
		break
	}
}
