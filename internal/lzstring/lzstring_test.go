package lzstring

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf16"
)

// vectors mirrors testdata/vectors.json, produced by testdata/gen-vectors.mjs
// with npm lz-string 1.5.0.
type vectors struct {
	Roundtrip []struct {
		Name           string `json:"name"`
		Text           string `json:"text"`
		Hash           string `json:"hash"`
		LoneSurrogates bool   `json:"lone_surrogates"`
	} `json:"roundtrip"`
	Decode []struct {
		Input  string  `json:"input"`
		Value  *string `json:"value"`  // nil when lz-string returned null
		Throws *string `json:"throws"` // set when lz-string threw
		Strict bool    `json:"strict"` // decoding read only valid characters
	} `json:"decode"`
}

func loadVectors(tb testing.TB) vectors {
	tb.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		tb.Fatal(err)
	}
	var v vectors
	// encoding/json turns a lone-surrogate escape into U+FFFD, which is what
	// the decoder produces for a lone surrogate too.
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatal(err)
	}
	if len(v.Roundtrip) == 0 || len(v.Decode) == 0 {
		tb.Fatal("vectors.json has no vectors")
	}
	return v
}

// The worked examples of the protocol spec (§4), which LangServe's own
// encoder produced.
func TestSpecVectors(t *testing.T) {
	for _, tt := range []struct{ json, hash string }{
		{`{}`, "N4XyA"},
		{`{"tags": ["test"]}`, "N4IgLghg5gziBcACA2uApjMIC6BfIA"},
		{`{"configurable": {"template": "hear {name}"}}`, "N4Igxg9gdgZglgcwK4CcCGAjANgUxALgAJQAXHAWwAcs0yDCQALHNFYqNcnAXxG+6A"},
		{`{"configurable":{"llm":"hardcoded_llm"}}`, "N4Igxg9gdgZglgcwK4CcCGAjANgUxALlCywFsCQALNFAE0hpxoH1iyBfNoA"},
	} {
		t.Run(tt.hash, func(t *testing.T) {
			if got := CompressToEncodedURIComponent(tt.json); got != tt.hash {
				t.Errorf("Compress(%q) = %q, want %q", tt.json, got, tt.hash)
			}
			got, err := DecompressFromEncodedURIComponent(tt.hash)
			if err != nil || got != tt.json {
				t.Errorf("Decompress(%q) = %q, %v; want %q", tt.hash, got, err, tt.json)
			}
		})
	}
}

func TestVectorsRoundTrip(t *testing.T) {
	for _, v := range loadVectors(t).Roundtrip {
		t.Run(v.Name, func(t *testing.T) {
			// A Go string cannot hold a lone surrogate, so the JS input is not
			// representable and only the decoding direction can be compared.
			if !v.LoneSurrogates {
				if got := CompressToEncodedURIComponent(v.Text); got != v.Hash {
					t.Errorf("Compress = %.80q, want %.80q", got, v.Hash)
				}
			}
			got, err := DecompressFromEncodedURIComponent(v.Hash)
			if err != nil {
				t.Fatalf("Decompress(%.80q): %v", v.Hash, err)
			}
			if got != v.Text {
				t.Errorf("Decompress(%.80q) = %.80q, want %.80q", v.Hash, got, v.Text)
			}
		})
	}
}

// TestVectorsDecode runs the decoder on corrupted hashes and garbage. Where
// lz-string read only valid characters ("strict"), the result must be its
// result exactly, null meaning an error. Everywhere else lz-string substituted
// zero bits, and the Go decoder must reject the input, as LangServe's Python
// port does.
func TestVectorsDecode(t *testing.T) {
	var ok, rejected int
	for _, v := range loadVectors(t).Decode {
		got, err := DecompressFromEncodedURIComponent(v.Input)
		switch {
		case v.Strict && v.Throws == nil && v.Value != nil:
			if err != nil || got != *v.Value {
				t.Errorf("Decompress(%q) = %q, %v; want %q like lz-string", v.Input, got, err, *v.Value)
			}
			ok++
		default:
			if err == nil {
				t.Errorf("Decompress(%q) = %q, want an error (lz-string: value %v, throws %v, strict %v)",
					v.Input, got, deref(v.Value), deref(v.Throws), v.Strict)
			} else if !errors.Is(err, ErrInvalid) {
				t.Errorf("Decompress(%q) error %v does not wrap ErrInvalid", v.Input, err)
			}
			rejected++
		}
	}
	// Both branches must really be exercised by the vector file.
	if ok < 20 || rejected < 20 {
		t.Errorf("vectors exercise %d accepted and %d rejected inputs; want at least 20 of each", ok, rejected)
	}
}

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// LangServe answers 400 {"detail":"Invalid config hash"} unless the hash
// decodes to a JSON object; this is the check a handler makes.
func TestConfigHashMustBeObject(t *testing.T) {
	for _, tt := range []struct {
		hash       string
		wantObject bool
		wantErr    bool
	}{
		{"N4XyA", true, false},
		{"N4IgLghg5gziBcACA2uApjMIC6BfIA", true, false},
		{"1234", false, true},          // starts with the undefined token 3
		{"abc", false, false},          // a well-formed empty string
		{"notavalidhash", false, true}, // refers past the dictionary
		{"Q", false, false},            // the empty string
		{"", false, true},
		{"N4X yA", false, false}, // decodes, but to "{ý{{"
	} {
		t.Run(tt.hash, func(t *testing.T) {
			s, err := DecompressFromEncodedURIComponent(tt.hash)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Decompress(%q) = %q, %v; want error %v", tt.hash, s, err, tt.wantErr)
			}
			var obj map[string]any
			isObject := err == nil && json.Unmarshal([]byte(s), &obj) == nil && obj != nil
			if isObject != tt.wantObject {
				t.Errorf("Decompress(%q) = %q: JSON object %v, want %v", tt.hash, s, isObject, tt.wantObject)
			}
		})
	}
}

func TestSpaceReadsAsPlus(t *testing.T) {
	var n int
	for _, v := range loadVectors(t).Roundtrip {
		if !strings.Contains(v.Hash, "+") {
			continue
		}
		n++
		got, err := DecompressFromEncodedURIComponent(strings.ReplaceAll(v.Hash, "+", " "))
		if err != nil || got != v.Text {
			t.Errorf("%s: Decompress with spaces = %.40q, %v; want %.40q", v.Name, got, err, v.Text)
		}
	}
	if n == 0 {
		t.Fatal("no vector contains a '+'")
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"ascii", "hello hello hello", "hello hello hello"},
		{"nul", "\x00\x00a\x00", "\x00\x00a\x00"},
		{"two-byte", "ÿĀ", "ÿĀ"},
		{"non-BMP", "a😀b𝄞c", "a😀b𝄞c"},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb\xed\xa0\x80", "a\ufffdb\ufffd\ufffd\ufffd"},
		{"U+FFFD itself", "\ufffd", "\ufffd"},
		{"__proto__ quirk", strings.Repeat("__proto__", 40), strings.Repeat("__proto__", 40)},
		{"long", strings.Repeat(`{"tags":["x","y"],"n":12345}`, 2000), strings.Repeat(`{"tags":["x","y"],"n":12345}`, 2000)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := CompressToEncodedURIComponent(tt.in)
			if i := strings.IndexFunc(h, func(r rune) bool { return !strings.ContainsRune(alphabet, r) }); i >= 0 {
				t.Fatalf("hash %q has a character outside the alphabet at %d", h, i)
			}
			got, err := DecompressFromEncodedURIComponent(h)
			if err != nil || got != tt.want {
				t.Errorf("Decompress(Compress(%.40q)) = %.40q, %v; want %.40q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	for _, tt := range []struct {
		name    string
		in      string
		wantErr error
	}{
		{"exactly the limit", strings.Repeat("a", MaxDecompressedLen), nil},
		{"one unit over", strings.Repeat("a", MaxDecompressedLen+1), ErrTooLarge},
		{"limit crossed by a literal", strings.Repeat("a", MaxDecompressedLen) + "b", ErrTooLarge},
		{"surrogate pairs", strings.Repeat("😀", MaxDecompressedLen/2+1), ErrTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := CompressToEncodedURIComponent(tt.in)
			got, err := DecompressFromEncodedURIComponent(h)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Decompress(%d-char hash) error = %v, want %v", len(h), err, tt.wantErr)
			}
			if err == nil && got != tt.in {
				t.Errorf("Decompress returned %d bytes, want %d", len(got), len(tt.in))
			}
		})
	}
}

func FuzzDecompress(f *testing.F) {
	v := loadVectors(f)
	for _, r := range v.Roundtrip {
		f.Add(r.Hash)
	}
	for _, d := range v.Decode {
		f.Add(d.Input)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := DecompressFromEncodedURIComponent(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v wraps neither ErrInvalid nor ErrTooLarge", err)
			}
			if out != "" {
				t.Fatalf("output %q returned with error %v", out, err)
			}
			return
		}
		if n := len(utf16.Encode([]rune(out))); n > MaxDecompressedLen {
			t.Fatalf("output of %d code units exceeds the limit", n)
		}
		// Whatever decodes must survive our own round trip unchanged.
		again, err := DecompressFromEncodedURIComponent(CompressToEncodedURIComponent(out))
		if err != nil || again != out {
			t.Fatalf("round trip of %q = %q, %v", out, again, err)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	for _, r := range loadVectors(f).Roundtrip {
		f.Add(r.Text)
	}
	f.Fuzz(func(t *testing.T, in string) {
		want := string([]rune(in)) // invalid UTF-8 reads as U+FFFD
		got, err := DecompressFromEncodedURIComponent(CompressToEncodedURIComponent(in))
		if err != nil || got != want {
			t.Fatalf("round trip of %q = %q, %v", in, got, err)
		}
	})
}

func BenchmarkDecompress(b *testing.B) {
	for _, bb := range []struct{ name, json string }{
		{"small", `{"configurable":{"llm":"hardcoded_llm"}}`},
		{"typical", `{"tags":["playground","test"],"metadata":{"user_id":"u-1234","session":"5f0c2a"},"run_name":"translate","configurable":{"temperature":0.7,"model":"gpt-4o-mini","language":"French"}}`},
	} {
		h := CompressToEncodedURIComponent(bb.json)
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(h)))
			for b.Loop() {
				if _, err := DecompressFromEncodedURIComponent(h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompress(b *testing.B) {
	s := `{"tags":["playground","test"],"metadata":{"user_id":"u-1234","session":"5f0c2a"},"run_name":"translate","configurable":{"temperature":0.7,"model":"gpt-4o-mini","language":"French"}}`
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		CompressToEncodedURIComponent(s)
	}
}
