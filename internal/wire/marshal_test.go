package wire

import (
	"math"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable/schema"
)

func TestMarshal(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   any
		want string
	}{
		{"int", 2, `2`},
		{"nil", nil, `null`},
		{"html kept", "<a href='x'>&</a>", `"<a href='x'>&</a>"`},
		{"utf8 raw", "héllo 世界 \u2028", "\"héllo 世界 \u2028\""},
		{"map sorted compact", map[string]any{"b": 1, "a": []any{"x", nil}}, `{"a":["x",null],"b":1}`},
		{"document", schema.Document{PageContent: "foo", Metadata: map[string]any{"a": "<b>"}}, `{"id":null,"metadata":{"a":"<b>"},"page_content":"foo","type":"Document"}`},
		{"nested message", map[string]any{"m": schema.Human("<hi>")}, `{"m":{"content":"<hi>","additional_kwargs":{},"response_metadata":{},"type":"human","name":null,"id":null,"example":false}}`},
		{"nan and inf as orjson", map[string]any{"n": math.NaN(), "i": []any{math.Inf(1), math.Inf(-1)}}, `{"i":[null,null],"n":null}`},
		{"floats as encoding/json", []any{1.5, 1e21, 1e-7, float32(0.1), 100.0}, `[1.5,1e+21,1e-7,0.1,100]`},
		{"ordered object", object{{"z", 1}, {"a", object{{"y", true}, {"b", nil}}}}, `{"z":1,"a":{"y":true,"b":null}}`},
		{"control chars", "a\x00\x1f\t\"\\", `"a\u0000\u001f\t\"\\"`},
		{"invalid utf8", "a\xffb", `"a\ufffdb"`},
		{"struct", struct {
			A string `json:"a"`
			B int    `json:"b,omitempty"`
		}{A: "x"}, `{"a":"x"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   any
	}{
		{"chan", make(chan int)},
		{"func", func() {}},
		{"nan in struct", struct{ F float64 }{math.NaN()}},
		{"bad message type", schema.Message{Type: "robot"}},
		{"chan in ordered object", object{{"c", make(chan int)}}},
		{"nested func", map[string]any{"f": func() {}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Marshal(tt.in)
			if err == nil || !strings.HasPrefix(err.Error(), "wire: cannot serialize") {
				t.Fatalf("Marshal(%s) error = %v, want a wire error", tt.name, err)
			}
		})
	}
}
