// Package observe connects langserve-go to the tools operators already run:
// OpenTelemetry traces built from run events (one span per run, nested as
// the runs are) and Prometheus metrics for the HTTP routes and the runs.
//
// Both hang off the same run events as stream_log and stream_events, so
// what a trace shows is what the Playground's intermediate steps show.
package observe

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/langserve-go/langserve/runnable"
)

// TracerName is the instrumentation scope of the spans Tracer creates.
const TracerName = "github.com/langserve-go/langserve"

// Tracer returns a run-event handler that records every run as a span of
// tp: the root run of a request becomes a child of the span in the request's
// context (the HTTP server span, when the server is instrumented), nested
// runs become children of their parent run's span. Spans are named after
// the run and carry its id, type and tags.
//
// Pass it with runnable.WithCallbacks, or in serve.Options.Callbacks for
// every request. It is safe for concurrent use.
func Tracer(tp trace.TracerProvider) runnable.Handler {
	return &tracer{t: tp.Tracer(TracerName)}
}

type tracer struct {
	t     trace.Tracer
	spans sync.Map // run id → trace.Span
}

func (h *tracer) HandleEvent(ctx context.Context, ev *runnable.Event) {
	switch ev.Kind {
	case runnable.EventStart:
		parent := ctx
		if n := len(ev.ParentIDs); n > 0 {
			if s, ok := h.spans.Load(ev.ParentIDs[n-1]); ok {
				parent = trace.ContextWithSpan(ctx, s.(trace.Span))
			}
		}
		_, span := h.t.Start(parent, ev.Name,
			trace.WithTimestamp(ev.StartTime),
			trace.WithSpanKind(trace.SpanKindInternal),
			trace.WithAttributes(
				attribute.String("langserve.run_id", ev.RunID.String()),
				attribute.String("langserve.run_type", string(ev.Type)),
				attribute.StringSlice("langserve.tags", ev.Tags),
			))
		if model, ok := ev.Metadata["ls_model_name"].(string); ok {
			span.SetAttributes(attribute.String("gen_ai.request.model", model))
		}
		h.spans.Store(ev.RunID, span)
	case runnable.EventStream:
		if s, ok := h.span(ev.RunID); ok && s.IsRecording() {
			s.AddEvent("chunk", trace.WithTimestamp(ev.Time))
		}
	case runnable.EventEnd:
		if s, ok := h.take(ev.RunID); ok {
			s.SetStatus(codes.Ok, "")
			s.End(trace.WithTimestamp(ev.Time))
		}
	case runnable.EventError:
		if s, ok := h.take(ev.RunID); ok {
			s.RecordError(ev.Err)
			s.SetStatus(codes.Error, fmt.Sprint(ev.Err))
			s.End(trace.WithTimestamp(ev.Time))
		}
	case runnable.EventCustom:
		if s, ok := h.span(ev.RunID); ok {
			s.AddEvent(ev.CustomName, trace.WithTimestamp(ev.Time))
		}
	}
}

func (h *tracer) span(id uuid.UUID) (trace.Span, bool) {
	s, ok := h.spans.Load(id)
	if !ok {
		return nil, false
	}
	return s.(trace.Span), true
}

func (h *tracer) take(id uuid.UUID) (trace.Span, bool) {
	s, ok := h.spans.LoadAndDelete(id)
	if !ok {
		return nil, false
	}
	return s.(trace.Span), true
}
