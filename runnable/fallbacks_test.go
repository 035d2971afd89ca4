package runnable_test

import (
	"context"
	"errors"
	"iter"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// trace records which runnables ran, in order.
type trace struct {
	mu  sync.Mutex
	ran []string
}

func (tr *trace) add(name string) {
	tr.mu.Lock()
	tr.ran = append(tr.ran, name)
	tr.mu.Unlock()
}

func (tr *trace) lambda(name string, out string, err error) runnable.Runnable[string, string] {
	return runnable.Lambda(name, func(context.Context, string) (string, error) {
		tr.add(name)
		return out, err
	})
}

var (
	errRateLimit = errors.New("rate limited")
	errBadInput  = errors.New("bad input")
)

func TestFallbacksInvoke(t *testing.T) {
	onlyRateLimits := &runnable.FallbackOptions{ShouldFallback: func(err error) bool { return errors.Is(err, errRateLimit) }}
	for _, tt := range []struct {
		name    string
		build   func(tr *trace) runnable.Runnable[string, string]
		want    string
		wantErr []error // each must be in the error
		ran     []string
	}{
		{
			name: "primary succeeds",
			build: func(tr *trace) runnable.Runnable[string, string] {
				return runnable.Fallbacks(tr.lambda("p", "P", nil), []runnable.Runnable[string, string]{tr.lambda("f1", "F1", nil)}, nil)
			},
			want: "P", ran: []string{"p"},
		},
		{
			name: "second fallback succeeds",
			build: func(tr *trace) runnable.Runnable[string, string] {
				return runnable.Fallbacks(tr.lambda("p", "", errRateLimit), []runnable.Runnable[string, string]{
					tr.lambda("f1", "", errRateLimit), tr.lambda("f2", "F2", nil), tr.lambda("f3", "F3", nil),
				}, nil)
			},
			want: "F2", ran: []string{"p", "f1", "f2"},
		},
		{
			name: "all fail: errors joined in order",
			build: func(tr *trace) runnable.Runnable[string, string] {
				return runnable.Fallbacks(tr.lambda("p", "", errRateLimit), []runnable.Runnable[string, string]{tr.lambda("f1", "", errBadInput)}, nil)
			},
			wantErr: []error{errRateLimit, errBadInput}, ran: []string{"p", "f1"},
		},
		{
			name: "ShouldFallback refuses",
			build: func(tr *trace) runnable.Runnable[string, string] {
				return runnable.Fallbacks(tr.lambda("p", "", errBadInput), []runnable.Runnable[string, string]{tr.lambda("f1", "F1", nil)}, onlyRateLimits)
			},
			wantErr: []error{errBadInput}, ran: []string{"p"},
		},
		{
			name: "ShouldFallback accepts, then refuses",
			build: func(tr *trace) runnable.Runnable[string, string] {
				return runnable.Fallbacks(tr.lambda("p", "", errRateLimit), []runnable.Runnable[string, string]{
					tr.lambda("f1", "", errBadInput), tr.lambda("f2", "F2", nil),
				}, onlyRateLimits)
			},
			wantErr: []error{errRateLimit, errBadInput}, ran: []string{"p", "f1"},
		},
		{
			name: "a panic is an error like any other",
			build: func(tr *trace) runnable.Runnable[string, string] {
				p := runnable.Lambda("p", func(context.Context, string) (string, error) { tr.add("p"); panic("p panicked") })
				return runnable.Fallbacks(p, []runnable.Runnable[string, string]{tr.lambda("f1", "F1", nil)}, nil)
			},
			want: "F1", ran: []string{"p", "f1"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tr := &trace{}
			var c runnable.Collector
			got, err := tt.build(tr).Invoke(t.Context(), "in", runnable.WithCallbacks(&c))
			if tt.wantErr == nil && (err != nil || got != tt.want) {
				t.Errorf("Invoke = %q, %v; want %q", got, err, tt.want)
			}
			for _, w := range tt.wantErr {
				if !errors.Is(err, w) {
					t.Errorf("error %v does not hold %v", err, w)
				}
			}
			if !reflect.DeepEqual(tr.ran, tt.ran) {
				t.Errorf("ran %v, want %v", tr.ran, tt.ran)
			}
			events := c.Events()
			if events[0].Name != "RunnableWithFallbacks" || events[0].Kind != runnable.EventStart {
				t.Errorf("first event %s", describe(events[0]))
			}
			for _, name := range tt.ran {
				wantChild(t, events, "RunnableWithFallbacks", name)
			}
		})
	}
}

func TestFallbacksNoFallbackOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	tr := &trace{}
	p := runnable.Lambda("p", func(context.Context, string) (string, error) {
		tr.add("p")
		cancel()
		return "", errRateLimit
	})
	f := runnable.Fallbacks(p, []runnable.Runnable[string, string]{tr.lambda("f1", "F1", nil)}, nil)
	if _, err := f.Invoke(ctx, "x"); !errors.Is(err, errRateLimit) {
		t.Errorf("err = %v", err)
	}
	if !reflect.DeepEqual(tr.ran, []string{"p"}) {
		t.Errorf("ran %v: a cancelled request must not start fallbacks", tr.ran)
	}
}

// flaky streams chunks, failing with err after `after` of them.
func flaky(name string, after int, err error, out ...string) runnable.Runnable[string, string] {
	return runnable.Generator(name, func(_ context.Context, in iter.Seq2[string, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for range in {
			}
			for i, o := range out {
				if i == after && err != nil {
					yield("", err)
					return
				}
				if !yield(o, nil) {
					return
				}
			}
			if after >= len(out) && err != nil {
				yield("", err)
			}
		}
	})
}

func TestFallbacksStream(t *testing.T) {
	for _, tt := range []struct {
		name    string
		primary runnable.Runnable[string, string]
		want    []string
		wantErr error
	}{
		{"error before the first chunk falls back", flaky("p", 0, errRateLimit, "x", "y"), []string{"f", "b"}, nil},
		{"error after a chunk ends the stream", flaky("p", 1, errRateLimit, "x", "y"), []string{"x"}, errRateLimit},
		{"no error", flaky("p", 9, nil, "x", "y"), []string{"x", "y"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := runnable.Fallbacks(tt.primary, []runnable.Runnable[string, string]{flaky("fb", 9, nil, "f", "b")}, nil)
			var c runnable.Collector
			got, err := collect(f.Stream(t.Context(), "in", runnable.WithCallbacks(&c)))
			if !reflect.DeepEqual(got, tt.want) || err != tt.wantErr {
				t.Errorf("Stream = %v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
			evs := eventsOf(c.Events(), "RunnableWithFallbacks")
			for _, ev := range evs {
				if ev.Kind == runnable.EventStream {
					t.Errorf("fallbacks run reported %s; LangChain's reports no chunks", describe(ev))
				}
			}
			last := evs[len(evs)-1]
			if tt.wantErr == nil && (last.Kind != runnable.EventEnd || last.Output != strings.Join(tt.want, "")) {
				t.Errorf("last fallbacks event %s", describe(last))
			}
			if tt.wantErr != nil && last.Kind != runnable.EventError {
				t.Errorf("last fallbacks event %s, want an error", describe(last))
			}
		})
	}
	f := runnable.Fallbacks(flaky("p", 0, errRateLimit), []runnable.Runnable[string, string]{flaky("f", 0, errBadInput)}, nil)
	_, err := collect(f.Stream(t.Context(), "in"))
	if !errors.Is(err, errRateLimit) || !errors.Is(err, errBadInput) {
		t.Errorf("all streams failed: %v, want both errors joined", err)
	}
}

func TestFallbacksBatch(t *testing.T) {
	p := runnable.Lambda("p", func(_ context.Context, s string) (string, error) {
		if s == "bad" {
			return "", errRateLimit
		}
		return "p:" + s, nil
	})
	f := runnable.Fallbacks(p, []runnable.Runnable[string, string]{lambda("f", func(s string) string { return "f:" + s })}, nil)
	got, err := f.Batch(t.Context(), []string{"a", "bad", "c"})
	if err != nil || !reflect.DeepEqual(got, []string{"p:a", "f:bad", "p:c"}) {
		t.Errorf("Batch = %v, %v", got, err)
	}
}
