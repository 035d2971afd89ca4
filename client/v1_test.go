package client_test

import (
	"slices"
	"testing"

	"github.com/langserve-go/langserve/client"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

// stream_events v1 (LangServe's stream_events_version="v1") sends
// "parent_ids": [] with every event: that does not make every run the
// root.
func TestStreamEventsV1Root(t *testing.T) {
	srv := serveRunnable(t, "/chain", chain(), &serve.Options{StreamEventsVersion: "v1"})

	remote := newRemote[string, string](t, srv, "/chain", &client.Options{ForwardEvents: true})
	var col runnable.Collector
	var got []string
	for chunk, err := range remote.Stream(t.Context(), "x yz", runnable.WithCallbacks(&col)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, chunk)
	}
	if want := []string{"X", " ", "YZ"}; !slices.Equal(got, want) {
		t.Errorf("forwarded chunks %q, want %q", got, want)
	}
	var names []string
	for _, ev := range col.Events() {
		if ev.Kind == runnable.EventStart {
			names = append(names, ev.Name)
		}
	}
	if want := []string{"/chain", "upper", "words"}; !slices.Equal(names, want) {
		t.Errorf("runs started %q, want %q", names, want)
	}

	plain := newRemote[string, string](t, srv, "/chain", nil)
	var ends []string
	for ev, err := range plain.StreamEvents(t.Context(), "x yz", nil, runnable.WithCallbacks(&col)) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Event == "on_chain_end" {
			ends = append(ends, ev.Name)
		}
	}
	evs := col.Events()
	if last := evs[len(evs)-1]; last.Kind != runnable.EventEnd || last.Output != "X YZ" {
		t.Errorf("StreamEvents run ended with %v %#v (chain ends %q)", last.Kind, last.Output, ends)
	}
}
