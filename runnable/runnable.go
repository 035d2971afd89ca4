package runnable

import (
	"context"
	"iter"
)

// Runnable is a unit of work with a typed input and output: a prompt, a
// chat model, a parser, a retriever or any composition of them.
//
// Every implementation must be safe for concurrent use: one Runnable value
// serves many requests at once.
//
// Stream returns a single-use iterator. A non-nil error is the last pair it
// yields, with the zero value of O. Breaking out of the range loop cancels the
// work the stream started and releases every goroutine it used. The iterator
// stops when ctx is done and yields ctx's error.
type Runnable[I, O any] interface {
	Invoke(ctx context.Context, in I, opts ...Option) (O, error)
	Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error]
	Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error)
}

// Transformer is implemented by runnables that consume their input as a
// stream. A Sequence feeds the chunks of one step straight into the next
// step's Transform, which is how a parser after a chat model emits token by
// token while the model is still streaming. Steps without Transform collect
// their whole input first.
type Transformer[I, O any] interface {
	Transform(ctx context.Context, in iter.Seq2[I, error], opts ...Option) iter.Seq2[O, error]
}

// RunType is the kind of a run, as LangChain's tracers name it. It selects
// the stream_events event names (on_<type>_start …).
type RunType string

// The run types LangChain clients know.
const (
	ChainRun     RunType = "chain"
	PromptRun    RunType = "prompt"
	ChatModelRun RunType = "chat_model"
	LLMRun       RunType = "llm"
	ParserRun    RunType = "parser"
	RetrieverRun RunType = "retriever"
	ToolRun      RunType = "tool"
	EmbeddingRun RunType = "embedding"
)

// Info describes a runnable for tracing and schemas: the name its runs get
// when the caller does not set a run name, its run type, and metadata added
// to its own runs only (LangChain's ls_provider and friends).
type Info struct {
	Name     string
	Type     RunType
	Metadata map[string]any
}

// Describer is implemented by runnables that know their name and run type.
// Every runnable in this module implements it.
type Describer interface {
	Describe() Info
}

// Schema is a JSON Schema document, shaped as pydantic v2 writes it.
type Schema = map[string]any

// SchemaProvider is implemented by runnables whose input or output schema is
// not fully described by their Go types (a prompt's variables, a configurable
// alternative). cfg is the request's config, so configurable runnables can
// answer for the alternative the request selects. A nil schema with a nil
// error means "derive it from the Go type".
type SchemaProvider interface {
	InputSchema(cfg Config) (Schema, error)
	OutputSchema(cfg Config) (Schema, error)
}

// ConfigSpec describes one configurable field: an entry of the
// "configurable" object that requests may set (see [Configurable] and
// [Alternatives]).
type ConfigSpec struct {
	ID          string
	Name        string
	Description string
	Default     any
	// Schema is the field's JSON Schema without title, description and
	// default (those come from the fields above). For alternatives it is a
	// string enum of the alternative keys.
	Schema Schema
}

// ConfigSpecer is implemented by runnables that accept configurable fields,
// and by composites that contain such runnables.
type ConfigSpecer interface {
	ConfigSpecs() []ConfigSpec
}

// NameOf returns the name of r: its Describe().Name, or "Runnable".
func NameOf(r any) string {
	if d, ok := r.(Describer); ok {
		if n := d.Describe().Name; n != "" {
			return n
		}
	}
	return "Runnable"
}

// SpecsOf returns the configurable fields of r and of everything inside it.
func SpecsOf(r any) []ConfigSpec {
	if s, ok := r.(ConfigSpecer); ok {
		return s.ConfigSpecs()
	}
	return nil
}

// mergeSpecs concatenates specs, keeping the first spec of each ID.
func mergeSpecs(lists ...[]ConfigSpec) []ConfigSpec {
	var out []ConfigSpec
	seen := map[string]bool{}
	for _, l := range lists {
		for _, s := range l {
			if !seen[s.ID] {
				seen[s.ID] = true
				out = append(out, s)
			}
		}
	}
	return out
}
