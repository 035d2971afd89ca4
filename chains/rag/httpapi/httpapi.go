// Package httpapi serves document indexing over HTTP: clients submit
// documents, get a job ID at once, and poll the job while a [rag.Jobs]
// queue ingests the documents in the background.
//
//	POST <prefix>/documents   {"documents":[{"content":"…","format":"markdown","source":"faq.md"}]}
//	  → 202 {"job_id":"…","status":"queued","status_url":"<prefix>/jobs/…"}
//	GET  <prefix>/jobs/{id}
//	  → 200 {"id":"…","status":"queued|running|succeeded|failed","documents":1,"chunks":3,
//	         "error":null,"created_at":"…","started_at":"…","finished_at":"…"}
//
// "documents" counts the documents after loading: a Markdown document
// counts once per section. "chunks" is the number of chunks stored.
//
// Errors are JSON {"detail": …} as FastAPI (and so LangServe) writes them:
// 422 with a list of {"loc","msg","type"} entries for invalid bodies, 413
// for a body over the limit, 404 for an unknown job or path, 405 for a
// wrong method, and 503 with Retry-After when the queue is full or shut
// down.
package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/loader"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Defaults for [Options].
const (
	DefaultMaxBodyBytes = 5 << 20
	DefaultMaxDocuments = 100
	DefaultMaxSections  = 10_000
	DefaultRetryAfter   = 5 * time.Second
	// MaxIDLength bounds document IDs and sources, in bytes.
	MaxIDLength = 512
)

// Options configures [New]. A nil *Options means all defaults.
type Options struct {
	// Prefix is the path the routes live under: "" or "/name" ("/rag"
	// serves /rag/documents and /rag/jobs/{id}).
	Prefix string
	// MaxBodyBytes bounds the request body. Zero: DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxDocuments bounds the documents of one request. Zero:
	// DefaultMaxDocuments.
	MaxDocuments int
	// MaxSections bounds the documents of one request after loading (a
	// Markdown document counts once per section). Each becomes at least one
	// stored vector, kilobytes for a section that may be a few bytes long.
	// Zero: DefaultMaxSections.
	MaxSections int
	// RetryAfter is what a 503 tells clients to wait. Zero:
	// DefaultRetryAfter.
	RetryAfter time.Duration
}

// Document is one document of a submission.
type Document struct {
	// ID identifies the document in the index; submitting a document with
	// the same ID again replaces its chunks. Empty: Source, or else a hash
	// of the content.
	ID string `json:"id,omitempty"`
	// Source is where the document comes from, kept as "source" metadata
	// and shown with answers. Empty: the ID.
	Source string `json:"source,omitempty"`
	// Format is "text" (the default), "markdown" (split into sections at
	// its headings) or "html" (reduced to its visible text).
	Format string `json:"format,omitempty"`
	// Content is the document's text. Required.
	Content string `json:"content"`
	// Metadata is stored with every chunk. The keys the loaders set
	// (source, format, section, headings, title) take precedence.
	Metadata map[string]any `json:"metadata,omitempty"`
}

// SubmitRequest is the body of POST <prefix>/documents.
type SubmitRequest struct {
	Documents []Document `json:"documents"`
}

// SubmitResponse is the 202 answer to a submission.
type SubmitResponse struct {
	JobID     string        `json:"job_id"`
	Status    rag.JobStatus `json:"status"`
	StatusURL string        `json:"status_url"`
}

// Detail is one entry of a 422 answer's "detail" list.
type Detail struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

type handler struct {
	jobs       *rag.Jobs
	prefix     string
	maxBody    int64
	maxDocs    int
	maxLoaded  int
	retryAfter string
}

// New returns the handler of the indexing routes. It expects the full
// request path (mount it at "<prefix>/" without stripping the prefix) and
// answers 404 for paths it does not serve.
func New(jobs *rag.Jobs, opts *Options) (http.Handler, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if jobs == nil {
		return nil, errors.New("httpapi: nil *rag.Jobs")
	}
	o.Prefix = strings.TrimRight(o.Prefix, "/")
	if o.Prefix != "" && !strings.HasPrefix(o.Prefix, "/") {
		return nil, fmt.Errorf("httpapi: prefix %q must be empty or start with '/'", o.Prefix)
	}
	if o.MaxBodyBytes < 0 || o.MaxDocuments < 0 || o.MaxSections < 0 || o.RetryAfter < 0 {
		return nil, fmt.Errorf("httpapi: options must not be negative: %+v", o)
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxDocuments == 0 {
		o.MaxDocuments = DefaultMaxDocuments
	}
	if o.MaxSections == 0 {
		o.MaxSections = DefaultMaxSections
	}
	if o.RetryAfter == 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	secs := int((o.RetryAfter + time.Second - 1) / time.Second)
	return &handler{
		jobs: jobs, prefix: o.Prefix, maxBody: o.MaxBodyBytes, maxDocs: o.MaxDocuments,
		maxLoaded:  o.MaxSections,
		retryAfter: strconv.Itoa(secs),
	}, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, h.prefix+"/")
	switch {
	case !ok:
		writeDetail(w, http.StatusNotFound, "Not Found")
	case rest == "documents":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		h.submit(w, r)
	case strings.HasPrefix(rest, "jobs/") && !strings.Contains(rest[len("jobs/"):], "/") && len(rest) > len("jobs/"):
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		h.status(w, rest[len("jobs/"):])
	default:
		writeDetail(w, http.StatusNotFound, "Not Found")
	}
}

func (h *handler) submit(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeDetail(w, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("Request body is larger than the limit of %d bytes", h.maxBody))
			return
		}
		writeDetail(w, http.StatusBadRequest, "Could not read the request body")
		return
	}
	docs, details := h.decode(body)
	if len(details) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": details})
		return
	}
	job, err := h.jobs.Submit(docs)
	switch {
	case errors.Is(err, rag.ErrQueueFull):
		w.Header().Set("Retry-After", h.retryAfter)
		writeDetail(w, http.StatusServiceUnavailable, "The indexing queue is full; retry later")
		return
	case errors.Is(err, rag.ErrJobsClosed):
		w.Header().Set("Retry-After", h.retryAfter)
		writeDetail(w, http.StatusServiceUnavailable, "Indexing is shutting down")
		return
	case err != nil:
		// decode checked everything Submit checks; reaching this is a bug.
		writeDetail(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	url := h.prefix + "/jobs/" + job.ID
	w.Header().Set("Location", url)
	writeJSON(w, http.StatusAccepted, SubmitResponse{JobID: job.ID, Status: job.Status, StatusURL: url})
}

func (h *handler) status(w http.ResponseWriter, id string) {
	job, ok := h.jobs.Get(id)
	if !ok {
		writeDetail(w, http.StatusNotFound, "Job not found")
		return
	}
	writeJSON(w, http.StatusOK, job)
}

// decode parses and checks a submission, returning every problem found.
func (h *handler) decode(body []byte) ([]schema.Document, []Detail) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req SubmitRequest
	if err := dec.Decode(&req); err != nil {
		return nil, []Detail{{Loc: []any{"body"}, Msg: "Invalid JSON body: " + jsonMessage(err), Type: "json_invalid"}}
	}
	if dec.More() {
		return nil, []Detail{{Loc: []any{"body"}, Msg: "Invalid JSON body: more than one value", Type: "json_invalid"}}
	}
	switch n := len(req.Documents); {
	case req.Documents == nil:
		return nil, []Detail{{Loc: []any{"body", "documents"}, Msg: "Field required", Type: "missing"}}
	case n == 0:
		return nil, []Detail{{Loc: []any{"body", "documents"}, Msg: "List should have at least 1 item", Type: "too_short"}}
	case n > h.maxDocs:
		return nil, []Detail{{Loc: []any{"body", "documents"},
			Msg: fmt.Sprintf("List should have at most %d items, not %d", h.maxDocs, n), Type: "too_long"}}
	}
	var (
		out     []schema.Document
		details []Detail
	)
	for i, d := range req.Documents {
		docs, ds := convert(i, d)
		details = append(details, ds...)
		out = append(out, docs...)
	}
	if len(details) == 0 && len(out) > h.maxLoaded {
		return nil, []Detail{{Loc: []any{"body", "documents"},
			Msg: fmt.Sprintf("The documents have %d sections once loaded, more than the %d allowed", len(out), h.maxLoaded), Type: "too_long"}}
	}
	return out, details
}

// convert turns one submitted document into the documents its loader
// makes (Markdown gives one per section).
func convert(i int, d Document) ([]schema.Document, []Detail) {
	at := func(field string) []any { return []any{"body", "documents", i, field} }
	var details []Detail
	if strings.TrimSpace(d.Content) == "" {
		details = append(details, Detail{at("content"), "Content must contain some text", "value_error"})
	}
	for _, f := range [...]struct{ field, v string }{{"id", d.ID}, {"source", d.Source}} {
		field, v := f.field, f.v
		switch {
		case len(v) > MaxIDLength:
			details = append(details, Detail{at(field), fmt.Sprintf("Must be at most %d bytes long", MaxIDLength), "too_long"})
		case strings.ContainsRune(v, 0) || !utf8.ValidString(v):
			details = append(details, Detail{at(field), "Must be text without NUL characters", "value_error"})
		}
	}
	if strings.ContainsRune(d.Content, 0) {
		details = append(details, Detail{at("content"), "Content must not contain NUL characters", "value_error"})
	}
	format := d.Format
	if format == "" {
		format = "text"
	}
	if format != "text" && format != "markdown" && format != "html" {
		details = append(details, Detail{at("format"), fmt.Sprintf("Input should be 'text', 'markdown' or 'html', not %q", d.Format), "enum"})
	}
	if len(details) > 0 {
		return nil, details
	}
	key := d.ID
	if key == "" {
		key = d.Source
	}
	if key == "" {
		sum := sha256.Sum256([]byte(d.Content))
		key = "doc-" + hex.EncodeToString(sum[:8])
	}
	var (
		docs []schema.Document
		err  error
	)
	switch format {
	case "text":
		var doc schema.Document
		doc, err = loader.Text(key, d.Content)
		docs = []schema.Document{doc}
	case "markdown":
		docs, err = loader.Markdown(key, d.Content)
	case "html":
		var doc schema.Document
		doc, err = loader.HTML(key, strings.NewReader(d.Content))
		docs = []schema.Document{doc}
	}
	if err != nil {
		return nil, []Detail{{at("content"), "Could not load the content: " + err.Error(), "value_error"}}
	}
	var kept []schema.Document
	for _, doc := range docs {
		if strings.TrimSpace(doc.PageContent) == "" {
			continue
		}
		md := maps.Clone(d.Metadata)
		if md == nil {
			md = map[string]any{}
		}
		maps.Copy(md, doc.Metadata)
		if d.Source != "" {
			md["source"] = d.Source
		}
		doc.Metadata = md
		kept = append(kept, doc)
	}
	if len(kept) == 0 {
		return nil, []Detail{{at("content"), "Content has no text once loaded as " + format, "value_error"}}
	}
	return kept, nil
}

// jsonMessage makes encoding/json's errors readable for API clients.
func jsonMessage(err error) string {
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && e.Field != "" {
		return fmt.Sprintf("field %q must be %s, not a JSON %s", e.Field, jsonType(e.Type.Kind().String()), e.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonType(kind string) string {
	switch kind {
	case "slice":
		return "a list"
	case "map", "struct":
		return "an object"
	case "string":
		return "a string"
	}
	return kind
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func writeDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, map[string]any{"detail": detail})
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
}
