package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/langserve-go/langserve/examples/conformance/internal/golden"
	"github.com/langserve-go/langserve/examples/conformance/routes"
	"github.com/langserve-go/langserve/internal/testenv"
)

// goldenDir holds our copy of the transcripts recorded from the Python
// LangServe 0.3.3 server (see its README.md). TestGoldenCopy keeps it equal
// to the shared recordings when those are checked out beside the repo.
const goldenDir = "testdata/golden"

// Every difference between our answers and the reference's is deliberate
// and listed in one of the two tables below; README.md's compatibility
// notes list the same cases, keep both in step. The test fails when an
// entry no longer changes anything, so the tables stay exact.

// answerDeviation is a recorded exchange whose whole answer differs on
// purpose: we answer Status instead.
type answerDeviation struct {
	File   string
	Status int
	Reason string
}

var answerDeviations = []answerDeviation{
	{"bad__batch_inputs_not_list", http.StatusUnprocessableEntity,
		"LangServe validates batch inputs outside its 422 translation and crashes with a bare 500; we answer 422 with a pydantic-style list_type detail"},
	{"bad__wrong_input_type_chat_batch", http.StatusUnprocessableEntity,
		"same quirk for a batch item that fails the input schema: 422 with the item's location (loc [\"inputs\", 1]) instead of a bare 500"},
	{"bad__config_null", http.StatusOK,
		"LangServe accepts \"config\": null on invoke and then crashes (500); we treat null as an empty config, as batch's validator intends"},
}

// normalization sets one kind of difference aside in every exchange, so
// that the rest of each answer is still compared.
type normalization struct {
	Name   string
	Norm   golden.Normalizer
	Reason string
}

var normalizations = []normalization{
	{"message ids", golden.AnyMessageID,
		"the reference's fake chat model reuses one AIMessage object, so every answer of that server carries the id its first run gave it (run--<first run>-0, also on stream chunks and across batch items); we give each run its own id as LangChain does for real models: run--<run id>-0 on generated messages, run--<run id> on streamed chunks"},
	{"const enums", golden.DropConstEnum,
		"our schemas give literal fields such as a message's type both const and enum ([\"ai\"]); pydantic 2.13 writes only const, but the chat playground looks for enum to detect a chat model's output"},
}

func norms(skip int) []golden.Normalizer {
	var out []golden.Normalizer
	for i, n := range normalizations {
		if i != skip {
			out = append(out, n.Norm)
		}
	}
	return out
}

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(routes.New(routes.WithLogger(slog.New(slog.DiscardHandler))))
	t.Cleanup(srv.Close)
	return srv
}

// client replays requests as the recording curl sent them: no compression,
// no redirects followed.
var client = &http.Client{
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	// A bound against a hung server, not a timing assertion.
	Timeout: 2 * time.Minute,
}

// replay sends a recorded request to base and reads the whole answer.
func replay(ctx context.Context, base string, ex *golden.Exchange) (golden.Response, error) {
	req, err := http.NewRequestWithContext(ctx, ex.Method, base+ex.Target, bytes.NewReader(ex.Body))
	if err != nil {
		return golden.Response{}, err
	}
	for k, vs := range ex.Header {
		if !strings.EqualFold(k, "Host") {
			req.Header[http.CanonicalHeaderKey(k)] = vs
		}
	}
	// The recording client was curl 7.88.1; the user agent reaches the
	// runs' metadata (__useragent in stream_log).
	req.Header.Set("User-Agent", "curl/7.88.1")
	req.Header.Set("Accept", "*/*")
	if len(ex.Body) == 0 {
		req.Body = http.NoBody
	}
	resp, err := client.Do(req)
	if err != nil {
		return golden.Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil && !(ex.Aborted && errors.Is(err, io.ErrUnexpectedEOF)) {
		return golden.Response{}, err
	}
	return golden.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// TestConformance replays every recorded request against the Go routes and
// compares the answers with the reference server's (see golden.Compare for
// how), allowing only the differences listed in answerDeviations and
// normalizations.
func TestConformance(t *testing.T) {
	exchanges, err := golden.Load(goldenDir, "clients__", "misc__openapi_json")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t)
	answers := make([]golden.Response, len(exchanges))
	for i, ex := range exchanges {
		t.Run(ex.Name, func(t *testing.T) {
			got, err := replay(t.Context(), srv.URL, ex)
			if err != nil {
				t.Fatalf("%s %s: %v", ex.Method, ex.Target, err)
			}
			answers[i] = got
			diffs := golden.Compare(ex, got, norms(-1)...)
			if i := slices.IndexFunc(answerDeviations, func(d answerDeviation) bool { return d.File == ex.Name }); i >= 0 {
				dv := answerDeviations[i]
				if len(diffs) == 0 {
					t.Errorf("%s no longer differs from the reference: remove it from answerDeviations and README.md", ex.Name)
				}
				if got.Status != dv.Status {
					t.Errorf("%s %s: status %d, want the deliberate %d (%s); body %s", ex.Method, ex.Target, got.Status, dv.Status, dv.Reason, got.Body)
				}
				t.Logf("deliberate difference (%s):\n%s", dv.Reason, strings.Join(diffs, "\n"))
				return
			}
			for _, d := range diffs {
				t.Errorf("%s %s: %s", ex.Method, ex.Target, d)
			}
		})
	}
	if t.Failed() {
		return
	}
	// Each normalization must still be needed: without it, some exchange
	// differs.
	for i, n := range normalizations {
		var affected []string
		for j, ex := range exchanges {
			if slices.ContainsFunc(answerDeviations, func(d answerDeviation) bool { return d.File == ex.Name }) {
				continue
			}
			if len(golden.Compare(ex, answers[j], norms(i)...)) > 0 {
				affected = append(affected, ex.Name)
			}
		}
		if len(affected) == 0 {
			t.Errorf("normalization %q no longer changes anything: remove it and its README.md note", n.Name)
			continue
		}
		t.Logf("normalization %q sets aside differences in %d exchanges: %s", n.Name, len(affected), strings.Join(affected, ", "))
	}
}

// TestOpenAPI checks /openapi.json against the reference document: the
// same operations and the same component schema names.
func TestOpenAPI(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(goldenDir, "misc__openapi_json.txt"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := golden.Parse("misc__openapi_json", data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := replay(t.Context(), newServer(t).URL, ex)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != http.StatusOK || !strings.HasPrefix(got.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /openapi.json: %d %s", got.Status, got.Header.Get("Content-Type"))
	}
	for _, d := range golden.CompareOpenAPI(ex.RespBody, got.Body) {
		t.Error(d)
	}
}

// TestGoldenCopy keeps testdata/golden byte-identical to the shared
// recordings (../shared/golden beside the repository), when present.
func TestGoldenCopy(t *testing.T) {
	shared := filepath.Join(testenv.RepoRoot(t), "..", "shared", "golden")
	want, err := os.ReadDir(shared)
	if err != nil {
		t.Skipf("no shared recordings beside the repository (%v): nothing to compare the copy with", err)
	}
	got, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, e := range got {
		names[e.Name()] = true
	}
	for _, e := range want {
		if !names[e.Name()] {
			t.Errorf("%s is missing from %s", e.Name(), goldenDir)
			continue
		}
		delete(names, e.Name())
		a, err1 := os.ReadFile(filepath.Join(shared, e.Name()))
		b, err2 := os.ReadFile(filepath.Join(goldenDir, e.Name()))
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from the shared recording", e.Name())
		}
	}
	for n := range names {
		t.Errorf("%s/%s is not a shared recording", goldenDir, n)
	}
}

// TestRunShutsDownOnCancel starts the command's server on a free loopback
// port, serves a request and stops it through its context, as SIGINT does.
func TestRunShutsDownOnCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, slog.New(slog.DiscardHandler), ln, 10*time.Second) }()

	resp, err := client.Post("http://"+ln.Addr().String()+"/echo/invoke", "application/json", strings.NewReader(`{"input":{"a":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), `{"output":{"a":1},"metadata":{"run_id":"`) {
		t.Errorf("echo: %d %s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	if _, err := client.Get("http://" + ln.Addr().String() + "/echo/input_schema"); err == nil {
		t.Error("server still answers after shutdown")
	}
}
