package runnable

import (
	"context"
	"iter"
)

// Collect drains a stream and adds its chunks up with [Concat]; it returns
// the first error the stream yields. Chunks that cannot be added replace the
// value collected so far.
func Collect[O any](s iter.Seq2[O, error]) (O, error) {
	var out sum[O]
	for chunk, err := range s {
		if err != nil {
			var zero O
			return zero, err
		}
		out.add(chunk)
	}
	v, _ := out.value()
	return v, nil
}

// pulled holds a stream whose first element has been read ahead. LangChain
// reads the first input chunk before it starts a streaming run, so that
// the upstream run starts (and shows in the event stream) first; pulled
// gives the same order and then replays the whole stream.
type pulled[T any] struct {
	next     func() (T, error, bool)
	stop     func()
	first    T
	firstErr error
	ok       bool
	acc      sum[T]
	// skip is set when no handler will see the input: adding it up would
	// be wasted work.
	skip bool
}

func pull[T any](in iter.Seq2[T, error]) *pulled[T] {
	p := &pulled[T]{}
	p.next, p.stop = iter.Pull2(in)
	p.first, p.firstErr, p.ok = p.next()
	return p
}

// all replays the stream from its first element, recording the input
// added up so far for the run's end event.
func (p *pulled[T]) all() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if !p.ok {
			return
		}
		if !p.skip {
			p.acc.add(p.first)
		}
		if !yield(p.first, nil) {
			return
		}
		for {
			chunk, err, more := p.next()
			if !more {
				return
			}
			if err != nil {
				yield(chunk, err)
				return
			}
			if !p.skip {
				p.acc.add(chunk)
			}
			if !yield(chunk, nil) {
				return
			}
		}
	}
}

func (p *pulled[T]) input() any { return p.acc.output() }

// transformRun is the Transform of a transform-native runnable. As in
// LangChain, its run starts only once the first input chunk has arrived
// (an error instead is passed on, with no run); then body gets the run's
// context, the run and the whole input stream, and the chunks of what it
// returns are relayed: each is reported to the run, and the run ends with
// the added-up input and output.
func transformRun[I, O any](ctx context.Context, info Info, in iter.Seq2[I, error], opts []Option,
	body func(ctx context.Context, run *Run, in iter.Seq2[I, error]) iter.Seq2[O, error]) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		src := pull(in)
		defer src.stop()
		if src.firstErr != nil {
			var zero O
			yield(zero, src.firstErr)
			return
		}
		rctx, run := StartStreamingRun(ctx, info, opts...)
		src.skip = !run.Observed()
		// body is called inside relay, so that a panic before it returns
		// its stream fails the run like a panic in the stream.
		out := func(yield func(O, error) bool) { body(rctx, run, src.all())(yield) }
		relay(rctx, run, out, src.input, yield)
	}
}

// relay passes the chunks of out to yield, reporting each to run, and ends
// run with the added-up output and input() when out is exhausted. It fails
// the run when out yields an error, when ctx is done, when the consumer
// stops early, or when the code producing out panics.
func relay[O any](ctx context.Context, run *Run, out iter.Seq2[O, error], input func() any, yield func(O, error) bool) {
	var zero O
	inYield := false
	defer func() {
		if v := recover(); v != nil {
			if inYield {
				panic(v) // the consumer's panic, not ours to handle
			}
			yield(zero, run.Fail(recovered(v)))
		}
	}()
	// The added-up output only feeds the end event: runs nobody observes
	// skip it.
	observed := run.Observed()
	var final sum[O]
	for chunk, err := range out {
		if err == nil {
			err = context.Cause(ctx)
		}
		if err != nil {
			inYield = true
			yield(zero, run.Fail(err))
			return
		}
		run.Chunk(chunk)
		if observed {
			final.add(chunk)
		}
		inYield = true
		if !yield(chunk, nil) {
			run.Fail(ErrStreamStopped)
			return
		}
		inYield = false
	}
	if err := context.Cause(ctx); err != nil {
		// The producer stopped quietly because ctx is done: that is not a
		// complete output.
		inYield = true
		yield(zero, run.Fail(err))
		return
	}
	if !observed {
		run.End(nil)
		return
	}
	run.EndWithInput(input(), final.output())
}

// StreamByInvoke is the Stream of a runnable that has no streaming of its
// own: it yields the result of Invoke as the only chunk. Like LangChain's
// default stream, the single chunk is not reported as a stream event.
func StreamByInvoke[I, O any](ctx context.Context, r Runnable[I, O], in I, opts ...Option) iter.Seq2[O, error] {
	return func(yield func(O, error) bool) {
		yield(r.Invoke(ctx, in, opts...))
	}
}
