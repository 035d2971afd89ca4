package prompt

import (
	"fmt"

	"github.com/langserve-go/langserve/internal/jsonschema"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// inputSchema builds the "PromptInput" schema of langchain-core's
// BasePromptTemplate.get_input_schema: the required variables (strings, or
// lists of messages for those in messageVars), then the optional ones (lists
// of messages with a null default, not required).
func inputSchema(required []string, messageVars map[string]bool, optional []string) (runnable.Schema, error) {
	fields := make([]jsonschema.Field, 0, len(required)+len(optional))
	for _, v := range required {
		f := jsonschema.Field{Name: v, Schema: runnable.Schema{"type": "string"}, Required: true}
		if messageVars[v] {
			s, err := messagesSchema()
			if err != nil {
				return nil, err
			}
			f.Schema = s
		}
		fields = append(fields, f)
	}
	for _, v := range optional {
		s, err := messagesSchema()
		if err != nil {
			return nil, err
		}
		fields = append(fields, jsonschema.Field{Name: v, Schema: s, HasDefault: true})
	}
	return jsonschema.Object("PromptInput", fields), nil
}

// messagesSchema is the schema of list[AnyMessage], with its "$defs" (which
// jsonschema.Object moves to the root).
func messagesSchema() (runnable.Schema, error) {
	s, err := jsonschema.Of[[]schema.Message]("")
	if err != nil {
		return nil, fmt.Errorf("prompt: schema of a list of messages: %w", err)
	}
	return s, nil
}

// outputSchema is the output schema of every LangChain prompt template: the
// union StringPromptValue | ChatPromptValueConcrete, titled title. The
// schema of schema.PromptValue is the wider chat model input union; only its
// two prompt value alternatives, the "$ref" ones, are kept.
func outputSchema(title string) (runnable.Schema, error) {
	s, err := jsonschema.Of[schema.PromptValue](title)
	if err != nil {
		return nil, err
	}
	alts, _ := s["anyOf"].([]any)
	var refs []any
	for _, a := range alts {
		if m, ok := a.(map[string]any); ok && m["$ref"] != nil {
			refs = append(refs, m)
		}
	}
	if len(refs) != 2 {
		return nil, fmt.Errorf("prompt: unexpected schema for schema.PromptValue: %d prompt value alternatives", len(refs))
	}
	s["anyOf"] = refs
	s["title"] = title
	return s, nil
}
