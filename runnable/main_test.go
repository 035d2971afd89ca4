package runnable_test

import (
	"context"
	"iter"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/runnable"
)

// TestMain fails the package when any test leaves a goroutine behind: every
// stream, parallel step and batch item must be joined before its call
// returns, also after an early break or a cancellation.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// collect drains a stream into a slice, stopping at the first error.
func collect[O any](s iter.Seq2[O, error]) ([]O, error) {
	var out []O
	for v, err := range s {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// lines renders events with describe (sequence_test.go).
func lines(events []runnable.Event) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = describe(ev)
	}
	return out
}

// eventsOf returns the events of the runs named name.
func eventsOf(events []runnable.Event, name string) []runnable.Event {
	var out []runnable.Event
	for _, ev := range events {
		if ev.Name == name {
			out = append(out, ev)
		}
	}
	return out
}

// startOf returns the start event of the run named name; it fails the test
// when there is not exactly one.
func startOf(t *testing.T, events []runnable.Event, name string) runnable.Event {
	t.Helper()
	var found []runnable.Event
	for _, ev := range events {
		if ev.Name == name && ev.Kind == runnable.EventStart {
			found = append(found, ev)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d start events for %q, want 1; events:\n%s", len(found), name, strings.Join(lines(events), "\n"))
	}
	return found[0]
}

// wantChild checks that the run named child started under the run named
// parent with exactly the tags want.
func wantChild(t *testing.T, events []runnable.Event, parent, child string, want ...string) {
	t.Helper()
	p, c := startOf(t, events, parent), startOf(t, events, child)
	if len(c.ParentIDs) == 0 || c.ParentIDs[len(c.ParentIDs)-1] != p.RunID {
		t.Errorf("%s: parents %v, want the run of %s (%v) last", child, c.ParentIDs, parent, p.RunID)
	}
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(c.Tags, want) {
		t.Errorf("%s: tags %q, want %q", child, c.Tags, want)
	}
}

func lambda[I, O any](name string, fn func(I) O) *runnable.Func[I, O] {
	return runnable.Lambda(name, func(_ context.Context, in I) (O, error) { return fn(in), nil })
}

func failing[I, O any](name string, err error) *runnable.Func[I, O] {
	return runnable.Lambda(name, func(context.Context, I) (O, error) {
		var zero O
		return zero, err
	})
}

// chunks is a generator that yields the given chunks and ignores its input.
func chunks[I any, O any](name string, out ...O) *runnable.Gen[I, O] {
	return runnable.Generator(name, func(_ context.Context, in iter.Seq2[I, error]) iter.Seq2[O, error] {
		return func(yield func(O, error) bool) {
			for _, err := range in {
				if err != nil {
					var zero O
					yield(zero, err)
					return
				}
			}
			for _, o := range out {
				if !yield(o, nil) {
					return
				}
			}
		}
	})
}

// panicky is a Runnable written without the package's helpers, so nothing
// but the combinator around it can contain its panic.
type panicky struct{}

func (panicky) Invoke(context.Context, int, ...runnable.Option) (any, error) { panic("boom") }
func (panicky) Stream(context.Context, int, ...runnable.Option) iter.Seq2[any, error] {
	panic("boom in stream")
}
func (panicky) Batch(context.Context, []int, ...runnable.Option) ([]any, error) {
	panic("boom in batch")
}
