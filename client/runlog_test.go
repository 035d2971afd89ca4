package client_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/langserve-go/langserve/client"
)

func patch(t *testing.T, ops string) client.LogPatch {
	t.Helper()
	var p client.LogPatch
	if err := json.Unmarshal([]byte(`{"ops":`+ops+`}`), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunLog(t *testing.T) {
	var log client.RunLog
	if doc, err := log.JSON(); doc != nil || err != nil {
		t.Errorf("empty log: %s, %v", doc, err)
	}
	if _, err := log.State(); !errors.Is(err, client.ErrNoState) {
		t.Errorf("State of an empty log: %v", err)
	}
	if err := log.Apply(patch(t, `[{"op":"add","path":"/streamed_output/-","value":1}]`)); !errors.Is(err, client.ErrNoState) {
		t.Errorf("patch before the state: %v", err)
	}

	steps := []struct {
		ops, want, err string
	}{
		{ops: `[{"op":"replace","path":"","value":{"id":"r1","streamed_output":[],"final_output":null,"logs":{},"name":"/x","type":"chain"}}]`,
			want: `{"id":"r1","streamed_output":[],"final_output":null,"logs":{},"name":"/x","type":"chain"}`},
		{ops: `[{"op":"add","path":"/streamed_output/-","value":"<a&b>"},{"op":"replace","path":"/final_output","value":"<a&b>"}]`,
			want: `{"id":"r1","streamed_output":["<a&b>"],"final_output":"<a&b>","logs":{},"name":"/x","type":"chain"}`},
		{ops: `[{"op":"add","path":"/logs/f~1g","value":{"id":"c1","name":"f/g","streamed_output":[]}},{"op":"add","path":"/logs/f~1g/streamed_output/-","value":2}]`,
			want: `{"id":"r1","streamed_output":["<a&b>"],"final_output":"<a&b>","logs":{"f/g":{"id":"c1","name":"f/g","streamed_output":[2]}},"name":"/x","type":"chain"}`},
		{ops: `[{"op":"jump","path":"/x"}]`, err: `unknown op "jump"`},
		{ops: `[{"op":"add","path":"/final_output"}]`, err: "has no valid value"},
		// Accepted, but does not apply: State reports it and keeps the
		// state from before it.
		{ops: `[{"op":"add","path":"/nope/deeper","value":1}]`, err: "run log patch"},
		{ops: `[]`, want: `{"id":"r1","streamed_output":["<a&b>"],"final_output":"<a&b>","logs":{"f/g":{"id":"c1","name":"f/g","streamed_output":[2]}},"name":"/x","type":"chain"}`},
		{ops: `[{"op":"add","path":"/streamed_output/-","value":3},{"op":"replace","path":"","value":{"id":"r2"}},{"op":"add","path":"/x","value":[]}]`,
			want: `{"id":"r2","x":[]}`},
	}
	for _, s := range steps {
		err := log.Apply(patch(t, s.ops))
		if err == nil {
			var doc json.RawMessage
			doc, err = log.JSON()
			if err == nil && string(doc) != s.want {
				t.Errorf("after %s\n got %s\nwant %s", s.ops, doc, s.want)
			}
		}
		if s.err == "" && err != nil {
			t.Errorf("%s: %v", s.ops, err)
		}
		if s.err != "" && (err == nil || !strings.Contains(err.Error(), s.err)) {
			t.Errorf("%s: error %v, want one containing %q", s.ops, err, s.err)
		}
	}
	st, err := log.State()
	if err != nil || st.ID != "r2" {
		t.Errorf("state %+v, %v", st, err)
	}
}
