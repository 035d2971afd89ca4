package agent_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/langserve-go/langserve/chains/agent"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/schema"
)

func Example() {
	type wordArgs struct {
		Word string `json:"word" jsonschema:"description=The word to spell backwards"`
	}
	reverse := agent.NewTool("reverse", "Spells a word backwards.", func(_ context.Context, in wordArgs) (string, error) {
		r := []rune(in.Word)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r), nil
	})

	// A scripted model stands in for a real one: it first calls the tool,
	// then answers with its result.
	call := schema.AI("")
	call.ToolCalls = []schema.ToolCall{{ID: "call_1", Name: "reverse", Args: map[string]any{"word": "graph"}}}
	model := chatmodel.Scripted(call, schema.AI(`"graph" backwards is "hparg".`))

	a, err := agent.New(model, []agent.Tool{reverse}, &agent.Options{SystemPrompt: "Use the tools."})
	if err != nil {
		fmt.Println(err)
		return
	}
	for u, err := range a.Updates(context.Background(), agent.State{Messages: []schema.Message{schema.Human("Reverse 'graph'.")}}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, m := range u.Value.Messages {
			text := m.Content
			for _, c := range m.ToolCalls {
				text += fmt.Sprintf("%s(%v)", c.Name, c.Args["word"])
			}
			fmt.Printf("%d %-6s %-4s %s\n", u.Step, u.Node, m.Type, strings.TrimSpace(text))
		}
	}
	// Output:
	// 1 agent  ai   reverse(graph)
	// 2 tools  tool hparg
	// 3 agent  ai   "graph" backwards is "hparg".
}
