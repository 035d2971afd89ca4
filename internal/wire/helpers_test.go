package wire

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

func addOne() runnable.Runnable[int, int] {
	return runnable.Lambda("add_one", func(_ context.Context, x int) (int, error) { return x + 1, nil })
}

func mulTwo() runnable.Runnable[int, int] {
	return runnable.Lambda("mul_two", func(_ context.Context, x int) (int, error) { return x * 2, nil })
}

// logOf streams r through a LogStream as serve does and returns the
// patches and the stream's error.
func logOf[I, O any](t *testing.T, f Filter, r runnable.Runnable[I, O], in I, opts ...runnable.Option) ([]string, error) {
	t.Helper()
	var patches []string
	ls := NewLogStream(f, func(b []byte) error {
		patches = append(patches, string(b))
		return nil
	})
	var streamErr error
	for chunk, err := range r.Stream(t.Context(), in, append(opts, runnable.WithCallbacks(ls))...) {
		if err != nil {
			streamErr = err
			break
		}
		ls.Output(chunk)
	}
	if err := ls.Err(); err != nil {
		t.Fatalf("LogStream.Err() = %v", err)
	}
	return patches, streamErr
}

// eventsOf streams r through an EventStream and returns the decoded events
// and the stream's error.
func eventsOf[I, O any](t *testing.T, version string, f Filter, r runnable.Runnable[I, O], in I, opts ...runnable.Option) ([]map[string]any, error) {
	t.Helper()
	var events []map[string]any
	es := NewEventStream(version, f, in, func(b []byte) error {
		var ev map[string]any
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Errorf("event is not JSON: %v: %s", err, b)
		}
		events = append(events, ev)
		return nil
	})
	var streamErr error
	for _, err := range r.Stream(t.Context(), in, append(opts, runnable.WithCallbacks(es))...) {
		if err != nil {
			streamErr = err
			break
		}
	}
	if err := es.Err(); err != nil {
		t.Fatalf("EventStream.Err() = %v", err)
	}
	return events, streamErr
}

// state applies the patches and returns the final RunState as generic JSON.
func state(t *testing.T, patches []string) map[string]any {
	t.Helper()
	b, err := json.Marshal(applyPatches(t, patches))
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// logKeys returns the sorted keys of a RunState's logs.
func logKeys(s map[string]any) []string {
	logs, _ := s["logs"].(map[string]any)
	keys := make([]string, 0, len(logs))
	for k := range logs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// brief renders a stream event as "event name data tags".
func brief(ev map[string]any) string {
	data, _ := json.Marshal(ev["data"])
	tags, _ := json.Marshal(ev["tags"])
	return strings.Join([]string{ev["event"].(string), ev["name"].(string), string(data), string(tags)}, " ")
}

func briefs(events []map[string]any) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = brief(ev)
	}
	return out
}

func diffLines(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	return "got:\n" + strings.Join(got, "\n") + "\nwant:\n" + strings.Join(want, "\n")
}
