package serve

import (
	"context"
	"errors"
	"iter"
	"net/http"

	"github.com/langserve-go/langserve/internal/sse"
	"github.com/langserve-go/langserve/internal/wire"
	"github.com/langserve-go/langserve/runnable"
)

// The streaming endpoints validate everything (body, config, input,
// filters) before the first byte of the response, so that a bad request
// gets a plain 422 JSON answer; only then do they switch to SSE. From there
// on, failures end the stream with an "error" event. The runnable runs
// with the request's context: a client that goes away cancels it.

// stream answers POST <path>/stream: a "metadata" event with the run id
// right before the first chunk, one "data" event per chunk, then "end".
func (v *server[I, O]) stream(w http.ResponseWriter, r *http.Request, rt route) {
	st, req, _ := v.openStream(w, r, rt, Stream)
	if st == nil {
		return
	}
	defer st.finish()
	sentMeta := false
	drain(st, streamSafely(r.Context(), v.r, req.in, runOptions(req.cfg, nil)...), func(chunk O) error {
		b, err := wire.Marshal(chunk)
		if err != nil {
			return err
		}
		if !sentMeta {
			sentMeta = true
			// Python's json.dumps spacing, as LangServe writes this event.
			if err := st.event("metadata", []byte(`{"run_id": "`+st.runID+`"}`)); err != nil {
				return err
			}
		}
		return st.event("data", b)
	}, nil)
}

// streamLog answers POST <path>/stream_log with RunLogPatch events built
// from the run's events.
func (v *server[I, O]) streamLog(w http.ResponseWriter, r *http.Request, rt route) {
	st, req, f := v.openStream(w, r, rt, StreamLog)
	if st == nil {
		return
	}
	defer st.finish()
	logs := wire.NewLogStream(f, func(patch []byte) error { return st.event("data", patch) })
	opts := append(runOptions(req.cfg, nil), runnable.WithCallbacks(logs))
	drain(st, streamSafely(r.Context(), v.r, req.in, opts...), func(chunk O) error {
		logs.Output(chunk)
		return logs.Err()
	}, logs.Err)
}

// streamEvents answers POST <path>/stream_events with one StreamEvent per
// run event, in the configured version.
func (v *server[I, O]) streamEvents(w http.ResponseWriter, r *http.Request, rt route) {
	st, req, f := v.openStream(w, r, rt, StreamEvents)
	if st == nil {
		return
	}
	defer st.finish()
	events := wire.NewEventStream(v.s.eventsVersion, f, req.in, func(ev []byte) error { return st.event("data", ev) })
	opts := append(runOptions(req.cfg, nil), runnable.WithCallbacks(events))
	drain(st, streamSafely(r.Context(), v.r, req.in, opts...), func(O) error { return events.Err() }, events.Err)
}

// openStream validates a streaming request (and the filters of stream_log
// and stream_events) and switches the response to SSE. A request that
// fails validation is answered here, and st is nil. Otherwise the caller
// must defer st.finish().
func (v *server[I, O]) openStream(w http.ResponseWriter, r *http.Request, rt route, ep Endpoint) (st *sseRun, req *request[I], f wire.Filter) {
	env, req, e := v.prepare(w, r, rt, ep, "InvokeRequestShallowValidator")
	if e == nil && ep != Stream {
		f, e = env.filters()
	}
	if e != nil {
		v.s.writeError(w, e)
		return nil, nil, f
	}
	st = &sseRun{s: v.s, r: r, sw: sse.NewWriter(w), ep: ep, runID: req.cfg.RunID.String(), input: req.input}
	return st, req, f
}

// drain runs a stream to its end, handing every chunk to each, and ends
// the response: "end" after the last chunk, or an "error" event at the
// first error of the run, of each, or of final (checked after the last
// chunk, when the encoders have written the run's end).
func drain[O any](st *sseRun, chunks iter.Seq2[O, error], each func(O) error, final func() error) {
	for chunk, err := range chunks {
		if err == nil {
			err = each(chunk)
		}
		if err != nil {
			st.fail(err)
			return
		}
	}
	if final != nil {
		if err := final(); err != nil {
			st.fail(err)
			return
		}
	}
	st.sw.End()
}

// sseRun is the state of a streaming response that has started.
type sseRun struct {
	s        *settings
	r        *http.Request
	sw       *sse.Writer
	ep       Endpoint
	runID    string
	input    any
	writeErr error // the first failed write: the client is gone
}

// event writes one event, remembering a failure.
func (st *sseRun) event(name string, data []byte) error {
	err := st.sw.Event(name, data)
	if err != nil && st.writeErr == nil {
		st.writeErr = err
	}
	return err
}

// fail ends the stream with an error event. A run cancelled because the
// client went away, or whose events could not be written to it, is not a
// server error and is not logged as one; a ResponseWriter that cannot
// flush is.
func (st *sseRun) fail(err error) {
	ctx := st.r.Context()
	if ctx.Err() != nil || (st.writeErr != nil && !errors.Is(st.writeErr, http.ErrNotSupported)) {
		st.s.log.DebugContext(ctx, "serve: client went away", "path", st.s.path, "endpoint", string(st.ep), "run_id", st.runID)
		return
	}
	if clientError(err, st.input) == nil {
		st.s.log.ErrorContext(ctx, "serve: run failed", "path", st.s.path, "endpoint", string(st.ep), "run_id", st.runID, "error", err)
	}
	st.sw.Event("error", st.s.streamErrorPayload(err, st.input))
}

// finish ends a streaming response: a panic of the runnable (or of its
// stream) becomes an error event, so that one bad run does not abort the
// connection without a word, and the keep-alive pings stop.
func (st *sseRun) finish() {
	if v := recover(); v != nil {
		st.fail(&runnable.PanicError{Value: v})
	}
	st.sw.Close()
}

// streamSafely returns r's stream, turning a panic in the call to Stream
// itself into the stream's error.
func streamSafely[I, O any](ctx context.Context, r runnable.Runnable[I, O], in I, opts ...runnable.Option) (s iter.Seq2[O, error]) {
	defer func() {
		if v := recover(); v != nil {
			err := &runnable.PanicError{Value: v}
			s = func(yield func(O, error) bool) {
				var zero O
				yield(zero, err)
			}
		}
	}()
	return r.Stream(ctx, in, opts...)
}
