package runnable

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
)

// ParallelMap runs several runnables on the same input and collects their
// outputs under their keys (LangChain's RunnableParallel, the dict in
// `{"context": retriever, "question": passthrough} | prompt`). Build one with
// [Parallel].
type ParallelMap[I any] struct {
	invalid error // a nil step
	name    string
	keys    []string // sorted: Go maps have no order, and names and events must be stable
	steps   map[string]Runnable[I, any]
}

// Parallel returns a runnable that runs every step on its input at the same
// time and returns their outputs keyed like steps. At most max_concurrency
// steps run at once (no bound when it is zero). The first error cancels the
// steps still running and is returned; a panic in a step is returned as a
// *PanicError. Use [AsAny] to put typed runnables in steps.
//
// Its run is named "RunnableParallel<k1,k2,…>" with the keys in sorted order
// (LangChain lists them in insertion order, which a Go map does not keep), and
// each step runs tagged map:key:K.
//
// Stream yields map[string]any{key: chunk} for each chunk of each step as the
// step produces it, so concurrent steps interleave; adding the chunks up with
// [Concat] gives the result of Invoke. Every goroutine it starts has returned
// when the iterator returns, also after an early break.
func Parallel[I any](steps map[string]Runnable[I, any]) *ParallelMap[I] {
	p := &ParallelMap[I]{keys: slices.Sorted(maps.Keys(steps)), steps: maps.Clone(steps)}
	for _, k := range p.keys {
		if steps[k] == nil {
			p.invalid = fmt.Errorf("runnable: Parallel step %q is nil", k)
		}
	}
	return p
}

// Named returns a copy of p whose runs are named name.
func (p *ParallelMap[I]) Named(name string) *ParallelMap[I] {
	c := *p
	c.name = name
	return &c
}

// Keys returns the step keys in the order the run name lists them.
func (p *ParallelMap[I]) Keys() []string { return slices.Clone(p.keys) }

// Describe names the map "RunnableParallel<k1,k2,…>" unless it was named.
func (p *ParallelMap[I]) Describe() Info {
	name := p.name
	if name == "" {
		name = "RunnableParallel<" + strings.Join(p.keys, ",") + ">"
	}
	return Info{Name: name, Type: ChainRun}
}

// ConfigSpecs returns the configurable fields of all steps.
func (p *ParallelMap[I]) ConfigSpecs() []ConfigSpec {
	lists := make([][]ConfigSpec, 0, len(p.keys))
	for _, k := range p.keys {
		lists = append(lists, SpecsOf(p.steps[k]))
	}
	return mergeSpecs(lists...)
}

func mapKeyTag(key string) Option { return WithLocalTags("map:key:" + key) }

// Invoke runs the steps concurrently and returns their outputs by key.
func (p *ParallelMap[I]) Invoke(ctx context.Context, in I, opts ...Option) (map[string]any, error) {
	if p.invalid != nil {
		return nil, p.invalid
	}
	ctx, run := StartRun(ctx, p.Describe(), in, opts...)
	if err := ctx.Err(); err != nil {
		return nil, run.Fail(context.Cause(ctx))
	}
	out, err := p.invokeSteps(ctx, in, run.Config().MaxConcurrency)
	if err != nil {
		return nil, run.Fail(err)
	}
	run.End(out)
	return out, nil
}

// invokeSteps invokes every step under ctx, at most limit at a time, and
// cancels the others on the first error.
func (p *ParallelMap[I]) invokeSteps(ctx context.Context, in I, limit int) (map[string]any, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	outs := make([]any, len(p.keys))
	var once sync.Once
	var first error
	fail := func(err error) { once.Do(func() { first = err; cancel(err) }) }
	errs := forEach(ctx, len(p.keys), limit, func(ctx context.Context, i int) error {
		k := p.keys[i]
		out, err := p.steps[k].Invoke(ctx, in, mapKeyTag(k))
		if err != nil {
			fail(err)
			return err
		}
		outs[i] = out
		return nil
	})
	for _, err := range errs {
		if err != nil {
			fail(err) // a panic, which the step could not report itself
		}
	}
	if first != nil {
		return nil, first
	}
	out := make(map[string]any, len(p.keys))
	for i, k := range p.keys {
		out[k] = outs[i]
	}
	return out, nil
}

// Stream runs the steps concurrently on in and yields their chunks as they
// come, each as a one-key map.
func (p *ParallelMap[I]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[map[string]any, error] {
	return p.Transform(ctx, Once(in), opts...)
}

// Transform feeds every chunk of in to every step and yields the steps'
// chunks as they come, each as a one-key map. As in LangChain the run starts
// when the first input chunk has arrived.
func (p *ParallelMap[I]) Transform(ctx context.Context, in iter.Seq2[I, error], opts ...Option) iter.Seq2[map[string]any, error] {
	if p.invalid != nil {
		return errSeq[map[string]any](p.invalid)
	}
	return transformRun(ctx, p.Describe(), in, opts, func(ctx context.Context, run *Run, in iter.Seq2[I, error]) iter.Seq2[map[string]any, error] {
		return p.fanOut(ctx, in, run.Config().MaxConcurrency)
	})
}

// keyed is one pair of a step's stream, tagged with the step's key.
type keyed struct {
	key   string
	chunk any
	err   error
}

// forward sends the pairs of the stream that open returns to ch, tagged
// with key, until the stream ends, yields an error (which is sent too) or
// ctx is done. A panic in open or in the stream is sent as an error.
func forward[T any](ctx context.Context, ch chan<- keyed, key string, open func() iter.Seq2[T, error]) {
	send := func(chunk any, err error) bool {
		select {
		case ch <- keyed{key, chunk, err}:
			return err == nil
		case <-ctx.Done():
			return false
		}
	}
	defer func() {
		if v := recover(); v != nil {
			send(nil, recovered(v))
		}
	}()
	for chunk, err := range open() {
		if !send(chunk, err) {
			return
		}
	}
}

// fanOut runs the steps' transforms on copies of in, each on a goroutine of
// its own, and merges their chunks in arrival order. At most limit steps run
// at once. The first error stops everything; so does the consumer breaking
// out. Either way every goroutine has returned before the iterator returns.
func (p *ParallelMap[I]) fanOut(ctx context.Context, in iter.Seq2[I, error], limit int) iter.Seq2[map[string]any, error] {
	return func(yield func(map[string]any, error) bool) {
		ctx, cancel := context.WithCancelCause(ctx)
		copies := newTee(in)
		defer copies.close() // deferred first, so it runs after the drain below
		ch := make(chan keyed)
		var sem chan struct{}
		if limit > 0 && limit < len(p.keys) {
			sem = make(chan struct{}, limit)
		}
		var wg sync.WaitGroup
		for _, k := range p.keys {
			reader := copies.reader()
			wg.Go(func() {
				if sem != nil {
					select {
					case sem <- struct{}{}:
						defer func() { <-sem }()
					case <-ctx.Done():
						return
					}
				}
				forward(ctx, ch, k, func() iter.Seq2[any, error] {
					return transformOf(ctx, p.steps[k], reader, []Option{mapKeyTag(k)})
				})
			})
		}
		go func() { wg.Wait(); close(ch) }()
		defer func() {
			cancel(ErrStreamStopped)
			for range ch { // wait for every step (and the closer) to return
			}
		}()
		for c := range ch {
			if c.err != nil {
				cancel(c.err)
				yield(nil, c.err)
				return
			}
			if !yield(map[string]any{c.key: c.chunk}, nil) {
				return
			}
		}
	}
}

// Batch invokes the map on every input; see [BatchOf].
func (p *ParallelMap[I]) Batch(ctx context.Context, ins []I, opts ...Option) ([]map[string]any, error) {
	return BatchOf(ctx, p, ins, opts...)
}

// transformOf streams in through r: through its Transform when it has one,
// else by collecting in and streaming the result.
func transformOf[I, O any](ctx context.Context, r Runnable[I, O], in iter.Seq2[I, error], opts []Option) iter.Seq2[O, error] {
	if t, ok := r.(Transformer[I, O]); ok {
		return t.Transform(ctx, in, opts...)
	}
	return collectThenStream(ctx, r, in, opts)
}

// tee lets several goroutines read the same stream, each at its own pace
// (LangChain's safetee). Whichever reader is ahead pulls the next pair from
// the source while holding the turn; the others wait for it. Pairs are kept
// until the tee is dropped, so a slow reader never blocks a fast one.
type tee[T any] struct {
	mu      sync.Mutex
	cond    sync.Cond
	next    func() (T, error, bool)
	stop    func()
	buf     []teePair[T]
	done    bool
	pulling bool
}

type teePair[T any] struct {
	v   T
	err error
}

// newTee returns a tee over in. Its readers must all have returned before
// the caller stops using in.
func newTee[T any](in iter.Seq2[T, error]) *tee[T] {
	t := &tee[T]{}
	t.cond.L = &t.mu
	t.next, t.stop = iter.Pull2(in)
	return t
}

// reader returns a new reader of the whole stream, from its first pair.
func (t *tee[T]) reader() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for i := 0; ; {
			t.mu.Lock()
			for i >= len(t.buf) && !t.done && t.pulling {
				t.cond.Wait()
			}
			if i < len(t.buf) {
				p := t.buf[i]
				t.mu.Unlock()
				if !yield(p.v, p.err) || p.err != nil {
					return
				}
				i++
				continue
			}
			if t.done {
				t.mu.Unlock()
				return
			}
			t.pulling = true
			t.mu.Unlock()
			t.fill()
		}
	}
}

// fill pulls one pair from the source into the buffer. A panic in the source
// becomes an error pair that every reader sees.
func (t *tee[T]) fill() {
	var p teePair[T]
	more := false
	func() {
		defer func() {
			if v := recover(); v != nil {
				p, more = teePair[T]{err: recovered(v)}, true
			}
		}()
		p.v, p.err, more = t.next()
	}()
	t.mu.Lock()
	t.pulling = false
	if more {
		t.buf = append(t.buf, p)
	}
	if !more || p.err != nil {
		t.done = true
	}
	t.cond.Broadcast()
	t.mu.Unlock()
}

// close releases the source. Call it once every reader has returned.
func (t *tee[T]) close() { t.stop() }

// AsAny returns r with its output type erased to any, so that runnables
// with different output types can be the steps of one [Parallel] or [Assign].
// It adds no run of its own: events show r.
func AsAny[I, O any](r Runnable[I, O]) Runnable[I, any] {
	if r == nil {
		return nilRunnable[I, any]("AsAny")
	}
	if a, ok := any(r).(Runnable[I, any]); ok {
		return a
	}
	return anyOut[I, O]{r}
}

type anyOut[I, O any] struct{ r Runnable[I, O] }

func (a anyOut[I, O]) Describe() Info            { return describe(a.r) }
func (a anyOut[I, O]) ConfigSpecs() []ConfigSpec { return SpecsOf(a.r) }

// InputSchema and OutputSchema are r's, derived from its own types: erasing
// the output type must not erase the schema a client sees.
func (a anyOut[I, O]) InputSchema(cfg Config) (Schema, error)  { return InputSchema(a.r, cfg) }
func (a anyOut[I, O]) OutputSchema(cfg Config) (Schema, error) { return OutputSchema(a.r, cfg) }

func (a anyOut[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (any, error) {
	out, err := a.r.Invoke(ctx, in, opts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (a anyOut[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[any, error] {
	return anySeq(a.r.Stream(ctx, in, opts...))
}

func (a anyOut[I, O]) Transform(ctx context.Context, in iter.Seq2[I, error], opts ...Option) iter.Seq2[any, error] {
	return anySeq(transformOf(ctx, a.r, in, opts))
}

func (a anyOut[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]any, error) {
	outs, err := a.r.Batch(ctx, ins, opts...)
	if err != nil {
		return nil, err
	}
	res := make([]any, len(outs))
	for i, o := range outs {
		res[i] = o
	}
	return res, nil
}

func anySeq[O any](s iter.Seq2[O, error]) iter.Seq2[any, error] {
	return func(yield func(any, error) bool) {
		for o, err := range s {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(o, nil) {
				return
			}
		}
	}
}

// describe returns the description of r, or a chain run named "Runnable".
func describe(r any) Info {
	if d, ok := r.(Describer); ok {
		info := d.Describe()
		if info.Name == "" {
			info.Name = "Runnable"
		}
		if info.Type == "" {
			info.Type = ChainRun
		}
		return info
	}
	return Info{Name: NameOf(r), Type: ChainRun}
}
