// Package golden reads the HTTP exchanges recorded from the reference
// Python LangServe server and compares live answers with them: JSON
// structurally with generated ids and times masked, Server-Sent Events
// event by event, and stream_log streams also by the state their patches
// build.
//
// A transcript is one exchange recorded with curl:
//
//	### REQUEST
//	POST /chat/invoke HTTP/1.1
//	Host: 127.0.0.1:8100
//	Content-Type: application/json
//
//	{"input":…}
//
//	### RESPONSE
//	HTTP/1.1 200 OK\r\n
//	content-type: application/json\r\n
//	\r\n
//	<body, byte-exact, to the end of the file>
//
// The request part uses LF line ends (it was written by the recording
// script); the response part is what curl -i printed, CRLF headers and the
// raw body. When the server aborted a body, curl appended its own error
// line ("curl: (18) transfer closed …") after the body.
//
// The package is a test helper of examples/conformance; it is not a
// general HTTP transcript parser.
package golden

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Exchange is one recorded request and the reference server's answer.
type Exchange struct {
	// Name is the file name without ".txt", e.g. "chat__stream_log".
	Name string

	// The request as the recording client sent it. Header holds the
	// recorded headers (Host and Content-Type at most).
	Method, Target string
	Header         http.Header
	Body           []byte

	// The reference answer. RespBody is byte-exact, without curl's error
	// line; Aborted reports that curl printed one, i.e. that the server
	// broke the connection off after RespBody (what the Python server does
	// after an SSE error event).
	Status     int
	RespHeader http.Header
	RespBody   []byte
	Aborted    bool
}

const (
	requestMark  = "### REQUEST\n"
	responseMark = "\n### RESPONSE\n"
	curlPrefix   = "curl: ("
)

// Parse reads one transcript. name is used in errors and as Exchange.Name.
func Parse(name string, data []byte) (*Exchange, error) {
	fail := func(format string, args ...any) (*Exchange, error) {
		return nil, fmt.Errorf("golden %s: %s", name, fmt.Sprintf(format, args...))
	}
	rest, ok := bytes.CutPrefix(data, []byte(requestMark))
	if !ok {
		return fail("does not start with %q", strings.TrimSpace(requestMark))
	}
	req, resp, ok := bytes.Cut(rest, []byte(responseMark))
	if !ok {
		return fail("no %q line", strings.TrimSpace(responseMark))
	}
	ex := &Exchange{Name: name, Header: http.Header{}}

	// Request: request line and headers up to the first empty line, then
	// the body followed by the one line end written before the mark.
	head, body, ok := bytes.Cut(req, []byte("\n\n"))
	if !ok {
		return fail("request has no empty line after its headers")
	}
	lines := strings.Split(string(head), "\n")
	parts := strings.Fields(lines[0])
	if len(parts) != 3 || !strings.HasPrefix(parts[2], "HTTP/") {
		return fail("bad request line %q", lines[0])
	}
	ex.Method, ex.Target = parts[0], parts[1]
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return fail("bad request header line %q", l)
		}
		ex.Header.Add(k, strings.TrimSpace(v))
	}
	ex.Body = bytes.TrimSuffix(body, []byte("\n"))

	// Response: CRLF status line and headers, CRLF, body.
	rhead, rbody, ok := bytes.Cut(resp, []byte("\r\n\r\n"))
	if !ok {
		return fail("response has no empty line after its headers")
	}
	rlines := strings.Split(string(rhead), "\r\n")
	status := strings.SplitN(rlines[0], " ", 3)
	if len(status) < 2 || !strings.HasPrefix(status[0], "HTTP/") {
		return fail("bad status line %q", rlines[0])
	}
	code, err := strconv.Atoi(status[1])
	if err != nil {
		return fail("bad status code in %q", rlines[0])
	}
	ex.Status = code
	ex.RespHeader = http.Header{}
	for _, l := range rlines[1:] {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return fail("bad response header line %q", l)
		}
		ex.RespHeader.Add(textproto.CanonicalMIMEHeaderKey(k), strings.TrimSpace(v))
	}
	if i := bytes.LastIndex(rbody, []byte("\n"+curlPrefix)); i >= 0 && !bytes.Contains(rbody[i+1:], []byte("\n\n")) {
		ex.Aborted = true
		rbody = rbody[:i+1]
	}
	ex.RespBody = rbody
	if cl := ex.RespHeader.Get("Content-Length"); cl != "" {
		n, err := strconv.Atoi(cl)
		if err != nil || n != len(ex.RespBody) {
			return fail("content-length %s but the body has %d bytes", cl, len(ex.RespBody))
		}
	}
	return ex, nil
}

// IsSSE reports whether the reference answer is an event stream.
func (ex *Exchange) IsSSE() bool {
	return strings.HasPrefix(ex.RespHeader.Get("Content-Type"), "text/event-stream")
}

// Endpoint is the last segment of the request path ("invoke",
// "stream_log", "input_schema", …).
func (ex *Exchange) Endpoint() string {
	p, _, _ := strings.Cut(ex.Target, "?")
	return p[strings.LastIndex(p, "/")+1:]
}

// Load parses every ROUTE__CASE.txt transcript in dir, sorted by name, and
// leaves out the files whose name starts with one of skip.
func Load(dir string, skip ...string) ([]*Exchange, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*__*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*Exchange
	var errs []error
	for _, path := range names {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		if hasAnyPrefix(name, skip) {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ex, err := Parse(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, ex)
	}
	if len(out) == 0 && len(errs) == 0 {
		return nil, fmt.Errorf("golden: no transcripts in %s", dir)
	}
	return out, errors.Join(errs...)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
