package chatmodel_test

import (
	"context"
	"fmt"

	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/schema"
)

func ExampleFake() {
	model := chatmodel.Fake("Bonjour le monde!")
	ctx := context.Background()
	in := schema.ChatPrompt(schema.Human("Translate to French: hello world"))

	for chunk, err := range model.Stream(ctx, in) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Printf("%s %q\n", chunk.Type, chunk.Content)
	}

	msg, err := model.Invoke(ctx, in)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Printf("%s %q\n", msg.Type, msg.Content)
	// Output:
	// AIMessageChunk "Bonjour"
	// AIMessageChunk " "
	// AIMessageChunk "le"
	// AIMessageChunk " "
	// AIMessageChunk "monde!"
	// ai "Bonjour le monde!"
}

func ExampleFakeList() {
	model := chatmodel.FakeList("yes", "no")
	for range 3 {
		msg, err := model.Invoke(context.Background(), schema.StringPrompt("Well?"))
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(msg.Content)
	}
	// Output:
	// yes
	// no
	// yes
}

func ExampleScripted() {
	model := chatmodel.Scripted(
		schema.Message{Type: schema.AIType, ToolCalls: []schema.ToolCall{
			{Name: "get_weather", Args: map[string]any{"city": "Paris"}, ID: "call_1"},
		}},
		schema.AI("It is sunny in Paris."),
	).BindTools(chatmodel.Tool{Name: "get_weather", Description: "Current weather in a city"})
	ctx := context.Background()

	history := []schema.Message{schema.Human("Weather in Paris?")}
	for {
		msg, err := model.Invoke(ctx, schema.ChatPrompt(history...))
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		history = append(history, msg)
		if len(msg.ToolCalls) == 0 {
			fmt.Println("answer:", msg.Content)
			return
		}
		for _, tc := range msg.ToolCalls {
			fmt.Printf("call %s(%v)\n", tc.Name, tc.Args)
			history = append(history, schema.Tool("sunny", tc.ID))
		}
	}
	// Output:
	// call get_weather(map[city:Paris])
	// answer: It is sunny in Paris.
}
