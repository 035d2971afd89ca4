package jsonschema

import (
	"encoding/json"
	"reflect"

	ischema "github.com/invopop/jsonschema"

	"github.com/langserve-go/langserve/runnable/schema"
)

// special maps the Go types of package runnable/schema to the schema that
// stands for them where they are used (a union, or a "$ref" to one of the
// LangChain definitions, which are added to "$defs" after reflection).
//
// schema.PromptValue stands for a chat model's input, the widest of its
// meanings; a prompt template's output schema is [PromptTemplateOutput].
var special = map[reflect.Type]func() map[string]any{
	reflect.TypeFor[schema.Message]():         messageUnion,
	reflect.TypeFor[schema.PromptValue]():     promptValueUnion,
	reflect.TypeFor[schema.Document]():        func() map[string]any { return ref("Document") },
	reflect.TypeFor[schema.ToolCall]():        func() map[string]any { return ref("ToolCall") },
	reflect.TypeFor[schema.ToolCallChunk]():   func() map[string]any { return ref("ToolCallChunk") },
	reflect.TypeFor[schema.InvalidToolCall](): func() map[string]any { return ref("InvalidToolCall") },
	reflect.TypeFor[schema.UsageMetadata]():   func() map[string]any { return ref("UsageMetadata") },
}

// PromptTemplateOutput returns the output schema of a prompt template as
// langchain-core writes it ("ChatPromptTemplateOutput",
// "PromptTemplateOutput"): either prompt value, with their definitions.
// It is a fresh tree on every call.
func PromptTemplateOutput(title string) Schema {
	s := Schema{"anyOf": []any{ref("StringPromptValue"), ref("ChatPromptValueConcrete")}}
	g := &generator{out: map[string]any{}}
	g.closeDefs(s)
	s["$defs"] = g.out
	if title != "" {
		s["title"] = title
	}
	return s
}

func isSpecial(t reflect.Type) bool {
	_, ok := special[t]
	return ok
}

// specialSchema returns a fresh invopop schema for a LangChain type, or nil.
// It must be fresh: invopop writes struct-tag keywords into what the Mapper
// returns.
func specialSchema(t reflect.Type) *ischema.Schema {
	build, ok := special[t]
	if !ok {
		return nil
	}
	b, err := json.Marshal(build())
	if err != nil {
		return nil
	}
	s := new(ischema.Schema)
	if err := json.Unmarshal(b, s); err != nil {
		return nil
	}
	return s
}
