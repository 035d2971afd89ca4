package wire_test

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/internal/wire"
	"github.com/langserve-go/langserve/runnable"
)

func ExampleNewLogStream() {
	addOne := runnable.Lambda("add_one", func(_ context.Context, x int) (int, error) { return x + 1, nil })
	ls := wire.NewLogStream(wire.Filter{}, func(patch []byte) error {
		fmt.Printf("%s\n", patch)
		return nil
	})
	id := uuid.MustParse("6d4c2f1e-0000-4000-8000-000000000001")
	for chunk, err := range addOne.Stream(context.Background(), 1,
		runnable.WithRunName("/add_one"), runnable.WithRunID(id), runnable.WithCallbacks(ls)) {
		if err != nil {
			break // serve sends the SSE error event
		}
		ls.Output(chunk)
	}
	if err := ls.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"ops":[{"op":"replace","path":"","value":{"id":"6d4c2f1e-0000-4000-8000-000000000001","streamed_output":[],"final_output":null,"logs":{},"name":"/add_one","type":"chain"}}]}
	// {"ops":[{"op":"add","path":"/streamed_output/-","value":2},{"op":"replace","path":"/final_output","value":2}]}
}

func ExampleNewEventStream() {
	addOne := runnable.Lambda("add_one", func(_ context.Context, x int) (int, error) { return x + 1, nil })
	es := wire.NewEventStream("v2", wire.Filter{}, 1, func(event []byte) error {
		fmt.Printf("%s\n", event)
		return nil
	})
	id := uuid.MustParse("6d4c2f1e-0000-4000-8000-000000000001")
	md := map[string]any{"__langserve_endpoint": "stream_events"} // removed from the events
	for _, err := range addOne.Stream(context.Background(), 1,
		runnable.WithRunName("/add_one"), runnable.WithRunID(id), runnable.WithMetadata(md), runnable.WithCallbacks(es)) {
		if err != nil {
			break
		}
	}
	// Output:
	// {"event":"on_chain_start","data":{"input":1},"name":"/add_one","tags":[],"run_id":"6d4c2f1e-0000-4000-8000-000000000001","metadata":{},"parent_ids":[]}
	// {"event":"on_chain_stream","run_id":"6d4c2f1e-0000-4000-8000-000000000001","name":"/add_one","tags":[],"metadata":{},"data":{"chunk":2},"parent_ids":[]}
	// {"event":"on_chain_end","data":{"output":2},"run_id":"6d4c2f1e-0000-4000-8000-000000000001","name":"/add_one","tags":[],"metadata":{},"parent_ids":[]}
}

func ExampleMarshal() {
	b, err := wire.Marshal(map[string]any{"html": "<b>&</b>", "text": "réponse"})
	fmt.Println(string(b), err)
	// Output:
	// {"html":"<b>&</b>","text":"réponse"} <nil>
}
