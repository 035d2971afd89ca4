package serve

import (
	"context"
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
	_, req, e := v.prepare(w, r, rt, Stream, "InvokeRequestShallowValidator")
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	sw := sse.NewWriter(w)
	defer sw.Close()
	runID := req.cfg.RunID.String()
	st := &sseRun{s: v.s, r: r, sw: sw, ep: Stream, runID: runID, input: req.input}
	defer st.recoverPanic()

	sentMeta := false
	for chunk, err := range streamSafely(r.Context(), v.r, req.in, runOptions(req.cfg, nil)...) {
		if err != nil {
			st.fail(err)
			return
		}
		b, err := wire.Marshal(chunk)
		if err != nil {
			st.fail(err)
			return
		}
		if !sentMeta {
			sentMeta = true
			// Python's json.dumps spacing, as LangServe writes this event.
			if sw.Event("metadata", []byte(`{"run_id": "`+runID+`"}`)) != nil {
				return
			}
		}
		if sw.Event("data", b) != nil {
			return // the client is gone; leaving the loop stops the run
		}
	}
	sw.End()
}

// streamLog answers POST <path>/stream_log with RunLogPatch events built
// from the run's events.
func (v *server[I, O]) streamLog(w http.ResponseWriter, r *http.Request, rt route) {
	env, req, e := v.prepare(w, r, rt, StreamLog, "InvokeRequestShallowValidator")
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	f, e := env.filters()
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	sw := sse.NewWriter(w)
	defer sw.Close()
	st := &sseRun{s: v.s, r: r, sw: sw, ep: StreamLog, runID: req.cfg.RunID.String(), input: req.input}
	defer st.recoverPanic()

	logs := wire.NewLogStream(f, func(patch []byte) error { return sw.Event("data", patch) })
	opts := append(runOptions(req.cfg, nil), runnable.WithCallbacks(logs))
	for chunk, err := range streamSafely(r.Context(), v.r, req.in, opts...) {
		if err != nil {
			st.fail(err)
			return
		}
		logs.Output(chunk)
		if err := logs.Err(); err != nil {
			st.fail(err)
			return
		}
	}
	if err := logs.Err(); err != nil {
		st.fail(err)
		return
	}
	sw.End()
}

// streamEvents answers POST <path>/stream_events with one StreamEvent per
// run event, in the configured version.
func (v *server[I, O]) streamEvents(w http.ResponseWriter, r *http.Request, rt route) {
	env, req, e := v.prepare(w, r, rt, StreamEvents, "InvokeRequestShallowValidator")
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	f, e := env.filters()
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	sw := sse.NewWriter(w)
	defer sw.Close()
	st := &sseRun{s: v.s, r: r, sw: sw, ep: StreamEvents, runID: req.cfg.RunID.String(), input: req.input}
	defer st.recoverPanic()

	events := wire.NewEventStream(v.s.eventsVersion, f, req.in, func(ev []byte) error { return sw.Event("data", ev) })
	opts := append(runOptions(req.cfg, nil), runnable.WithCallbacks(events))
	for _, err := range streamSafely(r.Context(), v.r, req.in, opts...) {
		if err != nil {
			st.fail(err)
			return
		}
		if err := events.Err(); err != nil {
			st.fail(err)
			return
		}
	}
	if err := events.Err(); err != nil {
		st.fail(err)
		return
	}
	sw.End()
}

// sseRun is the state of a streaming response that has started.
type sseRun struct {
	s     *settings
	r     *http.Request
	sw    *sse.Writer
	ep    Endpoint
	runID string
	input any
}

// fail ends the stream with an error event. A run cancelled because the
// client went away is not a server error and is not logged as one.
func (st *sseRun) fail(err error) {
	if st.r.Context().Err() != nil {
		st.s.log.DebugContext(st.r.Context(), "serve: client went away", "path", st.s.path, "endpoint", string(st.ep), "run_id", st.runID)
		return
	}
	if clientError(err, st.input) == nil {
		st.s.log.ErrorContext(st.r.Context(), "serve: run failed", "path", st.s.path, "endpoint", string(st.ep), "run_id", st.runID, "error", err)
	}
	st.sw.Event("error", st.s.streamErrorPayload(err, st.input))
}

// recoverPanic turns a panic of the runnable (or of its stream) into an
// error event, so that one bad run does not abort the connection without
// a word.
func (st *sseRun) recoverPanic() {
	if v := recover(); v != nil {
		st.fail(&runnable.PanicError{Value: v})
	}
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
