package sse

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
)

// MaxLineLen is the longest line [Parse] accepts. A data line carries a whole
// serialized chunk (stream_log patches can hold entire documents), so it is
// generous; the buffer only grows as far as the longest line actually seen.
const MaxLineLen = 64 << 20

// Event is one item of a parsed stream: either an event or a comment line.
type Event struct {
	// Name is the event type from the "event:" field; empty when the event
	// had none. Always empty for a comment.
	Name string
	// Data is the event's data lines joined with "\n", or the text of a
	// comment after the colon (with one leading space removed).
	Data string
	// Comment reports a comment line, such as a keep-alive ping.
	Comment bool
}

// Parse reads Server-Sent Events from r and returns a single-use iterator
// over them. Lines may end in CRLF, LF or CR, and a leading byte order mark
// is skipped. An event is reported at the blank line that ends it when it had
// an "event" or a "data" field, so "event: end" without data is reported
// (browsers' EventSource would drop it; the LangServe clients do not). "id",
// "retry" and unknown fields are ignored, and comments are reported as they
// are read, with Comment set.
//
// Reading stops when the consumer stops iterating. The error, if any, is the
// last pair: a read error from r, a line longer than [MaxLineLen], or an
// [io.ErrUnexpectedEOF] when r ends inside an event (a partial line or fields
// without the closing blank line); that partial event is not reported.
func Parse(r io.Reader) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		var unterminated, skipLF bool
		// scanned is how much of the pending line the last call found
		// free of line breaks: the scanner calls again after every read
		// with the same bytes and more, and searching them from the start
		// each time made a long line cost quadratic time.
		scanned := 0
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 4096), MaxLineLen)
		sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
			// A CR ends its line at once, so an event that ends in CR is
			// delivered without waiting for the next byte; an LF right after
			// it is then skipped. The skip happens within the same call:
			// bufio.Scanner stops at EOF after a call that returns no token.
			start := 0
			if skipLF && len(data) > 0 {
				skipLF = false
				if data[0] == '\n' {
					start = 1
				}
			}
			rest := data[start:]
			from := min(scanned, len(rest))
			if i := indexLineBreak(rest[from:]); i >= 0 {
				i += from
				scanned = 0
				skipLF = rest[i] == '\r'
				return start + i + 1, rest[:i], nil
			}
			if atEOF && len(rest) > 0 {
				scanned = 0
				unterminated = true
				return len(data), rest, nil
			}
			// Advancing by start drops a skipped LF: the next call's data
			// begins with rest.
			scanned = len(rest)
			return start, nil, nil
		})

		var (
			name     string
			data     []byte
			hasData  bool
			dispatch bool // an event or data field was seen
			inEvent  bool // any field was seen since the last blank line
			first    = true
		)
		for sc.Scan() {
			line := sc.Bytes()
			if first {
				line = bytes.TrimPrefix(line, []byte("\uFEFF"))
				first = false
			}
			if unterminated {
				break
			}
			if len(line) == 0 {
				if dispatch {
					ev := Event{Name: name, Data: string(data)}
					if !yield(ev, nil) {
						return
					}
				}
				name, data, hasData, dispatch, inEvent = "", data[:0], false, false, false
				continue
			}
			if line[0] == ':' {
				if !yield(Event{Data: string(trimOneSpace(line[1:])), Comment: true}, nil) {
					return
				}
				continue
			}
			inEvent = true
			field, value := line, []byte(nil)
			if i := bytes.IndexByte(line, ':'); i >= 0 {
				field, value = line[:i], trimOneSpace(line[i+1:])
			}
			switch string(field) {
			case "event":
				name = string(value)
				dispatch = true
			case "data":
				if hasData {
					data = append(data, '\n')
				}
				data = append(data, value...)
				hasData, dispatch = true, true
			}
		}
		if err := sc.Err(); err != nil {
			yield(Event{}, fmt.Errorf("sse: read stream: %w", err))
			return
		}
		if unterminated || inEvent {
			yield(Event{}, fmt.Errorf("sse: stream ends inside an event: %w", io.ErrUnexpectedEOF))
		}
	}
}

func trimOneSpace(b []byte) []byte {
	if len(b) > 0 && b[0] == ' ' {
		return b[1:]
	}
	return b
}
