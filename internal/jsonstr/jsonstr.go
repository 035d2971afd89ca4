// Package jsonstr encodes strings as JSON the way Python's orjson does,
// which is how LangServe writes every string it sends. It is the one
// string encoder of runnable/schema's MarshalJSON methods and of the wire
// encoder, so that a message and a stream event spell the same text alike.
package jsonstr

import "unicode/utf8"

// Append appends s to b as a JSON string, quotes included, and returns the
// extended slice. Only ", \ and control characters are escaped (with the
// short escapes where JSON has them, \u00XX otherwise); <, >, &, U+2028,
// U+2029 and all other non-ASCII text stay raw. That is encoding/json's
// output with HTML escaping off, except for U+2028 and U+2029, which
// encoding/json escapes. Invalid UTF-8 becomes \ufffd, as in encoding/json
// (Python strings cannot hold it).
func Append(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
