package wire

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestLogStreamSimplest(t *testing.T) {
	// Protocol §16 case 40: the root gets no log entry; its output is the
	// streamed_output / final_output pair.
	id := uuid.MustParse("00000000-0000-0000-0000-000000000001")
	patches, err := logOf(t, Filter{}, addOne(), 1, runnable.WithRunName("/add_one"), runnable.WithRunID(id))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"ops":[{"op":"replace","path":"","value":{"id":"00000000-0000-0000-0000-000000000001","streamed_output":[],"final_output":null,"logs":{},"name":"/add_one","type":"chain"}}]}`,
		`{"ops":[{"op":"add","path":"/streamed_output/-","value":2},{"op":"replace","path":"/final_output","value":2}]}`,
	}
	if d := diffLines(want, patches); d != "" {
		t.Error(d)
	}
}

func TestLogStreamDuplicateNames(t *testing.T) {
	// Protocol §16 case 42: the second run of a name is logged as "name:2".
	f := func() runnable.Runnable[int, int] {
		return runnable.Lambda("f", func(_ context.Context, x int) (int, error) { return x + 1, nil })
	}
	patches, err := logOf(t, Filter{}, runnable.Pipe3(f(), f(), f()), 1)
	if err != nil {
		t.Fatal(err)
	}
	s := state(t, patches)
	if got := logKeys(s); !slices.Equal(got, []string{"f", "f:2", "f:3"}) {
		t.Fatalf("log keys = %v", got)
	}
	logs := s["logs"].(map[string]any)
	for key, want := range map[string]float64{"f": 2, "f:2": 3, "f:3": 4} {
		entry := logs[key].(map[string]any)
		if out := entry["final_output"].(map[string]any)["output"]; out != want {
			t.Errorf("%s final_output = %v, want {output: %v}", key, out, want)
		}
		if entry["end_time"] == nil {
			t.Errorf("%s has no end_time", key)
		}
		if got := entry["streamed_output"].([]any); len(got) != 1 || got[0] != want {
			t.Errorf("%s streamed_output = %v", key, got)
		}
	}
	if s["final_output"] != float64(4) || !reflect.DeepEqual(s["streamed_output"], []any{float64(4)}) {
		t.Errorf("root state = %v", s)
	}
}

func TestLogStreamFilter(t *testing.T) {
	// Protocol §5.3 and §16 case 41 on add_one | mul_two.
	for _, tt := range []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"none", Filter{}, []string{"add_one", "mul_two"}},
		{"include name", Filter{IncludeNames: []string{"add_one"}}, []string{"add_one"}},
		{"empty include list matches nothing", Filter{IncludeNames: []string{}}, []string{}},
		{"include type", Filter{IncludeTypes: []string{"chain"}}, []string{"add_one", "mul_two"}},
		{"include tag", Filter{IncludeTags: []string{"seq:step:2"}}, []string{"mul_two"}},
		{"includes are united", Filter{IncludeNames: []string{"add_one"}, IncludeTags: []string{"seq:step:2"}}, []string{"add_one", "mul_two"}},
		{"exclude name", Filter{ExcludeNames: []string{"add_one"}}, []string{"mul_two"}},
		{"exclude type", Filter{ExcludeTypes: []string{"chain"}}, []string{}},
		{"exclude tag", Filter{ExcludeTags: []string{"seq:step:1"}}, []string{"mul_two"}},
		{"exclude wins", Filter{IncludeNames: []string{"add_one"}, ExcludeTags: []string{"seq:step:1"}}, []string{}},
		{"root is never filtered", Filter{IncludeNames: []string{"nothing"}}, []string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			patches, err := logOf(t, tt.filter, runnable.Pipe(addOne(), mulTwo()), 1)
			if err != nil {
				t.Fatal(err)
			}
			s := state(t, patches)
			if got := logKeys(s); !slices.Equal(got, tt.want) {
				t.Errorf("log keys = %v, want %v", got, tt.want)
			}
			if s["final_output"] != float64(4) || s["name"] != "RunnableSequence" {
				t.Errorf("root state = %v", s)
			}
		})
	}
}

func TestLogStreamChatModelType(t *testing.T) {
	// stream_log reports chat models as type "llm", so include_types
	// ["chat_model"] matches nothing (chat__stream_log_include_types) and
	// ["llm"] matches the model.
	chain := runnable.Pipe(chatmodel.Fake("a b"), parser.String())
	for _, tt := range []struct {
		types []string
		want  []string
	}{
		{[]string{"chat_model"}, []string{}},
		{[]string{"llm"}, []string{"GenericFakeChatModel"}},
		{[]string{"parser", "llm"}, []string{"GenericFakeChatModel", "StrOutputParser"}},
	} {
		patches, err := logOf(t, Filter{IncludeTypes: tt.types}, chain, schema.StringPrompt("hi"))
		if err != nil {
			t.Fatal(err)
		}
		s := state(t, patches)
		if got := logKeys(s); !slices.Equal(got, tt.want) {
			t.Errorf("include_types %v: log keys = %v, want %v", tt.types, got, tt.want)
		}
		if len(tt.want) > 0 && tt.want[0] == "GenericFakeChatModel" {
			entry := s["logs"].(map[string]any)["GenericFakeChatModel"].(map[string]any)
			if entry["type"] != "llm" || !reflect.DeepEqual(entry["streamed_output_str"], []any{"a", " ", "b"}) {
				t.Errorf("model entry = %v", entry)
			}
		}
	}
}

func TestLogStreamRunTypes(t *testing.T) {
	// final_output by run type, in LangChain's original tracer schema.
	docs := []schema.Document{{PageContent: "cats", Metadata: map[string]any{"a": "b"}}}
	retriever := runnable.NewInvoker(runnable.Info{Name: "Docs", Type: runnable.RetrieverRun},
		func(context.Context, string) ([]schema.Document, error) { return docs, nil })
	tool := runnable.NewLambda(runnable.Info{Name: "count", Type: runnable.ToolRun},
		func(_ context.Context, d []schema.Document) (int, error) { return len(d), nil })
	dict := runnable.Lambda("dict", func(_ context.Context, n int) (map[string]any, error) { return map[string]any{"n": n}, nil })
	strct := runnable.Lambda("struct", func(_ context.Context, m map[string]any) (typedOut, error) {
		return typedOut{Greeting: "hi", Length: 2}, nil
	})
	chatInvoke := runnable.Lambda("ask", func(ctx context.Context, o typedOut) (schema.Message, error) {
		return chatmodel.Fake("yes").Invoke(ctx, schema.StringPrompt(o.Greeting))
	})
	chain := runnable.Pipe5(retriever, tool, dict, strct, chatInvoke)
	patches, err := logOf(t, Filter{}, chain, "q")
	if err != nil {
		t.Fatal(err)
	}
	logs := state(t, patches)["logs"].(map[string]any)
	final := func(key string) string {
		entry, ok := logs[key].(map[string]any)
		if !ok {
			t.Fatalf("no log %q in %v", key, logs)
		}
		b, _ := Marshal(entry["final_output"])
		return messageIDRE.ReplaceAllString(string(b), `"<msgid>"`)
	}
	for key, want := range map[string]string{
		"Docs":   `{"documents":[{"id":null,"metadata":{"a":"b"},"page_content":"cats","type":"Document"}]}`,
		"count":  `{"output":1}`,
		"dict":   `{"n":1}`,
		"struct": `{"greeting":"hi","length":2}`,
		"ask":    `{"output":{"additional_kwargs":{},"content":"yes","example":false,"id":"<msgid>","invalid_tool_calls":[],"name":null,"response_metadata":{},"tool_calls":[],"type":"ai","usage_metadata":null}}`,
		// An invoked chat model streams under a streaming handler, as in
		// LangChain, and ends with a ChatGeneration holding an AIMessage.
		"GenericFakeChatModel": `{"generations":[[{"generation_info":null,"message":{"additional_kwargs":{},"content":"yes","example":false,"id":"<msgid>","invalid_tool_calls":[],"name":null,"response_metadata":{},"tool_calls":[],"type":"ai","usage_metadata":null},"text":"yes","type":"ChatGeneration"}]],"llm_output":null,"run":null,"type":"LLMResult"}`,
	} {
		if got := final(key); got != want {
			t.Errorf("%s final_output:\n got %s\nwant %s", key, got, want)
		}
	}
	if typ := logs["Docs"].(map[string]any)["type"]; typ != "retriever" {
		t.Errorf("retriever type = %v", typ)
	}
}

// chunks is a generator yielding fixed chunks, whatever its input.
func chunks(name string, out ...any) runnable.Runnable[int, any] {
	return runnable.Generator(name, func(_ context.Context, in iter.Seq2[int, error]) iter.Seq2[any, error] {
		return func(yield func(any, error) bool) {
			for _, err := range in {
				if err != nil {
					yield(nil, err)
					return
				}
			}
			for _, c := range out {
				if !yield(c, nil) {
					return
				}
			}
		}
	})
}

func TestLogStreamFinalOutputPatches(t *testing.T) {
	// final_output follows the running aggregate with python-jsonpatch's
	// diff: dicts key by key, lists index by index, other values whole.
	for _, tt := range []struct {
		name   string
		chunks []any
		want   []string
	}{
		{"strings", []any{"a", "", "b"}, []string{
			`[{"op":"add","path":"/streamed_output/-","value":"a"},{"op":"replace","path":"/final_output","value":"a"}]`,
			`[{"op":"add","path":"/streamed_output/-","value":""}]`,
			`[{"op":"add","path":"/streamed_output/-","value":"b"},{"op":"replace","path":"/final_output","value":"ab"}]`,
		}},
		{"dicts", []any{
			map[string]any{"answer": "Bon"},
			map[string]any{"answer": "jour"},
			map[string]any{"docs": []any{"d1"}},
			map[string]any{"docs": []any{"d2"}, "a/b": 1},
		}, []string{
			`[{"op":"add","path":"/streamed_output/-","value":{"answer":"Bon"}},{"op":"replace","path":"/final_output","value":{"answer":"Bon"}}]`,
			`[{"op":"add","path":"/streamed_output/-","value":{"answer":"jour"}},{"op":"replace","path":"/final_output/answer","value":"Bonjour"}]`,
			`[{"op":"add","path":"/streamed_output/-","value":{"docs":["d1"]}},{"op":"add","path":"/final_output/docs","value":["d1"]}]`,
			`[{"op":"add","path":"/streamed_output/-","value":{"a/b":1,"docs":["d2"]}},{"op":"add","path":"/final_output/a~1b","value":1},{"op":"add","path":"/final_output/docs/1","value":"d2"}]`,
		}},
		{"chunks that cannot be added replace the aggregate", []any{map[string]any{"a": 1}, "x", 2}, []string{
			`[{"op":"add","path":"/streamed_output/-","value":{"a":1}},{"op":"replace","path":"/final_output","value":{"a":1}}]`,
			`[{"op":"add","path":"/streamed_output/-","value":"x"},{"op":"replace","path":"/final_output","value":"x"}]`,
			`[{"op":"add","path":"/streamed_output/-","value":2},{"op":"replace","path":"/final_output","value":2}]`,
		}},
		{"messages are replaced whole", []any{schema.AIChunk("a"), schema.AIChunk("b")}, []string{
			`[{"op":"add","path":"/streamed_output/-","value":{"content":"a","additional_kwargs":{},"response_metadata":{},"type":"AIMessageChunk","name":null,"id":null,"example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null,"tool_call_chunks":[]}},{"op":"replace","path":"/final_output","value":{"content":"a","additional_kwargs":{},"response_metadata":{},"type":"AIMessageChunk","name":null,"id":null,"example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null,"tool_call_chunks":[]}}]`,
			`[{"op":"add","path":"/streamed_output/-","value":{"content":"b","additional_kwargs":{},"response_metadata":{},"type":"AIMessageChunk","name":null,"id":null,"example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null,"tool_call_chunks":[]}},{"op":"replace","path":"/final_output","value":{"content":"ab","additional_kwargs":{},"response_metadata":{},"type":"AIMessageChunk","name":null,"id":null,"example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null,"tool_call_chunks":[]}}]`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			patches, err := logOf(t, Filter{}, chunks("gen", tt.chunks...), 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range patches[1:] {
				got = append(got, strings.TrimSuffix(strings.TrimPrefix(p, `{"ops":`), "}"))
			}
			if d := diffLines(tt.want, got); d != "" {
				t.Error(d)
			}
			// The patches must rebuild the aggregate a client expects.
			s := state(t, patches)
			if len(s["streamed_output"].([]any)) != len(tt.chunks) {
				t.Errorf("streamed_output = %v", s["streamed_output"])
			}
		})
	}
}

func TestDiff(t *testing.T) {
	for _, tt := range []struct {
		name       string
		prev, next any
		want       string
	}{
		{"equal", map[string]any{"a": 1}, map[string]any{"a": 1}, `[]`},
		{"removed key", map[string]any{"a": 1, "b": 2}, map[string]any{"b": 2}, `[{"op":"remove","path":"/f/a"}]`},
		{"nested", map[string]any{"a": map[string]any{"x": "1"}}, map[string]any{"a": map[string]any{"x": "12", "y": nil}},
			`[{"op":"add","path":"/f/a/y","value":null},{"op":"replace","path":"/f/a/x","value":"12"}]`},
		{"shorter list", []any{1, 2, 3}, []any{1}, `[{"op":"remove","path":"/f/1"},{"op":"remove","path":"/f/1"}]`},
		{"changed item", []any{1, true}, []any{1, 1}, `[{"op":"replace","path":"/f/1","value":1}]`},
		{"type change", map[string]any{"a": 1}, []any{1}, `[{"op":"replace","path":"/f","value":[1]}]`},
		{"from null", nil, "x", `[{"op":"replace","path":"/f","value":"x"}]`},
		{"escaped keys", map[string]any{}, map[string]any{"~/": 1}, `[{"op":"add","path":"/f/~0~1","value":1}]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ops, err := diff(nil, "/f", tt.prev, tt.next)
			if err != nil {
				t.Fatal(err)
			}
			b, err := appendPatch(nil, ops)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSuffix(strings.TrimPrefix(string(b), `{"ops":`), "}")
			if got != tt.want {
				t.Errorf("diff = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestLogStreamSubRunError(t *testing.T) {
	// A failed sub-run still gets its final_output (null) and end_time, as
	// LangChain's tracer ends errored runs; the root's failure is left to
	// serve's SSE error event.
	boom := errors.New("boom")
	fail := runnable.Lambda("fail", func(context.Context, int) (int, error) { return 0, boom })
	patches, err := logOf(t, Filter{}, runnable.Pipe(addOne(), fail), 1)
	if !errors.Is(err, boom) {
		t.Fatalf("stream error = %v", err)
	}
	s := state(t, patches)
	entry := s["logs"].(map[string]any)["fail"].(map[string]any)
	if entry["final_output"] != nil || entry["end_time"] == nil {
		t.Errorf("failed entry = %v", entry)
	}
	if s["final_output"] != nil || len(s["streamed_output"].([]any)) != 0 {
		t.Errorf("root state = %v", s)
	}
}

func TestLogStreamPointerEscaping(t *testing.T) {
	// A run name with "/" or "~" still yields a valid JSON Pointer (LangChain
	// writes the name unescaped, which breaks clients' patching).
	odd := runnable.Lambda("a/b~c", func(_ context.Context, x int) (int, error) { return x, nil })
	patches, err := logOf(t, Filter{}, runnable.Pipe(odd, odd), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(patches[1], `"path":"/logs/a~1b~0c"`) {
		t.Errorf("patch = %s", patches[1])
	}
	if got := logKeys(state(t, patches)); !slices.Equal(got, []string{"a/b~c", "a/b~c:2"}) {
		t.Errorf("log keys = %v", got)
	}
}

func TestLogStreamConcurrentRuns(t *testing.T) {
	// Runs started from several goroutines: events arrive concurrently and
	// every run still gets its entry, output and end in a valid order.
	const n = 8
	leaf := runnable.Lambda("leaf", func(_ context.Context, x int) (int, error) { return x * 10, nil })
	fan := runnable.Lambda("fan", func(ctx context.Context, x int) (int, error) {
		var wg sync.WaitGroup
		sums := make([]int, n)
		for i := range n {
			wg.Go(func() {
				for v, err := range leaf.Stream(ctx, i) {
					if err == nil {
						sums[i] = v
					}
				}
			})
		}
		wg.Wait()
		total := 0
		for _, s := range sums {
			total += s
		}
		return total, nil
	})
	patches, err := logOf(t, Filter{}, fan, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := state(t, patches)
	want := []string{"leaf"}
	for i := 2; i <= n; i++ {
		want = append(want, fmt.Sprintf("leaf:%d", i))
	}
	slices.Sort(want)
	if got := logKeys(s); !slices.Equal(got, want) {
		t.Fatalf("log keys = %v", got)
	}
	seen := map[float64]bool{}
	for _, e := range s["logs"].(map[string]any) {
		entry := e.(map[string]any)
		seen[entry["final_output"].(map[string]any)["output"].(float64)] = true
		if entry["end_time"] == nil || len(entry["streamed_output"].([]any)) != 1 {
			t.Errorf("entry = %v", entry)
		}
	}
	if len(seen) != n || s["final_output"] != float64(280) {
		t.Errorf("outputs %v, final %v", seen, s["final_output"])
	}
}

func TestLogStreamParallelModels(t *testing.T) {
	// Two chat models streaming side by side under a RunnableParallel: the
	// second gets the key "GenericFakeChatModel:2", and the root's dict
	// chunks patch final_output key by key.
	par := runnable.Parallel(map[string]runnable.Runnable[schema.PromptValue, any]{
		"a": runnable.AsAny(chatmodel.Fake("one two")),
		"b": runnable.AsAny(chatmodel.Fake("three four five")),
	})
	patches, err := logOf(t, Filter{}, par, schema.StringPrompt("hi"))
	if err != nil {
		t.Fatal(err)
	}
	s := state(t, patches)
	if got := logKeys(s); !slices.Equal(got, []string{"GenericFakeChatModel", "GenericFakeChatModel:2"}) {
		t.Fatalf("log keys = %v", got)
	}
	texts := map[string]bool{}
	for _, e := range s["logs"].(map[string]any) {
		entry := e.(map[string]any)
		var text string
		for _, tok := range entry["streamed_output_str"].([]any) {
			text += tok.(string)
		}
		texts[text] = true
		gen := entry["final_output"].(map[string]any)["generations"].([]any)[0].([]any)[0].(map[string]any)
		if gen["text"] != text || gen["type"] != "ChatGenerationChunk" {
			t.Errorf("generation %v for streamed %q", gen, text)
		}
	}
	if !texts["one two"] || !texts["three four five"] {
		t.Errorf("streamed texts = %v", texts)
	}
	final := s["final_output"].(map[string]any)
	for key, want := range map[string]string{"a": "one two", "b": "three four five"} {
		if msg := final[key].(map[string]any); msg["content"] != want || msg["type"] != "AIMessageChunk" {
			t.Errorf("final_output[%s] = %v", key, msg)
		}
	}
}

func TestLogStreamErrors(t *testing.T) {
	t.Run("emit error stops the stream", func(t *testing.T) {
		stop := errors.New("client gone")
		calls := 0
		ls := NewLogStream(Filter{}, func([]byte) error { calls++; return stop })
		for v, err := range runnable.Pipe(addOne(), mulTwo()).Stream(t.Context(), 1, runnable.WithCallbacks(ls)) {
			if err != nil {
				t.Fatal(err)
			}
			ls.Output(v)
		}
		if !errors.Is(ls.Err(), stop) || calls != 1 {
			t.Errorf("Err() = %v after %d emits", ls.Err(), calls)
		}
	})
	t.Run("unserializable output", func(t *testing.T) {
		bad := runnable.Lambda("bad", func(context.Context, int) (chan int, error) { return make(chan int), nil })
		ls := NewLogStream(Filter{}, func([]byte) error { return nil })
		for v, err := range runnable.Pipe(bad, runnable.Lambda("ok", func(context.Context, chan int) (int, error) { return 1, nil })).
			Stream(t.Context(), 1, runnable.WithCallbacks(ls)) {
			if err != nil {
				t.Fatal(err)
			}
			ls.Output(v)
		}
		if err := ls.Err(); err == nil || !strings.Contains(err.Error(), "cannot serialize") {
			t.Errorf("Err() = %v", err)
		}
	})
	t.Run("unserializable root chunk", func(t *testing.T) {
		ls := NewLogStream(Filter{}, func([]byte) error { return nil })
		ls.Output(func() {})
		if ls.Err() == nil {
			t.Error("Err() = nil")
		}
	})
}
