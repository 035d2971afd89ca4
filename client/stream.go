package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"reflect"

	"github.com/langserve-go/langserve/internal/sse"
	"github.com/langserve-go/langserve/runnable"
)

// LogFilter selects the inner runs that stream_log and stream_events
// report, as LangChain's include_* / exclude_* arguments do: a run is
// reported when no include list is set or it matches one (its name, its run
// type or one of its tags), and it is not reported when it matches an
// exclude list. A nil list is not set; an empty non-nil list is set and
// matches nothing. A nil *LogFilter sets nothing. stream_log always carries
// the root run's output; stream_events (v2) filters the root run's own
// events like any other run's.
type LogFilter struct {
	IncludeNames, IncludeTypes, IncludeTags []string
	ExcludeNames, ExcludeTypes, ExcludeTags []string
}

// EventFilter selects the runs whose events stream_events sends; see
// [LogFilter].
type EventFilter = LogFilter

// filterJSON is the filter part of stream_log and stream_events requests;
// unset lists are sent as null, as the Python client does.
type filterJSON struct {
	IncludeNames []string `json:"include_names"`
	IncludeTypes []string `json:"include_types"`
	IncludeTags  []string `json:"include_tags"`
	ExcludeNames []string `json:"exclude_names"`
	ExcludeTypes []string `json:"exclude_types"`
	ExcludeTags  []string `json:"exclude_tags"`
}

func (f *LogFilter) wire() filterJSON {
	if f == nil {
		return filterJSON{}
	}
	return filterJSON{f.IncludeNames, f.IncludeTypes, f.IncludeTags, f.ExcludeNames, f.ExcludeTypes, f.ExcludeTags}
}

type logRequest struct {
	Input  any        `json:"input"`
	Config wireConfig `json:"config"`
	Kwargs struct{}   `json:"kwargs"`
	// Diff is ignored by LangServe, which always streams patches; the
	// Python client sends true.
	Diff bool `json:"diff"`
	filterJSON
}

type eventsRequest struct {
	Input  any        `json:"input"`
	Config wireConfig `json:"config"`
	Kwargs struct{}   `json:"kwargs"`
	filterJSON
}

// StreamEvent is one event of /stream_events: LangChain's astream_events
// v2 schema, or v1 when the server is set to it. ParentIDs lists the run's
// ancestors, root first; it is empty for the root run of a v2 stream and
// for every event of a v1 stream, which does not report ancestry.
// Data holds the JSON of the event's data: {"input": …} on *_start events
// (possibly {} when the input was not known yet), {"chunk": …} on *_stream
// events, {"output": …, "input": …} on *_end events, the payload of an
// on_custom_event.
type StreamEvent struct {
	Event     string          `json:"event"`
	Name      string          `json:"name"`
	RunID     string          `json:"run_id"`
	Tags      []string        `json:"tags"`
	Metadata  map[string]any  `json:"metadata"`
	Data      json.RawMessage `json:"data"`
	ParentIDs []string        `json:"parent_ids,omitempty"`
}

// Stream calls POST <base>/stream and yields the chunks of the remote
// output as they arrive, each decoded into O. The metadata event and
// keep-alive comments are skipped; the end event ends the stream. An error
// event ends it with an *Error after the chunks sent before it, and a
// connection that closes without the end event with [ErrIncomplete].
//
// It returns a single-use iterator. Breaking out of the loop or cancelling
// ctx closes the connection, which makes the server cancel its run. With
// [Options.ForwardEvents] it reads /stream_events instead.
func (r *Remote[I, O]) Stream(ctx context.Context, in I, opts ...runnable.Option) iter.Seq2[O, error] {
	if r.forward {
		return r.streamForwarded(ctx, in, opts)
	}
	return func(yield func(O, error) bool) {
		var zero O
		ctx, run := runnable.StartRun(ctx, r.Describe(), in, opts...)
		wc, err := toWire(run.Config(), true)
		if err != nil {
			yield(zero, run.Fail(err))
			return
		}
		resp, err := r.send(ctx, http.MethodPost, "stream", invokeRequest{Input: in, Config: wc}, true)
		if err != nil {
			yield(zero, run.Fail(err))
			return
		}
		defer resp.Body.Close()
		agg := aggregate[O]{on: run.Observed()}
		for data, err := range r.events(ctx, "stream", resp.Body) {
			var chunk O
			if err == nil {
				err = r.decodeChunk("stream", data, &chunk)
			}
			if err != nil {
				yield(zero, run.Fail(err))
				return
			}
			run.Chunk(chunk)
			agg.add(chunk)
			if !yield(chunk, nil) {
				run.Fail(runnable.ErrStreamStopped)
				return
			}
		}
		run.End(agg.value())
	}
}

// StreamLog calls POST <base>/stream_log and yields its JSON-Patch
// batches as they arrive. Applied in order to a [RunLog] they build the
// server's RunState: the root run's streamed and final output and a log
// entry per inner run that f selects. Errors, cancellation and early
// breaks behave as in [Remote.Stream]; the iterator is single-use.
func (r *Remote[I, O]) StreamLog(ctx context.Context, in I, f *LogFilter, opts ...runnable.Option) iter.Seq2[LogPatch, error] {
	return func(yield func(LogPatch, error) bool) {
		ctx, run := runnable.StartRun(ctx, r.Describe(), in, opts...)
		wc, err := toWire(run.Config(), true)
		if err != nil {
			yield(LogPatch{}, run.Fail(err))
			return
		}
		req := logRequest{Input: in, Config: wc, Diff: true, filterJSON: f.wire()}
		resp, err := r.send(ctx, http.MethodPost, "stream_log", req, true)
		if err != nil {
			yield(LogPatch{}, run.Fail(err))
			return
		}
		defer resp.Body.Close()
		// The run's output is the remote final output; it is only worth
		// accumulating the log when someone observes the run.
		var log *RunLog
		if run.Observed() {
			log = &RunLog{}
		}
		for data, err := range r.events(ctx, "stream_log", resp.Body) {
			var p LogPatch
			if err == nil {
				err = r.decodeChunk("stream_log", data, &p)
			}
			if err == nil && log != nil && log.Apply(p) != nil {
				log = nil // the run's output stays unknown; the stream goes on
			}
			if err != nil {
				yield(LogPatch{}, run.Fail(err))
				return
			}
			if !yield(p, nil) {
				run.Fail(runnable.ErrStreamStopped)
				return
			}
		}
		var output any
		if log != nil {
			if st, err := log.State(); err == nil {
				output = decodeOutput[O](st.FinalOutput)
			}
		}
		run.End(output)
	}
}

// StreamEvents calls POST <base>/stream_events and yields the events of
// the remote run and of the inner runs f selects, as they arrive. Errors,
// cancellation and early breaks behave as in [Remote.Stream]; the iterator
// is single-use.
func (r *Remote[I, O]) StreamEvents(ctx context.Context, in I, f *EventFilter, opts ...runnable.Option) iter.Seq2[StreamEvent, error] {
	return func(yield func(StreamEvent, error) bool) {
		ctx, run := runnable.StartRun(ctx, r.Describe(), in, opts...)
		var output any
		for ev, err := range r.streamEvents(ctx, run, in, f) {
			if err != nil {
				yield(StreamEvent{}, run.Fail(err))
				return
			}
			// The root's end carries the output of the whole remote call.
			if ev.root && isEnd(ev.Event) {
				output = decodeOutput[O](ev.field("output"))
			}
			if !yield(ev.StreamEvent, nil) {
				run.Fail(runnable.ErrStreamStopped)
				return
			}
		}
		run.End(output)
	}
}

// rootedEvent is a StreamEvent marked with whether it belongs to the
// remote root run.
type rootedEvent struct {
	StreamEvent
	root bool
	data map[string]json.RawMessage
}

// field returns the raw value of key in the event's data, or nil.
func (e *rootedEvent) field(key string) json.RawMessage { return e.data[key] }

// has reports whether the event's data has key.
func (e *rootedEvent) has(key string) bool { _, ok := e.data[key]; return ok }

// streamEvents posts a stream_events request for run and yields its
// events, the first error ending the sequence. The body is closed when the
// sequence ends.
func (r *Remote[I, O]) streamEvents(ctx context.Context, run *runnable.Run, in I, f *EventFilter) iter.Seq2[*rootedEvent, error] {
	return func(yield func(*rootedEvent, error) bool) {
		wc, err := toWire(run.Config(), true)
		if err != nil {
			yield(nil, err)
			return
		}
		resp, err := r.send(ctx, http.MethodPost, "stream_events", eventsRequest{Input: in, Config: wc, filterJSON: f.wire()}, true)
		if err != nil {
			yield(nil, err)
			return
		}
		defer resp.Body.Close()
		rootID := ""
		for data, err := range r.events(ctx, "stream_events", resp.Body) {
			ev := &rootedEvent{}
			if err == nil {
				err = r.decodeChunk("stream_events", data, &ev.StreamEvent)
			}
			if err == nil && len(ev.Data) > 0 && ev.Data[0] == '{' {
				err = json.Unmarshal(ev.Data, &ev.data)
			}
			if err != nil {
				yield(nil, err)
				return
			}
			// v2 events list their ancestors: only the root has none. v1
			// events list none for any run (an empty list, or no member
			// with older servers); their stream starts with the root's
			// start event. Either way the root is the run of the first
			// event without ancestors.
			if len(ev.ParentIDs) == 0 && rootID == "" {
				rootID = ev.RunID
			}
			ev.root = len(ev.ParentIDs) == 0 && ev.RunID == rootID
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// events reads the SSE answer of a streaming endpoint and yields the data
// of its data events. It stops after the end event, and ends with an error
// on an error event, on a read error (ctx's cause when ctx ended the read)
// and when the stream breaks off before its end event.
func (r *Remote[I, O]) events(ctx context.Context, endpoint string, body io.Reader) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for ev, err := range sse.Parse(body) {
			if err != nil {
				yield("", r.streamErr(ctx, endpoint, err))
				return
			}
			if ev.Comment {
				continue
			}
			switch ev.Name {
			case "data":
				if !yield(ev.Data, nil) {
					return
				}
			case "end":
				return
			case "error":
				yield("", r.streamErr(ctx, endpoint, sseError(ev.Data)))
				return
			default:
				// metadata (run id, feedback tokens), and event types a
				// newer server may add: the Python client skips them too.
			}
		}
		yield("", r.streamErr(ctx, endpoint, ErrIncomplete))
	}
}

func (r *Remote[I, O]) streamErr(ctx context.Context, endpoint string, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return fmt.Errorf("client: POST %s: %w", r.endpoint(endpoint).Redacted(), err)
}

func (r *Remote[I, O]) decodeChunk(endpoint, data string, dst any) error {
	if err := json.Unmarshal([]byte(data), dst); err != nil {
		return fmt.Errorf("client: POST %s: decode event data into %v: %w", r.endpoint(endpoint).Redacted(), reflect.TypeOf(dst).Elem(), err)
	}
	return nil
}

// decodeOutput decodes raw into O for the end event of a local run; what
// does not decode is reported as the raw JSON.
func decodeOutput[O any](raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	var out O
	if json.Unmarshal(raw, &out) != nil {
		return raw
	}
	return out
}

func isEnd(event string) bool {
	return len(event) > 4 && event[len(event)-4:] == "_end"
}

// aggregate adds up the chunks of a stream for the run's end event, as
// runnable.Collect does. Only when on: the end event's output is all the
// sum is for, and adding up is quadratic for strings and maps, on every
// chunk.
type aggregate[O any] struct {
	on  bool // the run is observed
	v   O
	got bool
}

func (a *aggregate[O]) add(chunk O) {
	if !a.on {
		return
	}
	if !a.got {
		a.v, a.got = chunk, true
		return
	}
	a.v, _ = runnable.Concat(a.v, chunk)
}

// value is the added-up output, or nil when the stream had no chunk.
func (a *aggregate[O]) value() any {
	if !a.got {
		return nil
	}
	return a.v
}
