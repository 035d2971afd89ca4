package wire

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable"
)

// EventStream turns the run events of one stream_events request into
// LangChain StreamEvent objects, in version "v2" (astream_events'
// default) or "v1" (LangServe's stream_events_version option).
//
// v2 follows langchain-core's _AstreamEventsCallbackHandler: one event per
// start, streamed chunk and end of every run that passes the filter, with
// parent_ids; the first event sent gets the request input as data.input
// (the root's own input is often not known when it starts), and the end
// event of that same run loses its input. Chat models start with
// {"messages": [[…]]}, stream AIMessageChunks and end with the answer
// message; retrievers start with {"query": …}; end events carry the run's
// input after its output.
//
// v1 follows the older implementation built on the run log: no parent
// chains (parent_ids is always empty), end events carry the input before
// the output, a chat model ends with an LLMResult and a retriever with
// {"documents": […]}, and the root's events come from its own chunks, with
// the request input on its start event.
//
// In both versions metadata keys starting with "__" are removed, as
// LangServe does, and a failing run produces no event of its own (v1
// reports a failed sub-run as ending with a null output, as LangChain's
// log does): the stream ends with the SSE error event that serve writes.
//
// EventStream implements [runnable.Handler] and is safe for concurrent
// use; emit is called with one event at a time, in order. After the first
// emit or serialization error EventStream ignores everything and
// [EventStream.Err] reports that error.
type EventStream struct {
	emitter
	v1     bool
	filter Filter
	input  any

	runs    map[uuid.UUID]*runState
	root    uuid.UUID
	started bool

	firstSent bool      // v2: an event has been sent
	firstID   uuid.UUID // v2: the run of the first event sent
}

// runState is what EventStream remembers of a running run. The members
// every event of the run repeats are encoded once, when it starts, and
// kept boxed so that building an event allocates nothing for them.
type runState struct {
	typ      runnable.RunType
	pass     bool // passes the filter
	input    any  // the input its start reported
	hasInput bool
	streamed bool

	id, name, tags, metadata, parents any // encoded JSON (rawJSON)
	onStream, onEnd                   string
}

// startRun registers the run that ev starts, with what its events repeat
// encoded; v1 reports no parent ids. When that encoding fails, the error
// stops the stream and startRun returns nil.
func (e *EventStream) startRun(ev *runnable.Event) *runState {
	st, err := e.newRunState(ev)
	if err != nil {
		e.err = err
		return nil
	}
	e.runs[ev.RunID] = st
	return st
}

func (e *EventStream) newRunState(ev *runnable.Event) (*runState, error) {
	typ := string(ev.Type)
	st := &runState{
		typ:      ev.Type,
		pass:     e.filter.include(ev.Name, typ, ev.Tags),
		onStream: "on_" + typ + "_stream",
		onEnd:    "on_" + typ + "_end",
	}
	parents := any(ev.ParentIDs)
	if e.v1 || ev.ParentIDs == nil {
		parents = []uuid.UUID{}
	}
	var err error
	for _, f := range []struct {
		dst *any
		v   any
	}{
		{&st.id, ev.RunID},
		{&st.name, ev.Name},
		{&st.tags, tagsOf(ev.Tags)},
		{&st.metadata, publicMetadata(ev.Metadata)},
		{&st.parents, parents},
	} {
		var b []byte
		if b, err = appendValue(nil, f.v); err != nil {
			return nil, encodeError("run metadata", err)
		}
		*f.dst = rawJSON(b)
	}
	return st, nil
}

// NewEventStream returns an EventStream for version "v1" or "v2" ("" means
// "v2") that passes each event's JSON to emit. input is the request's input.
// emit must not keep the slice after it returns. Any other version is an
// error reported by Err, and nothing is emitted.
func NewEventStream(version string, f Filter, input any, emit func(event []byte) error) *EventStream {
	e := &EventStream{emitter: emitter{emit: emit}, filter: f, input: input, runs: map[uuid.UUID]*runState{}}
	switch version {
	case "v1":
		e.v1 = true
	case "", "v2":
	default:
		e.err = fmt.Errorf(`wire: unknown stream_events version %q (want "v1" or "v2")`, version)
	}
	return e
}

// HandleEvent implements runnable.Handler.
func (e *EventStream) HandleEvent(_ context.Context, ev *runnable.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return
	}
	if e.v1 {
		e.handleV1(ev)
	} else {
		e.handleV2(ev)
	}
}

func (e *EventStream) handleV2(ev *runnable.Event) {
	switch ev.Kind {
	case runnable.EventStart:
		if !e.started {
			e.started, e.root = true, ev.RunID
		}
		st := e.startRun(ev)
		if st == nil {
			return
		}
		data := object{}
		switch ev.Type {
		case runnable.ChatModelRun:
			st.input, st.hasInput = object{{"messages", chatMessages(ev.Input)}}, true
			data = data.set("input", st.input)
		case runnable.LLMRun:
			st.input, st.hasInput = object{{"prompts", llmPrompts(ev.Input)}}, true
			data = data.set("input", st.input)
		case runnable.RetrieverRun:
			st.input, st.hasInput = object{{"query", ev.Input}}, true
			data = data.set("input", st.input)
		case runnable.ToolRun:
			st.input, st.hasInput = ev.Input, true
			data = data.set("input", or(ev.Input, object{}))
		default:
			if ev.HasInput {
				st.input, st.hasInput = ev.Input, true
				data = data.set("input", ev.Input)
			}
		}
		e.send(ev.RunID, st.pass, object{
			{"event", "on_" + string(ev.Type) + "_start"},
			{"data", data},
			{"name", st.name},
			{"tags", st.tags},
			{"run_id", st.id},
			{"metadata", st.metadata},
			{"parent_ids", st.parents},
		})
	case runnable.EventStream:
		st := e.runs[ev.RunID]
		if st == nil {
			return
		}
		st.streamed = true
		chunk := ev.Chunk
		if ev.RunID != e.root && isModel(ev.Type) {
			// Token callbacks (on_llm_new_token) lay their events out with
			// data second; the root's chunks are tapped from its stream.
			if ev.Type == runnable.LLMRun {
				chunk = textGeneration(token(ev.Chunk), true)
			}
			e.send(ev.RunID, st.pass, object{
				{"event", st.onStream},
				{"data", object{{"chunk", chunk}}},
				{"run_id", st.id},
				{"name", st.name},
				{"tags", st.tags},
				{"metadata", st.metadata},
				{"parent_ids", st.parents},
			})
			return
		}
		e.send(ev.RunID, st.pass, object{
			{"event", st.onStream},
			{"run_id", st.id},
			{"name", st.name},
			{"tags", st.tags},
			{"metadata", st.metadata},
			{"data", object{{"chunk", chunk}}},
			{"parent_ids", st.parents},
		})
	case runnable.EventEnd:
		st := e.runs[ev.RunID]
		if st == nil {
			return
		}
		delete(e.runs, ev.RunID)
		var data object
		switch ev.Type {
		case runnable.ChatModelRun:
			data = object{{"output", chatAnswer(ev.Output)}, {"input", st.input}}
		case runnable.LLMRun:
			data = object{{"output", llmEndOutput(ev.Output, st.streamed)}, {"input", st.input}}
		case runnable.RetrieverRun, runnable.ToolRun:
			data = object{{"output", ev.Output}, {"input", st.input}}
		default:
			// LangChain: inputs or run_info.get("inputs") or {}.
			var in any = object{}
			if ev.HasInput && truthy(ev.Input) {
				in = ev.Input
			} else if st.hasInput && truthy(st.input) {
				in = st.input
			}
			data = object{{"output", ev.Output}, {"input", in}}
		}
		e.send(ev.RunID, st.pass, object{
			{"event", st.onEnd},
			{"data", data},
			{"run_id", st.id},
			{"name", st.name},
			{"tags", st.tags},
			{"metadata", st.metadata},
			{"parent_ids", st.parents},
		})
	case runnable.EventError:
		delete(e.runs, ev.RunID)
	case runnable.EventCustom:
		// Custom events are filtered with their name standing for the type,
		// as LangChain does.
		e.send(ev.RunID, e.filter.include(ev.CustomName, ev.CustomName, ev.Tags), object{
			{"event", "on_custom_event"},
			{"run_id", ev.RunID},
			{"name", ev.CustomName},
			{"tags", tagsOf(ev.Tags)},
			{"metadata", publicMetadata(ev.Metadata)},
			{"data", ev.Chunk},
			{"parent_ids", parentsOf(ev.ParentIDs)},
		})
	}
}

func (e *EventStream) handleV1(ev *runnable.Event) {
	if !e.started {
		if ev.Kind != runnable.EventStart {
			return
		}
		e.started, e.root = true, ev.RunID
		st := e.startRun(ev)
		if st == nil {
			return
		}
		e.send(ev.RunID, st.pass, object{
			{"event", "on_" + string(ev.Type) + "_start"},
			{"run_id", st.id},
			{"name", st.name},
			{"tags", st.tags},
			{"metadata", st.metadata},
			{"data", object{{"input", e.input}}},
			{"parent_ids", st.parents},
		})
		return
	}
	if ev.RunID == e.root {
		st := e.runs[ev.RunID]
		if st == nil {
			return
		}
		switch ev.Kind {
		case runnable.EventStream:
			st.streamed = true
			e.rootChunkV1(ev, st, ev.Chunk)
		case runnable.EventEnd:
			delete(e.runs, ev.RunID)
			if !st.streamed {
				// A root that does not stream yields its output as the
				// one chunk of its stream.
				e.rootChunkV1(ev, st, ev.Output)
			}
			e.send(ev.RunID, st.pass, object{
				{"event", st.onEnd},
				{"name", st.name},
				{"run_id", st.id},
				{"tags", st.tags},
				{"metadata", st.metadata},
				{"data", object{{"output", ev.Output}}},
				{"parent_ids", st.parents},
			})
		case runnable.EventError:
			delete(e.runs, ev.RunID)
		}
		return
	}
	switch ev.Kind {
	case runnable.EventStart:
		// Sub-runs are filtered when they start, like the run log does.
		if !e.filter.include(ev.Name, string(ev.Type), ev.Tags) {
			return
		}
		st := e.startRun(ev)
		if st == nil {
			return
		}
		st.input, st.hasInput = v1Input(ev)
		data := object{}
		if st.hasInput {
			data = data.set("input", st.input)
		}
		e.sendV1(st, "on_"+string(ev.Type)+"_start", data)
	case runnable.EventStream:
		st := e.runs[ev.RunID]
		if st == nil {
			return
		}
		st.streamed = true
		chunk := ev.Chunk
		if ev.Type == runnable.LLMRun {
			chunk = token(ev.Chunk)
		}
		e.sendV1(st, st.onStream, object{{"chunk", chunk}})
	case runnable.EventEnd, runnable.EventError:
		st := e.runs[ev.RunID]
		if st == nil {
			return
		}
		delete(e.runs, ev.RunID)
		data := object{}
		in, ok := v1Input(ev)
		if !ok && st.hasInput && isModelOrRetriever(ev.Type) {
			in, ok = st.input, true
		}
		if ok {
			data = data.set("input", in)
		}
		var out any
		if ev.Kind == runnable.EventEnd {
			out = v1Output(ev.Type, ev.Output, st.streamed)
		}
		e.sendV1(st, st.onEnd, data.set("output", out))
	}
}

// sendV1 sends a v1 sub-run event.
func (e *EventStream) sendV1(st *runState, event string, data object) {
	e.send(uuid.Nil, st.pass, object{
		{"event", event},
		{"name", st.name},
		{"run_id", st.id},
		{"tags", st.tags},
		{"metadata", st.metadata},
		{"data", data},
		{"parent_ids", st.parents},
	})
}

// rootChunkV1 sends a v1 root stream event.
func (e *EventStream) rootChunkV1(ev *runnable.Event, st *runState, chunk any) {
	e.send(ev.RunID, st.pass, object{
		{"event", st.onStream},
		{"run_id", st.id},
		{"tags", st.tags},
		{"metadata", st.metadata},
		{"name", st.name},
		{"data", object{{"chunk", chunk}}},
		{"parent_ids", st.parents},
	})
}

// v1Input is a run's input as the streaming-events run log standardizes
// it; ok is false when it is not known.
func v1Input(ev *runnable.Event) (any, bool) {
	switch ev.Type {
	case runnable.ChatModelRun:
		return object{{"messages", chatMessages(ev.Input)}}, ev.HasInput
	case runnable.LLMRun:
		return object{{"prompts", llmPrompts(ev.Input)}}, ev.HasInput
	case runnable.RetrieverRun:
		return object{{"query", ev.Input}}, ev.HasInput
	}
	if !ev.HasInput || ev.Input == nil {
		return nil, false
	}
	return ev.Input, true
}

func isModelOrRetriever(t runnable.RunType) bool {
	return isModel(t) || t == runnable.RetrieverRun
}

// v1Output is a finished sub-run's output as the streaming-events run log
// standardizes it.
func v1Output(t runnable.RunType, out any, streamed bool) any {
	switch t {
	case runnable.ChatModelRun:
		return chatResult(out)
	case runnable.LLMRun:
		return llmResult(out, streamed)
	case runnable.RetrieverRun:
		return object{{"documents", out}}
	}
	return out
}

// send emits one event when pass is true, applying v2's first-event input
// rule; e.mu is held.
func (e *EventStream) send(runID uuid.UUID, pass bool, event object) {
	if !pass {
		return
	}
	if !e.v1 {
		if !e.firstSent {
			// LangChain's work-around for inputs that are not known when a
			// run starts: the first event sent gets the request's input.
			e.firstSent, e.firstID = true, runID
			event = withData(event, func(d object) object { return d.set("input", e.input) })
		} else if runID == e.firstID && isEndEvent(event) {
			event = withData(event, func(d object) object { return d.without("input") })
		}
	}
	b, err := appendValue(e.buf[:0], event)
	e.out("stream event", b, err)
}

// withData applies f to the event's data when it is an object (a custom
// event's data may be anything; a dict payload gets a copy).
func withData(event object, f func(object) object) object {
	for i := range event {
		if event[i].k != "data" {
			continue
		}
		switch d := event[i].v.(type) {
		case object:
			event[i].v = f(d)
		case map[string]any:
			m := make(object, 0, len(d)+1)
			for _, k := range sortedKeys(d) {
				m = append(m, kv{k, d[k]})
			}
			event[i].v = f(m)
		}
	}
	return event
}

func isEndEvent(event object) bool {
	name, _ := event.get("event")
	s, _ := name.(string)
	return strings.HasSuffix(s, "_end")
}

// or returns v, or def when Python would take v as false.
func or(v, def any) any {
	if truthy(v) {
		return v
	}
	return def
}

func tagsOf(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}

func parentsOf(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
