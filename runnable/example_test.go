package runnable_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/langserve-go/langserve/runnable"
)

// A pipe streams chunk by chunk: the generator in the middle turns each
// word into upper case as soon as the first step produces it, and the
// caller sees it before the next word exists.
func ExamplePipe() {
	words := runnable.Generator("words", func(_ context.Context, in iter.Seq2[string, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			text, err := runnable.Collect(in)
			if err != nil {
				yield("", err)
				return
			}
			for _, w := range strings.Fields(text) {
				if !yield(w+" ", nil) {
					return
				}
			}
		}
	})
	upper := runnable.Generator("upper", func(_ context.Context, in iter.Seq2[string, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for chunk, err := range in {
				if !yield(strings.ToUpper(chunk), err) || err != nil {
					return
				}
			}
		}
	})
	trim := runnable.Lambda("trim", func(_ context.Context, s string) (string, error) {
		return strings.TrimSpace(s), nil
	})

	chain := runnable.Pipe(words, upper)
	for chunk, err := range chain.Stream(context.Background(), "hello streaming world") {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Printf("%q\n", chunk)
	}

	// A Lambda at the end waits for the whole input: Invoke adds the chunks
	// up and passes the sum on.
	out, _ := runnable.Pipe3(words, upper, trim).Invoke(context.Background(), "hello streaming world")
	fmt.Printf("%q\n", out)
	// Output:
	// "HELLO "
	// "STREAMING "
	// "WORLD "
	// "HELLO STREAMING WORLD"
}

// Parallel runs its steps on the same input at the same time; with
// Passthrough it builds the {"context": …, "question": …} map a RAG prompt
// expects.
func ExampleParallel() {
	retrieve := runnable.Lambda("retrieve", func(_ context.Context, q string) ([]string, error) {
		return []string{"Go was announced in 2009.", "Go 1.0 shipped in 2012."}, nil
	})
	inputs := runnable.Parallel(map[string]runnable.Runnable[string, any]{
		"context":  runnable.AsAny(retrieve),
		"question": runnable.AsAny(runnable.Passthrough[string]()),
	})
	out, err := inputs.Invoke(context.Background(), "When did Go 1.0 ship?")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(runnable.NameOf(inputs))
	fmt.Println(out["question"])
	fmt.Println(out["context"].([]string)[1])
	// Output:
	// RunnableParallel<context,question>
	// When did Go 1.0 ship?
	// Go 1.0 shipped in 2012.
}

// Assign adds computed keys to a map input, keeping the others.
func ExampleAssign() {
	count := runnable.Lambda("count", func(_ context.Context, in map[string]any) (any, error) {
		return len(strings.Fields(in["text"].(string))), nil
	})
	withCount := runnable.Assign(map[string]runnable.Runnable[map[string]any, any]{"words": count})
	out, _ := withCount.Invoke(context.Background(), map[string]any{"text": "one two three"})
	fmt.Println(out)
	// Output:
	// map[text:one two three words:3]
}

var errOverloaded = errors.New("model overloaded")

// Fallbacks tries the next runnable when one fails with an error worth
// falling back on.
func ExampleFallbacks() {
	primary := runnable.Lambda("big_model", func(context.Context, string) (string, error) {
		return "", errOverloaded
	})
	backup := runnable.Lambda("small_model", func(_ context.Context, q string) (string, error) {
		return "short answer to " + q, nil
	})
	answer := runnable.Fallbacks(primary, []runnable.Runnable[string, string]{backup},
		&runnable.FallbackOptions{ShouldFallback: func(err error) bool { return errors.Is(err, errOverloaded) }})
	out, err := answer.Invoke(context.Background(), "why is the sky blue?")
	fmt.Println(out, err)
	// Output:
	// short answer to why is the sky blue? <nil>
}

// Retry invokes a flaky runnable again with exponential backoff. Here the
// waits are printed instead of slept, and jitter is off, to show the
// backoff sequence.
func ExampleRetry() {
	calls := 0
	flaky := runnable.Lambda("flaky", func(_ context.Context, x int) (int, error) {
		calls++
		if calls < 4 {
			return 0, fmt.Errorf("attempt %d: %w", calls, errOverloaded)
		}
		return x * 2, nil
	})
	r := runnable.Retry(flaky, &runnable.RetryPolicy{
		MaxAttempts:    5,
		InitialBackoff: 100 * time.Millisecond,
		MaxBackoff:     300 * time.Millisecond,
		Jitter:         -1, // none
		RetryIf:        func(err error) bool { return errors.Is(err, errOverloaded) },
		Sleep: func(_ context.Context, d time.Duration) error {
			fmt.Println("waiting", d)
			return nil
		},
	})
	out, err := r.Invoke(context.Background(), 21)
	fmt.Println(out, err, "after", calls, "calls")
	// Output:
	// waiting 100ms
	// waiting 200ms
	// waiting 300ms
	// 42 <nil> after 4 calls
}

// Configurable lets each request set fields of a runnable through the
// "configurable" config; LangServe clients send it as
// {"config": {"configurable": {"temperature": 0.9}}}.
func ExampleConfigurable() {
	model := func(temperature float64) runnable.Runnable[string, string] {
		return runnable.Lambda("model", func(_ context.Context, q string) (string, error) {
			return fmt.Sprintf("%s (temperature %.1f)", q, temperature), nil
		})
	}
	configurable := runnable.Configurable(model(0), []runnable.ConfigSpec{{
		ID:          "temperature",
		Name:        "Temperature",
		Description: "Sampling temperature",
		Default:     0.0,
		Schema:      runnable.Schema{"type": "number"},
	}}, func(values map[string]any) (runnable.Runnable[string, string], error) {
		return model(values["temperature"].(float64)), nil
	})

	ctx := context.Background()
	a, _ := configurable.Invoke(ctx, "hi")
	b, _ := configurable.Invoke(ctx, "hi", runnable.WithConfigurable(map[string]any{"temperature": 0.9}))
	_, err := configurable.Invoke(ctx, "hi", runnable.WithConfigurable(map[string]any{"temperature": "hot"}))
	fmt.Println(a)
	fmt.Println(b)
	fmt.Println(err)
	// Output:
	// hi (temperature 0.0)
	// hi (temperature 0.9)
	// runnable: configurable field "temperature" wants number, got string "hot"
}

// Alternatives swaps a whole runnable per request.
func ExampleAlternatives() {
	formal := runnable.Lambda("formal", func(_ context.Context, name string) (string, error) { return "Good day, " + name + ".", nil })
	casual := runnable.Lambda("casual", func(_ context.Context, name string) (string, error) { return "hey " + name, nil })
	greet := runnable.Alternatives(runnable.ConfigSpec{ID: "style", Default: "formal"},
		map[string]runnable.Runnable[string, string]{"formal": formal, "casual": casual})

	ctx := context.Background()
	a, _ := greet.Invoke(ctx, "Ada")
	b, _ := greet.Invoke(ctx, "Ada", runnable.WithConfigurable(map[string]any{"style": "casual"}))
	fmt.Println(a)
	fmt.Println(b)
	fmt.Println(runnable.SpecsOf(greet)[0].Schema["enum"])
	// Output:
	// Good day, Ada.
	// hey Ada
	// [casual formal]
}

// Branch runs the first case whose condition holds, else the default.
func ExampleBranch() {
	classify := runnable.Branch(
		runnable.Lambda("other", func(context.Context, string) (string, error) { return "general question", nil }),
		runnable.When(func(_ context.Context, q string) (bool, error) { return strings.Contains(q, "price"), nil },
			runnable.Lambda("sales", func(context.Context, string) (string, error) { return "sales question", nil })),
		runnable.When(func(_ context.Context, q string) (bool, error) { return strings.Contains(q, "error"), nil },
			runnable.Lambda("support", func(context.Context, string) (string, error) { return "support question", nil })),
	)
	for _, q := range []string{"what is the price?", "I get an error", "hello"} {
		out, _ := classify.Invoke(context.Background(), q)
		fmt.Println(out)
	}
	// Output:
	// sales question
	// support question
	// general question
}

// Bind fixes options for every call; a call's own options still win.
func ExampleBind() {
	show := runnable.Lambda("show", func(ctx context.Context, _ int) (string, error) {
		c := runnable.ConfigFrom(ctx)
		return fmt.Sprint(c.Tags, c.Configurable), nil
	})
	bound := runnable.Bind(show, runnable.WithTags("bound"), runnable.WithConfigurable(map[string]any{"mode": "fast", "n": 1}))
	a, _ := bound.Invoke(context.Background(), 0)
	b, _ := bound.Invoke(context.Background(), 0, runnable.WithTags("call"), runnable.WithConfigurable(map[string]any{"mode": "exact"}))
	fmt.Println(a)
	fmt.Println(b)
	// Output:
	// [bound] map[mode:fast n:1]
	// [bound call] map[mode:exact n:1]
}
