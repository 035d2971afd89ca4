package wire

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/schema"
)

// callbackJSON invokes r recording its callback events and returns them
// encoded one per line, with run ids and message ids masked.
func callbackJSON[I, O any](t *testing.T, r runnable.Runnable[I, O], in I, opts ...runnable.Option) ([]string, error) {
	t.Helper()
	c := NewCallbackEvents()
	_, err := r.Invoke(t.Context(), in, append(opts, runnable.WithCallbacks(c))...)
	var out []string
	m := masker{}
	for _, ev := range c.JSON() {
		b, merr := Marshal(ev)
		if merr != nil {
			t.Fatal(merr)
		}
		out = append(out, m.mask(string(b)))
	}
	return out, err
}

func TestCallbackEventsLambda(t *testing.T) {
	// Protocol §6.1: add_one with include_callback_events.
	md := map[string]any{"__langserve_endpoint": "invoke", "__langserve_version": "0.3.3"}
	got, err := callbackJSON(t, addOne(), 1, runnable.WithMetadata(md),
		runnable.WithRunID(uuid.MustParse("6d4c0000-0000-4000-8000-000000000000")))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"run_id":"<id1>","parent_run_id":null,"tags":[],"metadata":{"__langserve_endpoint":"invoke","__langserve_version":"0.3.3"},"serialized":null,"inputs":1,"kwargs":{"name":"add_one","run_type":null},"type":"on_chain_start"}`,
		`{"run_id":"<id1>","parent_run_id":null,"tags":[],"metadata":null,"outputs":2,"kwargs":{},"type":"on_chain_end"}`,
	}
	if d := diffLines(want, got); d != "" {
		t.Error(d)
	}
}

func TestCallbackEventsChat(t *testing.T) {
	chain := runnable.Pipe3(translatePrompt(), chatmodel.Fake("Bonjour"), parser.String())
	got, err := callbackJSON(t, chain, map[string]any{"language": "French", "text": "hello"})
	if err != nil {
		t.Fatal(err)
	}
	human := `{"content":"Translate to French: hello","additional_kwargs":{},"response_metadata":{},"type":"human","name":null,"id":null,"example":false}`
	ai := `{"content":"Bonjour","additional_kwargs":{},"response_metadata":{},"type":"ai","name":null,"id":"<msgid>","example":false,"tool_calls":[],"invalid_tool_calls":[],"usage_metadata":null}`
	want := []string{
		`{"run_id":"<id1>","parent_run_id":null,"tags":[],"metadata":{},"serialized":null,"inputs":{"language":"French","text":"hello"},"kwargs":{"name":"RunnableSequence","run_type":null},"type":"on_chain_start"}`,
		`{"run_id":"<id2>","parent_run_id":"<id1>","tags":["seq:step:1"],"metadata":{},"serialized":null,"inputs":{"language":"French","text":"hello"},"kwargs":{"name":"ChatPromptTemplate","run_type":"prompt"},"type":"on_chain_start"}`,
		`{"run_id":"<id2>","parent_run_id":"<id1>","tags":["seq:step:1"],"metadata":null,"outputs":{"messages":[{"content":"Translate to French: hello","additional_kwargs":{},"response_metadata":{},"type":"human","name":null,"id":null}]},"kwargs":{},"type":"on_chain_end"}`,
		`{"run_id":"<id3>","parent_run_id":"<id1>","tags":["seq:step:2"],"metadata":{"ls_model_type":"chat","ls_provider":"genericfakechatmodel"},"serialized":null,"messages":[[` + human + `]],"kwargs":{"name":"GenericFakeChatModel"},"type":"on_chat_model_start"}`,
		`{"run_id":"<id3>","parent_run_id":"<id1>","tags":["seq:step:2"],"metadata":null,"response":{"generations":[[{"text":"Bonjour","generation_info":null,"type":"ChatGeneration","message":` + ai + `}]],"llm_output":null,"run":null,"type":"LLMResult"},"kwargs":{},"type":"on_llm_end"}`,
		`{"run_id":"<id4>","parent_run_id":"<id1>","tags":["seq:step:3"],"metadata":{},"serialized":null,"inputs":` + ai + `,"kwargs":{"name":"StrOutputParser","run_type":"parser"},"type":"on_chain_start"}`,
		`{"run_id":"<id4>","parent_run_id":"<id1>","tags":["seq:step:3"],"metadata":null,"outputs":"Bonjour","kwargs":{},"type":"on_chain_end"}`,
		`{"run_id":"<id1>","parent_run_id":null,"tags":[],"metadata":null,"outputs":"Bonjour","kwargs":{},"type":"on_chain_end"}`,
	}
	if d := diffLines(want, got); d != "" {
		t.Error(d)
	}
}

func TestCallbackEventsErrors(t *testing.T) {
	boom := errors.New("secret detail")
	tool := runnable.NewLambda(runnable.Info{Name: "search", Type: runnable.ToolRun},
		func(_ context.Context, q map[string]any) (string, error) { return "", boom })
	retriever := runnable.NewInvoker(runnable.Info{Name: "Docs", Type: runnable.RetrieverRun},
		func(context.Context, string) ([]schema.Document, error) {
			return []schema.Document{{PageContent: "d"}}, nil
		})
	toQuery := runnable.Lambda("query", func(_ context.Context, d []schema.Document) (map[string]any, error) {
		return map[string]any{"q": d[0].PageContent}, nil
	})
	got, err := callbackJSON(t, runnable.Pipe3(retriever, toQuery, tool), "cats")
	if !errors.Is(err, boom) {
		t.Fatalf("Invoke error = %v", err)
	}
	joined := strings.Join(got, "\n")
	if strings.Contains(joined, "secret") {
		t.Errorf("error detail leaked:\n%s", joined)
	}
	want := []string{
		`{"run_id":"<id1>","parent_run_id":null,"tags":[],"metadata":{},"serialized":null,"inputs":"cats","kwargs":{"name":"RunnableSequence","run_type":null},"type":"on_chain_start"}`,
		`{"run_id":"<id2>","parent_run_id":"<id1>","tags":["seq:step:1"],"metadata":{},"serialized":null,"query":"cats","kwargs":{"name":"Docs"},"type":"on_retriever_start"}`,
		`{"run_id":"<id2>","parent_run_id":"<id1>","tags":["seq:step:1"],"metadata":null,"documents":[{"id":null,"metadata":{},"page_content":"d","type":"Document"}],"kwargs":{},"type":"on_retriever_end"}`,
		`{"run_id":"<id3>","parent_run_id":"<id1>","tags":["seq:step:2"],"metadata":{},"serialized":null,"inputs":[{"id":null,"metadata":{},"page_content":"d","type":"Document"}],"kwargs":{"name":"query","run_type":null},"type":"on_chain_start"}`,
		`{"run_id":"<id3>","parent_run_id":"<id1>","tags":["seq:step:2"],"metadata":null,"outputs":{"q":"d"},"kwargs":{},"type":"on_chain_end"}`,
		`{"run_id":"<id4>","parent_run_id":"<id1>","tags":["seq:step:3"],"metadata":{},"serialized":null,"input_str":"{\"q\":\"d\"}","kwargs":{"name":"search","inputs":{"q":"d"}},"type":"on_tool_start"}`,
		`{"error":{"status_code":500,"message":"Internal Server Error","type":"error"},"kwargs":{},"type":"on_tool_error"}`,
		`{"run_id":"<id1>","parent_run_id":null,"tags":[],"metadata":null,"error":{"status_code":500,"message":"Internal Server Error","type":"error"},"kwargs":{},"type":"on_chain_error"}`,
	}
	if d := diffLines(want, got); d != "" {
		t.Error(d)
	}
}

func TestCallbackEventsBatch(t *testing.T) {
	// One recorder shared by concurrent runs (Batch) under -race: every
	// run's start and end are recorded.
	c := NewCallbackEvents()
	outs, err := addOne().Batch(t.Context(), []int{1, 2, 3, 4}, runnable.WithCallbacks(c), runnable.WithMaxConcurrency(4))
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 4 {
		t.Fatalf("outputs = %v", outs)
	}
	starts, ends := 0, 0
	for _, ev := range c.JSON() {
		b, err := Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.Contains(string(b), `"type":"on_chain_start"`):
			starts++
		case strings.Contains(string(b), `"type":"on_chain_end"`):
			ends++
		}
	}
	if starts != 4 || ends != 4 {
		t.Errorf("%d starts, %d ends", starts, ends)
	}
}

func TestCallbackEventsUnserializable(t *testing.T) {
	// The events keep the values; serializing a bad one fails, which serve
	// turns into a 500 as LangServe does.
	bad := runnable.Lambda("bad", func(context.Context, int) (chan int, error) { return make(chan int), nil })
	c := NewCallbackEvents()
	if _, err := bad.Invoke(t.Context(), 1, runnable.WithCallbacks(c)); err != nil {
		t.Fatal(err)
	}
	if _, err := Marshal(c.JSON()); err == nil {
		t.Error("Marshal of a channel output succeeded")
	}
}
