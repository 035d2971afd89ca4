package runnable_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/runnable"
)

// journal records what happens, in order, across the steps of a pipe.
type journal struct {
	mu   sync.Mutex
	list []string
}

func (j *journal) log(format string, args ...any) {
	j.mu.Lock()
	j.list = append(j.list, fmt.Sprintf(format, args...))
	j.mu.Unlock()
}

// TestPipeStreamsChunkByChunk proves that a streaming pipe hands each chunk
// downstream before the upstream step produces the next: the journal
// interleaves "produce k", "transform k" and "consume k".
func TestPipeStreamsChunkByChunk(t *testing.T) {
	var j journal
	produce := runnable.Generator("produce", func(_ context.Context, in iter.Seq2[int, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			n := 0
			for v, err := range in {
				if err != nil {
					yield("", err)
					return
				}
				n = v
			}
			for k := 1; k <= n; k++ {
				j.log("produce %d", k)
				if !yield(fmt.Sprint(k), nil) {
					return
				}
			}
		}
	})
	transform := runnable.Generator("transform", func(_ context.Context, in iter.Seq2[string, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for s, err := range in {
				if err != nil {
					yield("", err)
					return
				}
				j.log("transform %s", s)
				if !yield("<"+s+">", nil) {
					return
				}
			}
		}
	})
	chain := runnable.Pipe3(produce, transform, runnable.Passthrough[string]())
	for s, err := range chain.Stream(t.Context(), 3) {
		if err != nil {
			t.Fatal(err)
		}
		j.log("consume %s", s)
	}
	want := []string{
		"produce 1", "transform 1", "consume <1>",
		"produce 2", "transform 2", "consume <2>",
		"produce 3", "transform 3", "consume <3>",
	}
	if !reflect.DeepEqual(j.list, want) {
		t.Errorf("journal:\n%s\nwant:\n%s", strings.Join(j.list, "\n"), strings.Join(want, "\n"))
	}
}

// TestPipeStreamAcrossGoroutines runs the upstream producer on its own
// goroutine and lets it produce chunk k+1 only once the consumer holds
// chunk k: a pipe that buffered would deadlock here (and the test time out)
// instead of passing.
func TestPipeStreamAcrossGoroutines(t *testing.T) {
	consumed := make(chan int)
	source := runnable.Generator("source", func(ctx context.Context, in iter.Seq2[int, error]) iter.Seq2[int, error] {
		return func(yield func(int, error) bool) {
			for range in {
			}
			ch := make(chan int)
			done := make(chan struct{})
			defer func() { close(done) }()
			go func() {
				defer close(ch)
				for k := 1; k <= 3; k++ {
					select {
					case ch <- k:
					case <-done:
						return
					}
					if k < 3 {
						select {
						case <-consumed: // the consumer got chunk k
						case <-done:
							return
						}
					}
				}
			}()
			for k := range ch {
				if !yield(k, nil) {
					return
				}
			}
		}
	})
	chain := runnable.Pipe(source, lambdaStream("double", func(x int) int { return 2 * x }))
	var got []int
	for v, err := range chain.Stream(t.Context(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		if len(got) < 3 {
			consumed <- v
		}
	}
	if !reflect.DeepEqual(got, []int{2, 4, 6}) {
		t.Errorf("got %v", got)
	}
}

// lambdaStream is a generator that maps every chunk with fn.
func lambdaStream[I, O any](name string, fn func(I) O) runnable.Runnable[I, O] {
	return runnable.Generator(name, func(_ context.Context, in iter.Seq2[I, error]) iter.Seq2[O, error] {
		return func(yield func(O, error) bool) {
			for v, err := range in {
				if err != nil {
					var zero O
					yield(zero, err)
					return
				}
				if !yield(fn(v), nil) {
					return
				}
			}
		}
	})
}

func TestStreamEarlyBreakReleasesEverything(t *testing.T) {
	defer goleak.VerifyNone(t)
	chain := runnable.Pipe3(
		runnable.AsAny(endless("numbers", nil)),
		runnable.Parallel(map[string]runnable.Runnable[any, any]{
			"same": runnable.Passthrough[any](),
			"str":  runnable.AsAny(lambdaStream("str", func(v any) string { return fmt.Sprint(v) })),
		}),
		runnable.Passthrough[map[string]any](),
	)
	for _, stopAt := range []int{1, 2, 7} {
		var c runnable.Collector
		n := 0
		for _, err := range chain.Stream(t.Context(), 0, runnable.WithCallbacks(&c)) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == stopAt {
				break
			}
		}
		// Every run that started has ended or failed.
		open := map[string]int{}
		for _, ev := range c.Events() {
			switch ev.Kind {
			case runnable.EventStart:
				open[ev.RunID.String()]++
			case runnable.EventEnd, runnable.EventError:
				open[ev.RunID.String()]--
			}
		}
		for id, n := range open {
			if n != 0 {
				t.Errorf("stop at %d: run %s left open", stopAt, id)
			}
		}
	}
}

func TestStreamCancelMidStream(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	stop := errors.New("client went away")
	chain := runnable.Pipe(endless("numbers", nil), lambdaStream("id", func(v any) any { return v }))
	n := 0
	var last error
	for _, err := range chain.Stream(ctx, 0) {
		if err != nil {
			last = err
			break
		}
		if n++; n == 3 {
			cancel(stop)
		}
	}
	if !errors.Is(last, stop) {
		t.Errorf("stream ended with %v, want the cancel cause", last)
	}
	if n != 3 {
		t.Errorf("%d chunks after cancel, want the stream to stop at once", n-3)
	}
}

func TestPanicsBecomeErrors(t *testing.T) {
	lam := runnable.Lambda("lam", func(context.Context, int) (int, error) { panic("lambda boom") })
	gen := runnable.Generator("gen", func(context.Context, iter.Seq2[int, error]) iter.Seq2[int, error] {
		return func(yield func(int, error) bool) {
			if yield(1, nil) {
				panic(errors.New("generator boom"))
			}
		}
	})
	// A generator function that panics before it returns its stream.
	early := runnable.Generator("early", func(context.Context, iter.Seq2[int, error]) iter.Seq2[int, error] {
		panic("early boom")
	})
	for _, tt := range []struct {
		name string
		run  func() error
		want string
	}{
		{"generator panicking before its stream", func() error { _, err := early.Invoke(t.Context(), 1); return err }, "early boom"},
		{"lambda invoke", func() error { _, err := lam.Invoke(t.Context(), 1); return err }, "lambda boom"},
		{"lambda stream", func() error { _, err := collect(lam.Stream(t.Context(), 1)); return err }, "lambda boom"},
		{"generator stream", func() error { _, err := collect(gen.Stream(t.Context(), 1)); return err }, "generator boom"},
		{"generator in a pipe", func() error {
			_, err := collect(runnable.Pipe(gen, addOne()).Stream(t.Context(), 1))
			return err
		}, "generator boom"},
		{"transform panicking in a pipe", func() error {
			_, err := collect(runnable.Pipe[int, int, any](addOne(), panickyTransform[int]{}).Stream(t.Context(), 1))
			return err
		}, "boom in transform"},
		{"lambda in a batch", func() error { _, err := lam.Batch(t.Context(), []int{1, 2, 3}); return err }, "lambda boom"},
		{"custom runnable in a batch", func() error {
			_, err := runnable.BatchOf[int, any](t.Context(), panicky{}, []int{1, 2}, runnable.WithMaxConcurrency(2))
			return err
		}, "boom"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			pe, ok := errors.AsType[*runnable.PanicError](err)
			if !ok {
				t.Fatalf("err = %v, want a *PanicError", err)
			}
			if fmt.Sprint(pe.Value) != tt.want || len(pe.Stack) == 0 {
				t.Errorf("panic value %v (stack %d bytes), want %q with a stack", pe.Value, len(pe.Stack), tt.want)
			}
		})
	}
	// BatchResults keeps the other items.
	half := runnable.Lambda("half", func(_ context.Context, x int) (int, error) {
		if x%2 == 1 {
			panic("odd")
		}
		return x / 2, nil
	})
	outs, errs := runnable.BatchResults(t.Context(), half, []int{2, 3, 4})
	if outs[0] != 1 || outs[2] != 2 || errs[0] != nil || errs[2] != nil || !errorsAsPanic(errs[1]) {
		t.Errorf("BatchResults = %v, %v", outs, errs)
	}
}

func seqOf[T any](vs ...T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range vs {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// TestCollectAddsUp pins Collect's sums, including the string fast path and
// its hand-over to Concat when a chunk of another kind arrives.
func TestCollectAddsUp(t *testing.T) {
	for _, tt := range []struct {
		name string
		got  func() (any, error)
		want any
	}{
		{"strings", func() (any, error) { return runnable.Collect(seqOf("a", "b", "c")) }, "abc"},
		{"strings as any", func() (any, error) { return runnable.Collect(seqOf[any]("a", "b")) }, "ab"},
		{"then a map replaces the sum", func() (any, error) { return runnable.Collect(seqOf[any]("a", "b", map[string]any{"k": 1})) }, map[string]any{"k": 1}},
		{"a map then strings", func() (any, error) {
			return runnable.Collect(seqOf[any](map[string]any{"k": "x"}, map[string]any{"k": "y"}, "s", "t"))
		}, "st"},
		{"maps merge", func() (any, error) {
			return runnable.Collect(seqOf(map[string]any{"a": "x"}, map[string]any{"a": "y", "b": 1}))
		}, map[string]any{"a": "xy", "b": 1}},
		{"a nil value keeps the sum (AddableDict)", func() (any, error) {
			return runnable.Collect(seqOf(map[string]any{"a": "x"}, map[string]any{"a": nil}, map[string]any{"a": "y"}))
		}, map[string]any{"a": "xy"}},
		{"ints keep the last", func() (any, error) { return runnable.Collect(seqOf(1, 2, 3)) }, 3},
		{"empty", func() (any, error) { return runnable.Collect(seqOf[string]()) }, ""},
	} {
		got, err := tt.got()
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Collect = %#v, %v; want %#v", tt.name, got, err, tt.want)
		}
	}
}
