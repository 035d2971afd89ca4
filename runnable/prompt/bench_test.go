package prompt_test

import (
	"testing"

	"github.com/langserve-go/langserve/runnable/prompt"
)

func BenchmarkChatInvoke(b *testing.B) {
	p := prompt.MustChat(prompt.System("You translate into {language}."), prompt.Placeholder("history", true), prompt.Human("{text}"))
	in := map[string]any{"language": "French", "text": "hello"}
	for b.Loop() {
		if _, err := p.Invoke(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChatInvokeJSONHistory(b *testing.B) {
	p := prompt.MustChat(prompt.Placeholder("history", false), prompt.Human("{text}"))
	history := []any{
		map[string]any{"type": "human", "content": "hi"},
		map[string]any{"type": "ai", "content": "hello"},
		[]any{"human", "how are you?"},
		[]any{"ai", "fine"},
	}
	in := map[string]any{"history": history, "text": "good"}
	for b.Loop() {
		if _, err := p.Invoke(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}
