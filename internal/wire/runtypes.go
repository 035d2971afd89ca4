package wire

import (
	"time"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// The values LangChain's callbacks carry differ by run type: a chat model
// starts with lists of messages and ends with an LLMResult, an LLM with
// prompt strings, a retriever with a query. A Go run carries its plain
// input and output; these helpers give them LangChain's shapes.

// chatMessages returns the messages a chat model run receives, as the one
// batch element LangChain's on_chat_model_start reports
// ({"messages": [[…]]}).
func chatMessages(in any) any {
	switch x := in.(type) {
	case schema.PromptValue:
		return [][]schema.Message{x.ToMessages()}
	case []schema.Message:
		return [][]schema.Message{x}
	case schema.Message:
		return [][]schema.Message{{x}}
	case string:
		return [][]schema.Message{{schema.Human(x)}}
	case [][]schema.Message:
		return x
	}
	return []any{[]any{in}}
}

// llmPrompts returns the prompt strings an LLM run receives
// ({"prompts": […]}).
func llmPrompts(in any) any {
	switch x := in.(type) {
	case schema.PromptValue:
		return []string{x.String()}
	case string:
		return []string{x}
	case []string:
		return x
	}
	return []any{in}
}

// chatResult returns the LLMResult a chat model run ends with: one
// generation holding the answer, a ChatGenerationChunk when the answer was
// streamed (an AIMessageChunk).
func chatResult(out any) any {
	switch x := out.(type) {
	case schema.Message:
		return schema.LLMResult{Generations: [][]schema.ChatGeneration{{{Message: x, Chunk: x.IsChunk()}}}}
	case schema.ChatGeneration:
		return schema.LLMResult{Generations: [][]schema.ChatGeneration{{x}}}
	}
	return out
}

// chatAnswer returns the message of a chat model's output, as stream_events
// v2 reports it in on_chat_model_end.
func chatAnswer(out any) any {
	switch x := out.(type) {
	case schema.LLMResult:
		for _, gens := range x.Generations {
			for _, g := range gens {
				return g.Message
			}
		}
		return object{}
	case schema.ChatGeneration:
		return x.Message
	}
	return out
}

// textGeneration is one generation of a text LLM: LangChain's Generation or
// GenerationChunk.
func textGeneration(text any, chunk bool) object {
	typ := "Generation"
	if chunk {
		typ = "GenerationChunk"
	}
	return object{{"text", text}, {"generation_info", nil}, {"type", typ}}
}

// llmResult returns the LLMResult an LLM run ends with.
func llmResult(out any, streamed bool) any {
	if r, ok := out.(schema.LLMResult); ok {
		return r
	}
	return object{
		{"generations", []any{[]any{textGeneration(out, streamed)}}},
		{"llm_output", nil}, {"run", nil}, {"type", "LLMResult"},
	}
}

// llmEndOutput is the output stream_events v2 reports for an LLM run: the
// generations without the run, LLMResult's own fields only.
func llmEndOutput(out any, streamed bool) any {
	if r, ok := out.(schema.LLMResult); ok {
		return r
	}
	return object{{"generations", []any{[]any{textGeneration(out, streamed)}}}, {"llm_output", nil}}
}

// token returns the text of a streamed chat model or LLM chunk, which
// stream_log appends to streamed_output_str.
func token(chunk any) string {
	switch x := chunk.(type) {
	case schema.Message:
		return x.Text()
	case string:
		return x
	}
	return ""
}

// logType is a run's type as stream_log reports it: LangChain's tracers in
// their original schema trace chat models as "llm".
func logType(t runnable.RunType) string {
	if t == runnable.ChatModelRun {
		return string(runnable.LLMRun)
	}
	return string(t)
}

// isModel reports whether runs of type t stream tokens.
func isModel(t runnable.RunType) bool {
	return t == runnable.ChatModelRun || t == runnable.LLMRun
}

// isoTime formats t as Python's datetime.isoformat(timespec="milliseconds")
// does for a UTC time: 2026-11-21T23:55:33.620+00:00 (truncated, not
// rounded).
func isoTime(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format("2006-01-02T15:04:05.000") + "+00:00"
}
