// Package sse writes and reads Server-Sent Events framed the way LangServe
// (through sse-starlette) frames them.
//
// # Writing
//
// [NewWriter] starts a text/event-stream response. Each [Writer.Event] becomes
//
//	event: <name>\r\n
//	data: <line>\r\n      (one per line of the payload)
//	\r\n
//
// and is flushed to the client at once; [Writer.End] writes the final
// "event: end\r\n\r\n", which has no data line (the JavaScript client would
// otherwise yield the data of end as one more chunk). While the stream is
// idle, a keep-alive comment such as ": ping - 2024-05-01 12:00:00.123456"
// is written every 15 seconds, with a UTC timestamp in Python's datetime
// format, so that proxies do not drop a connection that waits on a slow
// model. Both LangServe clients ignore comments.
//
// # Reading
//
// [Parse] reads such a stream back, for tests and for clients of LangServe
// servers.
package sse

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// DefaultPingInterval is the keep-alive interval of sse-starlette, which
// LangServe uses.
const DefaultPingInterval = 15 * time.Second

// ErrClosed is returned by [Writer.Event] and [Writer.End] after End or
// [Writer.Close].
var ErrClosed = errors.New("sse: write after End or Close")

// Option configures a [Writer].
type Option func(*options)

type options struct {
	pingInterval time.Duration
}

// WithPingInterval sets how long the stream may stay idle before a keep-alive
// comment is written. The default is [DefaultPingInterval]; zero or a
// negative duration disables pings.
func WithPingInterval(d time.Duration) Option {
	return func(o *options) { o.pingInterval = d }
}

// Writer writes one SSE response. Its methods are safe for concurrent use;
// writes (events and pings) are serialized and each is flushed before the
// next starts.
//
// The first failed write or flush (typically because the client went away)
// is sticky: that call and every later one return the same error, and pings
// stop.
//
// Close must be called before the handler returns, usually with defer: it
// stops the ping timer, which would otherwise write to a ResponseWriter that
// is no longer valid.
type Writer struct {
	rw       http.ResponseWriter
	rc       *http.ResponseController
	interval time.Duration

	mu   sync.Mutex
	buf  []byte    // encoding buffer, reused by every write
	err  error     // sticky write error
	done bool      // End or Close was called
	last time.Time // time of the last write, when pings are on

	// ping fires when the stream may have been idle for an interval; nil
	// when pings are off. A timer instead of a goroutine per stream: most
	// streams end long before their first ping.
	ping *time.Timer
}

// NewWriter sets the SSE response headers, writes status 200 and flushes them,
// and returns a Writer for the events. Headers set on w before the call are
// kept unless NewWriter sets them itself.
//
// A stream lives as long as the runnable behind it, so NewWriter lifts the
// server's write deadline for this response (http.Server.WriteTimeout would
// otherwise cut long streams); a ResponseWriter that cannot do that is used
// as it is. Flushes go through [http.ResponseController], which sees through
// middleware that implements Unwrap; if w cannot flush at all, the first
// write returns an error wrapping [http.ErrNotSupported] rather than
// buffering the whole stream silently.
func NewWriter(w http.ResponseWriter, opts ...Option) *Writer {
	o := options{pingInterval: DefaultPingInterval}
	for _, opt := range opts {
		opt(&o)
	}
	sw := &Writer{
		rw:       w,
		rc:       http.NewResponseController(w),
		interval: o.pingInterval,
		buf:      make([]byte, 0, 512),
	}
	if err := sw.rc.SetWriteDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		sw.err = fmt.Errorf("sse: lift write deadline: %w", err)
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	h.Del("Content-Length")
	w.WriteHeader(http.StatusOK)
	// Send the headers now: the Python client checks the content type
	// before it reads any event, and a slow first chunk must not delay that.
	if sw.err == nil {
		if err := sw.rc.Flush(); err != nil {
			sw.err = fmt.Errorf("sse: flush: %w", err)
		}
	}

	if sw.interval > 0 && sw.err == nil {
		sw.last = time.Now()
		sw.mu.Lock() // the callback reads sw.ping under mu
		sw.ping = time.AfterFunc(sw.interval, sw.pingIfIdle)
		sw.mu.Unlock()
	}
	return sw
}

// Event writes one event and flushes it. An empty name writes no event line
// (the client sees the default "message" type); line breaks in name are
// dropped. data is split at every CRLF, LF or CR into several data lines,
// which a client joins back with "\n"; empty data still writes one empty data
// line.
func (w *Writer) Event(name string, data []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if w.done {
		return ErrClosed
	}
	w.buf = appendEvent(w.buf[:0], name, data)
	return w.writeLocked()
}

// End writes the closing "event: end" (without a data line) and flushes it.
// No event or ping is written after it.
func (w *Writer) End() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if w.done {
		return ErrClosed
	}
	w.done = true
	w.buf = append(w.buf[:0], "event: end\r\n\r\n"...)
	return w.writeLocked()
}

// Close stops the keep-alive pings; after it returns, nothing more is
// written to the ResponseWriter (a ping being written holds the lock Close
// takes). It does not write
// an end event. Close is idempotent and must be called before the handler
// returns. It may block while a ping is being written to a client that does
// not read.
func (w *Writer) Close() {
	w.mu.Lock()
	w.done = true // a ping that fires from now on finds it and writes nothing
	w.mu.Unlock()
	if w.ping != nil {
		w.ping.Stop()
	}
}

// writeLocked writes and flushes w.buf. The caller holds w.mu.
func (w *Writer) writeLocked() error {
	if _, err := w.rw.Write(w.buf); err != nil {
		w.err = fmt.Errorf("sse: write: %w", err)
		return w.err
	}
	if err := w.rc.Flush(); err != nil {
		w.err = fmt.Errorf("sse: flush: %w", err)
		return w.err
	}
	if w.ping != nil {
		w.last = time.Now()
	}
	return nil
}

// pingIfIdle runs on the ping timer: it writes a keep-alive comment when
// nothing has been written for a whole interval, and sets the timer for the
// next check. The timer is not reset on every event, which would cost each
// event a timer operation; instead, when it fires early relative to the last
// write, it is re-armed for the remaining idle time.
func (w *Writer) pingIfIdle() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done || w.err != nil {
		return
	}
	now := time.Now()
	wait := w.interval - now.Sub(w.last)
	if wait <= 0 {
		w.buf = appendPing(w.buf[:0], now)
		if w.writeLocked() != nil {
			return
		}
		wait = w.interval
	}
	w.ping.Reset(wait)
}

const crlf = "\r\n"

func appendEvent(buf []byte, name string, data []byte) []byte {
	if name != "" {
		buf = append(buf, "event: "...)
		for i := range len(name) {
			if c := name[i]; c != '\r' && c != '\n' {
				buf = append(buf, c)
			}
		}
		buf = append(buf, crlf...)
	}
	for {
		buf = append(buf, "data: "...)
		i := indexLineBreak(data)
		if i < 0 {
			buf = append(buf, data...)
			buf = append(buf, crlf...)
			break
		}
		buf = append(buf, data[:i]...)
		buf = append(buf, crlf...)
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	return append(buf, crlf...)
}

func indexLineBreak(b []byte) int {
	for i, c := range b {
		if c == '\r' || c == '\n' {
			return i
		}
	}
	return -1
}

// appendPing appends sse-starlette's keep-alive comment: ": ping - " and the
// time as Python's str(datetime.utcnow()) writes it, which leaves out the
// fraction when the microseconds are zero.
func appendPing(buf []byte, now time.Time) []byte {
	now = now.UTC()
	buf = append(buf, ": ping - "...)
	buf = now.AppendFormat(buf, "2006-01-02 15:04:05")
	if us := now.Nanosecond() / 1000; us != 0 {
		buf = append(buf, '.')
		for div := 100000; div > 0; div /= 10 {
			buf = append(buf, byte('0'+us/div%10))
		}
	}
	return append(buf, crlf+crlf...)
}
