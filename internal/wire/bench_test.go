package wire

import (
	"context"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/parser"
)

// chatEvents records the run events and root chunks of prompt | chat model
// | parser streaming a 60-token answer, as serve would feed them.
func chatEvents(b *testing.B) ([]runnable.Event, []any) {
	b.Helper()
	var c runnable.Collector
	chain := runnable.Pipe3(translatePrompt(), chatmodel.Fake(strings.Repeat("Bonjour le monde, ", 10)), parser.String())
	var out []any
	md := map[string]any{"__useragent": "bench", "__langserve_version": "0.3.3", "__langserve_endpoint": "stream_log"}
	for chunk, err := range chain.Stream(b.Context(), map[string]any{"language": "French", "text": "hello"},
		runnable.WithRunName("/chat"), runnable.WithMetadata(md), runnable.WithCallbacks(&c)) {
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, chunk)
	}
	return c.Events(), out
}

// BenchmarkLogStream measures the cost of turning one run event (or one root
// chunk) of a streaming chat chain into a serialized RunLogPatch.
func BenchmarkLogStream(b *testing.B) {
	events, outs := chatEvents(b)
	ctx := context.Background()
	bytes, n := 0, 0
	for b.Loop() {
		ls := NewLogStream(Filter{}, func(p []byte) error { bytes += len(p); return nil })
		next := 0
		for i := range events {
			ls.HandleEvent(ctx, &events[i])
			if events[i].Kind == runnable.EventStream && events[i].Name == "/chat" && next < len(outs) {
				ls.Output(outs[next])
				next++
			}
		}
		n++
	}
	per := float64(b.Elapsed().Nanoseconds()) / float64(n*(len(events)+len(outs)))
	b.ReportMetric(per, "ns/event")
	b.ReportMetric(float64(bytes)/float64(n), "bytes/stream")
	b.ReportMetric(float64(len(events)+len(outs)), "events/stream")
}

// BenchmarkEventStream measures the cost of turning one run event of a
// streaming chat chain into a serialized stream_events v2 event.
func BenchmarkEventStream(b *testing.B) {
	events, _ := chatEvents(b)
	ctx := context.Background()
	input := map[string]any{"language": "French", "text": "hello"}
	for _, version := range []string{"v2", "v1"} {
		b.Run(version, func(b *testing.B) {
			bytes, n := 0, 0
			for b.Loop() {
				es := NewEventStream(version, Filter{}, input, func(p []byte) error { bytes += len(p); return nil })
				for i := range events {
					es.HandleEvent(ctx, &events[i])
				}
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*len(events)), "ns/event")
			b.ReportMetric(float64(bytes)/float64(n), "bytes/stream")
		})
	}
}
