package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/langserve-go/langserve/internal/validate"
	"github.com/langserve-go/langserve/internal/wire"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/prompt"
)

// Error is an error with an HTTP status and a detail that is safe to show to
// clients. A runnable or an Options.PerRequest hook returns one (possibly
// wrapped) to answer with that status and {"detail": Detail} instead of a
// plain 500; after a stream has started it becomes the SSE error event's
// status_code and message. Err is the cause, for logs only.
type Error struct {
	Status int
	Detail any
	Err    error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("serve: %d %s", e.Status, http.StatusText(e.Status))
	if d, ok := e.Detail.(string); ok && d != "" {
		msg += ": " + d
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// validationError is a 422 answer with a pydantic-style detail list (see
// internal/validate, which makes the entries).
func validationError(details ...validate.Error) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Detail: details}
}

// errInvalidJSON is FastAPI's answer to a body that is not JSON at all.
var errInvalidJSON = &Error{Status: http.StatusUnprocessableEntity, Detail: []string{"Invalid JSON body"}}

var errInvalidHash = &Error{Status: http.StatusBadRequest, Detail: "Invalid config hash"}

const configurableDisallowed = "The config field `configurable` has been disallowed by the server. " +
	"This can be modified server side by adding `configurable` to the list of `config_keys` argument in `add_routes`"

// writeJSON answers with status and v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := wire.Marshal(v)
	if err != nil {
		writeInternal(w)
		return
	}
	writeJSONBytes(w, status, b)
}

func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// writeInternal is Starlette's answer to an unhandled exception, which is
// what LangServe's clients see when a runnable fails: a plain-text 500.
func writeInternal(w http.ResponseWriter) {
	const body = "Internal Server Error"
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusInternalServerError)
	w.Write([]byte(body))
}

// writeDetail answers {"detail": detail} with status.
func writeDetail(w http.ResponseWriter, status int, detail any) {
	writeJSON(w, status, map[string]any{"detail": detail})
}

var (
	notFound         = []byte(`{"detail":"Not Found"}`)
	methodNotAllowed = []byte(`{"detail":"Method Not Allowed"}`)
)

func writeNotFound(w http.ResponseWriter) { writeJSONBytes(w, http.StatusNotFound, notFound) }

func writeMethodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeJSONBytes(w, http.StatusMethodNotAllowed, methodNotAllowed)
}

// clientError maps the errors of runs that are the client's fault to a 4xx
// *Error: a *Error anywhere in the chain, a configurable value of the wrong
// shape, a prompt called without its variables. It returns nil for every
// other error, which is the server's (500).
func clientError(err error, input any) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if e, ok := errors.AsType[*runnable.ConfigValueError](err); ok {
		return validationError(validate.New("value_error", []any{"configurable", e.ID},
			"Value error, "+e.Error(), e.Value))
	}
	if e, ok := errors.AsType[*prompt.MissingVariablesError](err); ok {
		details := make([]validate.Error, len(e.Missing))
		for i, v := range e.Missing {
			details[i] = validate.New("missing", []any{v}, "Field required", input)
		}
		return validationError(details...)
	}
	return nil
}

// failure answers a request whose run failed before anything was written:
// the 4xx of a client error, else a plain 500 (or, in debug mode, a JSON
// 500 with the error text). Server errors are logged with the run id.
func (s *settings) failure(w http.ResponseWriter, r *http.Request, ep Endpoint, runID string, input any, err error) {
	if ce := clientError(err, input); ce != nil {
		s.writeError(w, ce)
		return
	}
	s.log.ErrorContext(r.Context(), "serve: run failed",
		"path", s.path, "endpoint", string(ep), "run_id", runID, "error", err)
	if s.debug {
		writeDetail(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeInternal(w)
}

// writeError answers with e's status and detail; a 5xx without a detail is
// the plain-text 500.
func (s *settings) writeError(w http.ResponseWriter, e *Error) {
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	if e.Detail == nil {
		if status == http.StatusInternalServerError {
			if s.debug && e.Err != nil {
				writeDetail(w, status, e.Err.Error())
				return
			}
			writeInternal(w)
			return
		}
		writeDetail(w, status, http.StatusText(status))
		return
	}
	writeDetail(w, status, e.Detail)
}

// streamErrorPayload is the data of an SSE error event: LangServe's fixed
// 500 message, or the status and detail of a client error.
func (s *settings) streamErrorPayload(err error, input any) []byte {
	status, message := http.StatusInternalServerError, "Internal Server Error"
	if ce := clientError(err, input); ce != nil {
		status = ce.Status
		switch d := ce.Detail.(type) {
		case nil:
			message = http.StatusText(status)
		case string:
			message = d
		default:
			if b, err := json.Marshal(d); err == nil {
				message = string(b)
			}
		}
	} else if s.debug {
		message = err.Error()
	}
	// Python's json.dumps spacing, as LangServe writes this event.
	m, _ := json.Marshal(message)
	return fmt.Appendf(nil, `{"status_code": %d, "message": %s}`, status, m)
}
