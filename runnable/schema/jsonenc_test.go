package schema

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// appendJSON has two ways to write a string: its fast path, appendString,
// and encoding/json (HTML escaping off) followed by unescapeLineSeparators,
// which nested strings take. Both must give the same bytes.
func checkAppendString(t *testing.T, s string) {
	t.Helper()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	w := string(unescapeLineSeparators(bytes.TrimSuffix(want.Bytes(), []byte{'\n'})))
	var got bytes.Buffer
	appendString(&got, s)
	if got.String() != w {
		t.Errorf("appendString(%q) = %s, encoding/json gives %s", s, got.String(), w)
	}
}

func TestAppendString(t *testing.T) {
	var all strings.Builder
	for c := 0; c < 0x80; c++ {
		all.WriteByte(byte(c))
	}
	for _, s := range []string{
		"", "plain", all.String(), "é日本😀", "<&>", "\u2028\u2029", `\u2028`, "bad\xffutf8\xc3", "\x00\x1f\x7f",
	} {
		checkAppendString(t, s)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\n\t\b\f", "\u2028", "\xff", "é"} {
		f.Add(s)
	}
	f.Fuzz(checkAppendString)
}
