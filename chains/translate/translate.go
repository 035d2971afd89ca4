// Package translate is a translation service as a runnable: a prompt, a
// chat model and a string parser, with validated input. Served with
// serve.AddRoutes it streams the translation token by token.
package translate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/langserve-go/langserve/internal/jsonschema"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Request is what the translation chain takes.
type Request struct {
	// Text to translate.
	Text string `json:"text"`
	// TargetLanguage is one of the chain's languages.
	TargetLanguage string `json:"target_language"`
	// SourceLanguage is one of the chain's languages or "auto" (the
	// default) to let the model detect it.
	SourceLanguage string `json:"source_language,omitempty"`
}

// Auto asks the model to detect the source language.
const Auto = "auto"

// DefaultMaxTextLength is the longest text, in characters, a request may
// carry unless Options say otherwise.
const DefaultMaxTextLength = 5000

// DefaultLanguages are the languages a chain accepts unless Options say
// otherwise.
var DefaultLanguages = []string{
	"English", "French", "German", "Spanish", "Italian", "Portuguese",
	"Dutch", "Polish", "Japanese", "Chinese", "Korean",
}

// Options configure a translation chain. The zero value is usable.
type Options struct {
	// Languages accepted as source and target. Nil means DefaultLanguages.
	Languages []string
	// MaxTextLength bounds the text in characters. Zero means
	// DefaultMaxTextLength.
	MaxTextLength int
}

// InputError says which field of a Request is wrong and why.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return "translate: " + e.Field + ": " + e.Reason }

// New returns the chain validate | prompt | model | parser. Invalid
// requests fail with an *InputError before the model is called; served
// through serve, the input schema rejects them with a 422 first. A nil
// model makes every call fail.
func New(model runnable.Runnable[schema.PromptValue, schema.Message], opts *Options) runnable.Runnable[Request, string] {
	c := &chain{languages: DefaultLanguages, maxLen: DefaultMaxTextLength}
	if opts != nil {
		if opts.Languages != nil {
			c.languages = slices.Clone(opts.Languages)
		}
		if opts.MaxTextLength > 0 {
			c.maxLen = opts.MaxTextLength
		}
	}
	validate := runnable.Lambda("validate_request", func(_ context.Context, r Request) (map[string]any, error) {
		if err := c.check(r); err != nil {
			return nil, err
		}
		source := r.SourceLanguage
		if source == "" || source == Auto {
			source = "the language it is written in (detect it)"
		}
		return map[string]any{"source": source, "target": r.TargetLanguage, "text": r.Text}, nil
	})
	if model == nil {
		model = runnable.Lambda("nil_model", func(context.Context, schema.PromptValue) (schema.Message, error) {
			return schema.Message{}, errors.New("translate: nil chat model")
		})
	}
	tmpl := prompt.MustChat(
		prompt.System("You are a professional translator. Translate the user's text from {source} to {target}. "+
			"Keep the meaning, tone and formatting. Reply with the translation only."),
		prompt.Human("{text}"),
	)
	c.Runnable = runnable.Pipe4(validate, tmpl, model, parser.String()).Named("translate")
	return c
}

type chain struct {
	runnable.Runnable[Request, string]
	languages []string
	maxLen    int
}

func (c *chain) check(r Request) error {
	switch n := utf8.RuneCountInString(r.Text); {
	case strings.TrimSpace(r.Text) == "":
		return &InputError{"text", "is empty"}
	case n > c.maxLen:
		return &InputError{"text", fmt.Sprintf("has %d characters, more than the %d allowed", n, c.maxLen)}
	}
	if !slices.Contains(c.languages, r.TargetLanguage) {
		return &InputError{"target_language", fmt.Sprintf("%q is not one of %s", r.TargetLanguage, strings.Join(c.languages, ", "))}
	}
	if s := r.SourceLanguage; s != "" && s != Auto && !slices.Contains(c.languages, s) {
		return &InputError{"source_language", fmt.Sprintf("%q is not %q or one of %s", s, Auto, strings.Join(c.languages, ", "))}
	}
	return nil
}

// Describe names the chain "translate".
func (c *chain) Describe() runnable.Info {
	return runnable.Info{Name: "translate", Type: runnable.ChainRun}
}

// InputSchema spells out the limits, so that serve rejects invalid
// requests with a 422 and the playground offers the languages as a choice.
func (c *chain) InputSchema(runnable.Config) (runnable.Schema, error) {
	langs := make([]any, len(c.languages))
	for i, l := range c.languages {
		langs[i] = l
	}
	return jsonschema.Object("TranslateRequest", []jsonschema.Field{
		{Name: "text", Required: true, Description: "Text to translate",
			Schema: jsonschema.Schema{"type": "string", "minLength": 1, "maxLength": c.maxLen}},
		{Name: "target_language", Required: true, Description: "Language to translate into",
			Schema: jsonschema.Schema{"type": "string", "enum": langs}},
		{Name: "source_language", Default: Auto, HasDefault: true, Description: "Language of the text, or auto to detect it",
			Schema: jsonschema.Schema{"type": "string", "enum": append([]any{Auto}, langs...)}},
	}), nil
}

// OutputSchema is the translated text.
func (c *chain) OutputSchema(runnable.Config) (runnable.Schema, error) {
	return runnable.Schema{"title": "TranslateOutput", "type": "string"}, nil
}

// ConfigSpecs are the model's configurable fields, if any.
func (c *chain) ConfigSpecs() []runnable.ConfigSpec { return runnable.SpecsOf(c.Runnable) }
