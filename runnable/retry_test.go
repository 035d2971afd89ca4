package runnable_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/langserve-go/langserve/runnable"
)

// sleeps records the waits a retry asks for without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

// attempts is a lambda that fails its first `fails` calls per input.
type attempts struct {
	mu    sync.Mutex
	calls map[string]int
	fails map[string]int
	err   error
}

func newAttempts(err error, fails map[string]int) *attempts {
	return &attempts{calls: map[string]int{}, fails: fails, err: err}
}

func (a *attempts) runnable() runnable.Runnable[string, string] {
	return runnable.Lambda("flaky", func(_ context.Context, s string) (string, error) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.calls[s]++
		if a.calls[s] <= a.fails[s] {
			return "", fmt.Errorf("%w (call %d)", a.err, a.calls[s])
		}
		return "ok:" + s, nil
	})
}

func TestRetryInvoke(t *testing.T) {
	half := func() float64 { return 0.5 }
	for _, tt := range []struct {
		name      string
		fails     int
		policy    runnable.RetryPolicy
		err       error
		wantCalls int
		wantOK    bool
		wantSleep []time.Duration
	}{
		{
			name: "succeeds on the third of three", fails: 2, err: errRateLimit,
			policy:    runnable.RetryPolicy{InitialBackoff: 100 * time.Millisecond, Jitter: 10 * time.Millisecond},
			wantCalls: 3, wantOK: true,
			wantSleep: []time.Duration{105 * time.Millisecond, 205 * time.Millisecond},
		},
		{
			name: "backoff grows then hits the cap", fails: 9, err: errRateLimit,
			policy: runnable.RetryPolicy{
				MaxAttempts: 5, InitialBackoff: 100 * time.Millisecond, Multiplier: 3,
				MaxBackoff: time.Second, Jitter: 10 * time.Millisecond,
			},
			wantCalls: 5,
			wantSleep: []time.Duration{105 * time.Millisecond, 305 * time.Millisecond, 905 * time.Millisecond, time.Second},
		},
		{
			name: "defaults are LangChain's", fails: 9, err: errRateLimit,
			wantCalls: 3,
			wantSleep: []time.Duration{1500 * time.Millisecond, 2500 * time.Millisecond},
		},
		{
			name: "no jitter, no wait", fails: 1, err: errRateLimit,
			policy:    runnable.RetryPolicy{InitialBackoff: -1, Jitter: -1},
			wantCalls: 2, wantOK: true, wantSleep: []time.Duration{0},
		},
		{
			name: "RetryIf refuses", fails: 9, err: errBadInput,
			policy:    runnable.RetryPolicy{RetryIf: func(err error) bool { return errors.Is(err, errRateLimit) }},
			wantCalls: 1,
		},
		{
			name: "context errors are never retried", fails: 9, err: context.DeadlineExceeded,
			wantCalls: 1,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var s sleeps
			p := tt.policy
			p.Sleep, p.Random = s.sleep, half
			a := newAttempts(tt.err, map[string]int{"x": tt.fails})
			got, err := runnable.Retry(a.runnable(), &p).Invoke(t.Context(), "x")
			if tt.wantOK && (err != nil || got != "ok:x") {
				t.Errorf("Invoke = %q, %v", got, err)
			}
			if !tt.wantOK {
				if !errors.Is(err, tt.err) {
					t.Errorf("err = %v, want %v", err, tt.err)
				}
				if n := len(multi(err)); tt.wantCalls > 1 && n != tt.wantCalls {
					t.Errorf("error joins %d errors, want one per attempt (%d)", n, tt.wantCalls)
				}
			}
			if a.calls["x"] != tt.wantCalls {
				t.Errorf("%d calls, want %d", a.calls["x"], tt.wantCalls)
			}
			if !slices.Equal(s.d, tt.wantSleep) {
				t.Errorf("sleeps %v, want %v", s.d, tt.wantSleep)
			}
		})
	}
}

func multi(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestRetryJitterVaries(t *testing.T) {
	var s sleeps
	r := []float64{0, 0.25, 0.999}
	p := &runnable.RetryPolicy{
		MaxAttempts: 4, InitialBackoff: time.Second, Multiplier: 1, Jitter: 400 * time.Millisecond,
		Sleep: s.sleep, Random: func() float64 { v := r[0]; r = r[1:]; return v },
	}
	a := newAttempts(errRateLimit, map[string]int{"x": 9})
	runnable.Retry(a.runnable(), p).Invoke(t.Context(), "x")
	want := []time.Duration{time.Second, 1100 * time.Millisecond, 1399600 * time.Microsecond}
	if !slices.Equal(s.d, want) {
		t.Errorf("sleeps %v, want %v", s.d, want)
	}
}

func TestRetryEvents(t *testing.T) {
	var s sleeps
	a := newAttempts(errRateLimit, map[string]int{"x": 2})
	var c runnable.Collector
	r := runnable.Retry(a.runnable(), &runnable.RetryPolicy{Sleep: s.sleep})
	if _, err := r.Invoke(t.Context(), "x", runnable.WithCallbacks(&c)); err != nil {
		t.Fatal(err)
	}
	events := c.Events()
	root := events[0]
	if root.Name != "flaky" || root.Type != runnable.ChainRun || len(root.ParentIDs) != 0 {
		t.Errorf("root %s, want the retry run named like the retried runnable", describe(root))
	}
	var tags [][]string
	for _, ev := range events {
		if ev.Kind == runnable.EventStart && len(ev.ParentIDs) == 1 && ev.ParentIDs[0] == root.RunID {
			tags = append(tags, ev.Tags)
		}
	}
	want := [][]string{{}, {"retry:attempt:2"}, {"retry:attempt:3"}}
	if !reflect.DeepEqual(tags, want) {
		t.Errorf("attempt tags %q, want %q", tags, want)
	}
	if last := events[len(events)-1]; last.RunID != root.RunID || last.Kind != runnable.EventEnd {
		t.Errorf("last event %s", describe(last))
	}
}

// TestRetryCancelDuringWait uses the real sleep with an hour of backoff:
// only the cancellation can end the wait.
func TestRetryCancelDuringWait(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	failed := make(chan struct{}, 1)
	calls := 0
	r := runnable.Retry(runnable.Lambda("f", func(context.Context, int) (int, error) {
		calls++
		failed <- struct{}{}
		return 0, errRateLimit
	}), &runnable.RetryPolicy{InitialBackoff: time.Hour, MaxBackoff: 2 * time.Hour})
	done := make(chan error)
	go func() {
		_, err := r.Invoke(ctx, 1)
		done <- err
	}()
	<-failed
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errRateLimit) {
		t.Errorf("err = %v, want the attempt's error and context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("%d calls after cancel, want 1", calls)
	}
}

func TestRetryBatchRetriesFailedItemsOnly(t *testing.T) {
	var s sleeps
	a := newAttempts(errRateLimit, map[string]int{"b": 1, "d": 2})
	r := runnable.Retry(a.runnable(), &runnable.RetryPolicy{Sleep: s.sleep, Random: func() float64 { return 0 }})
	var c runnable.Collector
	got, err := r.Batch(t.Context(), []string{"a", "b", "c", "d"}, runnable.WithCallbacks(&c), runnable.WithMaxConcurrency(2))
	if err != nil || !reflect.DeepEqual(got, []string{"ok:a", "ok:b", "ok:c", "ok:d"}) {
		t.Fatalf("Batch = %v, %v", got, err)
	}
	if want := map[string]int{"a": 1, "b": 2, "c": 1, "d": 3}; !reflect.DeepEqual(a.calls, want) {
		t.Errorf("calls %v, want %v", a.calls, want)
	}
	if want := []time.Duration{time.Second, 2 * time.Second}; !slices.Equal(s.d, want) {
		t.Errorf("one wait per round: %v, want %v", s.d, want)
	}
	roots := 0
	for _, ev := range c.Events() {
		if ev.Kind == runnable.EventStart && len(ev.ParentIDs) == 0 {
			roots++
		}
	}
	if roots != 4 {
		t.Errorf("%d root runs, want one per input", roots)
	}

	// An input that never succeeds fails the batch after its attempts.
	a = newAttempts(errRateLimit, map[string]int{"b": 99})
	r = runnable.Retry(a.runnable(), &runnable.RetryPolicy{Sleep: s.sleep})
	_, err = r.Batch(t.Context(), []string{"a", "b"})
	if !errors.Is(err, errRateLimit) || a.calls["b"] != 3 || a.calls["a"] != 1 {
		t.Errorf("err %v, calls %v", err, a.calls)
	}
	// And BatchResults keeps the others.
	a = newAttempts(errRateLimit, map[string]int{"b": 99})
	r = runnable.Retry(a.runnable(), &runnable.RetryPolicy{Sleep: s.sleep})
	outs, errs := runnable.BatchResults(t.Context(), r, []string{"a", "b"})
	if outs[0] != "ok:a" || errs[0] != nil || !errors.Is(errs[1], errRateLimit) {
		t.Errorf("BatchResults = %v, %v", outs, errs)
	}
}

func TestRetryStream(t *testing.T) {
	var s sleeps
	// Fails before its first chunk twice, then streams.
	calls := 0
	gen := runnable.Generator("gen", func(_ context.Context, in iter.Seq2[int, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for range in {
			}
			calls++
			if calls <= 2 {
				yield("", errRateLimit)
				return
			}
			if yield("a", nil) {
				yield("b", nil)
			}
		}
	})
	r := runnable.Retry(gen, &runnable.RetryPolicy{Sleep: s.sleep})
	got, err := collect(r.Stream(t.Context(), 0))
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b"}) || calls != 3 {
		t.Errorf("Stream = %v, %v after %d calls", got, err, calls)
	}
	// Fails after its first chunk: no retry, the error ends the stream.
	calls = 0
	late := runnable.Generator("late", func(_ context.Context, in iter.Seq2[int, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for range in {
			}
			calls++
			if yield("a", nil) {
				yield("", errRateLimit)
			}
		}
	})
	got, err = collect(runnable.Retry(late, &runnable.RetryPolicy{Sleep: s.sleep}).Stream(t.Context(), 0))
	if err != errRateLimit || !reflect.DeepEqual(got, []string{"a"}) || calls != 1 {
		t.Errorf("late failure: %v, %v after %d calls", got, err, calls)
	}
}

// An attempt that succeeds with an empty stream after a failed one ends
// the stream without error: the earlier failure was retried away.
func TestRetryStreamEmptyAfterFailure(t *testing.T) {
	var s sleeps
	calls := 0
	gen := runnable.Generator("gen", func(_ context.Context, in iter.Seq2[int, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for range in {
			}
			calls++
			if calls == 1 {
				yield("", errRateLimit)
			}
		}
	})
	got, err := collect(runnable.Retry(gen, &runnable.RetryPolicy{Sleep: s.sleep}).Stream(t.Context(), 0))
	if err != nil || len(got) != 0 || calls != 2 {
		t.Errorf("Stream = %v, %v after %d calls; want no chunk, no error, 2 calls", got, err, calls)
	}
}
