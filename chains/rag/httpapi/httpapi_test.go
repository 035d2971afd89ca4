package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/embed"
	"github.com/langserve-go/langserve/chains/rag/httpapi"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fixture struct {
	idx  *rag.Index
	jobs *rag.Jobs
	srv  *httptest.Server
}

func setup(t *testing.T, ragOpts *rag.Options, jobOpts *rag.JobsOptions, apiOpts *httpapi.Options) *fixture {
	t.Helper()
	idx, err := rag.New(ragOpts)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := rag.NewJobs(idx, jobOpts)
	if err != nil {
		t.Fatal(err)
	}
	if apiOpts == nil {
		apiOpts = &httpapi.Options{Prefix: "/rag"}
	}
	h, err := httpapi.New(jobs, apiOpts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		if err := jobs.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return &fixture{idx: idx, jobs: jobs, srv: srv}
}

// do sends a request and returns the status, headers and decoded JSON body.
func (f *fixture) do(t *testing.T, method, path, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: content type %q", method, path, ct)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: body %q is not a JSON object: %v", method, path, b, err)
	}
	return res.StatusCode, res.Header, out
}

func TestSubmitAndPoll(t *testing.T) {
	f := setup(t, nil, nil, nil)
	status, hdr, body := f.do(t, "POST", "/rag/documents", `{"documents":[
		{"source":"zoo/zebra.md","format":"markdown","content":"# Zebras\n\nZebras have black and white stripes.\n\n## Food\n\nZebras eat grass.","metadata":{"team":"zoo"}},
		{"content":"Yaks live in the Himalaya."},
		{"id":"page","format":"html","content":"<html><title>Okapi</title><body><script>x()</script><p>The okapi is a forest giraffe.</p></body></html>"}
	]}`)
	if status != http.StatusAccepted {
		t.Fatalf("submit: %d %v", status, body)
	}
	id, _ := body["job_id"].(string)
	if id == "" || body["status"] != "queued" || body["status_url"] != "/rag/jobs/"+id || hdr.Get("Location") != "/rag/jobs/"+id {
		t.Fatalf("submit answer %v, Location %q", body, hdr.Get("Location"))
	}

	// Wait for the job through the queue instead of polling on a timer,
	// then read its status the way a client does.
	if _, err := f.jobs.Wait(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	status, _, job := f.do(t, "GET", "/rag/jobs/"+id, "")
	if status != http.StatusOK {
		t.Fatalf("poll: %d %v", status, job)
	}
	if job["id"] != id || job["status"] != "succeeded" || job["documents"] != 4.0 || job["chunks"] != 4.0 ||
		job["error"] != nil || job["created_at"] == nil || job["finished_at"] == nil {
		t.Fatalf("job %v", job)
	}

	for _, tt := range []struct {
		query, id, source string
		meta              map[string]any
	}{
		{"what do zebras eat", "zoo/zebra.md#1/0", "zoo/zebra.md", map[string]any{"team": "zoo", "section": "Zebras > Food", "format": "markdown"}},
		{"where do yaks live", "", "", map[string]any{"format": "text"}},
		{"forest giraffe", "page/0", "page", map[string]any{"title": "Okapi", "format": "html"}},
	} {
		res, err := f.idx.Retrieve(t.Context(), tt.query, 1)
		if err != nil || len(res) != 1 {
			t.Fatalf("Retrieve(%q) = %v, %v", tt.query, res, err)
		}
		d := res[0].Document
		if tt.id != "" && (d.ID != tt.id || d.Metadata["source"] != tt.source) {
			t.Errorf("Retrieve(%q): %s from %v, want %s from %s", tt.query, d.ID, d.Metadata["source"], tt.id, tt.source)
		}
		if tt.id == "" && !strings.HasPrefix(d.ID, "doc-") {
			t.Errorf("Retrieve(%q): ID %s, want a content hash ID", tt.query, d.ID)
		}
		for k, v := range tt.meta {
			if d.Metadata[k] != v {
				t.Errorf("Retrieve(%q): metadata %s = %v, want %v", tt.query, k, d.Metadata[k], v)
			}
		}
		if strings.Contains(d.PageContent, "x()") {
			t.Errorf("HTML script text was indexed: %q", d.PageContent)
		}
	}
}

func TestSubmitValidation(t *testing.T) {
	f := setup(t, nil, nil, &httpapi.Options{Prefix: "/rag", MaxDocuments: 2, MaxBodyBytes: 1000})
	for _, tt := range []struct {
		name, body string
		status     int
		loc        string // JSON of the first detail's loc
		msg        string
	}{
		{"malformed JSON", `{"documents":[`, 422, `["body"]`, "Invalid JSON body"},
		{"not an object", `[1]`, 422, `["body"]`, "Invalid JSON body"},
		{"trailing data", `{"documents":[{"content":"a"}]} {}`, 422, `["body"]`, "more than one value"},
		{"unknown field", `{"documents":[{"page_content":"a"}]}`, 422, `["body"]`, `unknown field "page_content"`},
		{"wrong type", `{"documents":{"content":"a"}}`, 422, `["body"]`, "must be a list"},
		{"missing documents", `{}`, 422, `["body","documents"]`, "Field required"},
		{"empty list", `{"documents":[]}`, 422, `["body","documents"]`, "at least 1"},
		{"too many", `{"documents":[{"content":"a"},{"content":"b"},{"content":"c"}]}`, 422, `["body","documents"]`, "at most 2"},
		{"blank content", `{"documents":[{"content":"a"},{"content":"  \n"}]}`, 422, `["body","documents",1,"content"]`, "some text"},
		{"bad format", `{"documents":[{"content":"a","format":"pdf"}]}`, 422, `["body","documents",0,"format"]`, "'text', 'markdown' or 'html'"},
		{"NUL in content", `{"documents":[{"content":"a\u0000b"}]}`, 422, `["body","documents",0,"content"]`, "NUL"},
		{"long id", `{"documents":[{"content":"a","id":"` + strings.Repeat("x", 600) + `"}]}`, 422, `["body","documents",0,"id"]`, "at most 512"},
		{"html without text", `{"documents":[{"content":"<script>x</script>","format":"html"}]}`, 422, `["body","documents",0,"content"]`, "no text"},
		{"body too large", `{"documents":[{"content":"` + strings.Repeat("a", 2000) + `"}]}`, 413, "", "larger than the limit of 1000 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := f.do(t, "POST", "/rag/documents", tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, body)
			}
			if tt.status == 413 {
				if d, _ := body["detail"].(string); !strings.Contains(d, tt.msg) {
					t.Errorf("detail %q lacks %q", d, tt.msg)
				}
				return
			}
			details, _ := body["detail"].([]any)
			if len(details) == 0 {
				t.Fatalf("detail %v is not a non-empty list", body["detail"])
			}
			first := details[0].(map[string]any)
			loc, _ := json.Marshal(first["loc"])
			if string(loc) != tt.loc || !strings.Contains(first["msg"].(string), tt.msg) || first["type"] == "" {
				t.Errorf("detail %v, want loc %s and a message with %q", first, tt.loc, tt.msg)
			}
		})
	}
	if n, _ := f.idx.Store().Count(t.Context()); n != 0 {
		t.Errorf("invalid submissions stored %d chunks", n)
	}
}

func TestRoutes(t *testing.T) {
	f := setup(t, nil, nil, nil)
	for _, tt := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/rag/jobs/unknown", 404, ""},
		{"GET", "/rag/jobs/", 404, ""},
		{"GET", "/rag/jobs/a/b", 404, ""},
		{"GET", "/rag/other", 404, ""},
		{"GET", "/elsewhere/documents", 404, ""},
		{"GET", "/rag/documents", 405, "POST"},
		{"PUT", "/rag/documents", 405, "POST"},
		{"DELETE", "/rag/jobs/x", 405, "GET, HEAD"},
	} {
		status, hdr, body := f.do(t, tt.method, tt.path, "")
		if status != tt.status || body["detail"] == nil || hdr.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d %v Allow %q, want %d Allow %q", tt.method, tt.path, status, body, hdr.Get("Allow"), tt.status, tt.allow)
		}
	}
}

// gate holds every EmbedDocuments call until released, announcing it on
// started.
type gate struct {
	embed.Embedder
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gate) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	g.started <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Embedder.EmbedDocuments(ctx, texts)
}

func TestQueueFullAndShutdown(t *testing.T) {
	g := &gate{Embedder: embed.NewLocal(nil), started: make(chan struct{}, 4), release: make(chan struct{})}
	defer g.once.Do(func() { close(g.release) })
	f := setup(t, &rag.Options{Embedder: g}, &rag.JobsOptions{Workers: 1, QueueSize: 1},
		&httpapi.Options{Prefix: "/rag", RetryAfter: 1500 * time.Millisecond})
	submit := func() (int, http.Header, map[string]any) {
		return f.do(t, "POST", "/rag/documents", `{"documents":[{"content":"some text"}]}`)
	}
	status, _, first := submit()
	if status != 202 {
		t.Fatalf("first submit: %d %v", status, first)
	}
	<-g.started
	_, _, running := f.do(t, "GET", "/rag/jobs/"+first["job_id"].(string), "")
	if running["status"] != "running" || running["started_at"] == nil || running["finished_at"] != nil {
		t.Errorf("first job while held: %v", running)
	}
	if status, _, body := submit(); status != 202 {
		t.Fatalf("second submit: %d %v", status, body)
	}
	status, hdr, body := submit()
	if status != 503 || hdr.Get("Retry-After") != "2" || !strings.Contains(body["detail"].(string), "full") {
		t.Fatalf("third submit: %d %v Retry-After %q; want 503 with Retry-After 2", status, body, hdr.Get("Retry-After"))
	}

	if err := f.jobs.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, _, stopped := f.do(t, "GET", "/rag/jobs/"+first["job_id"].(string), "")
	if stopped["status"] != "failed" || !strings.Contains(stopped["error"].(string), "shutting down") {
		t.Errorf("first job after shutdown: %v", stopped)
	}
	if status, hdr, _ := submit(); status != 503 || hdr.Get("Retry-After") == "" {
		t.Errorf("submit after shutdown: %d, Retry-After %q", status, hdr.Get("Retry-After"))
	}
}

func TestNewErrors(t *testing.T) {
	idx, _ := rag.New(nil)
	jobs, _ := rag.NewJobs(idx, nil)
	defer jobs.Close(context.Background())
	for _, tt := range []struct {
		name string
		jobs *rag.Jobs
		opts *httpapi.Options
	}{
		{"nil jobs", nil, nil},
		{"relative prefix", jobs, &httpapi.Options{Prefix: "rag"}},
		{"negative limit", jobs, &httpapi.Options{MaxBodyBytes: -1}},
	} {
		if _, err := httpapi.New(tt.jobs, tt.opts); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

// Every loaded document costs at least one stored vector (4 KiB with the
// local embedder), and a Markdown document is one per section: a body of
// tiny sections must not turn a few bytes each into kilobytes each.
func TestSubmitBoundsTheSections(t *testing.T) {
	f := setup(t, nil, nil, nil)
	var md strings.Builder
	for i := range httpapi.DefaultMaxSections + 1 {
		fmt.Fprintf(&md, "# s%d\n", i)
	}
	body, _ := json.Marshal(map[string]any{"documents": []any{map[string]any{"format": "markdown", "content": md.String()}}})
	status, _, res := f.do(t, "POST", "/rag/documents", string(body))
	if status != 422 {
		t.Fatalf("status %d, want 422: %.200v", status, res)
	}
	details, _ := res["detail"].([]any)
	if len(details) != 1 || !strings.Contains(fmt.Sprint(details[0]), "sections") {
		t.Errorf("detail %v, want one entry about the sections", res["detail"])
	}
	// At the limit it is accepted.
	md.Reset()
	for i := range httpapi.DefaultMaxSections {
		fmt.Fprintf(&md, "# s%d\n", i)
	}
	body, _ = json.Marshal(map[string]any{"documents": []any{map[string]any{"format": "markdown", "content": md.String()}}})
	if status, _, res := f.do(t, "POST", "/rag/documents", string(body)); status != 202 {
		t.Errorf("status %d at the limit, want 202: %.200v", status, res)
	}
}
