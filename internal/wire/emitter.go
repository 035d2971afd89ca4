package wire

import "sync"

// emitter is the part EventStream and LogStream share: the lock that
// serializes a request's events, the emit function with the buffer its
// documents are encoded into, and the first error, after which the stream
// ignores everything.
type emitter struct {
	mu   sync.Mutex
	emit func([]byte) error
	buf  []byte // reused for every document
	err  error
}

// Err returns the first error of emit or of serializing a value, or nil.
func (m *emitter) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// out emits b, a document appended to m.buf[:0], or records err, the error
// of encoding it; what names the document in that error. m.mu is held.
func (m *emitter) out(what string, b []byte, err error) {
	if err != nil {
		m.err = encodeError(what, err)
		return
	}
	m.buf = b
	if err := m.emit(b); err != nil {
		m.err = err
	}
}
