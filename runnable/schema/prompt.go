package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/langserve-go/langserve/internal/pyfmt"
)

// PromptValue is what a prompt template produces and what a chat model
// accepts: either a plain text prompt (LangChain's StringPromptValue) or a
// list of messages (ChatPromptValue), told apart by IsChat.
type PromptValue struct {
	Text     string    // string prompt
	Messages []Message // chat prompt
	IsChat   bool
}

// StringPrompt returns a text prompt value.
func StringPrompt(text string) PromptValue { return PromptValue{Text: text} }

// ChatPrompt returns a chat prompt value holding msgs.
func ChatPrompt(msgs ...Message) PromptValue {
	if msgs == nil {
		msgs = []Message{}
	}
	return PromptValue{Messages: msgs, IsChat: true}
}

// String renders the prompt as text. A chat prompt is rendered like
// LangChain's get_buffer_string: one "Role: text" line per message, with the
// roles Human, AI, System, Function, Tool, or a chat message's own role (a
// legacy function_call in an AI message's additional_kwargs is appended in
// Python's repr form).
func (p PromptValue) String() string {
	if !p.IsChat {
		return p.Text
	}
	lines := make([]string, 0, len(p.Messages))
	for _, m := range p.Messages {
		var role string
		switch m.Type.Base() {
		case HumanType:
			role = "Human"
		case AIType:
			role = "AI"
		case SystemType:
			role = "System"
		case FunctionType:
			role = "Function"
		case ToolType:
			role = "Tool"
		case ChatType:
			role = m.Role
		default:
			role = string(m.Type)
		}
		line := role + ": " + m.Text()
		if m.Type.Base() == AIType {
			if fc, ok := m.AdditionalKwargs["function_call"]; ok {
				line += pyfmt.Repr(fc)
			}
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// ToMessages returns the prompt as messages: a string prompt becomes one
// human message. The returned slice is a copy.
func (p PromptValue) ToMessages() []Message {
	if !p.IsChat {
		return []Message{Human(p.Text)}
	}
	return append([]Message{}, p.Messages...)
}

// MarshalJSON writes a chat prompt as {"messages":[…]} with each message in
// its BaseMessage form ([Message.BaseJSON]) and no "type" key, which is how
// LangServe shows a ChatPromptValue in stream_log and stream_events; a
// string prompt is {"text":"…","type":"StringPromptValue"}.
func (p PromptValue) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if !p.IsChat {
		w := newObject(&buf)
		w.field("text", p.Text)
		w.raw("type", `"StringPromptValue"`)
		return w.finish()
	}
	buf.WriteString(`{"messages":[`)
	for i, m := range p.Messages {
		if i > 0 {
			buf.WriteByte(',')
		}
		b, err := m.BaseJSON()
		if err != nil {
			return nil, fmt.Errorf("schema: prompt value: messages[%d]: %w", i, err)
		}
		buf.Write(b)
	}
	buf.WriteString("]}")
	return buf.Bytes(), nil
}

// UnmarshalJSON accepts every form a chat model input may take on the wire:
// a JSON string (a string prompt); a list of messages; {"text":…};
// {"messages":[…]}; the objects may carry "type" "StringPromptValue",
// "ChatPromptValue" or "ChatPromptValueConcrete". List elements are message
// objects, or, as LangChain's convert_to_messages allows, a bare string (a
// human message), a [role, content] pair or a {"role","content"} object,
// where role is human/user, ai/assistant, system, developer (a system
// message), function, tool or chat.
func (p *PromptValue) UnmarshalJSON(data []byte) error {
	t := bytes.TrimSpace(data)
	if len(t) == 0 {
		return fmt.Errorf("prompt value: empty input")
	}
	switch t[0] {
	case '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return fmt.Errorf("prompt value: %w", err)
		}
		*p = StringPrompt(s)
		return nil
	case '[':
		msgs, err := decodeMessageList(t)
		if err != nil {
			return fmt.Errorf("prompt value: %w", err)
		}
		*p = ChatPrompt(msgs...)
		return nil
	case '{':
	default:
		return fmt.Errorf("prompt value must be a string, a list of messages or an object, got %s", describeJSON(t))
	}
	obj, err := decodeObject(t, "prompt value")
	if err != nil {
		return err
	}
	var tag string
	if raw, ok := obj["type"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &tag); err != nil {
			return fmt.Errorf("prompt value: type must be a string, got %s", describeJSON(raw))
		}
	}
	_, hasText := obj["text"]
	_, hasMessages := obj["messages"]
	switch {
	case tag == "StringPromptValue" || (tag == "" && hasText && !hasMessages):
		raw, ok := obj["text"]
		if !ok || isNull(raw) {
			return fmt.Errorf(`prompt value: missing "text"`)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("prompt value: text must be a string, got %s", describeJSON(raw))
		}
		*p = StringPrompt(s)
		return nil
	case tag == "ChatPromptValue" || tag == "ChatPromptValueConcrete" || (tag == "" && hasMessages):
		raw, ok := obj["messages"]
		if !ok || isNull(raw) {
			return fmt.Errorf(`prompt value: missing "messages"`)
		}
		msgs, err := decodeMessageList(raw)
		if err != nil {
			return fmt.Errorf("prompt value: messages: %w", err)
		}
		*p = ChatPrompt(msgs...)
		return nil
	case tag != "":
		return fmt.Errorf(`prompt value: unknown type %q (want "StringPromptValue", "ChatPromptValue" or "ChatPromptValueConcrete")`, tag)
	}
	return fmt.Errorf(`prompt value: object needs "text" or "messages"`)
}

// decodeMessageList decodes a JSON list of message-like values.
func decodeMessageList(data []byte) ([]Message, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil || items == nil {
		return nil, fmt.Errorf("want a list of messages, got %s", describeJSON(data))
	}
	msgs := make([]Message, 0, len(items))
	for i, item := range items {
		m, err := decodeMessageLike(item)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// roleTypes maps the roles of LangChain's convert_to_messages to types.
var roleTypes = map[string]MessageType{
	"human": HumanType, "user": HumanType,
	"ai": AIType, "assistant": AIType,
	"system": SystemType, "developer": SystemType,
	"function": FunctionType, "tool": ToolType, "chat": ChatType,
}

// decodeMessageLike decodes one element of a message list.
func decodeMessageLike(raw json.RawMessage) (Message, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return Message{}, fmt.Errorf("empty message")
	}
	switch t[0] {
	case '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return Message{}, err
		}
		return Human(s), nil
	case '[':
		var pair []json.RawMessage
		if err := json.Unmarshal(t, &pair); err != nil || len(pair) != 2 {
			return Message{}, fmt.Errorf("a message given as a list must be a [role, content] pair, got %s", describeJSON(t))
		}
		return messageFromRole(pair[0], map[string]json.RawMessage{"content": pair[1]})
	case '{':
		obj, err := decodeObject(t, "message")
		if err != nil {
			return Message{}, err
		}
		if _, hasType := obj["type"]; !hasType {
			if role, hasRole := obj["role"]; hasRole {
				delete(obj, "role")
				return messageFromRole(role, obj)
			}
		}
		return messageFromObject(obj)
	}
	return Message{}, fmt.Errorf("a message must be an object, a string or a [role, content] pair, got %s", describeJSON(t))
}

// messageFromRole builds a message from a role name and the other fields.
func messageFromRole(rawRole json.RawMessage, obj map[string]json.RawMessage) (Message, error) {
	var role string
	if err := json.Unmarshal(rawRole, &role); err != nil {
		return Message{}, fmt.Errorf("message role must be a string, got %s", describeJSON(rawRole))
	}
	typ, ok := roleTypes[role]
	if !ok {
		return Message{}, fmt.Errorf("unknown message role %q (want human, user, ai, assistant, system, developer, function, tool or chat)", role)
	}
	obj["type"] = json.RawMessage(strconv.Quote(string(typ)))
	if raw, ok := obj["content"]; !ok || isNull(raw) {
		obj["content"] = json.RawMessage(`""`) // LangChain: content or ""
	}
	m, err := messageFromObject(obj)
	if err != nil {
		return Message{}, err
	}
	if role == "developer" {
		kw := make(map[string]any, len(m.AdditionalKwargs)+1)
		for k, v := range m.AdditionalKwargs {
			kw[k] = v
		}
		kw["__openai_role__"] = "developer"
		m.AdditionalKwargs = kw
	}
	return m, nil
}
