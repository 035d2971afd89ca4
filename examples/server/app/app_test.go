package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/examples/server/app"
	"github.com/langserve-go/langserve/internal/openaitest"
	"github.com/langserve-go/langserve/internal/testenv"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fixedNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

type server struct {
	*httptest.Server
	info app.Info
}

// start serves the app built from env on a loopback server.
func start(t *testing.T, env map[string]string) *server {
	t.Helper()
	h, info, cleanup, err := app.Build(t.Context(), &app.Config{
		Getenv: func(k string) string { return env[k] },
		Logger: slog.New(slog.DiscardHandler),
		Now:    func() time.Time { return fixedNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		cleanup()
	})
	return &server{Server: srv, info: info}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (s *server) do(t *testing.T, method, path, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

// invoke posts input to path/invoke and decodes the output into out.
func (s *server) invoke(t *testing.T, path, input string, out any) response {
	t.Helper()
	r := s.do(t, "POST", path+"/invoke", `{"input":`+input+`}`)
	if r.status != http.StatusOK {
		t.Fatalf("%s/invoke: %d %s", path, r.status, r.body)
	}
	var body struct{ Output json.RawMessage }
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("%s/invoke: %s: %v", path, r.body, err)
	}
	if err := json.Unmarshal(body.Output, out); err != nil {
		t.Fatalf("%s/invoke output %s: %v", path, body.Output, err)
	}
	return r
}

type sseEvent struct{ name, data string }

// stream posts input to path/stream and returns the SSE events.
func (s *server) stream(t *testing.T, path, input string) ([]sseEvent, response) {
	t.Helper()
	r := s.do(t, "POST", path+"/stream", `{"input":`+input+`}`)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%s/stream: %d %s %s", path, r.status, r.header.Get("Content-Type"), r.body)
	}
	var events []sseEvent
	var ev sseEvent
	sc := bufio.NewScanner(strings.NewReader(string(r.body)))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.name != "" {
				events = append(events, ev)
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			ev.name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			ev.data = line[len("data: "):]
		}
	}
	if len(events) < 2 || events[0].name != "metadata" || events[len(events)-1].name != "end" {
		t.Fatalf("%s/stream events %v: want metadata … end", path, events)
	}
	for _, e := range events[1 : len(events)-1] {
		if e.name != "data" {
			t.Fatalf("%s/stream: unexpected event %v", path, e)
		}
	}
	return events[1 : len(events)-1], r
}

const localLabel = chatmodel.LocalModelName + " (built-in local model, not an LLM)"

type ragAnswer struct {
	Answer  string `json:"answer"`
	Sources []struct {
		ID, Source, Section, Snippet string
		Score                        float64
	} `json:"sources"`
	Model string `json:"model"`
}

type aiMessage struct {
	Type             string
	Content          string
	ResponseMetadata map[string]any `json:"response_metadata"`
}

// TestOffline is the main job's promise: with no database and no API key,
// invoke and stream answer on all three routes, and say which model
// answered.
func TestOffline(t *testing.T) {
	s := start(t, nil)
	if s.info.Model != localLabel || s.info.Store != "memory" || s.info.Chunks < 20 {
		t.Fatalf("info %+v", s.info)
	}

	t.Run("translate", func(t *testing.T) {
		input := `{"text":"Bonjour le monde","target_language":"English"}`
		var out string
		r := s.invoke(t, "/translate", input, &out)
		if r.header.Get(app.ModelHeader) != localLabel {
			t.Errorf("%s = %q", app.ModelHeader, r.header.Get(app.ModelHeader))
		}
		if !strings.Contains(out, "local model") || !strings.HasSuffix(out, "Bonjour le monde") {
			t.Errorf("translation %q: the local model should say what it is and return the text", out)
		}
		events, r := s.stream(t, "/translate", input)
		if len(events) < 5 || r.header.Get(app.ModelHeader) != localLabel {
			t.Fatalf("stream: %d chunks, header %q", len(events), r.header.Get(app.ModelHeader))
		}
		var sum strings.Builder
		for _, e := range events {
			var chunk string
			if err := json.Unmarshal([]byte(e.data), &chunk); err != nil {
				t.Fatalf("chunk %s: %v", e.data, err)
			}
			sum.WriteString(chunk)
		}
		if sum.String() != out {
			t.Errorf("stream adds up to %q, invoke said %q", sum.String(), out)
		}
	})

	t.Run("rag", func(t *testing.T) {
		input := `{"question":"What happens to a search when one shard fails?"}`
		var out ragAnswer
		r := s.invoke(t, "/rag", input, &out)
		if r.header.Get(app.ModelHeader) != localLabel || out.Model != chatmodel.LocalModelName {
			t.Errorf("model: header %q, answer %q", r.header.Get(app.ModelHeader), out.Model)
		}
		if len(out.Sources) == 0 || out.Sources[0].Source != "sharding.md" || !strings.Contains(out.Answer, "shard") {
			t.Fatalf("answer %+v", out)
		}
		events, _ := s.stream(t, "/rag", input)
		if len(events) < 3 {
			t.Fatalf("stream: %d chunks, want sources then several pieces of text", len(events))
		}
		var first ragAnswer
		if err := json.Unmarshal([]byte(events[0].data), &first); err != nil || len(first.Sources) != len(out.Sources) || first.Answer != "" {
			t.Errorf("first chunk %s: want the sources", events[0].data)
		}
		var text strings.Builder
		for _, e := range events[1:] {
			var chunk ragAnswer
			if err := json.Unmarshal([]byte(e.data), &chunk); err != nil || chunk.Sources != nil {
				t.Fatalf("chunk %s: want text only (%v)", e.data, err)
			}
			text.WriteString(chunk.Answer)
		}
		if text.String() != out.Answer {
			t.Errorf("streamed text %q, invoke said %q", text.String(), out.Answer)
		}
	})

	t.Run("agent", func(t *testing.T) {
		for _, tt := range []struct{ question, want string }{
			{"Please calculate (12 + 30) * 2.5", "The calculator tool answered: (12 + 30) * 2.5 = 105."},
			{"What time is it now?", "The current_time tool answered: Wednesday 4 March 2026, 05:06:07 UTC."},
			{"How does the playground render forms?", "The search_docs tool answered: [playground.md]"},
		} {
			input := fmt.Sprintf(`{"messages":[{"type":"human","content":%q}]}`, tt.question)
			var out aiMessage
			r := s.invoke(t, "/agent", input, &out)
			if out.Type != "ai" || !strings.HasPrefix(out.Content, tt.want) || out.ResponseMetadata["model_name"] != chatmodel.LocalModelName {
				t.Errorf("%q: answer %+v, want it to start with %q", tt.question, out, tt.want)
			}
			if r.header.Get(app.ModelHeader) != localLabel {
				t.Errorf("%s = %q", app.ModelHeader, r.header.Get(app.ModelHeader))
			}
			events, _ := s.stream(t, "/agent", input)
			var last aiMessage
			if err := json.Unmarshal([]byte(events[len(events)-1].data), &last); err != nil || last.Content != out.Content {
				t.Errorf("%q: stream ended with %s, invoke said %q", tt.question, events[len(events)-1].data, out.Content)
			}
		}
	})

	t.Run("health", func(t *testing.T) {
		r := s.do(t, "GET", "/health", "")
		var h map[string]any
		if err := json.Unmarshal(r.body, &h); err != nil || r.status != 200 {
			t.Fatalf("health: %d %s", r.status, r.body)
		}
		if h["status"] != "ok" || h["model"] != localLabel || h["store"] != "memory" ||
			!strings.Contains(h["embedder"].(string), "local") || h["chunks"].(float64) < 20 {
			t.Errorf("health %v", h)
		}
	})

	t.Run("docs and playgrounds", func(t *testing.T) {
		if r := s.do(t, "GET", "/docs", ""); r.status != 200 || !strings.Contains(string(r.body), "<html") {
			t.Errorf("/docs: %d", r.status)
		}
		r := s.do(t, "GET", "/openapi.json", "")
		var doc struct{ Paths map[string]any }
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatalf("/openapi.json: %v", err)
		}
		for _, p := range []string{"/translate/invoke", "/rag/stream", "/agent/stream_events"} {
			if doc.Paths[p] == nil {
				t.Errorf("/openapi.json lacks %s", p)
			}
		}
		for _, p := range []string{"/translate/playground/", "/rag/playground/", "/agent/playground/"} {
			if r := s.do(t, "GET", p, ""); r.status != 200 || !strings.Contains(string(r.body), "Playground") {
				t.Errorf("%s: %d", p, r.status)
			}
		}
		if r := s.do(t, "GET", "/agent/playground/", ""); !strings.Contains(string(r.body), "chat playground") {
			t.Error("/agent has no chat playground")
		}
		// Every playground's heading names the model.
		for _, route := range []string{"/translate", "/rag", "/agent"} {
			want := `<meta name="playground-title" content="` + route + ` · answered by ` + localLabel + `">`
			if r := s.do(t, "GET", route+"/playground/", ""); !strings.Contains(string(r.body), want) {
				t.Errorf("%s/playground/ does not say which model answers:\n%s", route, r.body)
			}
		}
		// The input schemas say that a blank text is not a text.
		for _, tt := range []struct{ path, prop string }{{"/translate/input_schema", "text"}, {"/rag/input_schema", "question"}} {
			var sch struct {
				Properties map[string]struct {
					Pattern   string
					MinLength int
				}
			}
			r := s.do(t, "GET", tt.path, "")
			if err := json.Unmarshal(r.body, &sch); err != nil || sch.Properties[tt.prop].Pattern != `\S` || sch.Properties[tt.prop].MinLength != 1 {
				t.Errorf("%s: %s", tt.path, r.body)
			}
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, tt := range []struct {
			path, body, want string
			status           int
		}{
			{"/rag/invoke", `{"input":{"question":"  "}}`, `"type":"string_pattern_mismatch","loc":["question"]`, 422},
			{"/rag/batch", `{"inputs":[{"question":"ok"},{"question":"\t"}]}`, `"loc":["inputs",1,"question"]`, 422},
			{"/translate/stream", `{"input":{"text":" \n ","target_language":"French"}}`, `string_pattern_mismatch`, 422},
			{"/rag/invoke", `{"input":{"question":""}}`, `string_too_short`, 422},
			{"/rag/invoke", `{"input":{}}`, `missing`, 422},
			{"/translate/invoke", `{"input":{"text":"hi","target_language":"Klingon"}}`, `literal_error`, 422},
			{"/translate/invoke", `{"input":{"text":"","target_language":"French"}}`, `string_too_short`, 422},
			{"/translate/stream", `{"input":{"text":"` + strings.Repeat("a", 5001) + `","target_language":"French"}}`, `string_too_long`, 422},
			{"/rag/invoke", `{"input":{"question":"` + strings.Repeat("why ", 501) + `"}}`, `string_too_long`, 422},
			{"/agent/invoke", `{"input":{"messages":"x"`, `Invalid JSON`, 422},
			{"/nowhere", ``, `Not Found`, 404},
		} {
			r := s.do(t, "POST", tt.path, tt.body)
			if r.status != tt.status || !strings.Contains(string(r.body), tt.want) {
				t.Errorf("POST %s %s: %d %s, want %d with %s", tt.path, tt.body, r.status, r.body, tt.status, tt.want)
			}
		}
	})
}

// TestMetrics drives the handler in process (so that every request has
// been counted when the next one starts) and reads /metrics.
func TestMetrics(t *testing.T) {
	s := start(t, nil)
	serveLocal := func(method, path, body string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.Config.Handler.ServeHTTP(rec, req)
		return rec
	}
	for _, r := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/translate/invoke", `{"input":{"text":"Hello","target_language":"French"}}`, 200},
		{"POST", "/translate/invoke", `{"input":{"text":"","target_language":"French"}}`, 422},
		{"POST", "/rag/stream", `{"input":{"question":"How are retries configured?"}}`, 200},
		{"GET", "/nowhere/at/all", ``, 404},
	} {
		if rec := serveLocal(r.method, r.path, r.body); rec.Code != r.status {
			t.Fatalf("%s %s: %d %s", r.method, r.path, rec.Code, rec.Body)
		}
	}
	rec := serveLocal("GET", "/metrics", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	body := rec.Body.String()
	for _, want := range []string{
		`langserve_http_requests_total{code="200",endpoint="invoke",route="/translate"} 1`,
		`langserve_http_requests_total{code="422",endpoint="invoke",route="/translate"} 1`,
		`langserve_http_requests_total{code="200",endpoint="stream",route="/rag"} 1`,
		`langserve_http_requests_total{code="404",endpoint="other",route="unmatched"} 1`,
		`langserve_http_in_flight_requests{endpoint="other",route=""} 1`, // this request
		`langserve_runs_total{name="/translate",outcome="ok",type="chain"} 1`,
		`langserve_runs_total{name="/rag",outcome="ok",type="chain"} 1`,
		`langserve_run_first_chunk_seconds_count{name="/rag",type="chain"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
	// The rejected request started no run.
	if strings.Contains(body, `langserve_runs_total{name="/translate",outcome="error"`) {
		t.Error("the invalid translation ran")
	}
}

// TestCallbacks passes an extra run-event handler, as a program exporting
// traces passes observe.Tracer.
func TestCallbacks(t *testing.T) {
	var runs runnable.Collector
	h, cleanup, err := app.New(t.Context(), &app.Config{
		Logger:    slog.New(slog.DiscardHandler),
		Callbacks: []runnable.Handler{&runs},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	req := httptest.NewRequestWithContext(t.Context(), "POST", "/agent/invoke",
		strings.NewReader(`{"input":{"messages":[{"type":"human","content":"Please calculate 2 + 2"}]}}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	names := map[string]bool{}
	for _, ev := range runs.Events() {
		if ev.Kind == runnable.EventEnd {
			names[ev.Name] = true
		}
	}
	if !names["/agent"] || !names["calculator"] {
		t.Errorf("runs seen: %v, want /agent and the calculator tool among them", names)
	}
}

// TestIndexing submits a document over HTTP, waits for its job and asks
// the RAG route about it.
func TestIndexing(t *testing.T) {
	s := start(t, nil)
	r := s.do(t, "POST", "/rag/documents", `{"documents":[{"source":"notes/okapi.md","format":"markdown",
		"content":"# Okapis\n\nThe okapi is a forest giraffe from the Congo with striped legs."}]}`)
	if r.status != http.StatusAccepted {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	var sub struct {
		JobID     string `json:"job_id"`
		StatusURL string `json:"status_url"`
	}
	if err := json.Unmarshal(r.body, &sub); err != nil {
		t.Fatal(err)
	}
	if _, err := s.info.Jobs.Wait(t.Context(), sub.JobID); err != nil {
		t.Fatal(err)
	}
	r = s.do(t, "GET", sub.StatusURL, "")
	if r.status != 200 || !strings.Contains(string(r.body), `"status":"succeeded"`) {
		t.Fatalf("job: %d %s", r.status, r.body)
	}
	var out ragAnswer
	s.invoke(t, "/rag", `{"question":"Where do okapis live?"}`, &out)
	if len(out.Sources) == 0 || out.Sources[0].Source != "notes/okapi.md" || !strings.Contains(out.Answer, "Congo") {
		t.Errorf("answer %+v: want it from the new document", out)
	}
	if r := s.do(t, "GET", "/rag/jobs/unknown", ""); r.status != 404 {
		t.Errorf("unknown job: %d", r.status)
	}
	if r := s.do(t, "DELETE", "/rag/documents", ""); r.status != 405 {
		t.Errorf("DELETE /rag/documents: %d", r.status)
	}
}

// TestProvider points the environment at a local OpenAI-compatible server:
// the model and the embedder come from it, and the header says so.
func TestProvider(t *testing.T) {
	api := openaitest.New(t, openaitest.WithEmbeddingDimensions(32), openaitest.WithReplies(
		openaitest.Reply{Content: "Ceci est une traduction."},
	))
	s := start(t, map[string]string{
		"OPENAI_API_KEY": openaitest.DefaultAPIKey, "OPENAI_BASE_URL": api.URL, "OPENAI_MODEL": "test-model",
	})
	const label = "test-model (openai)"
	if s.info.Model != label || !strings.HasPrefix(s.info.Embedder, "openai, 32 dimensions") {
		t.Fatalf("info %+v", s.info)
	}
	var out string
	r := s.invoke(t, "/translate", `{"text":"This is a translation.","target_language":"French"}`, &out)
	if out != "Ceci est une traduction." || r.header.Get(app.ModelHeader) != label {
		t.Errorf("translation %q, header %q", out, r.header.Get(app.ModelHeader))
	}
	var ans ragAnswer
	s.invoke(t, "/rag", `{"question":"How are retries configured?"}`, &ans)
	if ans.Model != "test-model" || len(ans.Sources) == 0 {
		t.Errorf("rag answer %+v", ans)
	}
	embedded := false
	for _, req := range api.Requests() {
		embedded = embedded || req.Path == "/v1/embeddings"
	}
	if !embedded {
		t.Error("the corpus was not embedded by the provider")
	}
}

func TestStartupErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"base URL without key", map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}, "OPENAI_API_KEY"},
		{"unreachable embedder", map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}, "embedder does not answer"},
		{"bad database URL", map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none?connect_timeout=5"}, "DATABASE_URL"},
		{"bad table name", map[string]string{"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "RAG_TABLE": "Robert'); DROP"}, "invalid table name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, cleanup, err := app.New(t.Context(), &app.Config{
				Getenv: func(k string) string { return tt.env[k] },
				Logger: slog.New(slog.DiscardHandler),
			})
			cleanup()
			if err == nil || h != nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: handler %v, err %v; want an error mentioning %q", h, err, tt.want)
			}
		})
	}
}

// TestPgvector runs the routes with DATABASE_URL pointing at a real
// PostgreSQL with pgvector (scripts/pgvector.sh start prints PGVECTOR_URL).
func TestPgvector(t *testing.T) {
	url := testenv.PGVectorURL(t, 1)
	table := fmt.Sprintf("apptest_%d", os.Getpid())
	t.Cleanup(func() { testenv.DropPGVectorTable(t, url, table) })
	env := map[string]string{"DATABASE_URL": url, "RAG_TABLE": table}
	s := start(t, env)
	if s.info.Store != "pgvector table "+table || s.info.Chunks < 20 {
		t.Fatalf("info %+v", s.info)
	}
	var out ragAnswer
	s.invoke(t, "/rag", `{"question":"What happens to a search when one shard fails?"}`, &out)
	if len(out.Sources) == 0 || out.Sources[0].Source != "sharding.md" {
		t.Fatalf("answer %+v", out)
	}
	if events, _ := s.stream(t, "/rag", `{"question":"What happens to a search when one shard fails?"}`); len(events) < 3 {
		t.Errorf("stream: %d chunks", len(events))
	}
	r := s.do(t, "GET", "/health", "")
	if r.status != 200 || !strings.Contains(string(r.body), `"store":"pgvector table `+table+`"`) {
		t.Errorf("health: %d %s", r.status, r.body)
	}

	// Documents indexed over HTTP are in the database: a second server on
	// the same table finds them.
	r = s.do(t, "POST", "/rag/documents", `{"documents":[{"id":"okapi","content":"The okapi is a forest giraffe from the Congo."}]}`)
	var sub struct {
		JobID string `json:"job_id"`
	}
	if err := json.Unmarshal(r.body, &sub); err != nil || r.status != 202 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	if j, err := s.info.Jobs.Wait(t.Context(), sub.JobID); err != nil || j.Error != "" {
		t.Fatalf("job %+v, %v", j, err)
	}
	again := start(t, env)
	var found ragAnswer
	again.invoke(t, "/rag", `{"question":"Where does the okapi live?"}`, &found)
	if len(found.Sources) == 0 || found.Sources[0].ID != "okapi/0" {
		t.Errorf("second server: answer %+v, want the okapi document first", found)
	}
}

// TestJSQuickstart runs the README's JavaScript quickstart
// (testdata/quickstart.mjs) with the real LangChain.js RemoteRunnable.
func TestJSQuickstart(t *testing.T) {
	node, dir := testenv.JSClient(t, "")
	script, err := filepath.Abs(filepath.Join("testdata", "quickstart.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, nil)
	// A bound against a hung client, not a timing assertion.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LANGSERVE_URL="+s.URL, "LANGSERVE_JSCLIENT_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node quickstart.mjs: %v\n%s", err, out)
	}
	want := []string{
		"translate.invoke: No language model is configured (the built-in local model answered), so here is your text unchanged: Good morning",
		"rag.invoke: " + chatmodel.LocalModelName + " sharding.md true",
		"rag.stream: true true",
		"agent.invoke: The calculator tool answered: (12 + 30) * 2.5 = 105.",
		"agent.stream: The current_time tool answered: Wednesday 4 March 2026, 05:06:07 UTC.",
	}
	if got := strings.Split(strings.TrimSpace(string(out)), "\n"); !slices.Equal(got, want) {
		t.Errorf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
