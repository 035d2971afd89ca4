package runnable_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

func addOne() runnable.Runnable[int, int] {
	return runnable.Lambda("add_one", func(_ context.Context, x int) (int, error) { return x + 1, nil })
}

func mulTwo() runnable.Runnable[int, int] {
	return runnable.Lambda("mul_two", func(_ context.Context, x int) (int, error) { return x * 2, nil })
}

// describe renders an event the way the LangServe test suite lists the
// stream_events of add_one | mul_two (protocol spec §7.5).
func describe(ev runnable.Event) string {
	var data []string
	if ev.Kind == runnable.EventStart && ev.HasInput || ev.Kind == runnable.EventEnd && ev.HasInput {
		data = append(data, fmt.Sprintf("input=%v", ev.Input))
	}
	switch ev.Kind {
	case runnable.EventStream:
		data = append(data, fmt.Sprintf("chunk=%v", ev.Chunk))
	case runnable.EventEnd:
		data = append(data, fmt.Sprintf("output=%v", ev.Output))
	}
	return fmt.Sprintf("%s %s {%s} %v", ev.Kind, ev.Name, strings.Join(data, " "), ev.Tags)
}

func TestSequenceStreamEventOrder(t *testing.T) {
	var c runnable.Collector
	seq := runnable.Pipe(addOne(), mulTwo())
	var got []int
	for v, err := range seq.Stream(t.Context(), 1, runnable.WithCallbacks(&c)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if len(got) != 1 || got[0] != 4 {
		t.Fatalf("stream = %v, want [4]", got)
	}
	want := []string{
		"start RunnableSequence {} []",
		"start add_one {} [seq:step:1]",
		"stream add_one {chunk=2} [seq:step:1]",
		"start mul_two {} [seq:step:2]",
		"end add_one {input=1 output=2} [seq:step:1]",
		"stream mul_two {chunk=4} [seq:step:2]",
		"stream RunnableSequence {chunk=4} []",
		"end mul_two {input=2 output=4} [seq:step:2]",
		"end RunnableSequence {input=1 output=4} []",
	}
	events := c.Events()
	var lines []string
	for _, ev := range events {
		lines = append(lines, describe(ev))
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	root := events[0].RunID
	for _, ev := range events[1:] {
		if ev.Name != "RunnableSequence" && (len(ev.ParentIDs) != 1 || ev.ParentIDs[0] != root) {
			t.Errorf("%s: parent ids %v, want [%v]", ev.Name, ev.ParentIDs, root)
		}
	}
}
