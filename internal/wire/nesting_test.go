package wire

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// A value that contains itself is an error, not a stack overflow (which
// would end the whole server); the deepest value a request can decode to
// still encodes.
func TestNesting(t *testing.T) {
	m := map[string]any{}
	m["self"] = m
	l := []any{nil}
	l[0] = l
	for name, v := range map[string]any{"map": m, "list": l, "in an object": object{{"data", m}}} {
		if _, err := Marshal(v); !errors.Is(err, errTooDeep) {
			t.Errorf("%s: %v", name, err)
		}
	}

	var deep any
	text := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	if err := json.Unmarshal([]byte(text), &deep); err != nil {
		t.Fatal(err)
	}
	if b, err := Marshal(object{{"input", deep}}); err != nil || string(b) != `{"input":`+text+`}` {
		t.Errorf("10000 levels: %.40s…, %v", b, err)
	}

	// stream_log's running aggregate of a root output that contains itself.
	var got [][]byte
	logs := NewLogStream(Filter{}, func(p []byte) error { got = append(got, p); return nil })
	logs.HandleEvent(t.Context(), &runnable.Event{Kind: runnable.EventStart, Name: "r", Type: runnable.ChainRun})
	logs.Output(map[string]any{"self": map[string]any{}})
	logs.Output(m)
	if err := logs.Err(); !errors.Is(err, errTooDeep) {
		t.Errorf("stream_log of a cyclic output: %v after %d patches", err, len(got))
	}
}
