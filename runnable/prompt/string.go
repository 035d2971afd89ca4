package prompt

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// String is a text prompt template (LangChain's PromptTemplate): it renders
// its variables into one string and outputs a string [schema.PromptValue].
// Build one with [Template]. A String is immutable and safe for concurrent
// use.
type String struct {
	tmpl     *fstring
	partials map[string]any
}

var (
	_ runnable.Runnable[map[string]any, schema.PromptValue] = (*String)(nil)
	_ runnable.Describer                                    = (*String)(nil)
	_ runnable.SchemaProvider                               = (*String)(nil)
)

// Template parses text as a LangChain f-string template: {name} stands for
// the variable name, {{ and }} for literal braces. It fails with a
// [*TemplateError] on an unbalanced brace or a field that is not a plain
// variable name.
//
// Template is also the constructor to give a configurable field holding the
// template text; [String.WithTemplate] does the same for a template that has
// partial variables.
func Template(text string) (*String, error) {
	f, err := parseFString(text)
	if err != nil {
		return nil, err
	}
	return &String{tmpl: f}, nil
}

// MustTemplate is like [Template] but panics on an invalid template. It is
// meant for templates written in the program's source.
func MustTemplate(text string) *String {
	p, err := Template(text)
	if err != nil {
		panic(err)
	}
	return p
}

// Template returns the template text.
func (p *String) Template() string { return p.tmpl.source }

// WithTemplate returns a prompt with the template text replaced and the same
// partial variables.
func (p *String) WithTemplate(text string) (*String, error) {
	q, err := Template(text)
	if err != nil {
		return nil, err
	}
	q.partials = p.partials
	return q, nil
}

// Partial returns a copy of the prompt with some variables filled in
// (LangChain's partial): they are no longer input variables, but an input
// that sets them still wins. A value of type func() string is called each
// time the prompt is formatted (a current date, say).
func (p *String) Partial(values map[string]any) *String {
	return &String{tmpl: p.tmpl, partials: mergePartials(p.partials, values)}
}

// InputVariables returns the names of the variables an input must set:
// those of the template without the partial ones, sorted.
func (p *String) InputVariables() []string {
	return withoutKeys(p.tmpl.vars, p.partials)
}

// Format renders the template with values and the partial variables. It
// fails with a [*MissingVariablesError] when a variable is missing.
func (p *String) Format(values map[string]any) (string, error) {
	if err := checkMissing("PromptTemplate", p.InputVariables(), values); err != nil {
		return "", err
	}
	return p.tmpl.format(resolvePartials(p.partials, values)), nil
}

// Describe names the prompt "PromptTemplate", of run type prompt.
func (p *String) Describe() runnable.Info {
	return runnable.Info{Name: "PromptTemplate", Type: runnable.PromptRun}
}

// Invoke formats the prompt in a run of its own, whose input is in and whose
// output is the string prompt value.
func (p *String) Invoke(ctx context.Context, in map[string]any, opts ...runnable.Option) (schema.PromptValue, error) {
	ctx, run := runnable.StartRun(ctx, p.Describe(), in, opts...)
	if err := ctx.Err(); err != nil {
		return schema.PromptValue{}, run.Fail(context.Cause(ctx))
	}
	text, err := p.Format(in)
	if err != nil {
		return schema.PromptValue{}, run.Fail(err)
	}
	out := schema.StringPrompt(text)
	run.End(out)
	return out, nil
}

// Stream yields the result of Invoke. Prompts do not stream: as in
// LangChain, no stream event is reported.
func (p *String) Stream(ctx context.Context, in map[string]any, opts ...runnable.Option) iter.Seq2[schema.PromptValue, error] {
	return runnable.StreamByInvoke(ctx, p, in, opts...)
}

// Batch invokes the prompt on every input; see [runnable.BatchOf].
func (p *String) Batch(ctx context.Context, ins []map[string]any, opts ...runnable.Option) ([]schema.PromptValue, error) {
	return runnable.BatchOf(ctx, p, ins, opts...)
}

// InputSchema returns the schema LangServe serves for the prompt's input: an
// object titled "PromptInput" with one required string property per input
// variable.
func (p *String) InputSchema(runnable.Config) (runnable.Schema, error) {
	return inputSchema(p.InputVariables(), nil, nil)
}

// OutputSchema returns LangChain's prompt output schema, titled
// "PromptTemplateOutput": a StringPromptValue or a ChatPromptValueConcrete.
func (p *String) OutputSchema(runnable.Config) (runnable.Schema, error) {
	return outputSchema("PromptTemplateOutput")
}

// mergePartials returns old overlaid with values.
func mergePartials(old, values map[string]any) map[string]any {
	out := make(map[string]any, len(old)+len(values))
	maps.Copy(out, old)
	maps.Copy(out, values)
	return out
}

// resolvePartials returns the variables a prompt formats with: the partial
// variables (calling the func() string ones) overlaid with values.
func resolvePartials(partials, values map[string]any) map[string]any {
	if len(partials) == 0 {
		return values
	}
	out := make(map[string]any, len(partials)+len(values))
	for k, v := range partials {
		if _, set := values[k]; set {
			continue
		}
		if fn, ok := v.(func() string); ok {
			v = fn()
		}
		out[k] = v
	}
	maps.Copy(out, values)
	return out
}

// withoutKeys returns the names of vars that are not keys of m.
func withoutKeys(vars []string, m map[string]any) []string {
	out := make([]string, 0, len(vars))
	for _, v := range vars {
		if _, ok := m[v]; !ok {
			out = append(out, v)
		}
	}
	return out
}

// checkMissing returns a *MissingVariablesError when values lacks some of
// the required variables.
func checkMissing(name string, required []string, values map[string]any) error {
	var missing []string
	for _, v := range required {
		if _, ok := values[v]; !ok {
			missing = append(missing, v)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	received := slices.Sorted(maps.Keys(values))
	if received == nil {
		received = []string{}
	}
	return &MissingVariablesError{Prompt: name, Missing: missing, Expected: slices.Clone(required), Received: received}
}

// errorf wraps ErrInvalidVariable.
func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidVariable}, args...)...)
}
