package runnable_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// configEcho returns the config its run sees, and records its run's tags
// and name through the collector.
func configEcho() runnable.Runnable[int, runnable.Config] {
	return runnable.Lambda("echo_config", func(ctx context.Context, _ int) (runnable.Config, error) {
		return runnable.ConfigFrom(ctx), nil
	})
}

func TestBindPrecedence(t *testing.T) {
	b := runnable.Bind(configEcho(),
		runnable.WithRunName("bound-name"),
		runnable.WithTags("zeta", "bound"),
		runnable.WithMetadata(map[string]any{"k": "bound", "only_bound": 1}),
		runnable.WithConfigurable(map[string]any{"model": "bound", "temp": 0.1}),
		runnable.WithMaxConcurrency(3),
		runnable.WithRecursionLimit(50),
	)
	for _, tt := range []struct {
		name      string
		ctx       func(context.Context) context.Context
		opts      []runnable.Option
		runName   string
		tags      []string
		metadata  map[string]any
		conf      map[string]any
		maxConc   int
		recursion int
	}{
		{
			name:    "bound alone",
			runName: "bound-name", tags: []string{"bound", "zeta"},
			metadata: map[string]any{"k": "bound", "only_bound": 1},
			conf:     map[string]any{"model": "bound", "temp": 0.1},
			maxConc:  3, recursion: 50,
		},
		{
			name: "call options win over the binding",
			opts: []runnable.Option{
				runnable.WithRunName("call-name"), runnable.WithTags("alpha"),
				runnable.WithMetadata(map[string]any{"k": "call"}),
				runnable.WithConfigurable(map[string]any{"model": "call"}),
				runnable.WithMaxConcurrency(7), runnable.WithRecursionLimit(9),
			},
			runName: "call-name", tags: []string{"alpha", "bound", "zeta"},
			metadata: map[string]any{"k": "call", "only_bound": 1},
			conf:     map[string]any{"model": "call", "temp": 0.1},
			maxConc:  7, recursion: 9,
		},
		{
			// The inherited config is what a LangChain parent passes as the
			// call's config, so it wins over the binding too, except for a
			// recursion limit that is only the default.
			name: "inherited config wins over the binding",
			ctx: func(ctx context.Context) context.Context {
				return runnable.ContextWithConfig(ctx, runnable.Config{
					Tags:           []string{"parent"},
					Configurable:   map[string]any{"temp": 0.9},
					RecursionLimit: runnable.DefaultRecursionLimit,
				})
			},
			runName: "bound-name", tags: []string{"bound", "parent", "zeta"},
			metadata: map[string]any{"k": "bound", "only_bound": 1},
			conf:     map[string]any{"model": "bound", "temp": 0.9},
			maxConc:  3, recursion: 50,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			var c runnable.Collector
			got, err := b.Invoke(ctx, 1, append(tt.opts, runnable.WithCallbacks(&c))...)
			if err != nil {
				t.Fatal(err)
			}
			start := c.Events()[0]
			if start.Name != tt.runName {
				t.Errorf("run name %q, want %q", start.Name, tt.runName)
			}
			if !reflect.DeepEqual(start.Tags, tt.tags) {
				t.Errorf("tags %q, want %q", start.Tags, tt.tags)
			}
			if !reflect.DeepEqual(start.Metadata, tt.metadata) {
				t.Errorf("metadata %v, want %v", start.Metadata, tt.metadata)
			}
			if !reflect.DeepEqual(got.Configurable, tt.conf) {
				t.Errorf("configurable %v, want %v", got.Configurable, tt.conf)
			}
			if got.MaxConcurrency != tt.maxConc || got.RecursionLimit != tt.recursion {
				t.Errorf("max_concurrency %d, recursion_limit %d; want %d, %d", got.MaxConcurrency, got.RecursionLimit, tt.maxConc, tt.recursion)
			}
			if got.RunName != "" {
				t.Errorf("nested runs inherit the run name %q", got.RunName)
			}
		})
	}
}

func TestBindStreamsAndNests(t *testing.T) {
	var bound, call runnable.Collector
	b := runnable.Bind(runnable.Pipe(chunks[int]("gen", "a", "b"), runnable.Passthrough[string]()),
		runnable.WithCallbacks(&bound), runnable.WithTags("bound"))
	// Rebinding lays the new options over the old ones.
	b = runnable.Bind(b, runnable.WithTags("again"))
	got, err := collect(b.Stream(t.Context(), 0, runnable.WithCallbacks(&call)))
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("Stream = %v, %v", got, err)
	}
	if len(bound.Events()) == 0 || !reflect.DeepEqual(bound.Events(), call.Events()) {
		t.Errorf("bound and call handlers saw %d and %d events, want the same", len(bound.Events()), len(call.Events()))
	}
	wantChild(t, call.Events(), "RunnableSequence", "gen", "again", "bound", "seq:step:1")
	if name := runnable.NameOf(b); name != "RunnableSequence" {
		t.Errorf("name %q: a binding keeps the bound runnable's name", name)
	}
	// Inside a sequence the binding transforms chunk by chunk.
	chain := runnable.Pipe(chunks[int]("words", "x", "y"), runnable.Bind(runnable.Passthrough[string](), runnable.WithTags("p")))
	var c runnable.Collector
	if _, err := collect(chain.Stream(t.Context(), 0, runnable.WithCallbacks(&c))); err != nil {
		t.Fatal(err)
	}
	var streamed int
	for _, ev := range eventsOf(c.Events(), "RunnablePassthrough") {
		if ev.Kind == runnable.EventStream {
			streamed++
		}
	}
	if streamed != 2 {
		t.Errorf("bound passthrough streamed %d chunks, want 2", streamed)
	}
	outs, err := runnable.Bind(configEcho(), runnable.WithMaxConcurrency(1), runnable.WithTags("t")).Batch(t.Context(), []int{1, 2})
	if err != nil || len(outs) != 2 || outs[1].MaxConcurrency != 1 || !reflect.DeepEqual(outs[1].Tags, []string{"t"}) {
		t.Errorf("Batch = %+v, %v", outs, err)
	}
}
