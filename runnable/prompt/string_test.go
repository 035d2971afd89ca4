package prompt_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestStringInvoke(t *testing.T) {
	p := prompt.MustTemplate("Tell me a {adjective} joke about {content}.")
	if got, want := p.InputVariables(), []string{"adjective", "content"}; !slices.Equal(got, want) {
		t.Errorf("InputVariables = %q, want %q", got, want)
	}
	out, err := p.Invoke(t.Context(), map[string]any{"adjective": "funny", "content": "chickens", "extra": "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	if out.IsChat || out.Text != "Tell me a funny joke about chickens." {
		t.Errorf("Invoke = %+v", out)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"text":"Tell me a funny joke about chickens.","type":"StringPromptValue"}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

func TestTemplateInvalid(t *testing.T) {
	_, err := prompt.Template("a {b")
	var te *prompt.TemplateError
	if !errors.As(err, &te) || te.Offset != 2 {
		t.Fatalf("err = %v, want a *TemplateError at offset 2", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustTemplate did not panic on an invalid template")
		}
	}()
	prompt.MustTemplate("}")
}

func TestMissingVariables(t *testing.T) {
	for _, tt := range []struct {
		name    string
		p       runnable.Runnable[map[string]any, schema.PromptValue]
		in      map[string]any
		missing []string
		want    *prompt.MissingVariablesError
		msg     string
	}{
		{
			name: "string prompt",
			p:    prompt.MustTemplate("Translate to {language}: {text}"),
			in:   map[string]any{"language": "French"},
			want: &prompt.MissingVariablesError{Prompt: "PromptTemplate", Missing: []string{"text"},
				Expected: []string{"language", "text"}, Received: []string{"language"}},
			msg: "prompt: input to PromptTemplate is missing variables [text]; expected [language text], received [language] (if {text} is meant as literal text, escape it in the template as {{text}})",
		},
		{
			name: "chat prompt, nil input",
			p:    prompt.MustChat(prompt.System("You speak {lang}."), prompt.Placeholder("history", false), prompt.Human("{q}")),
			in:   nil,
			want: &prompt.MissingVariablesError{Prompt: "ChatPromptTemplate", Missing: []string{"history", "lang", "q"},
				Expected: []string{"history", "lang", "q"}, Received: []string{}},
			msg: "prompt: input to ChatPromptTemplate is missing variables [history lang q]; expected [history lang q], received []",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c runnable.Collector
			_, err := tt.p.Invoke(t.Context(), tt.in, runnable.WithCallbacks(&c))
			if !errors.Is(err, prompt.ErrMissingVariables) {
				t.Fatalf("err = %v, want ErrMissingVariables", err)
			}
			me, ok := errors.AsType[*prompt.MissingVariablesError](err)
			if !ok {
				t.Fatalf("err = %T, want *MissingVariablesError", err)
			}
			if me.Prompt != tt.want.Prompt || !slices.Equal(me.Missing, tt.want.Missing) ||
				!slices.Equal(me.Expected, tt.want.Expected) || !slices.Equal(me.Received, tt.want.Received) {
				t.Errorf("error = %+v, want %+v", me, tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.msg) {
				t.Errorf("message = %q, want prefix %q", err, tt.msg)
			}
			ev := c.Events()
			if len(ev) != 2 || ev[0].Kind != runnable.EventStart || ev[1].Kind != runnable.EventError || ev[1].Err != err {
				t.Errorf("events = %v, want start and the error", kinds(ev))
			}
		})
	}
}

func TestStringPartial(t *testing.T) {
	base := prompt.MustTemplate("{greeting}, {name}! Today is {day}.")
	day := "Monday"
	p := base.Partial(map[string]any{"greeting": "Hello", "day": func() string { return day }})
	if got, want := p.InputVariables(), []string{"name"}; !slices.Equal(got, want) {
		t.Errorf("InputVariables = %q, want %q", got, want)
	}
	if got, want := base.InputVariables(), []string{"day", "greeting", "name"}; !slices.Equal(got, want) {
		t.Errorf("base InputVariables = %q, want %q (Partial must not modify it)", got, want)
	}
	got, err := p.Format(map[string]any{"name": "Ada"})
	if err != nil || got != "Hello, Ada! Today is Monday." {
		t.Errorf("Format = %q, %v", got, err)
	}
	day = "Tuesday" // func() string partials are called on every format
	got, err = p.Format(map[string]any{"name": "Ada", "greeting": "Hi"})
	if err != nil || got != "Hi, Ada! Today is Tuesday." {
		t.Errorf("Format with override = %q, %v", got, err)
	}
	if _, err := base.Format(map[string]any{"name": "Ada"}); !errors.Is(err, prompt.ErrMissingVariables) {
		t.Errorf("base Format err = %v, want missing variables", err)
	}

	q, err := p.WithTemplate("{greeting} {name}")
	if err != nil {
		t.Fatal(err)
	}
	if q.Template() != "{greeting} {name}" || p.Template() != "{greeting}, {name}! Today is {day}." {
		t.Errorf("templates = %q, %q", q.Template(), p.Template())
	}
	if got, err := q.Format(map[string]any{"name": "Bob"}); err != nil || got != "Hello Bob" {
		t.Errorf("WithTemplate keeps partials: got %q, %v", got, err)
	}
	if _, err := p.WithTemplate("{"); err == nil {
		t.Error("WithTemplate accepted an invalid template")
	}
}

func TestStringSchemas(t *testing.T) {
	p := prompt.MustTemplate("Answer {question} in {language}").Partial(map[string]any{"language": "French"})
	in, err := p.InputSchema(runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// The shape of LangServe's /prompt/input_schema (protocol spec §9).
	assertJSON(t, in, `{"properties":{"question":{"title":"Question","type":"string"}},"required":["question"],"title":"PromptInput","type":"object"}`)

	out, err := p.OutputSchema(runnable.Config{})
	if err != nil {
		t.Fatal(err)
	}
	checkOutputSchema(t, out, "PromptTemplateOutput")
}

// checkOutputSchema checks the shape of LangChain's prompt output schema:
// the union of the two prompt value classes, with their definitions.
func checkOutputSchema(t *testing.T, s runnable.Schema, title string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"anyOf": s["anyOf"], "title": s["title"]})
	want := `{"anyOf":[{"$ref":"#/$defs/StringPromptValue"},{"$ref":"#/$defs/ChatPromptValueConcrete"}],"title":"` + title + `"}`
	if string(b) != want {
		t.Errorf("output schema = %s, want %s", b, want)
	}
	defs, _ := s["$defs"].(map[string]any)
	for _, name := range []string{"StringPromptValue", "ChatPromptValueConcrete", "HumanMessage", "AIMessage"} {
		if _, ok := defs[name]; !ok {
			t.Errorf("output schema has no $defs.%s", name)
		}
	}
}

func assertJSON(t *testing.T, v any, want string) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
}

func kinds(evs []runnable.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Kind.String()+" "+ev.Name)
	}
	return out
}
