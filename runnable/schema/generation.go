package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ChatGeneration is one candidate answer of a chat model call (LangChain's
// ChatGeneration, or ChatGenerationChunk when Chunk is set).
// JSON: {"text":…,"generation_info":null|{…},"type":"ChatGeneration"|"ChatGenerationChunk","message":{…}}.
type ChatGeneration struct {
	// Text is the text of Message; when empty, Message.Text() is written,
	// as LangChain always derives it from the message.
	Text           string
	Message        Message
	GenerationInfo map[string]any // nil serializes as null
	Chunk          bool
}

// MarshalJSON implements json.Marshaler.
func (g ChatGeneration) MarshalJSON() ([]byte, error) {
	text := g.Text
	if text == "" {
		text = g.Message.Text()
	}
	msg, err := g.Message.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("schema: chat generation: %w", err)
	}
	var buf bytes.Buffer
	w := newObject(&buf)
	w.field("text", text)
	if g.GenerationInfo == nil {
		w.raw("generation_info", "null")
	} else {
		w.field("generation_info", g.GenerationInfo)
	}
	if g.Chunk {
		w.raw("type", `"ChatGenerationChunk"`)
	} else {
		w.raw("type", `"ChatGeneration"`)
	}
	w.raw("message", string(msg))
	return w.finish()
}

// UnmarshalJSON implements json.Unmarshaler; "message" is required.
func (g *ChatGeneration) UnmarshalJSON(data []byte) error {
	obj, err := decodeObject(data, "chat generation")
	if err != nil {
		return err
	}
	var out ChatGeneration
	if raw, ok := obj["type"]; ok && !isNull(raw) {
		var tag string
		_ = json.Unmarshal(raw, &tag)
		switch tag {
		case "ChatGeneration":
		case "ChatGenerationChunk":
			out.Chunk = true
		default:
			return fmt.Errorf(`chat generation: type must be "ChatGeneration" or "ChatGenerationChunk", got %s`, raw)
		}
	}
	raw, ok := obj["message"]
	if !ok || isNull(raw) {
		return fmt.Errorf(`chat generation: missing "message"`)
	}
	if err := json.Unmarshal(raw, &out.Message); err != nil {
		return fmt.Errorf("chat generation: %w", err)
	}
	if out.Text, err = optString(obj, "text", "chat generation"); err != nil {
		return err
	}
	if out.GenerationInfo, err = optObject(obj, "generation_info", "chat generation"); err != nil {
		return err
	}
	*g = out
	return nil
}

// Add concatenates two ChatGenerationChunks as LangChain does: messages are
// added with [Message.Add], generation info merged; the text is re-derived.
func (g ChatGeneration) Add(other ChatGeneration) (ChatGeneration, error) {
	if !g.Chunk || !other.Chunk {
		return ChatGeneration{}, fmt.Errorf("schema: only ChatGenerationChunks can be added")
	}
	msg, err := g.Message.Add(other.Message)
	if err != nil {
		return ChatGeneration{}, err
	}
	info, err := mergeDicts(g.GenerationInfo, other.GenerationInfo, true)
	if err != nil {
		return ChatGeneration{}, fmt.Errorf("schema: generation_info: %w", err)
	}
	if len(info) == 0 {
		info = nil
	}
	return ChatGeneration{Text: msg.Text(), Message: msg, GenerationInfo: info, Chunk: true}, nil
}

// LLMResult is the full result of a model call: one list of generations per
// prompt. JSON: {"generations":[[…]],"llm_output":null|{…},"run":null,"type":"LLMResult"}.
type LLMResult struct {
	Generations [][]ChatGeneration
	LLMOutput   map[string]any // nil serializes as null
}

// MarshalJSON implements json.Marshaler.
func (r LLMResult) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	w := newObject(&buf)
	gens := make([][]ChatGeneration, len(r.Generations)) // never write into the caller's slice
	for i, g := range r.Generations {
		gens[i] = nonNil(g)
	}
	w.field("generations", gens)
	if r.LLMOutput == nil {
		w.raw("llm_output", "null")
	} else {
		w.field("llm_output", r.LLMOutput)
	}
	w.raw("run", "null")
	w.raw("type", `"LLMResult"`)
	return w.finish()
}

// UnmarshalJSON implements json.Unmarshaler; "generations" is required.
func (r *LLMResult) UnmarshalJSON(data []byte) error {
	obj, err := decodeObject(data, "LLM result")
	if err != nil {
		return err
	}
	if err := checkTag(obj, "LLMResult", "LLM result"); err != nil {
		return err
	}
	raw, ok := obj["generations"]
	if !ok || isNull(raw) {
		return fmt.Errorf(`LLM result: missing "generations"`)
	}
	var out LLMResult
	if err := json.Unmarshal(raw, &out.Generations); err != nil {
		return fmt.Errorf("LLM result: generations: %w", err)
	}
	if out.LLMOutput, err = optObject(obj, "llm_output", "LLM result"); err != nil {
		return err
	}
	*r = out
	return nil
}
