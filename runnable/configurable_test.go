package runnable_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// greeter says a greeting a number of times; both are configurable.
type greeter struct {
	mu     sync.Mutex
	builds []map[string]any
}

func (g *greeter) build(values map[string]any) (runnable.Runnable[string, string], error) {
	g.mu.Lock()
	g.builds = append(g.builds, values)
	g.mu.Unlock()
	word, _ := values["greeting"].(string)
	times := 1
	switch n := values["times"].(type) {
	case int:
		times = n
	case float64:
		times = int(n)
	}
	if word == "fail" {
		return nil, errors.New("cannot greet with fail")
	}
	if word == "panic" {
		panic("build panicked")
	}
	return lambda("greet", func(name string) string { return strings.Repeat(word+" ", times) + name }), nil
}

var greeterSpecs = []runnable.ConfigSpec{
	{ID: "greeting", Name: "Greeting", Description: "The word to greet with", Default: "hello", Schema: runnable.Schema{"type": "string"}},
	{ID: "times", Name: "Times", Default: 1, Schema: runnable.Schema{"type": "integer"}},
}

func newGreeter() (*greeter, runnable.Runnable[string, string]) {
	g := &greeter{}
	def, _ := g.build(map[string]any{"greeting": "hello", "times": 1})
	g.builds = nil
	return g, runnable.Configurable(def, greeterSpecs, g.build)
}

func TestConfigurable(t *testing.T) {
	g, r := newGreeter()
	for _, tt := range []struct {
		name string
		conf map[string]any
		want string
		err  string
	}{
		{"no configurable: the default", nil, "hello bob", ""},
		{"unrelated keys are ignored", map[string]any{"other": 1}, "hello bob", ""},
		{"defaults given explicitly: the default", map[string]any{"greeting": "hello", "times": 1.0}, "hello bob", ""},
		{"one field", map[string]any{"greeting": "hi"}, "hi bob", ""},
		{"both fields, JSON number", map[string]any{"greeting": "hey", "times": 2.0}, "hey hey bob", ""},
		{"same values again: cached", map[string]any{"times": 2.0, "greeting": "hey"}, "hey hey bob", ""},
		{"wrong type", map[string]any{"times": "two"}, "", `configurable field "times" wants integer, got string "two"`},
		{"not an integer", map[string]any{"times": 1.5}, "", `wants integer`},
		{"build error", map[string]any{"greeting": "fail"}, "", "cannot greet with fail"},
		{"build panic", map[string]any{"greeting": "panic"}, "", "build panicked"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var c runnable.Collector
			got, err := r.Invoke(t.Context(), "bob", runnable.WithConfigurable(tt.conf), runnable.WithCallbacks(&c))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Invoke = %q, %v; want %q", got, err, tt.want)
			}
			// No run of its own: the selected runnable's run is the root.
			if ev := c.Events()[0]; ev.Name != "greet" || len(ev.ParentIDs) != 0 {
				t.Errorf("first event %s", describe(ev))
			}
			got, err = runnable.Collect(r.Stream(t.Context(), "bob", runnable.WithConfigurable(tt.conf)))
			if err != nil || got != tt.want {
				t.Errorf("Stream = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	var keys []string
	for _, b := range g.builds {
		j, _ := json.Marshal(b)
		keys = append(keys, string(j))
	}
	want := []string{
		`{"greeting":"hi","times":1}`,
		`{"greeting":"hey","times":2}`,
		`{"greeting":"fail","times":1}`,
		`{"greeting":"panic","times":1}`,
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("builds %v, want %v (one per distinct value set, defaults filled in)", keys, want)
	}

	_, err := r.Invoke(t.Context(), "bob", runnable.WithConfigurable(map[string]any{"times": "x"}))
	if ve, ok := errors.AsType[*runnable.ConfigValueError](err); !ok || ve.ID != "times" || ve.Value != "x" {
		t.Errorf("err = %#v, want a *ConfigValueError for times", err)
	}
}

func TestConfigurableCacheIsBounded(t *testing.T) {
	g, r := newGreeter()
	for i := range 200 {
		want := fmt.Sprintf("w%d bob", i)
		if got, err := r.Invoke(t.Context(), "bob", runnable.WithConfigurable(map[string]any{"greeting": fmt.Sprintf("w%d", i)})); err != nil || got != want {
			t.Fatalf("Invoke = %q, %v", got, err)
		}
	}
	// The most recent settings are cached; the oldest were evicted.
	before := len(g.builds)
	r.Invoke(t.Context(), "bob", runnable.WithConfigurable(map[string]any{"greeting": "w199"}))
	if len(g.builds) != before {
		t.Error("recent setting rebuilt")
	}
	r.Invoke(t.Context(), "bob", runnable.WithConfigurable(map[string]any{"greeting": "w0"}))
	if len(g.builds) != before+1 {
		t.Error("evicted setting not rebuilt: the cache is not bounded")
	}
}

func TestConfigurableSpecsAndSchemaChecks(t *testing.T) {
	_, r := newGreeter()
	specs := runnable.SpecsOf(r)
	if len(specs) != 2 || specs[0].ID != "greeting" || specs[1].ID != "times" {
		t.Errorf("specs %+v", specs)
	}
	if name := runnable.NameOf(r); name != "greet" {
		t.Errorf("name %q, want the default runnable's", name)
	}
	list := runnable.Configurable(lambda("l", func(int) int { return 0 }),
		[]runnable.ConfigSpec{{ID: "answers", Schema: runnable.Schema{"type": "array", "items": map[string]any{"type": "string"}}}},
		func(map[string]any) (runnable.Runnable[int, int], error) {
			return lambda("l2", func(int) int { return 1 }), nil
		})
	for _, tt := range []struct {
		v  any
		ok bool
	}{
		{[]any{"a", "b"}, true},
		{[]string{"a"}, true},
		{"not a list", false},
		{[]any{"a", 1}, false},
		{nil, false},
	} {
		_, err := list.Invoke(t.Context(), 0, runnable.WithConfigurable(map[string]any{"answers": tt.v}))
		if (err == nil) != tt.ok {
			t.Errorf("answers=%#v: err %v, want ok=%v", tt.v, err, tt.ok)
		}
	}
}

func TestAlternatives(t *testing.T) {
	which := runnable.ConfigSpec{ID: "llm", Name: "LLM", Description: "Which model answers", Default: "fake"}
	alts := runnable.Alternatives(which, map[string]runnable.Runnable[string, string]{
		"fake":   lambda("fake_model", func(s string) string { return "fake: " + s }),
		"echo":   lambda("echo_model", func(s string) string { return s }),
		"shouty": lambda("shouty_model", strings.ToUpper),
	})
	for _, tt := range []struct {
		conf map[string]any
		want string
		run  string
		err  string
	}{
		{nil, "fake: hi", "fake_model", ""},
		{map[string]any{"llm": "fake"}, "fake: hi", "fake_model", ""},
		{map[string]any{"llm": "shouty"}, "HI", "shouty_model", ""},
		{map[string]any{"llm": "gpt"}, "", "", `configurable field "llm" wants one of "echo", "shouty", "fake", got string "gpt"`},
		{map[string]any{"llm": 3}, "", "", `wants one of`},
	} {
		var c runnable.Collector
		got, err := alts.Invoke(t.Context(), "hi", runnable.WithConfigurable(tt.conf), runnable.WithCallbacks(&c))
		if tt.err != "" {
			if _, ok := errors.AsType[*runnable.ConfigValueError](err); !ok || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: err = %v, want a *ConfigValueError containing %q", tt.conf, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%v: Invoke = %q, %v; want %q", tt.conf, got, err, tt.want)
			continue
		}
		if ev := c.Events()[0]; ev.Name != tt.run || len(ev.ParentIDs) != 0 {
			t.Errorf("%v: first event %s, want a root run of %s", tt.conf, describe(ev), tt.run)
		}
	}
	// Per request, inside a chain and through the config inherited from
	// the context (as serve passes a request's config).
	chain := runnable.Pipe(alts, lambda("len", func(s string) int { return len(s) }))
	ctx := runnable.ContextWithConfig(t.Context(), runnable.Config{Configurable: map[string]any{"llm": "echo"}})
	if n, err := chain.Invoke(ctx, "abc"); err != nil || n != 3 {
		t.Errorf("chain = %d, %v", n, err)
	}
	specs := runnable.SpecsOf(chain)
	wantSpec := runnable.ConfigSpec{ID: "llm", Name: "LLM", Description: "Which model answers", Default: "fake",
		Schema: runnable.Schema{"type": "string", "enum": []any{"echo", "shouty", "fake"}}}
	if len(specs) != 1 || !reflect.DeepEqual(specs[0], wantSpec) {
		t.Errorf("specs %+v, want %+v", specs, wantSpec)
	}
	if name := runnable.NameOf(alts); name != "fake_model" {
		t.Errorf("name %q", name)
	}

	// Nested: an alternative that is itself configurable contributes its
	// fields.
	_, conf := newGreeter()
	nested := runnable.Alternatives(runnable.ConfigSpec{ID: "which"}, map[string]runnable.Runnable[string, string]{
		"default": conf, "plain": lambda("plain", func(s string) string { return s }),
	})
	var ids []string
	for _, s := range runnable.SpecsOf(nested) {
		ids = append(ids, s.ID)
	}
	if !reflect.DeepEqual(ids, []string{"which", "greeting", "times"}) {
		t.Errorf("nested spec ids %v", ids)
	}
	got, err := nested.Invoke(t.Context(), "ann", runnable.WithConfigurable(map[string]any{"greeting": "yo"}))
	if err != nil || got != "yo ann" {
		t.Errorf("nested = %q, %v", got, err)
	}

	bad := runnable.Alternatives(runnable.ConfigSpec{ID: "x", Default: "missing"}, map[string]runnable.Runnable[string, string]{"a": conf})
	if _, err := bad.Invoke(t.Context(), "s"); err == nil || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("missing default key: %v", err)
	}
}

// schemaful is a runnable that describes its own schemas, as a prompt does.
type schemaful struct {
	runnable.Runnable[string, string]
	title string
}

func (s schemaful) InputSchema(runnable.Config) (runnable.Schema, error) {
	return runnable.Schema{"title": s.title}, nil
}
func (s schemaful) OutputSchema(runnable.Config) (runnable.Schema, error) { return nil, nil }

func TestAlternativesSchemaFollowsTheChoice(t *testing.T) {
	alts := runnable.Alternatives(runnable.ConfigSpec{ID: "p"}, map[string]runnable.Runnable[string, string]{
		"default": schemaful{lambda("a", func(s string) string { return s }), "A"},
		"b":       schemaful{lambda("b", func(s string) string { return s }), "B"},
	})
	sp := alts.(runnable.SchemaProvider)
	for conf, want := range map[string]string{"": "A", "b": "B"} {
		cfg := runnable.Config{}
		if conf != "" {
			cfg.Configurable = map[string]any{"p": conf}
		}
		s, err := sp.InputSchema(cfg)
		if err != nil || s["title"] != want {
			t.Errorf("p=%q: schema %v, %v; want title %s", conf, s, err, want)
		}
	}
	if _, err := sp.InputSchema(runnable.Config{Configurable: map[string]any{"p": "zzz"}}); err == nil {
		t.Error("unknown alternative: no schema error")
	}
}

// TestConfigurableConcurrentRequests runs requests with different values
// at once (under -race this checks the cache's locking); each gets the
// runnable its own values select.
func TestConfigurableConcurrentRequests(t *testing.T) {
	_, r := newGreeter()
	var wg sync.WaitGroup
	errs := make([]error, 32)
	for i := range errs {
		wg.Go(func() {
			word := fmt.Sprintf("w%d", i%5)
			got, err := r.Invoke(t.Context(), "x", runnable.WithConfigurable(map[string]any{"greeting": word}))
			if err == nil && got != word+" x" {
				err = fmt.Errorf("request %d got %q", i, got)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Error(err)
	}
}
