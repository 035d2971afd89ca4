package embed

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// Default [BatcherOptions] values.
const (
	DefaultMaxBatch = 64
	DefaultMaxWait  = 5 * time.Millisecond
)

// BatcherOptions configures [NewBatcher]. A nil *BatcherOptions means all
// defaults.
type BatcherOptions struct {
	// MaxBatch caps the number of texts in one downstream call. Zero means
	// DefaultMaxBatch. Calls with more texts are split.
	MaxBatch int
	// MaxWait bounds how long a batch waits for more texts after its first
	// one arrived; a full batch goes at once. Zero means DefaultMaxWait;
	// negative means no waiting (only texts of one call are batched).
	MaxWait time.Duration
}

// Batcher is an [Embedder] that merges concurrent calls into fewer
// downstream EmbedDocuments calls: texts that arrive within MaxWait of each
// other share a batch of up to MaxBatch texts. Each caller gets exactly the
// vectors of its own texts, in order.
//
// Both EmbedQuery and EmbedDocuments go downstream as EmbedDocuments, so use
// a Batcher only with providers that embed queries and documents the same
// way (OpenAI, Ollama and [Local] do; some providers tag queries
// differently).
//
// Cancellation: a caller whose ctx is done returns ctx.Err() at once. Its
// texts may still be embedded for the others in its batch; the downstream
// call is cancelled only when every caller of the batch has given up. The
// downstream call runs on its own goroutine, which ends with that call; its
// context carries the values of the batch's first caller.
//
// Errors: a downstream error, or a downstream result with the wrong number
// of vectors, fails every call in that batch. A downstream panic is
// re-raised on the goroutine of every caller waiting for that batch.
//
// A Batcher has no background goroutine and needs no Close. It is safe for
// concurrent use.
type Batcher struct {
	next     Embedder
	maxBatch int
	maxWait  time.Duration

	mu      sync.Mutex
	pending *batch // the batch new texts join, nil if none
}

// batch is a group of texts sent downstream together. All fields except
// texts and reqs (fixed once the batch leaves pending) are guarded by
// Batcher.mu.
type batch struct {
	texts  []string
	reqs   []*request
	live   int // callers still waiting
	timer  *time.Timer
	ctx    context.Context
	cancel context.CancelFunc
}

type request struct {
	b     *batch
	start int
	n     int
	done  chan result // buffered: the sender never blocks
}

type result struct {
	vecs [][]float32
	err  error
	// panicked carries a downstream panic to re-raise on the caller.
	panicked *PanicError
}

// PanicError is the value a [Batcher] re-panics with when the downstream
// embedder panicked.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("embed: downstream embedder panicked: %v\n%s", p.Value, p.Stack)
}

var _ Embedder = (*Batcher)(nil)

// NewBatcher returns a Batcher sending batches to next.
func NewBatcher(next Embedder, opts *BatcherOptions) *Batcher {
	b := &Batcher{next: next, maxBatch: DefaultMaxBatch, maxWait: DefaultMaxWait}
	if opts != nil {
		if opts.MaxBatch > 0 {
			b.maxBatch = opts.MaxBatch
		}
		if opts.MaxWait != 0 {
			b.maxWait = max(opts.MaxWait, 0)
		}
	}
	return b
}

// EmbedQuery implements [Embedder].
func (b *Batcher) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	vecs, err := b.EmbedDocuments(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

// EmbedDocuments implements [Embedder].
func (b *Batcher) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(texts) == 0 {
		return [][]float32{}, nil
	}
	// Enqueue every piece before waiting, so the pieces of a large call are
	// embedded concurrently.
	var reqs []*request
	for i := 0; i < len(texts); i += b.maxBatch {
		reqs = append(reqs, b.enqueue(ctx, texts[i:min(i+b.maxBatch, len(texts))]))
	}
	out := make([][]float32, 0, len(texts))
	for i, r := range reqs {
		select {
		case res := <-r.done:
			if res.panicked != nil {
				b.leave(reqs[i+1:])
				panic(res.panicked)
			}
			if res.err != nil {
				b.leave(reqs[i+1:])
				return nil, res.err
			}
			out = append(out, res.vecs...)
		case <-ctx.Done():
			b.leave(reqs[i:])
			return nil, ctx.Err()
		}
	}
	return out, nil
}

// enqueue adds texts (at most maxBatch) to the pending batch, starting a new
// batch when they do not fit.
func (b *Batcher) enqueue(ctx context.Context, texts []string) *request {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p := b.pending; p != nil && len(p.texts)+len(texts) > b.maxBatch {
		b.dispatchLocked(p)
	}
	p := b.pending
	if p == nil {
		bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		p = &batch{ctx: bctx, cancel: cancel}
		b.pending = p
		if b.maxWait > 0 {
			p.timer = time.AfterFunc(b.maxWait, func() { b.expire(p) })
		}
	}
	r := &request{b: p, start: len(p.texts), n: len(texts), done: make(chan result, 1)}
	p.texts = append(p.texts, texts...)
	p.reqs = append(p.reqs, r)
	p.live++
	if len(p.texts) >= b.maxBatch || b.maxWait <= 0 {
		b.dispatchLocked(p)
	}
	return r
}

// dispatchLocked takes p out of pending and runs it on a new goroutine. The
// pending pointer is what makes dispatch happen exactly once: the timer and
// a filling caller race, and only the one that still finds p pending sends
// it.
func (b *Batcher) dispatchLocked(p *batch) {
	b.pending = nil
	if p.timer != nil {
		p.timer.Stop()
	}
	go b.run(p)
}

// expire is the MaxWait timer of p.
func (b *Batcher) expire(p *batch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending == p {
		b.dispatchLocked(p)
	}
}

// leave records that the callers of reqs stopped waiting. A batch nobody
// waits for is dropped if still pending, or its downstream call cancelled.
func (b *Batcher) leave(reqs []*request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range reqs {
		p := r.b
		p.live--
		if p.live > 0 {
			continue
		}
		if b.pending == p {
			b.pending = nil
			if p.timer != nil {
				p.timer.Stop()
			}
		}
		p.cancel()
	}
}

func (b *Batcher) run(p *batch) {
	defer p.cancel()
	res := b.call(p)
	for _, r := range p.reqs {
		rr := res
		if rr.err == nil && rr.panicked == nil {
			// A full slice expression, so a caller appending to its share
			// cannot overwrite another caller's.
			rr.vecs = res.vecs[r.start : r.start+r.n : r.start+r.n]
		}
		r.done <- rr
	}
}

func (b *Batcher) call(p *batch) (res result) {
	if err := p.ctx.Err(); err != nil {
		// Every caller left before the batch went out.
		return result{err: err}
	}
	defer func() {
		if v := recover(); v != nil {
			res = result{panicked: &PanicError{Value: v, Stack: debug.Stack()}}
		}
	}()
	vecs, err := b.next.EmbedDocuments(p.ctx, p.texts)
	if err != nil {
		return result{err: err}
	}
	if len(vecs) != len(p.texts) {
		return result{err: fmt.Errorf("embed: downstream embedder returned %d vectors for %d texts", len(vecs), len(p.texts))}
	}
	return result{vecs: vecs}
}
