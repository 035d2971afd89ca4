package runnable

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Run is one execution of a runnable: it reports the run's start, its
// streamed chunks and its end or error to the handlers of its config, and
// gives nested runs their parent.
//
// Runnables written outside this package (chat models, retrievers, tools)
// use it like this:
//
//	ctx, run := runnable.StartRun(ctx, info, in, opts...)
//	out, err := work(ctx, in)
//	if err != nil {
//		return zero, run.Fail(err)
//	}
//	run.End(out)
//
// A Run is not safe for concurrent use, and every method after End or Fail
// does nothing.
type Run struct {
	id        uuid.UUID
	parentIDs []uuid.UUID
	name      string
	typ       RunType
	tags      []string
	metadata  map[string]any
	handlers  []Handler
	config    Config
	start     time.Time
	input     any
	hasInput  bool
	done      bool
	ctx       context.Context
	// idOnce guards the lazy id: children started concurrently (Parallel,
	// Batch) all ask their parent for it.
	idOnce sync.Once
}

// StartRun starts a run of the runnable described by info with a known
// input, under the config inherited through ctx with opts applied. It returns
// the context nested runs must be started with.
func StartRun(ctx context.Context, info Info, input any, opts ...Option) (context.Context, *Run) {
	return startRun(ctx, info, input, true, opts)
}

// StartStreamingRun starts a run whose input arrives as a stream and is not
// known yet; pass the whole input to [Run.EndWithInput] at the end.
func StartStreamingRun(ctx context.Context, info Info, opts ...Option) (context.Context, *Run) {
	return startRun(ctx, info, nil, false, opts)
}

func startRun(ctx context.Context, info Info, input any, hasInput bool, opts []Option) (context.Context, *Run) {
	cfg := resolve(ctx, opts)
	parent, _ := ctx.Value(parentKey).(*Run)
	r := &Run{
		id:       cfg.RunID,
		name:     cfg.RunName,
		typ:      info.Type,
		handlers: cfg.Callbacks,
		config:   cfg,
		input:    input,
		hasInput: hasInput,
	}
	if r.name == "" {
		r.name = info.Name
	}
	if r.typ == "" {
		r.typ = ChainRun
	}
	// Children inherit everything but the run name, run id and local tags.
	child := cfg
	child.RunName, child.RunID, child.localTags = "", uuid.Nil, nil
	ctx = context.WithValue(ctx, configKey, &child)
	ctx = context.WithValue(ctx, parentKey, r)
	r.ctx = ctx
	if len(r.handlers) > 0 {
		// Only observed runs need ids: unobserved ones never pay for them.
		if parent != nil {
			r.parentIDs = append(slices.Clip(parent.parentIDs), parent.ID())
		}
		r.start = time.Now()
		r.tags = appendUnique(slices.Clone(cfg.Tags), cfg.localTags...)
		if r.tags == nil {
			r.tags = []string{}
		}
		r.metadata = maps.Clone(cfg.Metadata)
		if len(info.Metadata) > 0 {
			if r.metadata == nil {
				r.metadata = make(map[string]any, len(info.Metadata))
			}
			maps.Copy(r.metadata, info.Metadata)
		}
		if r.metadata == nil {
			r.metadata = map[string]any{}
		}
	}
	if len(r.handlers) > 0 {
		r.emit(ctx, &Event{Kind: EventStart, Input: input, HasInput: hasInput})
	}
	return ctx, r
}

// ID returns the run's id, generating it on first use: runs nobody observes
// never pay for a UUID.
func (r *Run) ID() uuid.UUID {
	r.idOnce.Do(func() {
		if r.id == uuid.Nil {
			r.id = uuid.New()
		}
	})
	return r.id
}

// Name returns the run's name: the run name of its config or the runnable's.
func (r *Run) Name() string { return r.name }

// Config returns the config the run executes with.
func (r *Run) Config() Config { return r.config }

// Observed reports whether any handler receives this run's events. Runnables
// may skip work done only for tracing when it is false.
func (r *Run) Observed() bool { return len(r.handlers) > 0 }

// Chunk reports one chunk of the run's streamed output.
func (r *Run) Chunk(chunk any) {
	if r.done || len(r.handlers) == 0 {
		return
	}
	r.emit(r.ctx, &Event{Kind: EventStream, Chunk: chunk})
}

// End reports the run's output and ends it.
func (r *Run) End(output any) {
	if r.done {
		return
	}
	r.done = true
	if len(r.handlers) > 0 {
		r.emit(r.ctx, &Event{Kind: EventEnd, Input: r.input, HasInput: r.hasInput, Output: output})
	}
}

// EndWithInput ends a run started with [StartStreamingRun], reporting the
// input it consumed.
func (r *Run) EndWithInput(input, output any) {
	r.input, r.hasInput = input, true
	r.End(output)
}

// Fail reports err and ends the run. It returns err so that callers can
// write `return zero, run.Fail(err)`.
func (r *Run) Fail(err error) error {
	if r.done {
		return err
	}
	r.done = true
	if len(r.handlers) > 0 {
		r.emit(r.ctx, &Event{Kind: EventError, Input: r.input, HasInput: r.hasInput, Err: err})
	}
	return err
}

func (r *Run) emit(ctx context.Context, ev *Event) {
	ev.RunID = r.ID()
	ev.ParentIDs = r.parentIDs
	ev.Name = r.name
	ev.Type = r.typ
	ev.Tags = r.tags
	ev.Metadata = r.metadata
	ev.StartTime = r.start
	ev.Time = time.Now()
	for _, h := range r.handlers {
		h.HandleEvent(ctx, ev)
	}
}

// Collector is a Handler that records every event, for tests and for
// callers that want the run tree after the fact. It is safe for concurrent
// use.
type Collector struct {
	mu     sync.Mutex
	events []Event
}

// HandleEvent records ev.
func (c *Collector) HandleEvent(_ context.Context, ev *Event) {
	c.mu.Lock()
	c.events = append(c.events, *ev)
	c.mu.Unlock()
}

// Events returns the events recorded so far, in arrival order.
func (c *Collector) Events() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}
