package schema

import (
	"encoding/json"

	"github.com/langserve-go/langserve/internal/pyfmt"
)

// finalizeAI applies what langchain-core's AIMessage / AIMessageChunk
// validators do whenever such a message is constructed: first the
// backwards-compatible parse of OpenAI-style additional_kwargs["tool_calls"],
// then, for chunks, the derivation of tool calls from tool call chunks.
func (m Message) finalizeAI() Message {
	m = m.backCompatToolCalls()
	if m.Type == AIChunkType {
		m = m.initToolCalls()
	}
	return m
}

// backCompatToolCalls fills ToolCalls/InvalidToolCalls (or ToolCallChunks
// for a chunk) from additional_kwargs["tool_calls"] in the OpenAI format
// ({"id","index","function":{"name","arguments"}}) when the message has no
// tool call fields of its own. As in LangChain, a malformed list is ignored.
func (m Message) backCompatToolCalls() Message {
	if len(m.ToolCalls) > 0 || len(m.InvalidToolCalls) > 0 || len(m.ToolCallChunks) > 0 {
		return m
	}
	raw, ok := m.AdditionalKwargs["tool_calls"].([]any)
	if !ok || len(raw) == 0 {
		return m
	}
	if m.Type == AIChunkType {
		if chunks, ok := parseOpenAIToolCallChunks(raw); ok {
			m.ToolCallChunks = chunks
		}
		return m
	}
	if calls, invalid, ok := parseOpenAIToolCalls(raw); ok {
		m.ToolCalls, m.InvalidToolCalls = calls, invalid
	}
	return m
}

// parseOpenAIToolCalls mirrors langchain-core's default_tool_parser: entries
// without "function" are skipped, arguments that are not valid JSON give an
// invalid tool call. ok=false when the list is malformed in a way that makes
// LangChain abandon the whole parse.
func parseOpenAIToolCalls(raw []any) (calls []ToolCall, invalid []InvalidToolCall, ok bool) {
	for _, item := range raw {
		entry, isMap := item.(map[string]any)
		if !isMap {
			return nil, nil, false
		}
		fn, has := entry["function"]
		if !has {
			continue
		}
		fnMap, isMap := fn.(map[string]any)
		if !isMap {
			return nil, nil, false
		}
		name, nameOK := optionalString(fnMap["name"])
		args, argsOK := fnMap["arguments"].(string)
		id, idOK := optionalString(entry["id"])
		if !nameOK || !argsOK || !idOK {
			return nil, nil, false
		}
		var parsed any
		if err := json.Unmarshal([]byte(escapeControlInStrings(args)), &parsed); err == nil {
			if parsed == nil {
				parsed = map[string]any{}
			}
			if obj, isObj := parsed.(map[string]any); isObj {
				calls = append(calls, ToolCall{Name: name, Args: obj, ID: id})
				continue
			}
		}
		invalid = append(invalid, InvalidToolCall{Name: name, Args: args, ID: id})
	}
	return calls, invalid, true
}

// parseOpenAIToolCallChunks mirrors langchain-core's default_tool_chunk_parser.
func parseOpenAIToolCallChunks(raw []any) ([]ToolCallChunk, bool) {
	var chunks []ToolCallChunk
	for _, item := range raw {
		entry, isMap := item.(map[string]any)
		if !isMap {
			return nil, false
		}
		var c ToolCallChunk
		if fn, has := entry["function"]; has {
			fnMap, isMap := fn.(map[string]any)
			if !isMap {
				return nil, false
			}
			var ok1, ok2 bool
			c.Name, ok1 = optionalString(fnMap["name"])
			c.Args, ok2 = optionalString(fnMap["arguments"])
			if !ok1 || !ok2 {
				return nil, false
			}
		}
		var ok bool
		if c.ID, ok = optionalString(entry["id"]); !ok {
			return nil, false
		}
		if idx, has := entry["index"]; has && idx != nil {
			n, isInt := asInt(idx)
			if !isInt {
				return nil, false
			}
			c.Index = &n
		}
		chunks = append(chunks, c)
	}
	return chunks, true
}

// optionalString accepts a string or nil.
func optionalString(v any) (string, bool) {
	if v == nil {
		return "", true
	}
	s, ok := v.(string)
	return s, ok
}

// initToolCalls is langchain-core's AIMessageChunk.init_tool_calls: without
// tool call chunks, the chunks are derived from the tool calls; with chunks,
// the tool calls are re-derived from them by parsing each chunk's args with
// [ParsePartialJSON] (empty args count as {}); args that do not parse to an
// object make an invalid tool call.
func (m Message) initToolCalls() Message {
	if len(m.ToolCallChunks) == 0 {
		var chunks []ToolCallChunk
		for _, tc := range m.ToolCalls {
			chunks = append(chunks, ToolCallChunk{Name: tc.Name, Args: pyfmt.Dumps(orEmpty(tc.Args)), ID: tc.ID})
		}
		for _, tc := range m.InvalidToolCalls {
			chunks = append(chunks, ToolCallChunk{Name: tc.Name, Args: tc.Args, ID: tc.ID})
		}
		if chunks != nil {
			m.ToolCallChunks = chunks
		}
		return m
	}
	var calls []ToolCall
	var invalid []InvalidToolCall
	for _, c := range m.ToolCallChunks {
		var args any = map[string]any{}
		var err error
		if c.Args != "" {
			args, err = ParsePartialJSON(c.Args)
		}
		if obj, ok := args.(map[string]any); ok && err == nil {
			calls = append(calls, ToolCall{Name: c.Name, Args: obj, ID: c.ID})
			continue
		}
		invalid = append(invalid, InvalidToolCall{Name: c.Name, Args: c.Args, ID: c.ID})
	}
	m.ToolCalls, m.InvalidToolCalls = calls, invalid
	return m
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
