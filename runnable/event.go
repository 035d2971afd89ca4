package runnable

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// EventKind says what happened to a run.
type EventKind uint8

// The event kinds, in the order a run emits them: one start, any number of
// stream events, then one end or one error. Custom events may come at any
// time between start and end.
const (
	EventStart EventKind = iota + 1
	EventStream
	EventEnd
	EventError
	EventCustom
)

func (k EventKind) String() string {
	switch k {
	case EventStart:
		return "start"
	case EventStream:
		return "stream"
	case EventEnd:
		return "end"
	case EventError:
		return "error"
	case EventCustom:
		return "custom"
	}
	return "unknown"
}

// Event is one step in the life of a run. The serve package turns these into
// LangServe's stream_log patches and stream_events events, and tracing turns
// them into spans.
//
// Handlers must not modify the event or the values it carries.
type Event struct {
	Kind EventKind
	// RunID identifies the run; ParentIDs lists its ancestors, root first.
	RunID     uuid.UUID
	ParentIDs []uuid.UUID
	Name      string
	Type      RunType
	Tags      []string
	Metadata  map[string]any
	// Input is the run's input. On a start event HasInput is false when the
	// run consumes a stream whose end is not known yet (LangChain sends an
	// empty input then); the end event carries the whole input.
	Input    any
	HasInput bool
	// Chunk is the value of a stream event and the payload of a custom event.
	Chunk any
	// Output is the value of an end event.
	Output any
	// Err is the error of an error event.
	Err error
	// CustomName names a custom event.
	CustomName string
	// StartTime is when the run started; Time is when this event happened.
	StartTime time.Time
	Time      time.Time
}

// Handler receives run events.
//
// Events of one run arrive in order, on the goroutine that runs it. Runs that
// execute in parallel (Parallel, Batch) call handlers from several goroutines
// at once, so a Handler must be safe for concurrent use. HandleEvent should
// return quickly: it runs inside the traced work.
type Handler interface {
	HandleEvent(ctx context.Context, ev *Event)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, ev *Event)

// HandleEvent calls f.
func (f HandlerFunc) HandleEvent(ctx context.Context, ev *Event) { f(ctx, ev) }

// DispatchCustomEvent sends a custom event with the given name and payload
// from inside a running runnable to the handlers of its run (LangChain's
// dispatch_custom_event). Outside a run it does nothing.
func DispatchCustomEvent(ctx context.Context, name string, payload any) {
	p, _ := ctx.Value(parentKey).(*Run)
	if p == nil || len(p.handlers) == 0 {
		return
	}
	p.emit(ctx, &Event{Kind: EventCustom, CustomName: name, Chunk: payload})
}
