package chatmodel_test

import (
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestLocalModel(t *testing.T) {
	weather := chatmodel.Tool{Name: "get_weather", Description: "Current weather in a city",
		Parameters: map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}}}
	add := chatmodel.Tool{Name: "add", Description: "Add two numbers",
		Parameters: map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "number"}, "b": map[string]any{"type": "number"}}}}
	tools := chatmodel.Local().BindTools(weather, add)

	t.Run("extractive answer from context", func(t *testing.T) {
		p := schema.ChatPrompt(
			schema.System("Answer from the context.\n\nContext:\nThe sky is blue. Pgvector stores embeddings in PostgreSQL. Cats sleep a lot.\n\nQuestion: Where does pgvector store embeddings?"),
		)
		out, err := chatmodel.Local().Invoke(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.Text(), "Pgvector stores embeddings in PostgreSQL.") || strings.Contains(out.Text(), "sky") {
			t.Errorf("answer %q", out.Text())
		}
		if out.ResponseMetadata["model_name"] != chatmodel.LocalModelName {
			t.Errorf("response metadata %v does not name the local model", out.ResponseMetadata)
		}
	})
	t.Run("chooses the matching tool and fills its arguments", func(t *testing.T) {
		out, err := tools.Invoke(t.Context(), schema.ChatPrompt(schema.Human("please add 2 and 40.5")))
		if err != nil {
			t.Fatal(err)
		}
		if len(out.ToolCalls) != 1 || out.ToolCalls[0].Name != "add" || out.ToolCalls[0].Args["a"] != 2.0 || out.ToolCalls[0].Args["b"] != 40.5 {
			t.Fatalf("tool calls %+v", out.ToolCalls)
		}
	})
	t.Run("answers with tool results", func(t *testing.T) {
		call := schema.AI("")
		call.ToolCalls = []schema.ToolCall{{Name: "get_weather", ID: "c1", Args: map[string]any{"city": "Paris"}}}
		out, err := tools.Invoke(t.Context(), schema.ChatPrompt(schema.Human("weather in Paris?"), call, schema.Tool("sunny, 21 C", "c1")))
		if err != nil {
			t.Fatal(err)
		}
		if len(out.ToolCalls) != 0 || out.Text() != "The get_weather tool answered: sunny, 21 C." {
			t.Errorf("answer %q, tool calls %v", out.Text(), out.ToolCalls)
		}
	})
	t.Run("says plainly it is not a language model", func(t *testing.T) {
		var chunks int
		var text strings.Builder
		for c, err := range chatmodel.Local().Stream(t.Context(), schema.ChatPrompt(schema.Human("hello"))) {
			if err != nil {
				t.Fatal(err)
			}
			chunks++
			text.WriteString(c.Text())
		}
		if chunks < 2 || !strings.Contains(text.String(), "No language model is configured") || !strings.HasSuffix(text.String(), "hello") {
			t.Errorf("%d chunks: %q", chunks, text.String())
		}
	})
}
