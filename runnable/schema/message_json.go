package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// MarshalJSON writes exactly the field set and order that langchain-core 0.3
// dumps for the class of m.Type (pydantic model_dump order):
//
//	all:            content, additional_kwargs, response_metadata, type, name, id
//	human, ai:      + example
//	ai:             + tool_calls, invalid_tool_calls, usage_metadata
//	AIMessageChunk: + tool_call_chunks
//	tool:           + tool_call_id, artifact, status
//	chat:           + role
//
// (chunk classes as their base class), followed by the keys of Extra in
// sorted order. The output is compact, keeps non-ASCII text as UTF-8 and does
// not HTML-escape, as Python's orjson. An unknown Type is an error.
func (m Message) MarshalJSON() ([]byte, error) {
	return m.marshal(false)
}

// BaseJSON writes only the BaseMessage fields (content, additional_kwargs,
// response_metadata, type, name, id, then Extra). This is how pydantic dumps a
// message held in a field declared as BaseMessage, such as the messages of a
// ChatPromptValue: the golden transcripts show such messages without
// "example".
func (m Message) BaseJSON() ([]byte, error) {
	return m.marshal(true)
}

func (m Message) marshal(baseOnly bool) ([]byte, error) {
	if !m.Type.Valid() {
		return nil, fmt.Errorf("schema: cannot serialize message of unknown type %q", m.Type)
	}
	var buf bytes.Buffer
	buf.Grow(256 + len(m.Content))
	w := newObject(&buf)
	if m.ContentBlocks != nil {
		w.field("content", m.ContentBlocks)
	} else {
		w.str("content", m.Content)
	}
	w.object("additional_kwargs", m.AdditionalKwargs)
	w.object("response_metadata", m.ResponseMetadata)
	w.str("type", string(m.Type))
	w.nullable("name", m.Name)
	w.nullable("id", m.ID)
	if !baseOnly {
		base := m.Type.Base()
		if base.hasExample() {
			if m.Example {
				w.raw("example", "true")
			} else {
				w.raw("example", "false")
			}
		}
		if base.isAIFamily() {
			list(w, "tool_calls", m.ToolCalls)
			list(w, "invalid_tool_calls", m.InvalidToolCalls)
			if m.UsageMetadata == nil {
				w.raw("usage_metadata", "null")
			} else {
				w.field("usage_metadata", m.UsageMetadata)
			}
			if m.Type == AIChunkType {
				list(w, "tool_call_chunks", m.ToolCallChunks)
			}
		}
		if base == ToolType {
			w.str("tool_call_id", m.ToolCallID)
			w.field("artifact", m.Artifact)
			w.str("status", m.status())
		}
		if base == ChatType {
			w.str("role", m.Role)
		}
	}
	if len(m.Extra) > 0 {
		known := m.Type.fields()
		for _, k := range sortedKeys(m.Extra) {
			if slices.Contains(known, k) {
				continue // a declared field always wins over a stray extra
			}
			w.field(k, m.Extra[k])
		}
	}
	return w.finish()
}

// list writes a list field; nil and empty lists are [] (skipping the
// encoder for the common empty case).
func list[T any](w *objectWriter, k string, s []T) {
	if len(s) == 0 {
		w.raw(k, "[]")
		return
	}
	w.field(k, s)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// fields lists the JSON keys that belong to the class (including "type").
func (t MessageType) fields() []string {
	f := []string{"content", "additional_kwargs", "response_metadata", "type", "name", "id"}
	base := t.Base()
	if base.hasExample() {
		f = append(f, "example")
	}
	if base.isAIFamily() {
		f = append(f, "tool_calls", "invalid_tool_calls", "usage_metadata")
		if t == AIChunkType {
			f = append(f, "tool_call_chunks")
		}
	}
	switch base {
	case ToolType:
		f = append(f, "tool_call_id", "artifact", "status")
	case ChatType:
		f = append(f, "role")
	}
	return f
}

// typeAliases maps the type tags other clients send to our classes. The JS
// RemoteRunnable serializes ChatMessage with its JS type "generic".
var typeAliases = map[string]MessageType{"generic": ChatType}

// validTypeList is used in error messages.
const validTypeList = `"human", "ai", "system", "tool", "function", "chat" (or "generic"), ` +
	`"AIMessageChunk", "HumanMessageChunk", "SystemMessageChunk", "ToolMessageChunk", ` +
	`"FunctionMessageChunk", "ChatMessageChunk"`

// UnmarshalJSON accepts the shapes LangChain clients send for a message:
// the full dumps of the Python client, minimal objects such as
// {"type":"human","content":"hi"}, and the JS client's shapes (where
// ChatMessage has type "generic"). Content may be a string or a list whose
// elements are content block objects or strings (a string element becomes a
// {"type":"text","text":…} block). Like LangChain's pydantic models it
// requires "type" and "content", "tool_call_id" for tool messages, "name" for
// function messages and "role" for chat messages; class names such as
// "HumanMessage" are not type tags in LangChain and are rejected. Keys that
// are not fields of the class are kept in Extra.
//
// For AI messages it then applies langchain-core's construction rules: OpenAI
// style additional_kwargs["tool_calls"] fill ToolCalls (or ToolCallChunks)
// when none are given, and an AIMessageChunk's ToolCalls are derived from its
// ToolCallChunks.
func (m *Message) UnmarshalJSON(data []byte) error {
	obj, err := decodeObject(data, "message")
	if err != nil {
		return err
	}
	out, err := messageFromObject(obj)
	if err != nil {
		return err
	}
	*m = out
	return nil
}

func messageFromObject(obj map[string]json.RawMessage) (Message, error) {
	var m Message
	rawType, ok := obj["type"]
	if !ok || isNull(rawType) {
		return m, fmt.Errorf(`message: missing "type" (want one of %s)`, validTypeList)
	}
	var tag string
	if err := json.Unmarshal(rawType, &tag); err != nil {
		return m, fmt.Errorf("message: type must be a string, got %s", describeJSON(rawType))
	}
	m.Type = MessageType(tag)
	if alias, ok := typeAliases[tag]; ok {
		m.Type = alias
	}
	if !m.Type.Valid() {
		return m, fmt.Errorf("message: unknown type %q (want one of %s)", tag, validTypeList)
	}
	what := fmt.Sprintf("%s message", m.Type)

	rawContent, ok := obj["content"]
	if !ok || isNull(rawContent) {
		return m, fmt.Errorf(`%s: missing "content"`, what)
	}
	if err := decodeContent(rawContent, &m); err != nil {
		return m, fmt.Errorf("%s: %w", what, err)
	}
	var err error
	if m.AdditionalKwargs, err = optObject(obj, "additional_kwargs", what); err != nil {
		return m, err
	}
	if m.ResponseMetadata, err = optObject(obj, "response_metadata", what); err != nil {
		return m, err
	}
	if m.Name, err = optString(obj, "name", what); err != nil {
		return m, err
	}
	if m.ID, err = optStringOrNumber(obj, "id", what); err != nil {
		return m, err
	}

	base := m.Type.Base()
	if base.hasExample() {
		if raw, ok := obj["example"]; ok && !isNull(raw) {
			if err := json.Unmarshal(raw, &m.Example); err != nil {
				return m, fmt.Errorf("%s: example must be a boolean, got %s", what, describeJSON(raw))
			}
		}
	}
	if base.isAIFamily() {
		if err := decodeList(obj, "tool_calls", what, &m.ToolCalls); err != nil {
			return m, err
		}
		if err := decodeList(obj, "invalid_tool_calls", what, &m.InvalidToolCalls); err != nil {
			return m, err
		}
		if raw, ok := obj["usage_metadata"]; ok && !isNull(raw) {
			m.UsageMetadata = new(UsageMetadata)
			if err := json.Unmarshal(raw, m.UsageMetadata); err != nil {
				return m, fmt.Errorf("%s: %w", what, err)
			}
		}
		if m.Type == AIChunkType {
			if err := decodeList(obj, "tool_call_chunks", what, &m.ToolCallChunks); err != nil {
				return m, err
			}
		}
	}
	switch base {
	case ToolType:
		raw, ok := obj["tool_call_id"]
		if !ok || isNull(raw) {
			return m, fmt.Errorf(`%s: missing "tool_call_id"`, what)
		}
		if m.ToolCallID, err = optStringOrNumber(obj, "tool_call_id", what); err != nil {
			return m, err
		}
		if raw, ok := obj["artifact"]; ok && !isNull(raw) {
			if err := json.Unmarshal(raw, &m.Artifact); err != nil {
				return m, fmt.Errorf("%s: artifact: %w", what, err)
			}
		}
		if m.Status, err = optString(obj, "status", what); err != nil {
			return m, err
		}
		if m.Status != "" && m.Status != "success" && m.Status != "error" {
			return m, fmt.Errorf(`%s: status must be "success" or "error", got %q`, what, m.Status)
		}
	case FunctionType:
		if m.Name == "" {
			if raw, ok := obj["name"]; !ok || isNull(raw) {
				return m, fmt.Errorf(`%s: missing "name"`, what)
			}
		}
	case ChatType:
		raw, ok := obj["role"]
		if !ok || isNull(raw) {
			return m, fmt.Errorf(`%s: missing "role"`, what)
		}
		if m.Role, err = optString(obj, "role", what); err != nil {
			return m, err
		}
	}

	known := m.Type.fields()
	for k, raw := range obj {
		if slices.Contains(known, k) {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return m, fmt.Errorf("%s: %s: %w", what, k, err)
		}
		if m.Extra == nil {
			m.Extra = make(map[string]any)
		}
		m.Extra[k] = v
	}
	if base.isAIFamily() {
		m = m.finalizeAI()
	}
	return m.normalized(), nil
}

// normalized sets empty collections to nil: they serialize the same ({} and
// []), and nil keeps decoded or merged messages comparable with constructed
// ones. ContentBlocks is the exception, as [] content differs from "".
func (m Message) normalized() Message {
	if len(m.AdditionalKwargs) == 0 {
		m.AdditionalKwargs = nil
	}
	if len(m.ResponseMetadata) == 0 {
		m.ResponseMetadata = nil
	}
	if len(m.Extra) == 0 {
		m.Extra = nil
	}
	if len(m.ToolCalls) == 0 {
		m.ToolCalls = nil
	}
	if len(m.InvalidToolCalls) == 0 {
		m.InvalidToolCalls = nil
	}
	if len(m.ToolCallChunks) == 0 {
		m.ToolCallChunks = nil
	}
	return m
}

// decodeContent fills Content or ContentBlocks from a JSON string or list.
func decodeContent(raw json.RawMessage, m *Message) error {
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) > 0 && t[0] == '"':
		return json.Unmarshal(t, &m.Content)
	case len(t) > 0 && t[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(t, &items); err != nil {
			return fmt.Errorf("content: %w", err)
		}
		blocks := make([]map[string]any, 0, len(items))
		for i, item := range items {
			it := bytes.TrimSpace(item)
			if len(it) > 0 && it[0] == '"' {
				var s string
				if err := json.Unmarshal(it, &s); err != nil {
					return fmt.Errorf("content[%d]: %w", i, err)
				}
				blocks = append(blocks, textBlock(s))
				continue
			}
			var b map[string]any
			if err := json.Unmarshal(it, &b); err != nil || b == nil {
				return fmt.Errorf("content[%d] must be a string or an object, got %s", i, describeJSON(it))
			}
			blocks = append(blocks, b)
		}
		m.ContentBlocks = blocks
		return nil
	}
	return fmt.Errorf("content must be a string or a list, got %s", describeJSON(raw))
}

func textBlock(s string) map[string]any { return map[string]any{"type": "text", "text": s} }

// decodeList decodes an optional JSON list field into *dst (null -> nil).
func decodeList[T any](obj map[string]json.RawMessage, key, what string, dst *[]T) error {
	raw, ok := obj[key]
	if !ok || isNull(raw) {
		return nil
	}
	t := bytes.TrimSpace(raw)
	if t[0] != '[' {
		return fmt.Errorf("%s: %s must be a list, got %s", what, key, describeJSON(raw))
	}
	if err := json.Unmarshal(t, dst); err != nil {
		return fmt.Errorf("%s: %s: %w", what, key, err)
	}
	return nil
}

// optStringOrNumber decodes an optional string, turning numbers into their
// decimal text as pydantic's coerce_numbers_to_str does for ids.
func optStringOrNumber(obj map[string]json.RawMessage, key, what string) (string, error) {
	raw, ok := obj[key]
	if !ok || isNull(raw) {
		return "", nil
	}
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9')) {
		var n json.Number
		if err := json.Unmarshal(t, &n); err == nil {
			return n.String(), nil
		}
	}
	var s string
	if err := json.Unmarshal(t, &s); err != nil {
		return "", fmt.Errorf("%s: %s must be a string, got %s", what, key, describeJSON(raw))
	}
	return s, nil
}
