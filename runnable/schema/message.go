package schema

import "strings"

// MessageType is the "type" discriminator LangChain writes into every
// serialized message. It selects the message class and so the JSON field set.
type MessageType string

// The message classes of langchain-core 0.3. The chunk classes use their class
// name as type tag, exactly as Python does, which is how clients tell a
// streamed AIMessageChunk from a final AIMessage.
const (
	HumanType    MessageType = "human"
	AIType       MessageType = "ai"
	SystemType   MessageType = "system"
	ToolType     MessageType = "tool"
	FunctionType MessageType = "function"
	ChatType     MessageType = "chat"

	AIChunkType       MessageType = "AIMessageChunk"
	HumanChunkType    MessageType = "HumanMessageChunk"
	SystemChunkType   MessageType = "SystemMessageChunk"
	ToolChunkType     MessageType = "ToolMessageChunk"
	FunctionChunkType MessageType = "FunctionMessageChunk"
	ChatChunkType     MessageType = "ChatMessageChunk"
)

// chunkOf and messageOf map each class to its chunk / final counterpart.
var (
	chunkOf = map[MessageType]MessageType{
		HumanType:    HumanChunkType,
		AIType:       AIChunkType,
		SystemType:   SystemChunkType,
		ToolType:     ToolChunkType,
		FunctionType: FunctionChunkType,
		ChatType:     ChatChunkType,
	}
	messageOf = map[MessageType]MessageType{
		HumanChunkType:    HumanType,
		AIChunkType:       AIType,
		SystemChunkType:   SystemType,
		ToolChunkType:     ToolType,
		FunctionChunkType: FunctionType,
		ChatChunkType:     ChatType,
	}
)

// Valid reports whether t is one of the twelve LangChain message classes.
func (t MessageType) Valid() bool {
	_, a := chunkOf[t]
	_, b := messageOf[t]
	return a || b
}

// IsChunk reports whether t is a *MessageChunk class.
func (t MessageType) IsChunk() bool {
	_, ok := messageOf[t]
	return ok
}

// Base returns the non-chunk class of t (AIMessageChunk -> ai); other types
// are returned unchanged.
func (t MessageType) Base() MessageType {
	if b, ok := messageOf[t]; ok {
		return b
	}
	return t
}

// Message is one struct for every LangChain message class; Type selects the
// class and so the JSON field set (see [Message.MarshalJSON]). Fields that do
// not belong to the class of Type are ignored when serializing.
//
// The zero value of a field is what LangChain uses as default: empty strings
// serialize as null for Name and ID, nil maps and slices as {} and [].
type Message struct {
	Type MessageType
	// Content is the text content. It is used unless ContentBlocks is non-nil.
	Content string
	// ContentBlocks, when non-nil, replaces Content: "content" is then this
	// list of content blocks (for example {"type":"text","text":"…"} or
	// {"type":"image_url",…}). An empty non-nil slice serializes as [].
	ContentBlocks    []map[string]any
	AdditionalKwargs map[string]any
	ResponseMetadata map[string]any
	Name             string // "" serializes as null
	ID               string // "" serializes as null
	Example          bool   // human/ai (and their chunks)

	ToolCalls        []ToolCall        // ai / AIMessageChunk
	InvalidToolCalls []InvalidToolCall // ai / AIMessageChunk
	UsageMetadata    *UsageMetadata    // ai / AIMessageChunk
	ToolCallChunks   []ToolCallChunk   // AIMessageChunk

	ToolCallID string // tool
	Artifact   any    // tool
	Status     string // tool: "success" (default when empty) | "error"

	Role string // chat

	// Extra holds keys that are not fields of the message class. LangChain's
	// BaseMessage allows extra fields and dumps them back after the declared
	// ones, so a message received with an unknown key is echoed with it.
	Extra map[string]any
}

// Human returns a HumanMessage with text content.
func Human(content string) Message { return Message{Type: HumanType, Content: content} }

// AI returns an AIMessage with text content.
func AI(content string) Message { return Message{Type: AIType, Content: content} }

// System returns a SystemMessage with text content.
func System(content string) Message { return Message{Type: SystemType, Content: content} }

// Tool returns a ToolMessage answering the tool call toolCallID.
func Tool(content, toolCallID string) Message {
	return Message{Type: ToolType, Content: content, ToolCallID: toolCallID}
}

// AIChunk returns an AIMessageChunk with text content, the unit a streaming
// chat model yields.
func AIChunk(content string) Message { return Message{Type: AIChunkType, Content: content} }

// Text returns the text of the message: Content, or, when ContentBlocks is
// set, the concatenated "text" of its blocks of type "text" (other blocks,
// such as images or tool_use, contribute nothing), as LangChain's
// BaseMessage.text does.
func (m Message) Text() string {
	if m.ContentBlocks == nil {
		return m.Content
	}
	var b strings.Builder
	for _, block := range m.ContentBlocks {
		if block["type"] != "text" {
			continue
		}
		if s, ok := block["text"].(string); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

// IsChunk reports whether m is a message chunk (AIMessageChunk, …).
func (m Message) IsChunk() bool { return m.Type.IsChunk() }

// ToChunk returns m as its chunk class (ai -> AIMessageChunk and so on).
// For an AI message the tool calls are also expressed as tool call chunks,
// as langchain-core's AIMessageChunk validator does: valid calls get their
// args re-encoded with Python's json.dumps layout, invalid ones keep their
// raw args; both get a null index. Chunks and unknown types are returned
// unchanged.
func (m Message) ToChunk() Message {
	t, ok := chunkOf[m.Type]
	if !ok {
		return m
	}
	m.Type = t
	if t == AIChunkType {
		m.ToolCallChunks = nil
		m = m.initToolCalls()
	}
	return m
}

// ToMessage returns m as its final (non-chunk) class: AIMessageChunk -> ai
// and so on. For an AIMessageChunk the tool call chunks are first parsed into
// ToolCalls and InvalidToolCalls (see [ParsePartialJSON]) and then dropped,
// which is what LangChain's message_chunk_to_message yields after its
// AIMessageChunk validator ran. Non-chunks are returned unchanged.
func (m Message) ToMessage() Message {
	t, ok := messageOf[m.Type]
	if !ok {
		return m
	}
	if m.Type == AIChunkType {
		m = m.initToolCalls()
		m.ToolCallChunks = nil
	}
	m.Type = t
	return m
}

// status returns the tool message status with its LangChain default.
func (m Message) status() string {
	if m.Status == "" {
		return "success"
	}
	return m.Status
}

// isAIFamily reports whether the class carries the AIMessage fields.
func (t MessageType) isAIFamily() bool { return t == AIType || t == AIChunkType }

// hasExample reports whether the class carries the "example" field.
func (t MessageType) hasExample() bool {
	switch t {
	case HumanType, HumanChunkType, AIType, AIChunkType:
		return true
	}
	return false
}
