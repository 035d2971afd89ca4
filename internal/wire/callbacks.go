package wire

import (
	"context"
	"slices"
	"sync"

	"github.com/langserve-go/langserve/runnable"
)

// CallbackEvents records the callback events of one invoke (or one batch
// item) for LangServe's include_callback_events option (protocol §6.1), in
// the shapes LangServe's event aggregator and its CallbackEvent models give
// them: on_chain_start/end/error for chains, prompts and parsers,
// on_chat_model_start or on_llm_start and on_llm_end/error for models,
// on_retriever_* and on_tool_*. Members are in the models' field order
// (run_id, parent_run_id, tags, metadata, the event's own fields, kwargs,
// type); end and error events have a null metadata, errors are replaced by
// {"status_code":500,"message":"Internal Server Error","type":"error"}, and
// metadata keeps its "__" keys. Streamed chunks and custom events are not
// recorded, as in LangServe.
//
// CallbackEvents implements [runnable.Handler] and is safe for concurrent
// use.
type CallbackEvents struct {
	mu     sync.Mutex
	events []any
}

// NewCallbackEvents returns an empty recorder.
func NewCallbackEvents() *CallbackEvents { return &CallbackEvents{} }

// JSON returns the events recorded so far, in order, as values [Marshal]
// (or encoding/json) writes in LangServe's shapes. Serializing them fails
// when a run's input or output cannot be serialized.
func (c *CallbackEvents) JSON() []any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// internalError is what LangServe puts in place of an exception.
var internalError = object{{"status_code", 500}, {"message", "Internal Server Error"}, {"type", "error"}}

// HandleEvent implements runnable.Handler.
func (c *CallbackEvents) HandleEvent(_ context.Context, ev *runnable.Event) {
	var e object
	switch ev.Kind {
	case runnable.EventStart:
		e = c.start(ev)
	case runnable.EventEnd:
		e = c.end(ev)
	case runnable.EventError:
		e = c.fail(ev)
	default:
		return
	}
	c.mu.Lock()
	c.events = append(c.events, e)
	c.mu.Unlock()
}

// base returns the members every event model starts with.
func base(ev *runnable.Event, metadata bool) object {
	var parent any
	if n := len(ev.ParentIDs); n > 0 {
		parent = ev.ParentIDs[n-1]
	}
	var md any
	if metadata {
		md = metadataOf(ev.Metadata)
	}
	return object{{"run_id", ev.RunID}, {"parent_run_id", parent}, {"tags", tagsOf(ev.Tags)}, {"metadata", md}}
}

func (c *CallbackEvents) start(ev *runnable.Event) object {
	e := base(ev, true)
	name := object{{"name", ev.Name}}
	switch ev.Type {
	case runnable.ChatModelRun:
		return append(e, kv{"serialized", nil}, kv{"messages", chatMessages(ev.Input)},
			kv{"kwargs", name}, kv{"type", "on_chat_model_start"})
	case runnable.LLMRun:
		return append(e, kv{"serialized", nil}, kv{"prompts", llmPrompts(ev.Input)},
			kv{"kwargs", name}, kv{"type", "on_llm_start"})
	case runnable.RetrieverRun:
		return append(e, kv{"serialized", nil}, kv{"query", ev.Input},
			kv{"kwargs", name}, kv{"type", "on_retriever_start"})
	case runnable.ToolRun:
		return append(e, kv{"serialized", nil}, kv{"input_str", inputString(ev.Input)},
			kv{"kwargs", object{{"name", ev.Name}, {"inputs", ev.Input}}}, kv{"type", "on_tool_start"})
	}
	var inputs any = object{{"input", ""}} // LangChain's placeholder for an input not known yet
	if ev.HasInput {
		inputs = ev.Input
	}
	var runType any
	if ev.Type != runnable.ChainRun {
		runType = string(ev.Type)
	}
	return append(e, kv{"serialized", nil}, kv{"inputs", inputs},
		kv{"kwargs", object{{"name", ev.Name}, {"run_type", runType}}}, kv{"type", "on_chain_start"})
}

func (c *CallbackEvents) end(ev *runnable.Event) object {
	e := base(ev, false)
	kwargs := kv{"kwargs", object{}}
	switch ev.Type {
	case runnable.ChatModelRun:
		return append(e, kv{"response", chatResult(ev.Output)}, kwargs, kv{"type", "on_llm_end"})
	case runnable.LLMRun:
		return append(e, kv{"response", llmResult(ev.Output, false)}, kwargs, kv{"type", "on_llm_end"})
	case runnable.RetrieverRun:
		return append(e, kv{"documents", ev.Output}, kwargs, kv{"type", "on_retriever_end"})
	case runnable.ToolRun:
		return append(e, kv{"output", inputString(ev.Output)}, kwargs, kv{"type", "on_tool_end"})
	}
	return append(e, kv{"outputs", ev.Output}, kwargs, kv{"type", "on_chain_end"})
}

func (c *CallbackEvents) fail(ev *runnable.Event) object {
	kwargs := kv{"kwargs", object{}}
	var typ string
	switch ev.Type {
	case runnable.ChatModelRun, runnable.LLMRun:
		typ = "on_llm_error"
	case runnable.RetrieverRun:
		typ = "on_retriever_error"
	case runnable.ToolRun:
		// LangServe's OnToolError model has no run fields.
		return object{{"error", internalError}, kwargs, {"type", "on_tool_error"}}
	default:
		typ = "on_chain_error"
	}
	return append(base(ev, false), kv{"error", internalError}, kwargs, kv{"type", typ})
}

// inputString is a tool's input or output as the string LangChain's tool
// callbacks carry: strings as they are, anything else as its JSON text.
func inputString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := appendValue(nil, v)
	if err != nil {
		return ""
	}
	return string(b)
}
