package serve

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/internal/validate"
)

// Feedback is a user's judgement of a run, as the playground's thumbs up
// and down send it to POST <path>/feedback: a key (the criterion, e.g.
// "correctness") and a score, value or comment. The JSON names are
// LangServe's.
type Feedback struct {
	ID    uuid.UUID  `json:"id"`
	RunID *uuid.UUID `json:"run_id"`
	Key   string     `json:"key"`
	// Score is a number or a boolean, or nil.
	Score any `json:"score"`
	// Value is a number, boolean, string or object, or nil.
	Value      any            `json:"value"`
	Comment    *string        `json:"comment"`
	Correction map[string]any `json:"correction"`
	CreatedAt  time.Time      `json:"created_at"`
	ModifiedAt time.Time      `json:"modified_at"`
}

// MemoryFeedbackStore is a FeedbackStore that keeps feedback in memory, for
// development servers and tests. It is safe for concurrent use.
type MemoryFeedbackStore struct {
	mu    sync.Mutex
	items []Feedback
	now   func() time.Time
}

// NewMemoryFeedbackStore returns an empty in-memory store.
func NewMemoryFeedbackStore() *MemoryFeedbackStore {
	return &MemoryFeedbackStore{now: time.Now}
}

// Create stores f with a fresh ID and the current time.
func (m *MemoryFeedbackStore) Create(ctx context.Context, f Feedback) (Feedback, error) {
	if err := ctx.Err(); err != nil {
		return Feedback{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	f.ID = uuid.New()
	f.CreatedAt = m.now().UTC()
	f.ModifiedAt = f.CreatedAt
	m.items = append(m.items, f)
	return f, nil
}

// All returns the stored feedback, oldest first.
func (m *MemoryFeedbackStore) All() []Feedback {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Feedback(nil), m.items...)
}

// feedbackFields are the optional fields of a feedback request and the
// JSON types each accepts.
var feedbackFields = map[string]map[string]any{
	"score":      {"type": []any{"number", "boolean", "null"}},
	"value":      {"type": []any{"number", "boolean", "string", "object", "null"}},
	"comment":    {"type": []any{"string", "null"}},
	"correction": {"type": []any{"object", "null"}},
	"metadata":   {"type": []any{"object", "null"}},
}

// checkFeedbackBody validates the optional fields of a feedback request.
func checkFeedbackBody(obj map[string]any, fields ...string) []validate.Error {
	var details []validate.Error
	for _, name := range fields {
		if v, ok := obj[name]; ok {
			details = append(details, validate.Value(feedbackFields[name], v, name)...)
		}
	}
	return details
}

// readObject reads the JSON object body of a feedback route. It answers
// the request itself and returns false when the body is not one, and for
// HEAD, which tells a client that the route is on (the playground asks
// before it shows its buttons).
func (s *settings) readObject(w http.ResponseWriter, r *http.Request, model string) (map[string]any, bool) {
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil, false
	}
	body, e := s.readBody(w, r)
	if e == nil {
		var env *envelope
		if env, e = decodeEnvelope(body, model); e == nil {
			obj, _ := env.whole().(map[string]any)
			return obj, true
		}
	}
	s.writeError(w, e)
	return nil, false
}

// tokenFeedback answers POST <path>/token_feedback. Feedback by token
// needs LangSmith's presigned tokens, which this server does not issue, so
// a valid request gets LangServe's 400 for "not configured".
func (s *settings) tokenFeedback(w http.ResponseWriter, r *http.Request) {
	obj, ok := s.readObject(w, r, "FeedbackCreateRequestTokenBased")
	if !ok {
		return
	}
	var details []validate.Error
	switch tok, ok := obj["token_or_url"]; {
	case !ok:
		details = append(details, validate.New("missing", []any{"token_or_url"}, "Field required", obj))
	default:
		details = append(details, validate.Value(stringSchema, tok, "token_or_url")...)
	}
	details = append(details, checkFeedbackBody(obj, "score", "value", "comment", "correction", "metadata")...)
	if details != nil {
		s.writeError(w, validationError(details...))
		return
	}
	writeDetail(w, http.StatusBadRequest, "The feedback endpoint is only accessible when LangSmith is enabled on your LangServe server.\n "+
		"Please set the proper environment variables to enable LangSmith."+
		"In addition, please ensure that the token_feedback_config has been properly specified when using add_routes or APIHandler.")
}

// createFeedback answers POST and HEAD <path>/feedback.
func (s *settings) createFeedback(w http.ResponseWriter, r *http.Request) {
	obj, ok := s.readObject(w, r, "FeedbackCreateRequest")
	if !ok {
		return
	}
	var (
		details []validate.Error
		f       Feedback
	)
	switch v, ok := obj["run_id"]; {
	case !ok:
		details = append(details, validate.New("missing", []any{"run_id"}, "Field required", obj))
	case v != nil:
		id, d := parseUUID(v, []any{"run_id"})
		details = append(details, d...)
		f.RunID = &id
	}
	switch v, ok := obj["key"]; {
	case !ok:
		details = append(details, validate.New("missing", []any{"key"}, "Field required", obj))
	default:
		details = append(details, validate.Value(stringSchema, v, "key")...)
		f.Key, _ = v.(string)
	}
	details = append(details, checkFeedbackBody(obj, "score", "value", "comment")...)
	if details != nil {
		s.writeError(w, validationError(details...))
		return
	}
	f.Score, f.Value = obj["score"], obj["value"]
	if c, ok := obj["comment"].(string); ok {
		f.Comment = &c
	}
	stored, err := s.feedback.Create(r.Context(), f)
	if err != nil {
		s.failure(w, r, feedbackEndpoint, "", nil, err) // a *Error answers as it says
		return
	}
	writeJSON(w, http.StatusOK, stored)
}

// publicTraceLink answers PUT and HEAD <path>/public_trace_link.
func (s *settings) publicTraceLink(w http.ResponseWriter, r *http.Request) {
	obj, ok := s.readObject(w, r, "PublicTraceLinkCreateRequest")
	if !ok {
		return
	}
	v, present := obj["run_id"]
	if !present {
		s.writeError(w, validationError(validate.New("missing", []any{"run_id"}, "Field required", obj)))
		return
	}
	id, details := parseUUID(v, []any{"run_id"})
	if details != nil {
		s.writeError(w, validationError(details...))
		return
	}
	url, err := s.traceLinker.PublicTraceLink(r.Context(), id)
	if err != nil {
		s.failure(w, r, traceLinkEndpoint, id.String(), nil, err) // a *Error answers as it says
		return
	}
	b, _ := json.Marshal(map[string]string{"public_url": url})
	writeJSONBytes(w, http.StatusOK, b)
}

var uuidSchema = map[string]any{"type": "string", "format": "uuid"}

// parseUUID parses a UUID field (a run id) of a request, with pydantic's
// errors for what is not one.
func parseUUID(v any, loc []any) (uuid.UUID, []validate.Error) {
	s, ok := v.(string)
	if !ok {
		return uuid.Nil, []validate.Error{validate.New("uuid_type", loc, "UUID input should be a string, bytes or UUID object", v)}
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, validate.Value(uuidSchema, v, loc...)
	}
	return id, nil
}

var errNilRunnable = errors.New("serve: nil runnable")
