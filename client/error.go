package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Error is what the server answered instead of a result: an HTTP status
// outside 2xx, or the error event that ends a failed stream.
//
// For an HTTP answer, Status is its status code, Body its text (at most
// 64 KiB) and Detail the decoded "detail" field when the body is JSON, as
// FastAPI and LangServe write it: a list of pydantic validation errors
// ([]any of map[string]any) for a 422 on a bad input, a string for other
// refusals. For an SSE error event, Status and Body are its "status_code"
// and "message" (LangServe sends 500 and "Internal Server Error"; the reason
// stays in the server's logs) and Detail is nil.
//
// Callers get it with errors.As or errors.AsType[*client.Error]: the error
// returned wraps it with the method and URL of the request.
type Error struct {
	Status int
	Body   string
	Detail any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "server answered %d", e.Status)
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	if e.Body != "" && e.Body != http.StatusText(e.Status) {
		b.WriteString(": ")
		b.WriteString(truncate(e.Body, 300))
	}
	return b.String()
}

// truncate shortens s to about n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// errorFrom reads a non-2xx answer.
func errorFrom(resp *http.Response) *Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, errBodyLimit))
	e := &Error{Status: resp.StatusCode, Body: string(body)}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/json" {
		var v struct {
			Detail any `json:"detail"`
		}
		if json.Unmarshal(body, &v) == nil {
			e.Detail = v.Detail
		}
	}
	return e
}

// sseError turns the data of an SSE error event into an *Error. Data that
// is not the expected JSON is kept as the body of a 500, as the Python
// client does.
func sseError(data string) *Error {
	var v struct {
		Status  *int   `json:"status_code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(data), &v); err != nil || v.Status == nil {
		return &Error{Status: http.StatusInternalServerError, Body: data}
	}
	return &Error{Status: *v.Status, Body: v.Message}
}

// ErrIncomplete is returned by streams whose connection ended without
// LangServe's final end event: the output seen so far may be truncated.
var ErrIncomplete = errors.New("client: event stream ended before its end event")
