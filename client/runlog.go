package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	jsonpatch "github.com/evanphx/json-patch/v5"
)

// LogPatch is one data event of /stream_log: JSON-Patch (RFC 6902)
// operations on the run's state (LangChain's RunLogPatch). The first patch
// of a stream replaces the whole state; apply them in order with a
// [RunLog].
type LogPatch struct {
	Ops []Op `json:"ops"`
}

// Op is one JSON-Patch operation. Value is the raw JSON of the value of
// add, replace and test operations.
type Op struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	From  string          `json:"from,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
}

// RunLog accumulates the patches of a stream_log stream into the run's
// state, as LangChain's RunLog does. The zero value is an empty log, ready
// to use; it is not safe for concurrent use.
//
// Apply only checks and queues operations; State and JSON apply what is
// queued, all at once. Applying each patch to the serialized state as it
// arrives would cost a parse of the whole state per patch, and a long chat
// model stream sends one patch per token. Keeping them all queued would
// cost memory quadratic in the answer, though (each token's patch holds
// the whole output so far), so Apply also applies the queue once it holds
// more than the state itself (and at least minQueued bytes).
type RunLog struct {
	doc     []byte
	pending []Op
	queued  int   // bytes of the values in pending
	err     error // of applying the queue in Apply, for the next State or JSON
}

// minQueued is how many bytes of operations Apply queues at least before
// it applies them.
const minQueued = 1 << 20

// ErrNoState is returned when a patch changes part of a state that no
// patch created yet, and by [RunLog.State] before the first patch.
var ErrNoState = errors.New("client: run log has no state yet")

var applyOptions = func() *jsonpatch.ApplyOptions {
	o := jsonpatch.NewApplyOptions()
	o.EscapeHTML = false // keep the server's text as it is
	return o
}()

// Apply adds the operations of p, in order. It fails, leaving the log as
// it was, on an operation that is not JSON-Patch and on a patch that comes
// before any state.
func (l *RunLog) Apply(p LogPatch) error {
	doc, pending, queued, restarted := l.doc, l.pending, l.queued, false
	for i, op := range p.Ops {
		switch op.Op {
		case "add", "replace", "test":
			if !json.Valid(op.Value) {
				return fmt.Errorf("client: run log patch: operation %d (%s %q) has no valid value", i, op.Op, op.Path)
			}
		case "remove", "move", "copy":
		default:
			return fmt.Errorf("client: run log patch: operation %d: unknown op %q", i, op.Op)
		}
		// A whole-document replace starts (or restarts) the state, and
		// makes the operations before it moot.
		if op.Path == "" && (op.Op == "replace" || op.Op == "add") {
			doc, pending, queued, restarted = slices.Clone(op.Value), nil, 0, true
			continue
		}
		if doc == nil {
			return ErrNoState
		}
		pending = append(pending, op)
		queued += len(op.Value)
	}
	l.doc, l.pending, l.queued = doc, pending, queued
	if restarted {
		l.err = nil // an error of the state replaced
	}
	if l.queued > max(minQueued, len(l.doc)) {
		if err := l.apply(); err != nil && l.err == nil {
			l.err = err
		}
	}
	return nil
}

// flush applies the queued operations to the state. When they do not
// apply, the state stays as it was before them and they are dropped.
func (l *RunLog) flush() error {
	if err := l.err; err != nil {
		// Applying the queue failed in Apply; the operations after it
		// were queued on the state from before it.
		l.err = nil
		return err
	}
	return l.apply()
}

// apply applies the queued operations, or none of them.
func (l *RunLog) apply() error {
	if len(l.pending) == 0 {
		return nil
	}
	ops := l.pending
	l.pending, l.queued = nil, 0
	// json.Marshal would escape <, > and & inside the values.
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ops); err != nil {
		return fmt.Errorf("client: run log patch: %w", err)
	}
	patch, err := jsonpatch.DecodePatch(raw.Bytes())
	if err != nil {
		return fmt.Errorf("client: run log patch: %w", err)
	}
	doc, err := patch.ApplyWithOptions(l.doc, applyOptions)
	if err != nil {
		return fmt.Errorf("client: run log patch: %w", err)
	}
	l.doc = doc
	return nil
}

// JSON returns the current state as JSON, or nil before the first patch.
func (l *RunLog) JSON() (json.RawMessage, error) {
	if err := l.flush(); err != nil {
		return nil, err
	}
	return slices.Clone(l.doc), nil
}

// State decodes the current state.
func (l *RunLog) State() (RunState, error) {
	var s RunState
	if err := l.flush(); err != nil {
		return s, err
	}
	if l.doc == nil {
		return s, ErrNoState
	}
	if err := json.Unmarshal(l.doc, &s); err != nil {
		return s, fmt.Errorf("client: run log state: %w", err)
	}
	return s, nil
}

// RunState is the state a stream_log stream builds (LangChain's RunState):
// the remote root run's streamed chunks and output so far, and one entry per
// reported inner run, keyed by run name ("name:2" for the second run of the
// same name). Values are kept as raw JSON; decode them with encoding/json
// (FinalOutput into the output type of the Remote).
type RunState struct {
	ID             string              `json:"id"`
	StreamedOutput []json.RawMessage   `json:"streamed_output"`
	FinalOutput    json.RawMessage     `json:"final_output"`
	Logs           map[string]LogEntry `json:"logs"`
	Name           string              `json:"name"`
	Type           string              `json:"type"`
}

// LogEntry is the state of one inner run (LangChain's LogEntry). EndTime is
// empty while the run is going on; StartTime and EndTime are ISO 8601.
type LogEntry struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	Type              string            `json:"type"`
	Tags              []string          `json:"tags"`
	Metadata          map[string]any    `json:"metadata"`
	StartTime         string            `json:"start_time"`
	StreamedOutput    []json.RawMessage `json:"streamed_output"`
	StreamedOutputStr []string          `json:"streamed_output_str"`
	Inputs            json.RawMessage   `json:"inputs"`
	FinalOutput       json.RawMessage   `json:"final_output"`
	EndTime           string            `json:"end_time"`
}
