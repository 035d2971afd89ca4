package serve_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/internal/sse"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
	"github.com/langserve-go/langserve/serve"
)

// TestMain fails the package when a test leaves a goroutine behind: every
// run, stream and keep-alive pinger must end with its request, also when
// the client goes away mid-stream.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// The reference routes of the golden transcripts (testdata/golden),
// built from this module's runnables.

func echoRunnable() runnable.Runnable[any, any] {
	return runnable.Lambda("echo", func(_ context.Context, x any) (any, error) { return x, nil })
}

var errFail = errors.New("fail: this lambda always fails (secret=hunter2)")

func failRunnable() runnable.Runnable[any, any] {
	return runnable.Lambda("fail", func(context.Context, any) (any, error) { return nil, errFail })
}

// TypedIn is the input of the typed route.
type TypedIn struct {
	Name  string `json:"name" jsonschema:"description=Who to greet"`
	Times int    `json:"times,omitempty" jsonschema:"default=1,description=How many times"`
}

func (TypedIn) JSONSchemaDescription() string { return "Input of the typed route." }

// TypedOut is the output of the typed route.
type TypedOut struct {
	Greeting string `json:"greeting"`
	Length   int    `json:"length"`
}

func (TypedOut) JSONSchemaDescription() string { return "Output of the typed route." }

func typedRunnable() runnable.Runnable[TypedIn, TypedOut] {
	return runnable.Lambda("typed", func(_ context.Context, in TypedIn) (TypedOut, error) {
		n := in.Times
		if n == 0 {
			n = 1
		}
		g := strings.TrimSpace(strings.Repeat("Hello, "+in.Name+"! ", n))
		return TypedOut{Greeting: g, Length: len(g)}, nil
	})
}

const fixedReply = "Bonjour le monde, ceci est une réponse fixe."

func chatPrompt() *prompt.ChatTemplate {
	return prompt.MustChat(prompt.Human("Translate to {language}: {text}"))
}

func chatRunnable() runnable.Runnable[map[string]any, string] {
	return runnable.Pipe3(chatPrompt(), chatmodel.Fake(fixedReply), parser.String())
}

func chatMsgRunnable() runnable.Runnable[map[string]any, schema.Message] {
	return runnable.Pipe(chatPrompt(), chatmodel.Fake(fixedReply))
}

// confRunnable is the chat chain with a configurable list of canned
// answers, streamed one character at a time.
func confRunnable() runnable.Runnable[map[string]any, string] {
	spec := runnable.ConfigSpec{
		ID: "answers", Name: "Answers", Description: "Canned answers of the fake model",
		Default: []any{fixedReply},
		Schema:  runnable.Schema{"type": "array", "items": map[string]any{"type": "string"}},
	}
	model := runnable.Configurable[schema.PromptValue, schema.Message](chatmodel.FakeList(fixedReply), []runnable.ConfigSpec{spec},
		func(values map[string]any) (runnable.Runnable[schema.PromptValue, schema.Message], error) {
			var answers []string
			for _, a := range values["answers"].([]any) {
				answers = append(answers, a.(string))
			}
			return chatmodel.FakeList(answers...), nil
		})
	return runnable.Pipe3(chatPrompt(), model, parser.String())
}

func retrieverRunnable() runnable.Runnable[string, []schema.Document] {
	docs := []schema.Document{
		{PageContent: "cats like to sleep", Metadata: map[string]any{"id": 1, "source": "a"}},
		{PageContent: "dogs like to run", Metadata: map[string]any{"id": 2, "source": "b"}},
		{PageContent: "birds like to sing", Metadata: map[string]any{"id": 3, "source": "c"}},
	}
	return runnable.NewLambda(runnable.Info{Name: "TinyRetriever", Type: runnable.RetrieverRun},
		func(_ context.Context, q string) ([]schema.Document, error) {
			out := []schema.Document{}
			for _, d := range docs {
				for _, w := range strings.Fields(q) {
					if len(w) > 2 && strings.Contains(d.PageContent, w) {
						out = append(out, d)
						break
					}
				}
			}
			return out, nil
		})
}

// quiet drops the logs of runs that fail on purpose.
var quiet = slog.New(slog.DiscardHandler)

// referenceApp mounts the reference routes on an App.
func referenceApp(t testing.TB) *serve.App {
	t.Helper()
	app := serve.New()
	serve.AddRoutes(app, echoRunnable(), &serve.Options{Path: "/echo"})
	serve.AddRoutes(app, chatRunnable(), &serve.Options{Path: "/chat"})
	serve.AddRoutes(app, chatMsgRunnable(), &serve.Options{Path: "/chatmsg"})
	serve.AddRoutes(app, failRunnable(), &serve.Options{Path: "/fail", Logger: quiet})
	serve.AddRoutes(app, typedRunnable(), &serve.Options{Path: "/typed"})
	serve.AddRoutes(app, retrieverRunnable(), &serve.Options{Path: "/retriever"})
	serve.AddRoutes(app, chatRunnable(), &serve.Options{Path: "/chatv1", StreamEventsVersion: "v1"})
	serve.AddRoutes(app, confRunnable(), &serve.Options{Path: "/conf"})
	serve.AddRoutes(app, confRunnable(), &serve.Options{Path: "/conflocked", ConfigKeys: []string{"tags"}})
	return app
}

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   string
}

func (r *response) json(t testing.TB) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
	return v
}

// events parses an SSE body.
func (r *response) events(t testing.TB) []sse.Event {
	t.Helper()
	var out []sse.Event
	for ev, err := range sse.Parse(strings.NewReader(r.body)) {
		if err != nil {
			t.Fatalf("parsing SSE: %v\n%s", err, r.body)
		}
		if !ev.Comment {
			out = append(out, ev)
		}
	}
	return out
}

// do sends one request to h in process.
func do(t testing.TB, h http.Handler, method, path, body string, header ...string) *response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequestWithContext(t.Context(), method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return &response{status: rec.Code, header: rec.Result().Header, body: rec.Body.String()}
}

// handler builds a net/http handler or fails the test.
func handler[I, O any](t testing.TB, r runnable.Runnable[I, O], opts *serve.Options) http.Handler {
	t.Helper()
	h, err := serve.NewHandler(r, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// mask replaces every UUID with <id>.
func mask(s string) string { return uuidRE.ReplaceAllString(s, "<id>") }

// wantJSON compares a JSON body with want, both decoded.
func wantJSON(t testing.TB, got *response, status int, want string) {
	t.Helper()
	if got.status != status {
		t.Errorf("status %d, want %d; body %s", got.status, status, got.body)
	}
	var g, w any
	if err := json.Unmarshal([]byte(mask(got.body)), &g); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, got.body)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want: %v", err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("body\n got %s\nwant %s", gb, wb)
	}
}

// names lists the names of events.
func names(evs []sse.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Name
	}
	return out
}

func wantEvents(t testing.TB, evs []sse.Event, want ...string) {
	t.Helper()
	if got := names(evs); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprint("must: ", err))
	}
	return v
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func jsonUnmarshal(s string) (map[string]any, error) {
	var m map[string]any
	err := json.Unmarshal([]byte(s), &m)
	return m, err
}
