package client_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/langserve-go/langserve/client"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// TestPythonClientRequests sends every request the Python RemoteRunnable
// sent in the recorded session (testdata/clients__py_requests_raw.txt) and
// checks that the Go client puts the same bytes on the wire. The one
// deliberate difference: a batch whose inputs all have the same config
// carries it once instead of once per input.
func TestPythonClientRequests(t *testing.T) {
	var (
		mu      sync.Mutex
		got     []*http.Request
		gotBody []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, gotBody = append(got, r), append(gotBody, string(b))
		mu.Unlock()
		switch path.Base(r.URL.Path) {
		case "invoke":
			io.WriteString(w, `{"output":null}`)
		case "batch":
			var req struct{ Inputs []any }
			json.Unmarshal(b, &req)
			out, _ := json.Marshal(map[string]any{"output": make([]any, len(req.Inputs))})
			w.Write(out)
		default:
			w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
			io.WriteString(w, "event: end\r\n\r\n")
		}
	}))
	defer srv.Close()

	for i, want := range readRequests(t, "clients__py_requests_raw.txt") {
		base, endpoint := path.Split(want.URL.Path)
		t.Run(fmt.Sprintf("%d%s", i+1, want.URL.Path), func(t *testing.T) {
			wantBody, _ := io.ReadAll(want.Body)
			var req struct {
				Input  any
				Inputs []any
				Config json.RawMessage
			}
			if err := json.Unmarshal(wantBody, &req); err != nil {
				t.Fatal(err)
			}
			remote, err := client.New[any, any](srv.URL+base, &client.Options{HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			switch endpoint {
			case "invoke":
				_, err = remote.Invoke(ctx, req.Input)
			case "batch":
				var cfgs []json.RawMessage
				if err := json.Unmarshal(req.Config, &cfgs); err != nil {
					t.Fatal(err)
				}
				configs := make([]runnable.Config, len(cfgs))
				same := true
				for i, c := range cfgs {
					if err := json.Unmarshal(c, &configs[i]); err != nil {
						t.Fatal(err)
					}
					same = same && string(c) == string(cfgs[0])
				}
				if same {
					_, err = remote.Batch(ctx, req.Inputs)
					inputs, _ := json.Marshal(req.Inputs)
					wantBody = fmt.Appendf(nil, `{"inputs":%s,"config":%s,"kwargs":{}}`, inputs, cfgs[0])
				} else {
					_, err = remote.BatchConfigs(ctx, req.Inputs, configs)
				}
			case "stream":
				_, err = runnable.Collect(remote.Stream(ctx, req.Input))
			case "stream_log":
				for _, e := range remote.StreamLog(ctx, req.Input, nil) {
					err = e
				}
			case "stream_events":
				for _, e := range remote.StreamEvents(ctx, req.Input, nil) {
					err = e
				}
			default:
				t.Fatalf("unexpected endpoint %q", endpoint)
			}
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			r, body := got[len(got)-1], gotBody[len(gotBody)-1]
			mu.Unlock()
			if r.URL.Path != want.URL.Path {
				t.Errorf("path %q, want %q", r.URL.Path, want.URL.Path)
			}
			if body != string(wantBody) {
				t.Errorf("body\n got %s\nwant %s", body, wantBody)
			}
			for _, h := range []string{"Content-Type", "Cache-Control"} {
				if g, w := r.Header.Get(h), want.Header.Get(h); g != w {
					t.Errorf("%s %q, want %q", h, g, w)
				}
			}
			if strings.HasPrefix(endpoint, "stream") && r.Header.Get("Accept") != "text/event-stream" {
				t.Errorf("Accept %q on a stream", r.Header.Get("Accept"))
			}
		})
	}
}

// pyOutput returns what the Python client printed for label in the
// recorded session.
func pyOutput(t *testing.T, label string) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/clients__py_output.txt")
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(l, label+": "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %q in the Python client output", label)
	return ""
}

func TestRecordedStream(t *testing.T) {
	srv, rp := serveRecorded(t, "chat__stream")
	remote, err := client.New[map[string]any, string](srv.URL+"/chat", &client.Options{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for chunk, err := range remote.Stream(t.Context(), map[string]any{"language": "French", "text": "hello"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, chunk)
	}
	var want []string
	if err := json.Unmarshal([]byte(pyOutput(t, "chat.stream")), &want); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("chunks %q\nwant %q (what the Python client yielded)", got, want)
	}
	if rp.paths[0] != "/chat/stream" {
		t.Errorf("path %q", rp.paths[0])
	}
}

func TestRecordedStreamMessages(t *testing.T) {
	srv, _ := serveRecorded(t, "chatmsg__stream")
	remote, err := client.New[map[string]any, schema.Message](srv.URL+"/chatmsg", &client.Options{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var all schema.Message
	for chunk, err := range remote.Stream(t.Context(), map[string]any{"language": "French", "text": "hello"}) {
		if err != nil {
			t.Fatal(err)
		}
		if chunk.Type != schema.AIChunkType {
			t.Errorf("chunk %d has type %q", n, chunk.Type)
		}
		if n == 0 {
			all = chunk
		} else {
			all = all.Concat(chunk)
		}
		n++
	}
	// chatmsg.stream: 15 chunks, types=['AIMessageChunk'], joined='Bonjour le monde, ceci est une réponse fixe.'
	if n != 15 || all.Text() != "Bonjour le monde, ceci est une réponse fixe." {
		t.Errorf("%d chunks joined to %q; the Python client got 15 chunks and %s", n, all.Text(), pyOutput(t, "chatmsg.stream"))
	}
}

func TestRecordedStreamLog(t *testing.T) {
	srv, _ := serveRecorded(t, "chat__stream_log")
	remote, err := client.New[map[string]any, string](srv.URL+"/chat", &client.Options{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	var log client.RunLog
	n := 0
	for p, err := range remote.StreamLog(t.Context(), map[string]any{"language": "French", "text": "hello"}, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if err := log.Apply(p); err != nil {
			t.Fatalf("patch %d: %v", n, err)
		}
		n++
	}
	st, err := log.State()
	if err != nil {
		t.Fatal(err)
	}
	var final string
	if err := json.Unmarshal(st.FinalOutput, &final); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range st.Logs {
			if !yield(k) {
				return
			}
		}
	})
	// chat.astream_log: 52 patches, final_output='Bonjour le monde, ceci est une réponse fixe.', logs=['ChatPromptTemplate', 'GenericFakeChatModel', 'StrOutputParser']
	want := fmt.Sprintf("%d patches, final_output='%s', logs=['%s']", n, final, strings.Join(keys, "', '"))
	if py := pyOutput(t, "chat.astream_log"); want != py {
		t.Errorf("got  %s\nwant %s", want, py)
	}
	if st.Name != "/chat" || st.Type != "chain" || len(st.StreamedOutput) != 15 {
		t.Errorf("state name %q type %q, %d streamed outputs", st.Name, st.Type, len(st.StreamedOutput))
	}
	model := st.Logs["GenericFakeChatModel"]
	if model.Type != "llm" || model.EndTime == "" || strings.Join(model.StreamedOutputStr, "") != final {
		t.Errorf("model log entry %+v", model)
	}
}

func TestRecordedStreamEvents(t *testing.T) {
	srv, _ := serveRecorded(t, "chat__stream_events")
	remote, err := client.New[map[string]any, string](srv.URL+"/chat", &client.Options{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var tokens []string
	for ev, err := range remote.StreamEvents(t.Context(), map[string]any{"language": "French", "text": "hello"}, nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("('%s', '%s')", ev.Event, ev.Name))
		if ev.Event == "on_chat_model_stream" {
			var data struct{ Chunk schema.Message }
			if err := json.Unmarshal(ev.Data, &data); err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, data.Chunk.Text())
		}
		if ev.RunID == "" || (ev.Name != "/chat" && len(ev.ParentIDs) == 0) {
			t.Errorf("event %s of %s: run id %q, parents %q", ev.Event, ev.Name, ev.RunID, ev.ParentIDs)
		}
	}
	want := regexp.MustCompile(`\('[a-z_]+', '[^']+'\)`).FindAllString(pyOutput(t, "chat.astream_events"), -1)
	if len(want) != 53 || !slices.Equal(got, want) {
		t.Errorf("events\n got %v\nwant %v", got, want)
	}
	var wantTokens []string
	json.Unmarshal([]byte(strings.ReplaceAll(pyOutput(t, "chat.astream_events chat_model_stream tokens"), "'", `"`)), &wantTokens)
	if len(wantTokens) != 15 || !slices.Equal(tokens, wantTokens) {
		t.Errorf("tokens %q, want %q", tokens, wantTokens)
	}
}

// TestRecordedForwardEvents replays the recorded /stream_events of the
// reference chat chain as local runs.
func TestRecordedForwardEvents(t *testing.T) {
	srv, rp := serveRecorded(t, "chat__stream_events")
	remote, err := client.New[map[string]any, string](srv.URL+"/chat", &client.Options{HTTPClient: srv.Client(), ForwardEvents: true})
	if err != nil {
		t.Fatal(err)
	}
	var col runnable.Collector
	var chunks []string
	for chunk, err := range remote.Stream(t.Context(), map[string]any{"language": "French", "text": "hello"}, runnable.WithCallbacks(&col)) {
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, chunk)
	}
	if rp.paths[0] != "/chat/stream_events" {
		t.Errorf("path %q", rp.paths[0])
	}
	if strings.Join(chunks, "") != "Bonjour le monde, ceci est une réponse fixe." || len(chunks) != 15 {
		t.Errorf("chunks %q", chunks)
	}
	events := col.Events()
	root := events[0]
	if root.Name != "/chat" || root.Kind != runnable.EventStart || len(root.ParentIDs) != 0 {
		t.Fatalf("first event %+v", root)
	}
	type run struct {
		name    string
		typ     runnable.RunType
		kinds   string
		parents int
	}
	runs := map[string]*run{}
	var order []string
	for _, ev := range events {
		id := ev.RunID.String()
		r := runs[id]
		if r == nil {
			r = &run{name: ev.Name, typ: ev.Type, parents: len(ev.ParentIDs)}
			runs[id] = r
			order = append(order, id)
			if ev.RunID != root.RunID && (len(ev.ParentIDs) != 1 || ev.ParentIDs[0] != root.RunID) {
				t.Errorf("%s has parents %v, want the local run %v", ev.Name, ev.ParentIDs, root.RunID)
			}
		}
		r.kinds += ev.Kind.String()[:2]
		if ev.Kind == runnable.EventStream && ev.Type == runnable.ChatModelRun {
			if m, ok := ev.Chunk.(schema.Message); !ok || m.Type != schema.AIChunkType {
				t.Errorf("chat model chunk %T %v, want an AIMessageChunk", ev.Chunk, ev.Chunk)
			}
		}
		if ev.Kind == runnable.EventEnd && ev.Type == runnable.PromptRun {
			if _, ok := ev.Output.(schema.PromptValue); !ok {
				if m, ok := ev.Output.(map[string]any); !ok || m["messages"] == nil {
					t.Errorf("prompt output %T", ev.Output)
				}
			}
		}
	}
	var got []string
	for _, id := range order {
		r := runs[id]
		got = append(got, fmt.Sprintf("%s/%s/%s", r.name, r.typ, r.kinds))
	}
	st15 := strings.Repeat("st", 15)
	want := []string{
		"/chat/chain/st" + st15 + "en",
		"ChatPromptTemplate/prompt/sten",
		"GenericFakeChatModel/chat_model/st" + st15 + "en",
		"StrOutputParser/parser/st" + st15 + "en",
	}
	if !slices.Equal(got, want) {
		t.Errorf("runs\n got %q\nwant %q", got, want)
	}
}

func TestRecordedErrors(t *testing.T) {
	t.Run("stream error event", func(t *testing.T) {
		srv, _ := serveRecorded(t, "fail__stream")
		remote, _ := client.New[any, any](srv.URL+"/fail", &client.Options{HTTPClient: srv.Client()})
		var chunks []any
		var err error
		for c, e := range remote.Stream(t.Context(), map[string]any{"x": 1}) {
			if e != nil {
				err = e
				break
			}
			chunks = append(chunks, c)
		}
		e, ok := errors.AsType[*client.Error](err)
		if !ok || e.Status != 500 || e.Body != "Internal Server Error" || len(chunks) != 0 {
			t.Errorf("chunks %v, error %v", chunks, err)
		}
	})
	t.Run("invoke 500", func(t *testing.T) {
		srv, _ := serveRecorded(t, "fail__invoke")
		remote, _ := client.New[any, any](srv.URL+"/fail", &client.Options{HTTPClient: srv.Client()})
		_, err := remote.Invoke(t.Context(), map[string]any{"x": 1})
		e, ok := errors.AsType[*client.Error](err)
		if !ok || e.Status != 500 || e.Body != "Internal Server Error" || e.Detail != nil {
			t.Fatalf("error %#v", err)
		}
		if !strings.Contains(err.Error(), "/fail/invoke") || !strings.Contains(err.Error(), "500") {
			t.Errorf("message %q names neither the URL nor the status", err)
		}
	})
	t.Run("invoke 422", func(t *testing.T) {
		srv, _ := serveRecorded(t, "bad__wrong_input_type_chat_invoke")
		remote, _ := client.New[string, string](srv.URL+"/chat", &client.Options{HTTPClient: srv.Client()})
		_, err := remote.Invoke(t.Context(), "just a string")
		e, ok := errors.AsType[*client.Error](err)
		if !ok || e.Status != 422 {
			t.Fatalf("error %v", err)
		}
		detail, _ := e.Detail.([]any)
		first, _ := detail[0].(map[string]any)
		if len(detail) != 1 || first["type"] != "model_type" || first["msg"] != "Input should be a valid dictionary or instance of PromptInput" {
			t.Errorf("detail %#v", e.Detail)
		}
	})
}

func TestRecordedOutputs(t *testing.T) {
	ctx := t.Context()
	t.Run("typed", func(t *testing.T) {
		type in struct {
			Name  string `json:"name"`
			Times int    `json:"times"`
		}
		type out struct {
			Greeting string `json:"greeting"`
			Length   int    `json:"length"`
		}
		srv, _ := serveRecorded(t, "typed__invoke")
		remote, _ := client.New[in, out](srv.URL+"/typed", &client.Options{HTTPClient: srv.Client()})
		got, err := remote.Invoke(ctx, in{"Ada", 2})
		if err != nil || got != (out{"Hello, Ada! Hello, Ada!", 23}) {
			t.Errorf("%+v, %v", got, err)
		}
	})
	t.Run("message", func(t *testing.T) {
		srv, _ := serveRecorded(t, "chatmsg__invoke")
		remote, _ := client.New[map[string]any, schema.Message](srv.URL+"/chatmsg", &client.Options{HTTPClient: srv.Client()})
		got, err := remote.Invoke(ctx, map[string]any{"language": "French", "text": "hello"})
		if err != nil || got.Type != schema.AIType || got.Text() != "Bonjour le monde, ceci est une réponse fixe." {
			t.Errorf("%+v, %v", got, err)
		}
	})
	t.Run("documents", func(t *testing.T) {
		srv, _ := serveRecorded(t, "retriever__invoke")
		remote, _ := client.New[string, []schema.Document](srv.URL+"/retriever", &client.Options{HTTPClient: srv.Client()})
		got, err := remote.Invoke(ctx, "do cats sleep")
		want := []schema.Document{{PageContent: "cats like to sleep", Metadata: map[string]any{"id": 1.0, "source": "a"}}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%+v, %v", got, err)
		}
	})
	t.Run("batch", func(t *testing.T) {
		srv, rp := serveRecorded(t, "echo__batch_config_list")
		remote, _ := client.New[any, any](srv.URL+"/echo", &client.Options{HTTPClient: srv.Client()})
		got, err := remote.BatchConfigs(ctx, []any{map[string]any{"a": 1}, "hello"}, []runnable.Config{{Tags: []string{"a"}}, {Tags: []string{"b"}}})
		want := []any{map[string]any{"a": 1.0, "b": []any{true, nil, "x"}, "c": map[string]any{"d": "é"}}, "hello"}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%#v, %v", got, err)
		}
		if !strings.Contains(rp.bodies[0], `"config":[{"tags":["a"],`) {
			t.Errorf("request %s", rp.bodies[0])
		}
	})
}
