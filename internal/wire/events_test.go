package wire

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestEventStreamSequence(t *testing.T) {
	// Protocol §7.5 and §16 case 44: add_one | mul_two, input 1.
	events, err := eventsOf(t, "v2", Filter{}, runnable.Pipe(addOne(), mulTwo()), 1,
		runnable.WithMetadata(map[string]any{"__langserve_endpoint": "stream_events", "user": "u"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`on_chain_start RunnableSequence {"input":1} []`,
		`on_chain_start add_one {} ["seq:step:1"]`,
		`on_chain_stream add_one {"chunk":2} ["seq:step:1"]`,
		`on_chain_start mul_two {} ["seq:step:2"]`,
		`on_chain_end add_one {"input":1,"output":2} ["seq:step:1"]`,
		`on_chain_stream mul_two {"chunk":4} ["seq:step:2"]`,
		`on_chain_stream RunnableSequence {"chunk":4} []`,
		`on_chain_end mul_two {"input":2,"output":4} ["seq:step:2"]`,
		`on_chain_end RunnableSequence {"output":4} []`,
	}
	if d := diffLines(want, briefs(events)); d != "" {
		t.Fatal(d)
	}
	root := events[0]["run_id"].(string)
	for _, ev := range events {
		if !reflect.DeepEqual(ev["metadata"], map[string]any{"user": "u"}) {
			t.Errorf("%s metadata = %v, want the __ keys removed", brief(ev), ev["metadata"])
		}
		parents := ev["parent_ids"].([]any)
		if ev["run_id"] == root {
			if len(parents) != 0 {
				t.Errorf("root parent_ids = %v", parents)
			}
		} else if len(parents) != 1 || parents[0] != root {
			t.Errorf("%s parent_ids = %v, want [%s]", brief(ev), parents, root)
		}
	}
}

func TestEventStreamV1Sequence(t *testing.T) {
	events, err := eventsOf(t, "v1", Filter{}, runnable.Pipe(addOne(), mulTwo()), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`on_chain_start RunnableSequence {"input":1} []`,
		`on_chain_start add_one {} ["seq:step:1"]`,
		`on_chain_stream add_one {"chunk":2} ["seq:step:1"]`,
		`on_chain_start mul_two {} ["seq:step:2"]`,
		`on_chain_end add_one {"input":1,"output":2} ["seq:step:1"]`,
		`on_chain_stream mul_two {"chunk":4} ["seq:step:2"]`,
		`on_chain_stream RunnableSequence {"chunk":4} []`,
		`on_chain_end mul_two {"input":2,"output":4} ["seq:step:2"]`,
		`on_chain_end RunnableSequence {"output":4} []`,
	}
	if d := diffLines(want, briefs(events)); d != "" {
		t.Fatal(d)
	}
	for _, ev := range events {
		if len(ev["parent_ids"].([]any)) != 0 {
			t.Errorf("v1 %s has parent_ids %v", brief(ev), ev["parent_ids"])
		}
	}
}

func TestEventStreamFilter(t *testing.T) {
	chain := runnable.Pipe(addOne(), mulTwo())
	for _, tt := range []struct {
		name    string
		version string
		filter  Filter
		want    []string
	}{
		{
			// The first event sent carries the request input even when it
			// is not the root's, and the end of that run drops its input.
			"v2 include name", "v2", Filter{IncludeNames: []string{"mul_two"}}, []string{
				`on_chain_start mul_two {"input":1} ["seq:step:2"]`,
				`on_chain_stream mul_two {"chunk":4} ["seq:step:2"]`,
				`on_chain_end mul_two {"output":4} ["seq:step:2"]`,
			},
		},
		{"v2 exclude tag", "v2", Filter{ExcludeTags: []string{"seq:step:1", "seq:step:2"}}, []string{
			`on_chain_start RunnableSequence {"input":1} []`,
			`on_chain_stream RunnableSequence {"chunk":4} []`,
			`on_chain_end RunnableSequence {"output":4} []`,
		}},
		{"v2 empty include list", "v2", Filter{IncludeTypes: []string{}}, nil},
		{"v1 include tag", "v1", Filter{IncludeTags: []string{"seq:step:1"}}, []string{
			`on_chain_start add_one {} ["seq:step:1"]`,
			`on_chain_stream add_one {"chunk":2} ["seq:step:1"]`,
			`on_chain_end add_one {"input":1,"output":2} ["seq:step:1"]`,
		}},
		{"v1 exclude name keeps others", "v1", Filter{ExcludeNames: []string{"RunnableSequence", "add_one"}}, []string{
			`on_chain_start mul_two {} ["seq:step:2"]`,
			`on_chain_stream mul_two {"chunk":4} ["seq:step:2"]`,
			`on_chain_end mul_two {"input":2,"output":4} ["seq:step:2"]`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events, err := eventsOf(t, tt.version, tt.filter, chain, 1)
			if err != nil {
				t.Fatal(err)
			}
			if d := diffLines(tt.want, briefs(events)); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestEventStreamFalsyInput(t *testing.T) {
	// LangChain ends a chain with `inputs or run_info["inputs"] or {}`: a
	// falsy input (0 here) is reported as {}.
	sub := runnable.Lambda("sub", func(_ context.Context, x int) (int, error) { return x - 1, nil })
	events, err := eventsOf(t, "v2", Filter{IncludeNames: []string{"add_one"}}, runnable.Pipe(sub, addOne()), 1)
	if err != nil {
		t.Fatal(err)
	}
	// The first event (add_one's start) gets the request input; its end
	// then drops the input.
	want := []string{
		`on_chain_start add_one {"input":1} ["seq:step:2"]`,
		`on_chain_stream add_one {"chunk":1} ["seq:step:2"]`,
		`on_chain_end add_one {"output":1} ["seq:step:2"]`,
	}
	if d := diffLines(want, briefs(events)); d != "" {
		t.Fatal(d)
	}
	events, err = eventsOf(t, "v2", Filter{}, runnable.Pipe(sub, addOne()), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if ev["event"] == "on_chain_end" && ev["name"] == "add_one" {
			if got, _ := json.Marshal(ev["data"]); string(got) != `{"input":{},"output":1}` {
				t.Errorf("add_one end data = %s", got)
			}
		}
	}
}

func TestEventStreamCustomEvent(t *testing.T) {
	report := runnable.Lambda("report", func(ctx context.Context, x int) (int, error) {
		runnable.DispatchCustomEvent(ctx, "progress", map[string]any{"pct": 50})
		return x, nil
	})
	for _, tt := range []struct {
		version string
		filter  Filter
		want    []string
	}{
		{"v2", Filter{}, []string{
			`on_chain_start report {"input":1} []`,
			`on_custom_event progress {"pct":50} []`,
			`on_chain_stream report {"chunk":1} []`,
			`on_chain_end report {"output":1} []`,
		}},
		// A custom event is filtered with its name standing for its type.
		{"v2", Filter{IncludeTypes: []string{"progress"}}, []string{
			`on_custom_event progress {"input":1,"pct":50} []`,
		}},
		// v1 has no custom events.
		{"v1", Filter{}, []string{
			`on_chain_start report {"input":1} []`,
			`on_chain_stream report {"chunk":1} []`,
			`on_chain_end report {"output":1} []`,
		}},
	} {
		events, err := eventsOf(t, tt.version, tt.filter, report, 1)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffLines(tt.want, briefs(events)); d != "" {
			t.Errorf("%s %+v: %s", tt.version, tt.filter, d)
		}
	}
}

func TestEventStreamFailure(t *testing.T) {
	// v2 reports nothing for a failed run; v1 ends a failed sub-run with a
	// null output, as LangChain's run log does. Neither ends the root.
	boom := errors.New("boom")
	fail := runnable.Lambda("fail", func(context.Context, int) (int, error) { return 0, boom })
	for _, tt := range []struct {
		version string
		want    []string
	}{
		{"v2", []string{
			`on_chain_start RunnableSequence {"input":1} []`,
			`on_chain_start add_one {} ["seq:step:1"]`,
			`on_chain_stream add_one {"chunk":2} ["seq:step:1"]`,
			`on_chain_start fail {} ["seq:step:2"]`,
			`on_chain_end add_one {"input":1,"output":2} ["seq:step:1"]`,
		}},
		{"v1", []string{
			`on_chain_start RunnableSequence {"input":1} []`,
			`on_chain_start add_one {} ["seq:step:1"]`,
			`on_chain_stream add_one {"chunk":2} ["seq:step:1"]`,
			`on_chain_start fail {} ["seq:step:2"]`,
			`on_chain_end add_one {"input":1,"output":2} ["seq:step:1"]`,
			// LangChain would also report the consumed input (2); the run's
			// error event does not carry it.
			`on_chain_end fail {"output":null} ["seq:step:2"]`,
		}},
	} {
		events, err := eventsOf(t, tt.version, Filter{}, runnable.Pipe(addOne(), fail), 1)
		if !errors.Is(err, boom) {
			t.Fatalf("stream error = %v", err)
		}
		if d := diffLines(tt.want, briefs(events)); d != "" {
			t.Errorf("%s: %s", tt.version, d)
		}
	}
}

func TestEventStreamRetriever(t *testing.T) {
	docs := []schema.Document{{PageContent: "cats"}}
	retriever := runnable.NewInvoker(runnable.Info{Name: "Docs", Type: runnable.RetrieverRun},
		func(context.Context, string) ([]schema.Document, error) { return docs, nil })
	count := runnable.Lambda("count", func(_ context.Context, d []schema.Document) (int, error) { return len(d), nil })
	doc := `{"id":null,"metadata":{},"page_content":"cats","type":"Document"}`
	for _, tt := range []struct {
		version string
		want    []string
	}{
		{"v2", []string{
			`on_retriever_start Docs {"input":{"query":"q"}} ["seq:step:1"]`,
			`on_retriever_end Docs {"input":{"query":"q"},"output":[` + doc + `]} ["seq:step:1"]`,
		}},
		{"v1", []string{
			`on_retriever_start Docs {"input":{"query":"q"}} ["seq:step:1"]`,
			`on_retriever_end Docs {"input":{"query":"q"},"output":{"documents":[` + doc + `]}} ["seq:step:1"]`,
		}},
	} {
		events, err := eventsOf(t, tt.version, Filter{IncludeTypes: []string{"retriever"}}, runnable.Pipe(retriever, count), "q")
		if err != nil {
			t.Fatal(err)
		}
		// In v2 the first event's input is the request input, "q" here.
		if tt.version == "v2" {
			tt.want[0] = `on_retriever_start Docs {"input":"q"} ["seq:step:1"]`
			tt.want[1] = `on_retriever_end Docs {"output":[` + doc + `]} ["seq:step:1"]`
		}
		if d := diffLines(tt.want, briefs(events)); d != "" {
			t.Errorf("%s: %s", tt.version, d)
		}
	}
}

func TestEventStreamChatModelRoot(t *testing.T) {
	// A chat model as the root: v2 taps the root's stream (event, run_id,
	// name, tags, metadata, data, parent_ids); a nested model reports
	// tokens with data second.
	var raw []string
	es := NewEventStream("v2", Filter{}, "hi", func(b []byte) error { raw = append(raw, string(b)); return nil })
	for _, err := range chatmodel.Fake("a b").Stream(t.Context(), schema.StringPrompt("hi"), runnable.WithCallbacks(es)) {
		if err != nil {
			t.Fatal(err)
		}
	}
	var kinds []string
	for _, r := range raw {
		ev := decode(t, r).(map[string]any)
		kinds = append(kinds, ev["event"].(string))
		if ev["event"] == "on_chat_model_stream" && !strings.HasPrefix(r, `{"event":"on_chat_model_stream","run_id":`) {
			t.Errorf("root stream event layout: %s", r)
		}
	}
	want := []string{"on_chat_model_start", "on_chat_model_stream", "on_chat_model_stream", "on_chat_model_stream", "on_chat_model_end"}
	if !slices.Equal(kinds, want) {
		t.Errorf("events = %v", kinds)
	}
	if !strings.Contains(raw[0], `"data":{"input":"hi"}`) {
		t.Errorf("root start = %s", raw[0])
	}
	if !strings.Contains(raw[4], `"data":{"output":{"content":"a b",`) || strings.Contains(raw[4], `"input"`) {
		t.Errorf("root end = %s", raw[4])
	}
}

func TestEventStreamV1Root(t *testing.T) {
	// A root that does not stream (a retriever) yields its output as one
	// chunk: v1 reports it as the root's stream event before the end.
	retriever := runnable.NewInvoker(runnable.Info{Name: "Docs", Type: runnable.RetrieverRun},
		func(context.Context, string) ([]schema.Document, error) {
			return []schema.Document{{PageContent: "x"}}, nil
		})
	events, err := eventsOf(t, "v1", Filter{}, retriever, "q")
	if err != nil {
		t.Fatal(err)
	}
	doc := `[{"id":null,"metadata":{},"page_content":"x","type":"Document"}]`
	want := []string{
		`on_retriever_start Docs {"input":"q"} []`,
		`on_retriever_stream Docs {"chunk":` + doc + `} []`,
		`on_retriever_end Docs {"output":` + doc + `} []`,
	}
	if d := diffLines(want, briefs(events)); d != "" {
		t.Error(d)
	}
	// v2 reports no stream event: the run has ended before its output is
	// yielded.
	events, err = eventsOf(t, "v2", Filter{}, retriever, "q")
	if err != nil {
		t.Fatal(err)
	}
	if got := briefs(events); len(got) != 2 {
		t.Errorf("v2 events = %v", got)
	}
}

func TestEventStreamParallelModels(t *testing.T) {
	// Two models streaming at once, under -race: every run's events come
	// start first, end last, and carry the root as parent.
	par := runnable.Parallel(map[string]runnable.Runnable[schema.PromptValue, any]{
		"a": runnable.AsAny(chatmodel.Fake("one two")),
		"b": runnable.AsAny(chatmodel.Fake("three four five")),
	})
	for _, version := range []string{"v1", "v2"} {
		events, err := eventsOf(t, version, Filter{}, par, schema.StringPrompt("hi"))
		if err != nil {
			t.Fatal(err)
		}
		seq := map[string][]string{}
		text := map[string]string{}
		for _, ev := range events {
			id := ev["run_id"].(string)
			kind := ev["event"].(string)
			seq[id] = append(seq[id], kind[strings.LastIndex(kind, "_")+1:])
			if kind == "on_chat_model_stream" {
				text[id] += ev["data"].(map[string]any)["chunk"].(map[string]any)["content"].(string)
			}
		}
		if len(seq) != 3 {
			t.Fatalf("%s: %d runs, want 3", version, len(seq))
		}
		for id, s := range seq {
			if s[0] != "start" || s[len(s)-1] != "end" {
				t.Errorf("%s run %s: %v", version, id, s)
			}
		}
		var got []string
		for _, s := range text {
			got = append(got, s)
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"one two", "three four five"}) {
			t.Errorf("%s streamed texts = %q", version, got)
		}
	}
}

func TestEventStreamErrors(t *testing.T) {
	t.Run("unknown version", func(t *testing.T) {
		calls := 0
		es := NewEventStream("v3", Filter{}, 1, func([]byte) error { calls++; return nil })
		for _, err := range addOne().Stream(t.Context(), 1, runnable.WithCallbacks(es)) {
			if err != nil {
				t.Fatal(err)
			}
		}
		if es.Err() == nil || calls != 0 {
			t.Errorf("Err() = %v, %d events", es.Err(), calls)
		}
	})
	t.Run("emit error", func(t *testing.T) {
		stop := errors.New("client gone")
		calls := 0
		es := NewEventStream("v2", Filter{}, 1, func([]byte) error { calls++; return stop })
		for _, err := range runnable.Pipe(addOne(), mulTwo()).Stream(t.Context(), 1, runnable.WithCallbacks(es)) {
			if err != nil {
				t.Fatal(err)
			}
		}
		if !errors.Is(es.Err(), stop) || calls != 1 {
			t.Errorf("Err() = %v after %d events", es.Err(), calls)
		}
	})
	t.Run("unserializable value", func(t *testing.T) {
		// Protocol §16 case 47: the stream must end with an error.
		bad := runnable.Lambda("bad", func(context.Context, int) (func(), error) { return func() {}, nil })
		es := NewEventStream("v2", Filter{}, 1, func([]byte) error { return nil })
		for _, err := range bad.Stream(t.Context(), 1, runnable.WithCallbacks(es)) {
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := es.Err(); err == nil || !strings.Contains(err.Error(), "cannot serialize") {
			t.Errorf("Err() = %v", err)
		}
	})
}
