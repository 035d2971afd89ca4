package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// ToolCall is a parsed request from a model to call a tool.
// JSON: {"name":…,"args":{…},"id":…|null,"type":"tool_call"}.
type ToolCall struct {
	Name string
	Args map[string]any // nil serializes as {}
	ID   string         // "" serializes as null
}

// ToolCallChunk is a fragment of a tool call as streamed by a model; Args is
// a piece of the JSON-encoded arguments. Chunks with the same Index are
// merged by concatenation (see [Message.Concat]).
// JSON: {"name","args","id","index","type":"tool_call_chunk"}, where empty
// strings and a nil Index are null.
type ToolCallChunk struct {
	Name  string
	Args  string
	ID    string
	Index *int
}

// InvalidToolCall is a tool call whose arguments could not be parsed.
// JSON: {"name","args","id","error","type":"invalid_tool_call"}, where empty
// strings are null.
type InvalidToolCall struct {
	Name, Args, ID, Error string
}

// UsageMetadata counts the tokens of a model call. The detail maps (for
// example {"cache_read":100} or {"reasoning":200}) are omitted from the JSON
// when nil.
type UsageMetadata struct {
	InputTokens        int
	OutputTokens       int
	TotalTokens        int
	InputTokenDetails  map[string]int
	OutputTokenDetails map[string]int
}

// MarshalJSON implements json.Marshaler.
func (tc ToolCall) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	w := newObject(&buf)
	w.field("name", tc.Name)
	w.object("args", tc.Args)
	w.nullable("id", tc.ID)
	w.raw("type", `"tool_call"`)
	return w.finish()
}

// UnmarshalJSON implements json.Unmarshaler. It requires an object whose
// "args" is an object (or null); "type", when present, must be "tool_call".
func (tc *ToolCall) UnmarshalJSON(data []byte) error {
	obj, err := decodeObject(data, "tool call")
	if err != nil {
		return err
	}
	if err := checkTag(obj, "tool_call", "tool call"); err != nil {
		return err
	}
	var out ToolCall
	if out.Name, err = optString(obj, "name", "tool call"); err != nil {
		return err
	}
	if out.ID, err = optString(obj, "id", "tool call"); err != nil {
		return err
	}
	if out.Args, err = optObject(obj, "args", "tool call"); err != nil {
		return err
	}
	*tc = out
	return nil
}

// MarshalJSON implements json.Marshaler.
func (c ToolCallChunk) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	w := newObject(&buf)
	w.nullable("name", c.Name)
	w.nullable("args", c.Args)
	w.nullable("id", c.ID)
	if c.Index == nil {
		w.raw("index", "null")
	} else {
		w.field("index", *c.Index)
	}
	w.raw("type", `"tool_call_chunk"`)
	return w.finish()
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *ToolCallChunk) UnmarshalJSON(data []byte) error {
	obj, err := decodeObject(data, "tool call chunk")
	if err != nil {
		return err
	}
	if err := checkTag(obj, "tool_call_chunk", "tool call chunk"); err != nil {
		return err
	}
	var out ToolCallChunk
	if out.Name, err = optString(obj, "name", "tool call chunk"); err != nil {
		return err
	}
	if out.Args, err = optString(obj, "args", "tool call chunk"); err != nil {
		return err
	}
	if out.ID, err = optString(obj, "id", "tool call chunk"); err != nil {
		return err
	}
	if raw, ok := obj["index"]; ok && !isNull(raw) {
		n, err := decodeInt(raw)
		if err != nil {
			return fmt.Errorf("tool call chunk: index: %w", err)
		}
		out.Index = &n
	}
	*c = out
	return nil
}

// MarshalJSON implements json.Marshaler.
func (c InvalidToolCall) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	w := newObject(&buf)
	w.nullable("name", c.Name)
	w.nullable("args", c.Args)
	w.nullable("id", c.ID)
	w.nullable("error", c.Error)
	w.raw("type", `"invalid_tool_call"`)
	return w.finish()
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *InvalidToolCall) UnmarshalJSON(data []byte) error {
	obj, err := decodeObject(data, "invalid tool call")
	if err != nil {
		return err
	}
	if err := checkTag(obj, "invalid_tool_call", "invalid tool call"); err != nil {
		return err
	}
	var out InvalidToolCall
	for _, f := range []struct {
		key string
		dst *string
	}{{"name", &out.Name}, {"args", &out.Args}, {"id", &out.ID}, {"error", &out.Error}} {
		if *f.dst, err = optString(obj, f.key, "invalid tool call"); err != nil {
			return err
		}
	}
	*c = out
	return nil
}

// MarshalJSON implements json.Marshaler.
func (u UsageMetadata) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	w := newObject(&buf)
	w.field("input_tokens", u.InputTokens)
	w.field("output_tokens", u.OutputTokens)
	w.field("total_tokens", u.TotalTokens)
	if u.InputTokenDetails != nil {
		w.field("input_token_details", u.InputTokenDetails)
	}
	if u.OutputTokenDetails != nil {
		w.field("output_token_details", u.OutputTokenDetails)
	}
	return w.finish()
}

// UnmarshalJSON implements json.Unmarshaler. The three totals are required,
// as in LangChain's UsageMetadata; null detail counts are skipped.
func (u *UsageMetadata) UnmarshalJSON(data []byte) error {
	obj, err := decodeObject(data, "usage metadata")
	if err != nil {
		return err
	}
	var out UsageMetadata
	for _, f := range []struct {
		key string
		dst *int
	}{{"input_tokens", &out.InputTokens}, {"output_tokens", &out.OutputTokens}, {"total_tokens", &out.TotalTokens}} {
		raw, ok := obj[f.key]
		if !ok || isNull(raw) {
			return fmt.Errorf("usage metadata: missing %s", f.key)
		}
		if *f.dst, err = decodeInt(raw); err != nil {
			return fmt.Errorf("usage metadata: %s: %w", f.key, err)
		}
	}
	for _, f := range []struct {
		key string
		dst *map[string]int
	}{{"input_token_details", &out.InputTokenDetails}, {"output_token_details", &out.OutputTokenDetails}} {
		raw, ok := obj[f.key]
		if !ok || isNull(raw) {
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			return fmt.Errorf("usage metadata: %s must be an object", f.key)
		}
		details := make(map[string]int, len(m))
		for k, v := range m {
			if isNull(v) {
				continue
			}
			n, err := decodeInt(v)
			if err != nil {
				return fmt.Errorf("usage metadata: %s.%s: %w", f.key, k, err)
			}
			details[k] = n
		}
		*f.dst = details
	}
	*u = out
	return nil
}

// addUsage adds two usage records the way langchain-core's add_usage does:
// counts are summed, detail maps are merged key by key. A nil operand counts
// as zero; two nils give nil.
func addUsage(a, b *UsageMetadata) *UsageMetadata {
	if a == nil && b == nil {
		return nil
	}
	var x, y UsageMetadata
	if a != nil {
		x = *a
	}
	if b != nil {
		y = *b
	}
	return &UsageMetadata{
		InputTokens:        x.InputTokens + y.InputTokens,
		OutputTokens:       x.OutputTokens + y.OutputTokens,
		TotalTokens:        x.TotalTokens + y.TotalTokens,
		InputTokenDetails:  addCounts(x.InputTokenDetails, y.InputTokenDetails),
		OutputTokenDetails: addCounts(x.OutputTokenDetails, y.OutputTokenDetails),
	}
}

func addCounts(a, b map[string]int) map[string]int {
	if a == nil && b == nil {
		return nil
	}
	out := make(map[string]int, len(a)+len(b))
	for k, v := range a {
		out[k] += v
	}
	for k, v := range b {
		out[k] += v
	}
	return out
}

// --- small decoding helpers shared by the UnmarshalJSON methods ---

// decodeObject decodes data as a JSON object, keeping the values raw.
func decodeObject(data []byte, what string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("%s must be a JSON object, got %s", what, describeJSON(data))
	}
	return obj, nil
}

// checkTag verifies an optional "type" tag.
func checkTag(obj map[string]json.RawMessage, tag, what string) error {
	raw, ok := obj["type"]
	if !ok || isNull(raw) {
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || s != tag {
		return fmt.Errorf("%s: type must be %q, got %s", what, tag, raw)
	}
	return nil
}

// optString decodes an optional string field; null and absent give "".
func optString(obj map[string]json.RawMessage, key, what string) (string, error) {
	raw, ok := obj[key]
	if !ok || isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%s: %s must be a string, got %s", what, key, describeJSON(raw))
	}
	return s, nil
}

// optObject decodes an optional object field; null and absent give nil.
func optObject(obj map[string]json.RawMessage, key, what string) (map[string]any, error) {
	raw, ok := obj[key]
	if !ok || isNull(raw) {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s: %s must be an object, got %s", what, key, describeJSON(raw))
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// decodeInt decodes a JSON number that must be integral (1 and 1.0 both are).
func decodeInt(raw json.RawMessage) (int, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, fmt.Errorf("want an integer, got %s", describeJSON(raw))
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("want an integer, got %s", raw)
	}
	return int(f), nil
}

// describeJSON names the kind of a JSON value for error messages, with a
// short excerpt.
func describeJSON(raw []byte) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	kind := "invalid JSON"
	switch {
	case t[0] == '{':
		kind = "an object"
	case t[0] == '[':
		kind = "an array"
	case t[0] == '"':
		kind = "a string"
	case string(t) == "null":
		return "null"
	case string(t) == "true" || string(t) == "false":
		kind = "a boolean"
	case t[0] == '-' || (t[0] >= '0' && t[0] <= '9'):
		kind = "a number"
	}
	if !json.Valid(t) {
		kind = "invalid JSON"
	}
	ex := string(t)
	if len(ex) > 40 {
		ex = ex[:40] + "…"
	}
	return kind + " (" + ex + ")"
}

// sortedKeys returns the keys of m in sorted order, so that iteration-driven
// results (merges, errors) are deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
