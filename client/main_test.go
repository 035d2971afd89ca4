package client_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/serve"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// quiet is the logger of the test servers: failing runs are expected.
var quiet = slog.New(slog.DiscardHandler)

// recorded is one exchange recorded from the Python LangServe server
// (testdata/*.txt, copied from the project's golden transcripts).
type recorded struct {
	status      int
	contentType string
	body        []byte
}

// loadRecorded reads the response part of a golden transcript.
func loadRecorded(t testing.TB, name string) recorded {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	_, resp, ok := bytes.Cut(raw, []byte("### RESPONSE\n"))
	if !ok {
		t.Fatalf("%s: no response section", name)
	}
	head, body, ok := bytes.Cut(resp, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("%s: no end of headers", name)
	}
	// curl appends its own complaint when the server aborted the stream.
	if i := bytes.Index(body, []byte("curl: (")); i >= 0 {
		body = body[:i]
	}
	lines := strings.Split(string(head), "\r\n")
	var rec recorded
	if _, err := fmt.Sscanf(lines[0], "HTTP/1.1 %d", &rec.status); err != nil {
		t.Fatalf("%s: status line %q: %v", name, lines[0], err)
	}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ": ")
		if strings.EqualFold(k, "content-type") {
			rec.contentType = v
		}
	}
	rec.body = body
	return rec
}

// replay serves a recorded answer for every request, flushing it at once,
// and keeps the request bodies it received.
type replay struct {
	rec recorded

	mu     sync.Mutex
	bodies []string
	paths  []string
}

func (p *replay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	p.bodies = append(p.bodies, string(b))
	p.paths = append(p.paths, r.URL.Path)
	p.mu.Unlock()
	w.Header().Set("Content-Type", p.rec.contentType)
	w.WriteHeader(p.rec.status)
	w.Write(p.rec.body)
}

// serveRecorded starts a test server answering with the golden transcript
// name.
func serveRecorded(t *testing.T, name string) (*httptest.Server, *replay) {
	t.Helper()
	p := &replay{rec: loadRecorded(t, name)}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv, p
}

// serveRunnable serves r with the serve package under path.
func serveRunnable[I, O any](t testing.TB, path string, r runnable.Runnable[I, O], opts *serve.Options) *httptest.Server {
	t.Helper()
	if opts == nil {
		opts = &serve.Options{}
	}
	opts.Path = path
	opts.Logger = quiet
	h, err := serve.NewHandler(r, opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(path+"/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// readRequests parses a file of raw HTTP requests.
func readRequests(t *testing.T, name string) []*http.Request {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(bytes.NewReader(raw))
	var out []*http.Request
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return out
		}
		req, err := http.ReadRequest(br)
		if err != nil {
			t.Fatalf("%s: request %d: %v", name, len(out)+1, err)
		}
		b, err := io.ReadAll(req.Body)
		if err != nil {
			t.Fatal(err)
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		out = append(out, req)
	}
}

// ctxDone blocks until ctx is done and returns its cause; test servers'
// runnables use it to show that a client going away cancels them.
func ctxDone(ctx context.Context) error {
	<-ctx.Done()
	return context.Cause(ctx)
}
