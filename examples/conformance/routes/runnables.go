// Package routes builds the nine reference routes of the golden LangServe
// transcripts (see ../../../../shared/golden/README.md in the project
// checkout) as Go runnables, and mounts them with the serve package, so
// that every recorded exchange can be replayed against langserve-go.
package routes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Reply is the fixed answer of the reference routes' fake chat model.
const Reply = "Bonjour le monde, ceci est une réponse fixe."

// Echo returns any JSON value unchanged.
func Echo() runnable.Runnable[any, any] {
	return runnable.Lambda("echo", func(_ context.Context, in any) (any, error) { return in, nil })
}

func translatePrompt() *prompt.ChatTemplate {
	return prompt.MustChat(prompt.Human("Translate to {language}: {text}"))
}

// Chat is prompt | fake chat model | string parser.
func Chat() runnable.Runnable[map[string]any, string] {
	return runnable.Pipe3(translatePrompt(), chatmodel.Fake(Reply), parser.String())
}

// ChatMsg is Chat without the parser: its outputs are AI messages.
func ChatMsg() runnable.Runnable[map[string]any, schema.Message] {
	return runnable.Pipe(translatePrompt(), chatmodel.Fake(Reply))
}

// ErrFail is what the /fail route's lambda raises (a ValueError in the
// Python reference).
var ErrFail = errors.New("this route always fails")

// Fail always fails.
func Fail() runnable.Runnable[any, any] {
	return runnable.Lambda("fail", func(context.Context, any) (any, error) { return nil, ErrFail })
}

// TypedIn is the input of the /typed route.
type TypedIn struct {
	Name  string `json:"name" jsonschema:"description=Who to greet"`
	Times int    `json:"times" jsonschema:"default=1,description=How many times"`
}

// JSONSchemaDescription documents the type in its schema.
func (TypedIn) JSONSchemaDescription() string { return "Input of the typed route." }

// UnmarshalJSON applies the default of Times.
func (t *TypedIn) UnmarshalJSON(b []byte) error {
	type plain TypedIn
	p := plain{Times: 1}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*t = TypedIn(p)
	return nil
}

// TypedOut is the output of the /typed route.
type TypedOut struct {
	Greeting string `json:"greeting"`
	Length   int    `json:"length"`
}

// JSONSchemaDescription documents the type in its schema.
func (TypedOut) JSONSchemaDescription() string { return "Output of the typed route." }

// MaxGreetingBytes bounds the greeting /typed builds: "times" comes from
// the request, and the greeting is built in memory.
const MaxGreetingBytes = 1 << 20

// Typed greets a name a number of times. A greeting longer than
// MaxGreetingBytes is an error (where Python would run out of memory).
func Typed() runnable.Runnable[TypedIn, TypedOut] {
	return runnable.Lambda("typed", func(_ context.Context, in TypedIn) (TypedOut, error) {
		if per := len("Hello, ") + len(in.Name) + len("! "); in.Times > MaxGreetingBytes/per {
			return TypedOut{}, fmt.Errorf("typed: %d greetings exceed %d bytes", in.Times, MaxGreetingBytes)
		}
		parts := make([]string, max(in.Times, 0))
		for i := range parts {
			parts[i] = "Hello, " + in.Name + "!"
		}
		g := strings.Join(parts, " ")
		return TypedOut{Greeting: g, Length: len([]rune(g))}, nil
	})
}

var tinyDocs = []schema.Document{
	{PageContent: "cats like to sleep", Metadata: map[string]any{"id": 1, "source": "a"}},
	{PageContent: "dogs like to run", Metadata: map[string]any{"id": 2, "source": "b"}},
	{PageContent: "birds like to sing", Metadata: map[string]any{"id": 3, "source": "c"}},
}

// Retriever returns the documents of a three-document corpus that share a
// distinctive word with the query.
func Retriever() runnable.Runnable[string, []schema.Document] {
	info := runnable.Info{
		Name:     "TinyRetriever",
		Type:     runnable.RetrieverRun,
		Metadata: map[string]any{"ls_retriever_name": "tiny"},
	}
	return runnable.NewInvoker(info, func(_ context.Context, query string) ([]schema.Document, error) {
		out := []schema.Document{}
		for _, d := range tinyDocs {
			for _, w := range strings.Fields(strings.ToLower(query)) {
				if len(w) > 2 && strings.Contains(d.PageContent, w) {
					out = append(out, d)
					break
				}
			}
		}
		return out, nil
	})
}

// answersSpec is the configurable field of the /conf route's model.
var answersSpec = runnable.ConfigSpec{
	ID:          "answers",
	Name:        "Answers",
	Description: "Canned answers of the fake model",
	Default:     []any{Reply},
	Schema:      runnable.Schema{"items": runnable.Schema{"type": "string"}, "type": "array"},
}

// Conf is prompt | fake list model | string parser, where the model's
// answers are configurable per request (configurable.answers).
func Conf() runnable.Runnable[map[string]any, string] {
	model := runnable.Configurable[schema.PromptValue, schema.Message](
		chatmodel.FakeList(Reply),
		[]runnable.ConfigSpec{answersSpec},
		func(values map[string]any) (runnable.Runnable[schema.PromptValue, schema.Message], error) {
			var answers []string
			switch v := values["answers"].(type) {
			case []string:
				answers = v
			case []any:
				for _, a := range v {
					s, ok := a.(string)
					if !ok {
						return nil, errors.New("configurable answers must be strings")
					}
					answers = append(answers, s)
				}
			}
			return chatmodel.FakeList(answers...), nil
		})
	return runnable.Pipe3(translatePrompt(), model, parser.String())
}
