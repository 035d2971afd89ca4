package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// streamForwarded is Stream with Options.ForwardEvents: it reads
// /stream_events, yields the chunks of the remote root run, and replays
// every inner run as a local run nested in the run of the call.
func (r *Remote[I, O]) streamForwarded(ctx context.Context, in I, opts []runnable.Option) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		var zero O
		ctx, run := runnable.StartRun(ctx, r.Describe(), in, opts...)
		rp := &replay{root: ctx, runs: map[string]*replayed{}}
		fail := func(err error) error {
			rp.failAll(err)
			return run.Fail(err)
		}
		agg := aggregate[O]{on: run.Observed()}
		for ev, err := range r.streamEvents(ctx, run, in, nil) {
			if err != nil {
				yield(zero, fail(err))
				return
			}
			if !ev.root {
				rp.event(ev)
				continue
			}
			if _, kind := splitEvent(ev.Event); kind != "stream" {
				continue
			}
			var chunk O
			if err := r.decodeChunk("stream_events", string(ev.field("chunk")), &chunk); err != nil {
				yield(zero, fail(err))
				return
			}
			run.Chunk(chunk)
			agg.add(chunk)
			if !yield(chunk, nil) {
				fail(runnable.ErrStreamStopped)
				return
			}
		}
		// A remote run that never reported its end did not finish.
		rp.failAll(ErrIncomplete)
		run.End(agg.value())
	}
}

// replay turns the events of the remote inner runs into local runs, so
// that the local handlers receive them with their remote run ids, names,
// types, tags and metadata, nested under the local run of the call.
type replay struct {
	root context.Context // ctx of the local run standing for the remote root
	runs map[string]*replayed
	open []string // ids of runs started and not ended, in start order
}

type replayed struct {
	ctx      context.Context
	run      *runnable.Run
	hasInput bool
}

// event replays one event of a remote inner run.
func (rp *replay) event(ev *rootedEvent) {
	if ev.Event == "on_custom_event" {
		// The event's run is the run that dispatched it.
		runnable.DispatchCustomEvent(rp.ctxOf(ev.RunID), ev.Name, revive(ev.Data))
		return
	}
	typ, kind := splitEvent(ev.Event)
	if typ == "" {
		return
	}
	switch kind {
	case "start":
		if rp.runs[ev.RunID] != nil {
			return
		}
		// v2 events name their ancestors, nearest last; v1 events do not,
		// and their runs are replayed flat under the root.
		parent := rp.root
		if n := len(ev.ParentIDs); n > 0 {
			parent = rp.ctxOf(ev.ParentIDs[n-1])
		}
		info := runnable.Info{Name: ev.Name, Type: runnable.RunType(typ)}
		opts := []runnable.Option{runnable.WithLocalTags(ev.Tags...), runnable.WithMetadata(ev.Metadata)}
		if id, err := uuid.Parse(ev.RunID); err == nil {
			opts = append(opts, runnable.WithRunID(id))
		}
		rr := &replayed{hasInput: ev.has("input")}
		if rr.hasInput {
			rr.ctx, rr.run = runnable.StartRun(parent, info, plainInput(typ, ev.field("input")), opts...)
		} else {
			rr.ctx, rr.run = runnable.StartStreamingRun(parent, info, opts...)
		}
		rp.runs[ev.RunID] = rr
		rp.open = append(rp.open, ev.RunID)
	case "stream":
		if rr := rp.runs[ev.RunID]; rr != nil {
			rr.run.Chunk(plainChunk(typ, ev.field("chunk")))
		}
	case "end", "error":
		rr := rp.runs[ev.RunID]
		if rr == nil {
			return
		}
		rp.open = slices.DeleteFunc(rp.open, func(id string) bool { return id == ev.RunID })
		if kind == "error" {
			rr.run.Fail(remoteRunError(ev.field("error")))
			return
		}
		out := plainOutput(typ, ev.field("output"))
		if !rr.hasInput && ev.has("input") {
			rr.run.EndWithInput(plainInput(typ, ev.field("input")), out)
			return
		}
		rr.run.End(out)
	}
}

// Events report the inputs and outputs of models and retrievers in the
// shapes of LangChain's callbacks; a local run carries them plain, and the
// serve package puts the shapes back when it reports the replayed runs. The
// plain* functions undo the shapes, keeping the value as it came when it
// does not have the expected shape.

// plainInput undoes {"messages": [[…]]} (chat models), {"prompts": […]}
// (LLMs) and {"query": …} (retrievers).
func plainInput(typ string, raw json.RawMessage) any {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil && len(obj) == 1 {
		switch runnable.RunType(typ) {
		case runnable.ChatModelRun:
			var batch [][]schema.Message
			if json.Unmarshal(obj["messages"], &batch) == nil && batch != nil {
				if len(batch) == 1 {
					return batch[0]
				}
				return batch
			}
		case runnable.LLMRun:
			var prompts []string
			if json.Unmarshal(obj["prompts"], &prompts) == nil && prompts != nil {
				return prompts
			}
		case runnable.RetrieverRun:
			if q, ok := obj["query"]; ok {
				return revive(q)
			}
		}
	}
	return revive(raw)
}

// plainChunk undoes the GenerationChunk of an LLM token.
func plainChunk(typ string, raw json.RawMessage) any {
	if runnable.RunType(typ) == runnable.LLMRun {
		var g struct{ Text *string }
		if json.Unmarshal(raw, &g) == nil && g.Text != nil {
			return *g.Text
		}
	}
	return revive(raw)
}

// plainOutput undoes the LLMResult of an LLM run, keeping the text, and
// the untagged {"messages": […]} of a chat prompt.
func plainOutput(typ string, raw json.RawMessage) any {
	switch runnable.RunType(typ) {
	case runnable.PromptRun:
		var p schema.PromptValue
		if json.Unmarshal(raw, &p) == nil {
			return p
		}
	case runnable.LLMRun:
		var r struct{ Generations [][]struct{ Text *string } }
		if json.Unmarshal(raw, &r) == nil && len(r.Generations) > 0 && len(r.Generations[0]) > 0 && r.Generations[0][0].Text != nil {
			return *r.Generations[0][0].Text
		}
	}
	return revive(raw)
}

// ctxOf returns the ctx of the replayed run id, or the root's.
func (rp *replay) ctxOf(id string) context.Context {
	if rr := rp.runs[id]; rr != nil {
		return rr.ctx
	}
	return rp.root
}

// failAll ends the runs still open, innermost first.
func (rp *replay) failAll(err error) {
	for _, id := range slices.Backward(rp.open) {
		rp.runs[id].run.Fail(err)
	}
	rp.open = nil
}

// splitEvent splits "on_chat_model_start" into "chat_model" and "start".
func splitEvent(event string) (typ, kind string) {
	rest, ok := strings.CutPrefix(event, "on_")
	i := strings.LastIndexByte(rest, '_')
	if !ok || i <= 0 {
		return "", ""
	}
	return rest[:i], rest[i+1:]
}

// remoteRunError is the error of a remote inner run that failed (the
// on_tool_error event of newer servers).
func remoteRunError(raw json.RawMessage) error {
	var s string
	if json.Unmarshal(raw, &s) == nil && s != "" {
		return errors.New(s)
	}
	if len(raw) > 0 {
		return errors.New(string(raw))
	}
	return errors.New("remote run failed")
}

// revive decodes a value of a remote event, turning the objects LangChain
// tags with a known "type" (messages, documents, prompt values,
// generations) into this module's schema types, as the Python client does
// with its well-known-object decoder. An object whose tag is known but that
// does not decode as that type stays a map. Other values decode as
// encoding/json decodes into any.
func revive(raw json.RawMessage) any {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil
		}
		if v, ok := reviveKnown(raw, obj); ok {
			return v
		}
		m := make(map[string]any, len(obj))
		for k, v := range obj {
			m[k] = revive(v)
		}
		return m
	case '[':
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return nil
		}
		out := make([]any, len(list))
		for i, v := range list {
			out[i] = revive(v)
		}
		return out
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

func reviveKnown(raw json.RawMessage, obj map[string]json.RawMessage) (any, bool) {
	var tag string
	if json.Unmarshal(obj["type"], &tag) != nil {
		return nil, false
	}
	var (
		v   any
		err error
	)
	switch {
	case schema.MessageType(tag).Valid():
		var m schema.Message
		if err = json.Unmarshal(raw, &m); err == nil {
			v = m
		}
	case tag == "Document":
		var d schema.Document
		if err = json.Unmarshal(raw, &d); err == nil {
			v = d
		}
	case tag == "StringPromptValue" || tag == "ChatPromptValue" || tag == "ChatPromptValueConcrete":
		var p schema.PromptValue
		if err = json.Unmarshal(raw, &p); err == nil {
			v = p
		}
	case tag == "ChatGeneration" || tag == "ChatGenerationChunk":
		var g schema.ChatGeneration
		if err = json.Unmarshal(raw, &g); err == nil {
			v = g
		}
	case tag == "LLMResult":
		var l schema.LLMResult
		if err = json.Unmarshal(raw, &l); err == nil {
			v = l
		}
	default:
		return nil, false
	}
	return v, err == nil
}
