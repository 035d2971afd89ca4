package runnable

import (
	"maps"
	"reflect"
	"unicode"
	"unicode/utf8"

	"github.com/langserve-go/langserve/internal/jsonschema"
)

// SchemaTitle titles a runnable's schemas the way langchain-core's
// get_name(suffix) does: a name starting with an upper-case letter gets the
// suffix appended ("RunnableSequence" → "RunnableSequenceInput"), any other
// name gets it lower-cased after an underscore ("add_one" → "add_one_input").
func SchemaTitle(name, suffix string) string {
	r, _ := utf8.DecodeRuneInString(name)
	if unicode.IsUpper(r) {
		return name + suffix
	}
	lower := []rune(suffix)
	for i, c := range lower {
		lower[i] = unicode.ToLower(c)
	}
	return name + "_" + string(lower)
}

// InputSchema returns the JSON Schema of r's input under cfg: the one r
// provides (see [SchemaProvider]), or the schema of the Go type I titled
// after r's name.
func InputSchema[I, O any](r Runnable[I, O], cfg Config) (Schema, error) {
	if p, ok := r.(SchemaProvider); ok {
		s, err := p.InputSchema(cfg)
		if err != nil || s != nil {
			return s, err
		}
	}
	return jsonschema.For(reflect.TypeFor[I](), SchemaTitle(NameOf(r), "Input"))
}

// OutputSchema returns the JSON Schema of r's output under cfg, like
// [InputSchema].
func OutputSchema[I, O any](r Runnable[I, O], cfg Config) (Schema, error) {
	if p, ok := r.(SchemaProvider); ok {
		s, err := p.OutputSchema(cfg)
		if err != nil || s != nil {
			return s, err
		}
	}
	return jsonschema.For(reflect.TypeFor[O](), SchemaTitle(NameOf(r), "Output"))
}

// ConfigSchema returns the JSON Schema of the config a client may send to
// r: the RunnableConfig fields among keys, and the configurable fields of r
// and everything inside it.
func ConfigSchema(r any, keys []string) Schema {
	specs := SpecsOf(r)
	fields := make([]jsonschema.Field, len(specs))
	for i, s := range specs {
		if options, def, ok := choice(s); ok {
			// pydantic defines an enum class per choice and refers to it.
			fields[i] = jsonschema.Choice(s.ID, s.Name, s.Description, options, def)
			continue
		}
		sch := maps.Clone(s.Schema)
		if sch == nil {
			sch = Schema{}
		}
		if s.Name != "" {
			sch["title"] = s.Name
		}
		fields[i] = jsonschema.Field{
			Name:        s.ID,
			Schema:      sch,
			Default:     s.Default,
			HasDefault:  true,
			Description: s.Description,
		}
	}
	return jsonschema.Config(SchemaTitle(NameOf(r), "Config"), keys, fields)
}

// InputSchema is the input schema of the first step.
func (s *Sequence[I, O]) InputSchema(cfg Config) (Schema, error) {
	if len(s.steps) == 0 {
		return nil, nil
	}
	return s.steps[0].inputSchema(cfg)
}

// OutputSchema is the output schema of the last step.
func (s *Sequence[I, O]) OutputSchema(cfg Config) (Schema, error) {
	if len(s.steps) == 0 {
		return nil, nil
	}
	return s.steps[len(s.steps)-1].outputSchema(cfg)
}

func (e erased[I, O]) inputSchema(cfg Config) (Schema, error)  { return InputSchema(e.r, cfg) }
func (e erased[I, O]) outputSchema(cfg Config) (Schema, error) { return OutputSchema(e.r, cfg) }

// choice reports whether spec is a choice among string keys (an
// Alternatives field), with its options and default key.
func choice(spec ConfigSpec) (options []string, def string, ok bool) {
	enum, _ := spec.Schema["enum"].([]any)
	def, isString := spec.Default.(string)
	if spec.Schema["type"] != "string" || len(enum) == 0 || !isString {
		return nil, "", false
	}
	for _, e := range enum {
		s, isString := e.(string)
		if !isString {
			return nil, "", false
		}
		options = append(options, s)
	}
	return options, def, true
}
