package prompt_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

func ExampleChat() {
	p := prompt.MustChat(
		prompt.System("You translate into {language}. Answer as JSON: {{\"text\": ...}}"),
		prompt.Placeholder("history", true),
		prompt.Human("{text}"),
	)
	fmt.Println(p.InputVariables())

	v, err := p.Invoke(context.Background(), map[string]any{
		"language": "French",
		"text":     "good night",
		// A history as a JSON request carries it.
		"history": []any{[]any{"human", "hello"}, map[string]any{"type": "ai", "content": "bonjour"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range v.Messages {
		fmt.Printf("%s: %s\n", m.Type, m.Content)
	}

	_, err = p.Invoke(context.Background(), map[string]any{"text": "hi"})
	fmt.Println(errors.Is(err, prompt.ErrMissingVariables))
	// Output:
	// [language text]
	// system: You translate into French. Answer as JSON: {"text": ...}
	// human: hello
	// ai: bonjour
	// human: good night
	// true
}

func ExampleTemplate() {
	p, err := prompt.Template("Tell me {count} facts about {topic}.")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := p.Invoke(context.Background(), map[string]any{"count": float64(3), "topic": "owls"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Text)

	_, err = prompt.Template("Use {braces} like {this")
	fmt.Println(err)
	// Output:
	// Tell me 3 facts about owls.
	// prompt: invalid template at offset 18: expected '}' before end of string; write '{{' for a literal brace
}

func ExampleChatTemplate_Partial() {
	p := prompt.MustChat(prompt.System("Today is {day}."), prompt.Human("{question}")).
		Partial(map[string]any{"day": "Monday"})
	msgs, _ := p.FormatMessages(map[string]any{"question": "What day is it?"})
	fmt.Println(p.InputVariables(), schema.ChatPrompt(msgs...))
	// Output:
	// [question] System: Today is Monday.
	// Human: What day is it?
}

// A prompt whose template a request may replace through its
// "configurable" config, like LangChain's configurable_fields(template=…).
func ExampleString_WithTemplate() {
	def := prompt.MustTemplate("say {name}")
	p := runnable.Configurable[map[string]any, schema.PromptValue](def,
		[]runnable.ConfigSpec{{
			ID: "template", Name: "Template", Description: "The template to use for the prompt",
			Default: def.Template(), Schema: runnable.Schema{"type": "string"},
		}},
		func(values map[string]any) (runnable.Runnable[map[string]any, schema.PromptValue], error) {
			text, _ := values["template"].(string)
			return def.WithTemplate(text)
		})

	in := map[string]any{"name": "foo"}
	v, _ := p.Invoke(context.Background(), in)
	fmt.Println(v.Text)
	v, _ = p.Invoke(context.Background(), in, runnable.WithConfigurable(map[string]any{"template": "hear {name}"}))
	fmt.Println(v.Text)
	_, err := p.Invoke(context.Background(), in, runnable.WithConfigurable(map[string]any{"template": "hear {name"}))
	fmt.Println(err)
	// Output:
	// say foo
	// hear foo
	// runnable: configurable: prompt: invalid template at offset 5: expected '}' before end of string; write '{{' for a literal brace
}
