package prompt

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Part is one entry of a chat prompt: a message template ([System], [Human],
// [AI], [Message]) or a [Placeholder] for a list of messages.
type Part struct {
	typ      schema.MessageType // message templates
	role     string             // role of a chat message template
	text     string             // template text
	name     string             // placeholder variable; "" for templates
	optional bool
	err      error // reported by Chat
}

// System is a system message template.
func System(text string) Part { return Part{typ: schema.SystemType, text: text} }

// Human is a human message template.
func Human(text string) Part { return Part{typ: schema.HumanType, text: text} }

// AI is an AI message template.
func AI(text string) Part { return Part{typ: schema.AIType, text: text} }

// Message is a message template for role, with LangChain's role names:
// "human" and "user" make a human message, "ai" and "assistant" an AI
// message, "system" a system message, and "placeholder" with text "{name}"
// an optional [Placeholder] for the variable name. Any other role makes a
// chat message carrying that role (LangChain's ChatMessagePromptTemplate).
func Message(role, text string) Part {
	switch role {
	case "human", "user":
		return Human(text)
	case "ai", "assistant":
		return AI(text)
	case "system":
		return System(text)
	case "placeholder":
		if len(text) < 3 || text[0] != '{' || text[len(text)-1] != '}' {
			return Part{err: fmt.Errorf("prompt: invalid placeholder %q: want a variable name in braces, like {history}", text)}
		}
		return Placeholder(text[1:len(text)-1], true)
	case "":
		return Part{err: errors.New("prompt: message template with an empty role")}
	}
	return Part{typ: schema.ChatType, role: role, text: text}
}

// Placeholder stands for a list of messages held by the variable name
// (LangChain's MessagesPlaceholder), such as a chat history. The value may
// be a []schema.Message, or a list as decoded from JSON whose elements are
// message objects ({"type":"human","content":"hi"}, {"role":"user",
// "content":"hi"}), [role, content] pairs or bare strings (human messages).
// An optional placeholder whose variable is not set adds no message and is
// not required by the input schema.
func Placeholder(name string, optional bool) Part {
	if name == "" {
		return Part{err: errors.New("prompt: placeholder with an empty variable name")}
	}
	return Part{name: name, optional: optional}
}

// isPlaceholder reports whether the part is a placeholder.
func (p Part) isPlaceholder() bool { return p.name != "" }

// ChatTemplate is a chat prompt template (LangChain's ChatPromptTemplate):
// it renders its parts into a list of messages and outputs a chat
// [schema.PromptValue]. Build one with [Chat]. A ChatTemplate is immutable
// and safe for concurrent use.
type ChatTemplate struct {
	parts       []Part
	tmpls       []*fstring // per part; nil for placeholders
	vars        []string   // required variables, partial ones included
	optional    []string   // optional placeholder variables
	messageVars map[string]bool
	partials    map[string]any
}

var (
	_ runnable.Runnable[map[string]any, schema.PromptValue] = (*ChatTemplate)(nil)
	_ runnable.Describer                                    = (*ChatTemplate)(nil)
	_ runnable.SchemaProvider                               = (*ChatTemplate)(nil)
)

// Chat builds a chat prompt from parts. It fails on the first invalid part,
// naming it; template errors are [*TemplateError] values.
//
// Chat is also the constructor to give a configurable field holding the
// parts of a chat prompt (see [ChatTemplate.Parts]).
func Chat(parts ...Part) (*ChatTemplate, error) {
	c := &ChatTemplate{parts: slices.Clone(parts), tmpls: make([]*fstring, len(parts)), messageVars: map[string]bool{}}
	required := map[string]bool{}
	optional := map[string]bool{}
	for i, p := range parts {
		if p.err != nil {
			return nil, fmt.Errorf("prompt: part %d: %w", i, p.err)
		}
		if p.isPlaceholder() {
			c.messageVars[p.name] = true
			if p.optional {
				optional[p.name] = true
			} else {
				required[p.name] = true
			}
			continue
		}
		if p.typ == "" {
			return nil, fmt.Errorf("prompt: part %d: zero Part; build parts with System, Human, AI, Message or Placeholder", i)
		}
		f, err := parseFString(p.text)
		if err != nil {
			return nil, fmt.Errorf("prompt: part %d (%s): %w", i, p.typ, err)
		}
		c.tmpls[i] = f
		for _, v := range f.vars {
			required[v] = true
		}
	}
	// As in LangChain, a variable of an optional placeholder is optional even
	// where a template uses it too.
	for v := range required {
		if !optional[v] {
			c.vars = append(c.vars, v)
		}
	}
	for v := range optional {
		c.optional = append(c.optional, v)
	}
	slices.Sort(c.vars)
	slices.Sort(c.optional)
	return c, nil
}

// MustChat is like [Chat] but panics on an invalid part. It is meant for
// prompts written in the program's source.
func MustChat(parts ...Part) *ChatTemplate {
	c, err := Chat(parts...)
	if err != nil {
		panic(err)
	}
	return c
}

// Parts returns the parts the prompt was built from.
func (c *ChatTemplate) Parts() []Part { return slices.Clone(c.parts) }

// Partial returns a copy of the prompt with some variables filled in
// (LangChain's partial): they are no longer input variables, but an input
// that sets them still wins. A value of type func() string is called each
// time the prompt is formatted.
func (c *ChatTemplate) Partial(values map[string]any) *ChatTemplate {
	out := *c
	out.partials = mergePartials(c.partials, values)
	return &out
}

// InputVariables returns the names of the variables an input must set,
// sorted: the variables of the templates and of the required placeholders,
// without the partial ones.
func (c *ChatTemplate) InputVariables() []string {
	return withoutKeys(c.vars, c.partials)
}

// FormatMessages renders the parts with values and the partial variables.
// It fails with a [*MissingVariablesError] when a variable is missing, and
// with an error wrapping [ErrInvalidVariable] when a placeholder's value is
// not a list of messages.
func (c *ChatTemplate) FormatMessages(values map[string]any) ([]schema.Message, error) {
	if err := checkMissing("ChatPromptTemplate", c.InputVariables(), values); err != nil {
		return nil, err
	}
	vals := resolvePartials(c.partials, values)
	msgs := make([]schema.Message, 0, len(c.parts))
	for i, p := range c.parts {
		if !p.isPlaceholder() {
			msgs = append(msgs, schema.Message{Type: p.typ, Role: p.role, Content: c.tmpls[i].format(vals)})
			continue
		}
		v, ok := vals[p.name]
		if !ok {
			continue // an optional placeholder; required ones were checked
		}
		list, err := toMessages(p.name, v)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, list...)
	}
	return msgs, nil
}

// Describe names the prompt "ChatPromptTemplate", of run type prompt.
func (c *ChatTemplate) Describe() runnable.Info {
	return runnable.Info{Name: "ChatPromptTemplate", Type: runnable.PromptRun}
}

// Invoke formats the prompt in a run of its own, whose input is in and whose
// output is the chat prompt value.
func (c *ChatTemplate) Invoke(ctx context.Context, in map[string]any, opts ...runnable.Option) (schema.PromptValue, error) {
	ctx, run := runnable.StartRun(ctx, c.Describe(), in, opts...)
	if err := ctx.Err(); err != nil {
		return schema.PromptValue{}, run.Fail(context.Cause(ctx))
	}
	msgs, err := c.FormatMessages(in)
	if err != nil {
		return schema.PromptValue{}, run.Fail(err)
	}
	out := schema.ChatPrompt(msgs...)
	run.End(out)
	return out, nil
}

// Stream yields the result of Invoke. Prompts do not stream: as in
// LangChain, no stream event is reported.
func (c *ChatTemplate) Stream(ctx context.Context, in map[string]any, opts ...runnable.Option) iter.Seq2[schema.PromptValue, error] {
	return runnable.StreamByInvoke(ctx, c, in, opts...)
}

// Batch invokes the prompt on every input; see [runnable.BatchOf].
func (c *ChatTemplate) Batch(ctx context.Context, ins []map[string]any, opts ...runnable.Option) ([]schema.PromptValue, error) {
	return runnable.BatchOf(ctx, c, ins, opts...)
}

// InputSchema returns the schema LangServe serves for the prompt's input: an
// object titled "PromptInput" with a required string property per template
// variable, a required list of messages per placeholder, and an optional
// list of messages (default null) per optional placeholder.
func (c *ChatTemplate) InputSchema(runnable.Config) (runnable.Schema, error) {
	return inputSchema(c.InputVariables(), c.messageVars, c.optional)
}

// OutputSchema returns LangChain's prompt output schema, titled
// "ChatPromptTemplateOutput": a StringPromptValue or a
// ChatPromptValueConcrete.
func (c *ChatTemplate) OutputSchema(runnable.Config) (runnable.Schema, error) {
	return outputSchema("ChatPromptTemplateOutput")
}
