package embed_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/langserve-go/langserve/chains/rag/embed"
)

// recorder passes calls to a real embedder and records each batch size.
type recorder struct {
	next embed.Embedder
	mu   sync.Mutex
	// sizes of the EmbedDocuments calls, in call order.
	sizes []int
	// hook, if set, runs before each call is passed on.
	hook func(ctx context.Context, texts []string) error
}

func (r *recorder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	r.mu.Lock()
	r.sizes = append(r.sizes, len(texts))
	hook := r.hook
	r.mu.Unlock()
	if hook != nil {
		if err := hook(ctx, texts); err != nil {
			return nil, err
		}
	}
	return r.next.EmbedDocuments(ctx, texts)
}

func (r *recorder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	panic("the batcher must only call EmbedDocuments")
}

func (r *recorder) batchSizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(slices.Values(r.sizes))
}

var local = embed.NewLocal(&embed.LocalOptions{Dimensions: 64})

func want(t *testing.T, texts ...string) [][]float32 {
	t.Helper()
	v, err := local.EmbedDocuments(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func text(i int) string { return fmt.Sprintf("text number %d about topic%d", i, i) }

func TestBatcherMergesConcurrentQueries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{next: local}
		b := embed.NewBatcher(rec, &embed.BatcherOptions{MaxBatch: 4, MaxWait: 10 * time.Millisecond})
		got := make([][]float32, 10)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() {
				v, err := b.EmbedQuery(t.Context(), text(i))
				if err != nil {
					t.Error(err)
				}
				got[i] = v
			})
		}
		wg.Wait()
		// Two full batches go at once; the last two texts wait for MaxWait.
		if sizes := rec.batchSizes(); !reflect.DeepEqual(sizes, []int{2, 4, 4}) {
			t.Fatalf("downstream batch sizes = %v, want [2 4 4]", sizes)
		}
		for i, v := range got {
			if !reflect.DeepEqual(v, want(t, text(i))[0]) {
				t.Fatalf("caller %d got another text's vector", i)
			}
		}
	})
}

func TestBatcherBoundedWait(t *testing.T) {
	for _, tt := range []struct {
		name     string
		opts     *embed.BatcherOptions
		wantWait time.Duration
	}{
		{"explicit", &embed.BatcherOptions{MaxWait: 50 * time.Millisecond}, 50 * time.Millisecond},
		{"default", nil, embed.DefaultMaxWait},
		{"no wait", &embed.BatcherOptions{MaxWait: -1}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := embed.NewBatcher(local, tt.opts)
				start := time.Now()
				v, err := b.EmbedQuery(t.Context(), "alone")
				if err != nil {
					t.Fatal(err)
				}
				// Fake time: the only wait is the batcher's timer.
				if waited := time.Since(start); waited != tt.wantWait {
					t.Fatalf("a lone call waited %v, want %v", waited, tt.wantWait)
				}
				if !reflect.DeepEqual(v, want(t, "alone")[0]) {
					t.Fatal("wrong vector")
				}
			})
		})
	}
}

func TestBatcherSplitsLargeCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{next: local}
		b := embed.NewBatcher(rec, &embed.BatcherOptions{MaxBatch: 4, MaxWait: time.Millisecond})
		var texts []string
		for i := range 11 {
			texts = append(texts, text(i))
		}
		got, err := b.EmbedDocuments(t.Context(), texts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want(t, texts...)) {
			t.Fatal("vectors differ from direct embedding or are out of order")
		}
		if sizes := rec.batchSizes(); !reflect.DeepEqual(sizes, []int{3, 4, 4}) {
			t.Fatalf("downstream batch sizes = %v, want [3 4 4]", sizes)
		}
		empty, err := b.EmbedDocuments(t.Context(), nil)
		if err != nil || len(empty) != 0 {
			t.Fatalf("EmbedDocuments(nil) = %v, %v", empty, err)
		}
	})
}

// TestBatcherMixedCalls runs callers with different numbers of texts that
// share batches, and checks that each gets exactly its own vectors.
func TestBatcherMixedCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{next: local}
		b := embed.NewBatcher(rec, &embed.BatcherOptions{MaxBatch: 5, MaxWait: time.Millisecond})
		var wg sync.WaitGroup
		total := 0
		for c := range 12 {
			n := c%7 + 1
			total += n
			wg.Go(func() {
				var texts []string
				for i := range n {
					texts = append(texts, fmt.Sprintf("caller %d text %d", c, i))
				}
				got, err := b.EmbedDocuments(t.Context(), texts)
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(got, want(t, texts...)) {
					t.Errorf("caller %d: wrong vectors", c)
				}
			})
		}
		wg.Wait()
		sum := 0
		for _, s := range rec.batchSizes() {
			if s > 5 {
				t.Errorf("downstream batch of %d texts exceeds MaxBatch 5", s)
			}
			sum += s
		}
		if sum != total {
			t.Fatalf("downstream saw %d texts, want %d", sum, total)
		}
	})
}

func TestBatcherCallerCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{next: local}
		b := embed.NewBatcher(rec, &embed.BatcherOptions{MaxBatch: 8, MaxWait: 20 * time.Millisecond})
		ctxA, cancelA := context.WithCancel(t.Context())
		var errA, errB error
		var vB []float32
		var wg sync.WaitGroup
		wg.Go(func() { _, errA = b.EmbedQuery(ctxA, "a") })
		wg.Go(func() { vB, errB = b.EmbedQuery(t.Context(), "b") })
		synctest.Wait() // both are queued
		start := time.Now()
		cancelA()
		synctest.Wait()
		if !errors.Is(errA, context.Canceled) {
			t.Fatalf("cancelled caller: err = %v", errA)
		}
		if time.Since(start) != 0 {
			t.Fatal("the cancelled caller waited for the batch")
		}
		wg.Wait()
		if errB != nil || !reflect.DeepEqual(vB, want(t, "b")[0]) {
			t.Fatalf("the other caller: %v", errB)
		}
		if sizes := rec.batchSizes(); !reflect.DeepEqual(sizes, []int{2}) {
			t.Fatalf("batch sizes = %v, want [2]", sizes)
		}
	})
}

func TestBatcherEveryoneCancels(t *testing.T) {
	t.Run("before the batch goes out", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			rec := &recorder{next: local}
			b := embed.NewBatcher(rec, &embed.BatcherOptions{MaxWait: time.Second})
			ctx, cancel := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() {
					if _, err := b.EmbedQuery(ctx, "x"); !errors.Is(err, context.Canceled) {
						t.Errorf("err = %v", err)
					}
				})
			}
			synctest.Wait()
			cancel()
			wg.Wait()
			time.Sleep(2 * time.Second) // fake time: past MaxWait
			if sizes := rec.batchSizes(); len(sizes) != 0 {
				t.Fatalf("an abandoned batch was sent downstream: %v", sizes)
			}
			// The batcher still works afterwards.
			if _, err := b.EmbedQuery(t.Context(), "y"); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("during the downstream call", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			started := make(chan struct{})
			downstreamErr := make(chan error, 1)
			rec := &recorder{next: local, hook: func(ctx context.Context, _ []string) error {
				close(started)
				<-ctx.Done() // a slow provider that honours ctx
				downstreamErr <- context.Cause(ctx)
				return ctx.Err()
			}}
			b := embed.NewBatcher(rec, &embed.BatcherOptions{MaxBatch: 2})
			ctx, cancel := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					if _, err := b.EmbedQuery(ctx, "x"); !errors.Is(err, context.Canceled) {
						t.Errorf("err = %v", err)
					}
				})
			}
			<-started
			cancel()
			wg.Wait()
			if err := <-downstreamErr; !errors.Is(err, context.Canceled) {
				t.Fatalf("downstream ctx: %v, want cancelled", err)
			}
		})
	})
	t.Run("already cancelled", func(t *testing.T) {
		rec := &recorder{next: local}
		b := embed.NewBatcher(rec, nil)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := b.EmbedDocuments(ctx, []string{"x"}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
		if len(rec.batchSizes()) != 0 {
			t.Fatal("a call with a cancelled ctx reached downstream")
		}
	})
}

// bad is a downstream embedder that misbehaves in one of several ways.
type bad struct{ mode string }

func (e bad) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	switch e.mode {
	case "error":
		return nil, errors.New("provider unavailable")
	case "short":
		return make([][]float32, len(texts)-1), nil
	default:
		panic("provider bug")
	}
}

func (e bad) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	return nil, errors.New("unused")
}

func TestBatcherDownstreamFailures(t *testing.T) {
	for _, mode := range []string{"error", "short", "panic"} {
		t.Run(mode, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := embed.NewBatcher(bad{mode}, &embed.BatcherOptions{MaxBatch: 3})
				var wg sync.WaitGroup
				for i := range 3 {
					wg.Go(func() {
						defer func() {
							p := recover()
							if mode != "panic" {
								if p != nil {
									t.Errorf("unexpected panic %v", p)
								}
								return
							}
							if pe, ok := p.(*embed.PanicError); !ok || pe.Value != "provider bug" {
								t.Errorf("caller %d: recovered %#v, want *embed.PanicError", i, p)
							}
						}()
						_, err := b.EmbedQuery(t.Context(), text(i))
						if err == nil {
							t.Errorf("caller %d: no error", i)
						}
					})
				}
				wg.Wait()
			})
		})
	}
}

// TestBatcherStress runs many concurrent callers on real time with the race
// detector and checks that no result is lost or mis-routed.
func TestBatcherStress(t *testing.T) {
	rec := &recorder{next: local}
	b := embed.NewBatcher(rec, &embed.BatcherOptions{MaxBatch: 16, MaxWait: 200 * time.Microsecond})
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for call := range 40 {
				n := (g+call)%5 + 1
				texts := make([]string, n)
				for i := range texts {
					texts[i] = fmt.Sprintf("g%d c%d t%d", g, call, i)
				}
				got, err := b.EmbedDocuments(t.Context(), texts)
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(got, want(t, texts...)) {
					t.Errorf("g%d call %d: wrong vectors", g, call)
					return
				}
			}
		})
	}
	wg.Wait()
	calls := 0
	for _, s := range rec.batchSizes() {
		calls++
		if s > 16 {
			t.Fatalf("batch of %d > MaxBatch", s)
		}
	}
	t.Logf("%d caller calls became %d downstream calls", 16*40, calls)
}

// BenchmarkBatcherOverhead compares a direct call to the Local embedder with
// the same call through a Batcher that never waits, which isolates the
// batching machinery's cost (queueing, a goroutine, channel hand-off).
func BenchmarkBatcherOverhead(b *testing.B) {
	l := embed.NewLocal(&embed.LocalOptions{Dimensions: 256})
	for _, bc := range []struct {
		name string
		e    embed.Embedder
	}{
		{"direct", l},
		{"batcher", embed.NewBatcher(l, &embed.BatcherOptions{MaxWait: -1})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := bc.e.EmbedQuery(b.Context(), "how do retries back off"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// Many concurrent callers: batches fill up and go without waiting, so
	// this shows the throughput of merged calls.
	b.Run("batcher-parallel", func(b *testing.B) {
		e := embed.NewBatcher(l, &embed.BatcherOptions{MaxBatch: 32, MaxWait: 100 * time.Microsecond})
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := e.EmbedQuery(context.Background(), "how do retries back off"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
