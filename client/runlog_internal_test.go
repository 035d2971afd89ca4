package client

import (
	"encoding/json"
	"strings"
	"testing"
)

// A stream_log stream replaces the whole final output at every token, so
// the patches of a long answer add up to far more than the state: the log
// must not keep them all queued until State is called.
func TestRunLogBoundsQueuedOperations(t *testing.T) {
	var l RunLog
	if err := l.Apply(LogPatch{Ops: []Op{{Op: "replace", Path: "", Value: json.RawMessage(`{"streamed_output":[],"final_output":""}`)}}}); err != nil {
		t.Fatal(err)
	}
	const n = 1200
	tok, _ := json.Marshal("token ")
	most := 0
	for i := range n {
		v := json.RawMessage(`"` + strings.Repeat("token ", i+1) + `"`)
		if err := l.Apply(LogPatch{Ops: []Op{{Op: "add", Path: "/streamed_output/-", Value: tok}, {Op: "replace", Path: "/final_output", Value: v}}}); err != nil {
			t.Fatal(err)
		}
		queued := 0
		for _, op := range l.pending {
			queued += len(op.Value)
		}
		most = max(most, queued)
	}
	st, err := l.State()
	if err != nil {
		t.Fatal(err)
	}
	var final string
	if err := json.Unmarshal(st.FinalOutput, &final); err != nil || final != strings.Repeat("token ", n) || len(st.StreamedOutput) != n {
		t.Fatalf("final output of %d bytes, %d chunks, %v", len(final), len(st.StreamedOutput), err)
	}
	// The answer is 7 kB; the patches add up to 4 MB.
	if limit := 2*minQueued + 2*len(l.doc); most > limit {
		t.Errorf("up to %d bytes of operations queued, want at most %d", most, limit)
	}
}
