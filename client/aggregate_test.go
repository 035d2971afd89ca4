package client_test

import (
	"sync/atomic"
	"testing"

	"github.com/langserve-go/langserve/client"
	"github.com/langserve-go/langserve/runnable"
)

// piece is a string chunk that counts how often chunks are added up.
type piece string

var concats atomic.Int64

func (p piece) Concat(q piece) piece {
	concats.Add(1)
	return p + q
}

// The chunks of a stream are added up only for the end event of the local
// run: nobody observing it, adding them up (quadratic for strings and
// maps) is wasted work on every token.
func TestStreamAddsUpChunksOnlyWhenObserved(t *testing.T) {
	srv := serveRunnable(t, "/words", words(), nil)
	for _, forward := range []bool{false, true} {
		remote := newRemote[string, piece](t, srv, "/words", &client.Options{ForwardEvents: forward})

		concats.Store(0)
		n := 0
		for _, err := range remote.Stream(t.Context(), "a b c d e") {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != 9 || concats.Load() != 0 {
			t.Errorf("forward=%v, unobserved: %d chunks, %d concatenations, want 9 and 0", forward, n, concats.Load())
		}

		concats.Store(0)
		var col runnable.Collector
		for _, err := range remote.Stream(t.Context(), "a b c d e", runnable.WithCallbacks(&col)) {
			if err != nil {
				t.Fatal(err)
			}
		}
		evs := col.Events()
		last := evs[len(evs)-1]
		if concats.Load() != 8 || last.Kind != runnable.EventEnd || last.Output != piece("a b c d e") {
			t.Errorf("forward=%v, observed: %d concatenations, end %v %#v", forward, concats.Load(), last.Kind, last.Output)
		}
	}
}
