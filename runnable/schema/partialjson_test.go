package schema

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The expectations were cross-checked against the output of LangChain's
// character-walking parse_partial_json (langchain-core 0.3) on the same
// inputs; "ERR" means it raised, "MISMATCH" that it returned None.
func TestParsePartialJSON(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{`{"a": 1}`, `{"a":1}`},
		{`{"a": [1, 2`, `{"a":[1,2]}`},
		{`{"city": "Par`, `{"city":"Par"}`},
		{`{"a": 1, "b`, `{"a":1}`},
		{`{"a": 1, "b":`, `{"a":1}`},
		{`{"a": 1, "b": tr`, `{"a":1}`},
		{`[1, 2, 3`, `[1,2,3]`},
		{`{"a": {"b": [`, `{"a":{"b":[]}}`},
		{`{"a": "x\`, `{"a":"x"}`},
		{"{\"a\": \"line\nbreak", `{"a":"line\nbreak"}`},
		{"{\"a\": \"tab\there\"}", `{"a":"tab\there"}`},
		{`{"a": 1]`, "MISMATCH"},
		{`]`, "MISMATCH"},
		{``, "ERR"},
		{`   `, "ERR"},
		{`oops`, "ERR"},
		{`{"ci`, `{}`},
		{`ty"`, "ERR"},
		{`"unterminated`, `"unterminated"`},
		{`{"a": 1.`, `{"a":1}`},
		{`{"a": -`, `{}`},
		{`{"a": "\u00e`, `{}`},
		{`[{"x": 1}, {"y": 2`, `[{"x":1},{"y":2}]`},
		{`{"n": null, "t": true, "f": fal`, `{"n":null,"t":true}`},
		{`{"s": "é日本`, `{"s":"é日本"}`},
		{`{"a": [1, {"b": "c"}]`, `{"a":[1,{"b":"c"}]}`},
		{`42`, `42`},
		{`nul`, "ERR"},
		{`{"a" 1`, `{}`},
		{`{"k": "v"} trailing`, `{"k":"v"}`},
		{`{"q": "say \"hi\" now`, `{"q":"say \"hi\" now"}`},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePartialJSON(tt.in)
			switch tt.want {
			case "MISMATCH":
				if !errors.Is(err, ErrMismatchedBracket) {
					t.Errorf("got %v, %v; want ErrMismatchedBracket", got, err)
				}
				return
			case "ERR":
				if err == nil || errors.Is(err, ErrMismatchedBracket) {
					t.Errorf("got %v, %v; want a syntax error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			b, err := marshalJSON(got)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got %s, want %s", b, tt.want)
			}
		})
	}
}

// A long input that cannot be completed must still finish quickly: the
// parser skips every prefix that contains a known syntax error instead of
// trying them one by one.
func TestParsePartialJSONLongGarbage(t *testing.T) {
	in := `{"a": ` + strings.Repeat("x", 200000)
	got, err := ParsePartialJSON(in)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := got.(map[string]any); !ok || len(m) != 0 {
		t.Errorf("got %v", got)
	}
}

// ParsePartialJSON must never panic, and whatever it returns for valid JSON
// must be what encoding/json returns.
func FuzzParsePartialJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, "x`, `]`, `"\`, `{"a":1}`, "{\"a\": \"\n", `[{"b": {"c": [tr`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParsePartialJSON(s)
		var want any
		if json.Unmarshal([]byte(s), &want) == nil {
			if err != nil || !reflect.DeepEqual(v, want) {
				t.Errorf("valid JSON %q: got %v, %v", s, v, err)
			}
		}
	})
}
