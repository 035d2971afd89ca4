package golden

import (
	"fmt"
	"strings"
)

// Event is one Server-Sent Event of a LangServe stream.
type Event struct {
	Name    string // "data", "metadata", "error", "end"
	Data    string
	HasData bool
}

// ParseSSE splits a LangServe event stream into its events and leaves out
// comments (keep-alive pings). It is deliberately strict, unlike a client's
// parser: LangServe (sse-starlette) ends every line with CRLF and every
// event with an empty line, an event has at most one "event:" and one
// "data:" line, and the stream must end after a complete event. It is our
// own parser, not the server's, so that a framing bug in the server cannot
// hide behind the same bug in the test.
func ParseSSE(body []byte) ([]Event, error) {
	s := string(body)
	if s == "" {
		return nil, nil
	}
	if i := strings.Index(strings.ReplaceAll(s, "\r\n", "\r\r"), "\n"); i >= 0 {
		return nil, fmt.Errorf("sse: bare LF at byte %d (lines must end with CRLF)", i)
	}
	if !strings.HasSuffix(s, "\r\n\r\n") {
		return nil, fmt.Errorf("sse: stream does not end with an empty line: …%q", tail(s, 40))
	}
	var events []Event
	for _, block := range strings.Split(strings.TrimSuffix(s, "\r\n\r\n"), "\r\n\r\n") {
		var ev Event
		comment := true
		for _, line := range strings.Split(block, "\r\n") {
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "":
				continue // a comment line
			case "event":
				if ev.Name != "" {
					return nil, fmt.Errorf("sse: two event lines in %q", block)
				}
				ev.Name = value
			case "data":
				if ev.HasData {
					return nil, fmt.Errorf("sse: two data lines in %q", block)
				}
				ev.Data, ev.HasData = value, true
			default:
				return nil, fmt.Errorf("sse: unexpected line %q", line)
			}
			comment = false
		}
		if comment {
			continue
		}
		if ev.Name == "" {
			ev.Name = "message"
		}
		events = append(events, ev)
	}
	return events, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
