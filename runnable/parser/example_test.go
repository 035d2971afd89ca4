package parser_test

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

// echoModel stands in for a streaming chat model: it streams the text of
// the prompt back, one word per AIMessageChunk.
func echoModel() runnable.Runnable[schema.PromptValue, schema.Message] {
	return runnable.NewGenerator(runnable.Info{Name: "EchoModel", Type: runnable.ChatModelRun},
		func(ctx context.Context, in iter.Seq2[schema.PromptValue, error]) iter.Seq2[schema.Message, error] {
			return func(yield func(schema.Message, error) bool) {
				for p, err := range in {
					if err != nil {
						yield(schema.Message{}, err)
						return
					}
					for _, w := range strings.SplitAfter(p.String(), " ") {
						if !yield(schema.AIChunk(w), nil) {
							return
						}
					}
				}
			}
		})
}

func ExampleString() {
	chain := runnable.Pipe3(prompt.MustTemplate("Hello {name}, how are you?"), echoModel(), parser.String())
	for chunk, err := range chain.Stream(context.Background(), map[string]any{"name": "Ada"}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%q\n", chunk)
	}
	// Output:
	// "Hello "
	// "Ada, "
	// "how "
	// "are "
	// "you?"
}

func ExampleJSON() {
	chain := runnable.Pipe3(prompt.MustTemplate(`{{"city": "{city}", "sights": ["{a}", "{b}"]}}`), echoModel(), parser.JSON())
	for v, err := range chain.Stream(context.Background(), map[string]any{"city": "Paris", "a": "Louvre", "b": "Orsay"}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(v)
	}

	_, err := parser.JSON().Invoke(context.Background(), schema.AI("No JSON today."))
	fmt.Println(err)
	// Output:
	// map[]
	// map[city:Paris]
	// map[city:Paris sights:[Louvre]]
	// map[city:Paris sights:[Louvre Orsay]]
	// parser: invalid json output: No JSON today.
}
