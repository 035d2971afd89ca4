package graph_test

import (
	"context"
	"fmt"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/graph"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Draft is the state of a small writing loop: a text and how often it was
// revised.
type Draft struct {
	Text      string `json:"text"`
	Revisions int    `json:"revisions"`
}

func Example() {
	g, err := graph.New[Draft](nil).
		AddFunc("write", func(_ context.Context, d Draft) (Draft, error) {
			return Draft{Text: d.Text + "!"}, nil
		}).
		AddFunc("revise", func(_ context.Context, d Draft) (Draft, error) {
			return Draft{Text: d.Text + "?", Revisions: d.Revisions + 1}, nil
		}).
		SetEntry("write").
		AddEdge("write", "revise").
		AddConditionalEdges("revise", func(_ context.Context, d Draft) (string, error) {
			if d.Revisions < 2 {
				return "revise", nil
			}
			return graph.END, nil
		}, "revise", graph.END).
		Compile()
	if err != nil {
		fmt.Println(err)
		return
	}
	for u, err := range g.Updates(context.Background(), Draft{Text: "hello"}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("step %d %s: %+v\n", u.Step, u.Node, u.Value)
	}
	_, err = g.Invoke(context.Background(), Draft{Text: "hello"}, runnable.WithRecursionLimit(2))
	fmt.Println(err != nil)
	// Output:
	// step 1 write: {Text:hello! Revisions:0}
	// step 2 revise: {Text:hello!? Revisions:1}
	// step 3 revise: {Text:hello!?? Revisions:2}
	// true
}

func ExampleAppendMessages() {
	type chat struct{ Messages []schema.Message }
	reducer := func(old, upd chat) chat {
		return chat{Messages: graph.AppendMessages(old.Messages, upd.Messages)}
	}
	g, err := graph.New(reducer).
		AddFunc("echo", func(_ context.Context, c chat) (chat, error) {
			return chat{Messages: []schema.Message{schema.AI("you said: " + c.Messages[len(c.Messages)-1].Content)}}, nil
		}).
		SetEntry("echo").
		Compile()
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := g.Invoke(context.Background(), chat{Messages: []schema.Message{schema.Human("hi")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range out.Messages {
		fmt.Println(m.Type, m.Content, m.ID != "")
	}
	// Output:
	// human hi true
	// ai you said: hi true
}
