package parser_test

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// fakeModel is a streaming chat model stand-in: a real Generator that
// ignores its prompt and streams pieces as AIMessageChunks sharing one id,
// as LangChain's GenericFakeChatModel does.
func fakeModel(pieces ...string) *runnable.Gen[schema.PromptValue, schema.Message] {
	info := runnable.Info{Name: "GenericFakeChatModel", Type: runnable.ChatModelRun}
	return runnable.NewGenerator(info, func(ctx context.Context, in iter.Seq2[schema.PromptValue, error]) iter.Seq2[schema.Message, error] {
		return func(yield func(schema.Message, error) bool) {
			for _, err := range in {
				if err != nil {
					yield(schema.Message{}, err)
					return
				}
			}
			for _, p := range pieces {
				c := schema.AIChunk(p)
				c.ID = "run-1"
				if !yield(c, nil) {
					return
				}
			}
		}
	})
}

// chunks streams msgs as a Transform input.
func chunks(msgs ...schema.Message) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		for _, m := range msgs {
			if !yield(m, nil) {
				return
			}
		}
	}
}

// aiChunks makes AIMessageChunks of the given texts.
func aiChunks(texts ...string) []schema.Message {
	out := make([]schema.Message, len(texts))
	for i, s := range texts {
		out[i] = schema.AIChunk(s)
	}
	return out
}

// splitReply splits text like GenericFakeChatModel: words and the single
// spaces between them are separate chunks.
func splitReply(text string) []string {
	var out []string
	for i, w := range strings.Split(text, " ") {
		if i > 0 {
			out = append(out, " ")
		}
		out = append(out, w)
	}
	return out
}

func line(ev runnable.Event) string {
	s := fmt.Sprintf("%s %s %s %v", ev.Kind, ev.Type, ev.Name, ev.Tags)
	if ev.Kind == runnable.EventStream {
		s += fmt.Sprintf(" %q", fmt.Sprint(text(ev.Chunk)))
	}
	return s
}

// text shows a chunk: a message by its content, anything else as it is.
func text(v any) any {
	if m, ok := v.(schema.Message); ok {
		return m.Content
	}
	return v
}

func lines(evs []runnable.Event) string {
	var out []string
	for _, ev := range evs {
		out = append(out, line(ev))
	}
	return strings.Join(out, "\n")
}
