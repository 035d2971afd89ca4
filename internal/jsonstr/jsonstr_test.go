package jsonstr_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/internal/jsonstr"
)

// check compares Append with encoding/json with HTML escaping off, which
// differs only by escaping U+2028 and U+2029 (orjson, like Append, keeps
// them raw).
func check(t *testing.T, s string) {
	t.Helper()
	// Encode the text between the separators and keep them raw.
	var want strings.Builder
	want.WriteByte('"')
	start := 0
	for i, r := range s {
		if r == 0x2028 || r == 0x2029 {
			want.WriteString(encodeStd(t, s[start:i]))
			want.WriteRune(r)
			start = i + len(string(r))
		}
	}
	want.WriteString(encodeStd(t, s[start:]))
	want.WriteByte('"')
	got := jsonstr.Append([]byte("prefix:"), s)
	if string(got) != "prefix:"+want.String() {
		t.Errorf("Append(%q) = %s, want prefix:%s", s, got, want.String())
	}
	var back string
	if err := json.Unmarshal(got[len("prefix:"):], &back); err != nil {
		t.Errorf("Append(%q) is not JSON: %v", s, err)
	}
}

// encodeStd is encoding/json's encoding of s with HTML escaping off,
// without the quotes.
func encodeStd(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	out := strings.TrimSuffix(buf.String(), "\n")
	return out[1 : len(out)-1]
}

var seeds = []string{
	"", "plain", "<&>", "é世界", "é日本😀", "\u2028\u2029", `\u2028 \\u2029`, `"\\`, "a\"b\\c",
	"\t\n\r\b\f", "\x00\x1f\x7f", "a\xffb\xc0", "bad\xffutf8\xc3",
}

func TestAppend(t *testing.T) {
	var ascii strings.Builder
	for c := range 0x80 {
		ascii.WriteByte(byte(c))
	}
	for _, s := range append(seeds, ascii.String()) {
		check(t, s)
	}
	for _, tt := range []struct{ in, want string }{
		{"<p>&amp;</p>", `"<p>&amp;</p>"`},
		{"line\u2028sep", "\"line\u2028sep\""},
		{"\x01", `"\u0001"`},
		{"\xff", `"\ufffd"`},
	} {
		if got := string(jsonstr.Append(nil, tt.in)); got != tt.want {
			t.Errorf("Append(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(check)
}
