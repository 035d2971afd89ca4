package schema

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/langserve-go/langserve/internal/jsonstr"
)

// appendJSON appends the compact JSON encoding of v the way Python's orjson
// writes it: UTF-8 kept raw and no HTML escaping of <, > and &. The standard
// encoder escapes U+2028 and U+2029 even with HTML escaping off; orjson does
// not, so those two escapes are undone.
func appendJSON(buf *bytes.Buffer, v any) error {
	// Fast paths for the scalar fields every message has; encoding/json's
	// encoder setup costs more than the value itself.
	switch x := v.(type) {
	case string:
		appendString(buf, x)
		return nil
	case bool:
		if x {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
		return nil
	case int:
		buf.WriteString(strconv.Itoa(x))
		return nil
	case nil:
		buf.WriteString("null")
		return nil
	}
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b := bytes.TrimSuffix(tmp.Bytes(), []byte{'\n'})
	buf.Write(unescapeLineSeparators(b))
	return nil
}

// Marshal encodes v as LangServe's Python server (orjson) would: compact,
// UTF-8 kept raw, no HTML escaping of <, > and &, and U+2028/U+2029 raw.
// Use it, or a json.Encoder with SetEscapeHTML(false), for wire output:
// json.Marshal re-escapes <, > and & even inside the output of the
// MarshalJSON methods of this package.
func Marshal(v any) ([]byte, error) { return marshalJSON(v) }

// appendString writes s as a JSON string exactly as encoding/json does with
// HTML escaping off, except that U+2028 and U+2029 stay raw (as in orjson).
func appendString(buf *bytes.Buffer, s string) {
	buf.Write(jsonstr.Append(buf.AvailableBuffer(), s))
}

// marshalJSON is appendJSON into a fresh slice.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := appendJSON(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unescapeLineSeparators replaces the escapes \u2028 and \u2029 that
// encoding/json emits by the raw characters. It only touches escapes, never a
// literal backslash followed by "u2028": an escape starts after an even
// number of backslashes.
func unescapeLineSeparators(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u202`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+5 < len(b) && b[i+1] == 'u' && b[i+2] == '2' && b[i+3] == '0' && b[i+4] == '2' && (b[i+5] == '8' || b[i+5] == '9') {
			if b[i+5] == '8' {
				out = append(out, "\u2028"...)
			} else {
				out = append(out, "\u2029"...)
			}
			i += 5
			continue
		}
		// Any other escape: copy it whole so that its second byte is never
		// taken for the start of a new escape.
		out = append(out, c)
		if i+1 < len(b) {
			i++
			out = append(out, b[i])
		}
	}
	return out
}

// objectWriter writes a JSON object field by field, in the order LangChain
// uses, remembering the first encoding error.
type objectWriter struct {
	buf   *bytes.Buffer
	first bool
	err   error
}

func newObject(buf *bytes.Buffer) *objectWriter {
	buf.WriteByte('{')
	return &objectWriter{buf: buf, first: true}
}

func (w *objectWriter) key(k string) {
	if !w.first {
		w.buf.WriteByte(',')
	}
	w.first = false
	appendString(w.buf, k)
	w.buf.WriteByte(':')
}

// str writes a string field without boxing it into an interface.
func (w *objectWriter) str(k, s string) {
	if w.err != nil {
		return
	}
	w.key(k)
	appendString(w.buf, s)
}

func (w *objectWriter) field(k string, v any) {
	if w.err != nil {
		return
	}
	w.key(k)
	if err := appendJSON(w.buf, v); err != nil {
		w.err = err
	}
}

func (w *objectWriter) raw(k string, raw string) {
	if w.err != nil {
		return
	}
	w.key(k)
	w.buf.WriteString(raw)
}

// nullable writes s, or null when s is empty.
func (w *objectWriter) nullable(k, s string) {
	if s == "" {
		w.raw(k, "null")
		return
	}
	w.str(k, s)
}

// object writes m, or {} when m is nil.
func (w *objectWriter) object(k string, m map[string]any) {
	if m == nil {
		w.raw(k, "{}")
		return
	}
	w.field(k, m)
}

// finish closes the object and returns the buffer's bytes.
func (w *objectWriter) finish() ([]byte, error) {
	w.buf.WriteByte('}')
	if w.err != nil {
		return nil, w.err
	}
	return w.buf.Bytes(), nil
}
