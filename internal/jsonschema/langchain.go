package jsonschema

// The schemas that langchain-core's pydantic models produce for messages,
// documents and prompt values (langchain-core 0.3.x with pydantic ≥ 2.9, as
// recorded in the golden transcripts). They are written by hand because the Go
// types in runnable/schema serialize through custom MarshalJSON methods: one
// Go Message struct stands for twelve LangChain classes, each with its own
// literal "type" and field list, which reflection cannot recover.
//
// Every builder returns a fresh tree, so callers may modify what they get.
// Descriptions are ours; LangChain's docstrings are not copied.

// Message classes in the order of LangChain's AnyMessage union, which is the
// order of its oneOf.
var messageClasses = []string{
	"AIMessage", "HumanMessage", "ChatMessage", "SystemMessage", "FunctionMessage", "ToolMessage",
	"AIMessageChunk", "HumanMessageChunk", "ChatMessageChunk", "SystemMessageChunk", "FunctionMessageChunk", "ToolMessageChunk",
}

// langChainDefs builds each definition by name.
var langChainDefs = map[string]func() map[string]any{
	"AIMessage":               messageDef("AIMessage"),
	"HumanMessage":            messageDef("HumanMessage"),
	"ChatMessage":             messageDef("ChatMessage"),
	"SystemMessage":           messageDef("SystemMessage"),
	"FunctionMessage":         messageDef("FunctionMessage"),
	"ToolMessage":             messageDef("ToolMessage"),
	"AIMessageChunk":          messageDef("AIMessageChunk"),
	"HumanMessageChunk":       messageDef("HumanMessageChunk"),
	"ChatMessageChunk":        messageDef("ChatMessageChunk"),
	"SystemMessageChunk":      messageDef("SystemMessageChunk"),
	"FunctionMessageChunk":    messageDef("FunctionMessageChunk"),
	"ToolMessageChunk":        messageDef("ToolMessageChunk"),
	"ToolCall":                toolCallDef,
	"InvalidToolCall":         invalidToolCallDef,
	"ToolCallChunk":           toolCallChunkDef,
	"UsageMetadata":           usageMetadataDef,
	"InputTokenDetails":       inputTokenDetailsDef,
	"OutputTokenDetails":      outputTokenDetailsDef,
	"Document":                documentDef,
	"StringPromptValue":       stringPromptValueDef,
	"ChatPromptValueConcrete": chatPromptValueDef,
}

func isLangChainDef(name string) bool {
	_, ok := langChainDefs[name]
	return ok
}

// langChainDef returns a fresh copy of the named definition.
func langChainDef(name string) (map[string]any, bool) {
	build, ok := langChainDefs[name]
	if !ok {
		return nil, false
	}
	return build(), true
}

// messageDescriptions are our own one-line descriptions of each class.
var messageDescriptions = map[string]string{
	"AIMessage":            "A message written by the model.",
	"HumanMessage":         "A message written by the user.",
	"ChatMessage":          "A message from a speaker named by its role.",
	"SystemMessage":        "Instructions that set up the model's behaviour.",
	"FunctionMessage":      "The result of a function call, sent back to the model (legacy form of ToolMessage).",
	"ToolMessage":          "The result of a tool call, sent back to the model.",
	"AIMessageChunk":       "A piece of a model message, as streamed.",
	"HumanMessageChunk":    "A piece of a user message.",
	"ChatMessageChunk":     "A piece of a role message.",
	"SystemMessageChunk":   "A piece of a system message.",
	"FunctionMessageChunk": "A piece of a function result message.",
	"ToolMessageChunk":     "A piece of a tool result message.",
}

// messageTypeLiterals is the value of each class's "type" field.
var messageTypeLiterals = map[string]string{
	"AIMessage": "ai", "HumanMessage": "human", "ChatMessage": "chat",
	"SystemMessage": "system", "FunctionMessage": "function", "ToolMessage": "tool",
}

// literal is the schema of a single-value Literal field. pydantic ≥ 2.10
// writes only "const"; the playgrounds look for "enum" (the chat playground
// recognizes an AI-message output by properties.type.enum containing "ai"),
// so both are written, as older pydantic did.
func literal(value string, withDefault bool) map[string]any {
	s := map[string]any{"const": value, "enum": []any{value}, "title": "Type", "type": "string"}
	if withDefault {
		s["default"] = value
	}
	return s
}

func ref(name string) map[string]any { return map[string]any{"$ref": defsPrefix + name} }

func optionalString(title string, withDefault bool) map[string]any {
	s := map[string]any{"anyOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "null"}}, "title": title}
	if withDefault {
		s["default"] = nil
	}
	return s
}

func openObject(title string) map[string]any {
	return map[string]any{"additionalProperties": true, "title": title, "type": "object"}
}

func titled(title, typ string) map[string]any {
	return map[string]any{"title": title, "type": typ}
}

// messageDef returns the builder of one message class's definition.
func messageDef(class string) func() map[string]any {
	return func() map[string]any {
		base := class
		chunk := len(class) > len("Chunk") && class[len(class)-len("Chunk"):] == "Chunk"
		if chunk {
			base = class[:len(class)-len("Chunk")]
		}
		typ := messageTypeLiterals[base]
		if chunk {
			typ = class // chunks are tagged with their class name
		}
		props := map[string]any{
			"content": map[string]any{
				"anyOf": []any{
					map[string]any{"type": "string"},
					map[string]any{
						"items": map[string]any{"anyOf": []any{
							map[string]any{"type": "string"},
							map[string]any{"additionalProperties": true, "type": "object"},
						}},
						"type": "array",
					},
				},
				"title": "Content",
			},
			"additional_kwargs": openObject("Additional Kwargs"),
			"response_metadata": openObject("Response Metadata"),
			"type":              literal(typ, true),
			"name":              optionalString("Name", true),
			"id":                optionalString("Id", true),
		}
		required := []any{"content"}
		switch base {
		case "AIMessage":
			props["example"] = map[string]any{"default": false, "title": "Example", "type": "boolean"}
			props["tool_calls"] = map[string]any{"default": []any{}, "items": ref("ToolCall"), "title": "Tool Calls", "type": "array"}
			props["invalid_tool_calls"] = map[string]any{"default": []any{}, "items": ref("InvalidToolCall"), "title": "Invalid Tool Calls", "type": "array"}
			props["usage_metadata"] = map[string]any{"anyOf": []any{ref("UsageMetadata"), map[string]any{"type": "null"}}, "default": nil}
			if chunk {
				props["tool_call_chunks"] = map[string]any{"default": []any{}, "items": ref("ToolCallChunk"), "title": "Tool Call Chunks", "type": "array"}
			}
		case "HumanMessage":
			props["example"] = map[string]any{"default": false, "title": "Example", "type": "boolean"}
		case "ChatMessage":
			props["role"] = titled("Role", "string")
			required = append(required, "role")
		case "FunctionMessage":
			props["name"] = titled("Name", "string")
			required = append(required, "name")
		case "ToolMessage":
			props["tool_call_id"] = titled("Tool Call Id", "string")
			props["artifact"] = map[string]any{"default": nil, "title": "Artifact"}
			props["status"] = map[string]any{"default": "success", "enum": []any{"success", "error"}, "title": "Status", "type": "string"}
			required = append(required, "tool_call_id")
		}
		return map[string]any{
			"additionalProperties": true,
			"description":          messageDescriptions[class],
			"properties":           props,
			"required":             required,
			"title":                class,
			"type":                 "object",
		}
	}
}

func toolCallDef() map[string]any {
	return map[string]any{
		"additionalProperties": true,
		"description":          "A request from the model to call a tool with JSON arguments.",
		"properties": map[string]any{
			"name": titled("Name", "string"),
			"args": openObject("Args"),
			"id":   optionalString("Id", false),
			"type": literal("tool_call", false),
		},
		"required": []any{"name", "args", "id"},
		"title":    "ToolCall",
		"type":     "object",
	}
}

func invalidToolCallDef() map[string]any {
	return map[string]any{
		"additionalProperties": true,
		"description":          "A tool call the model produced but that could not be parsed, with the reason.",
		"properties": map[string]any{
			"name":  optionalString("Name", false),
			"args":  optionalString("Args", false),
			"id":    optionalString("Id", false),
			"error": optionalString("Error", false),
			"type":  literal("invalid_tool_call", false),
		},
		"required": []any{"name", "args", "id", "error"},
		"title":    "InvalidToolCall",
		"type":     "object",
	}
}

func toolCallChunkDef() map[string]any {
	return map[string]any{
		"additionalProperties": true,
		"description":          "A streamed piece of a tool call; pieces with the same index are concatenated.",
		"properties": map[string]any{
			"name": optionalString("Name", false),
			"args": optionalString("Args", false),
			"id":   optionalString("Id", false),
			"index": map[string]any{
				"anyOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "null"}},
				"title": "Index",
			},
			"type": literal("tool_call_chunk", false),
		},
		"required": []any{"name", "args", "id", "index"},
		"title":    "ToolCallChunk",
		"type":     "object",
	}
}

func usageMetadataDef() map[string]any {
	return map[string]any{
		"additionalProperties": true,
		"description":          "Token counts of one model call.",
		"properties": map[string]any{
			"input_tokens":         titled("Input Tokens", "integer"),
			"output_tokens":        titled("Output Tokens", "integer"),
			"total_tokens":         titled("Total Tokens", "integer"),
			"input_token_details":  ref("InputTokenDetails"),
			"output_token_details": ref("OutputTokenDetails"),
		},
		"required": []any{"input_tokens", "output_tokens", "total_tokens"},
		"title":    "UsageMetadata",
		"type":     "object",
	}
}

func inputTokenDetailsDef() map[string]any {
	return map[string]any{
		"additionalProperties": true,
		"description":          "Breakdown of the input token count; any key may be missing.",
		"properties": map[string]any{
			"audio":          titled("Audio", "integer"),
			"cache_creation": titled("Cache Creation", "integer"),
			"cache_read":     titled("Cache Read", "integer"),
		},
		"title": "InputTokenDetails",
		"type":  "object",
	}
}

func outputTokenDetailsDef() map[string]any {
	return map[string]any{
		"additionalProperties": true,
		"description":          "Breakdown of the output token count; any key may be missing.",
		"properties": map[string]any{
			"audio":     titled("Audio", "integer"),
			"reasoning": titled("Reasoning", "integer"),
		},
		"title": "OutputTokenDetails",
		"type":  "object",
	}
}

func documentDef() map[string]any {
	return map[string]any{
		"description": "A piece of text with metadata, as returned by a retriever.",
		"properties": map[string]any{
			"id":           optionalString("Id", true),
			"metadata":     openObject("Metadata"),
			"page_content": titled("Page Content", "string"),
			"type":         literal("Document", true),
		},
		"required": []any{"page_content"},
		"title":    "Document",
		"type":     "object",
	}
}

func stringPromptValueDef() map[string]any {
	return map[string]any{
		"description": "A rendered prompt that is plain text.",
		"properties": map[string]any{
			"text": titled("Text", "string"),
			"type": literal("StringPromptValue", true),
		},
		"required": []any{"text"},
		"title":    "StringPromptValue",
		"type":     "object",
	}
}

func chatPromptValueDef() map[string]any {
	return map[string]any{
		"description": "A rendered prompt that is a list of messages.",
		"properties": map[string]any{
			"messages": map[string]any{"items": messageUnion(), "title": "Messages", "type": "array"},
			"type":     literal("ChatPromptValueConcrete", true),
		},
		"required": []any{"messages"},
		"title":    "ChatPromptValueConcrete",
		"type":     "object",
	}
}

// messageUnion is LangChain's AnyMessage: a oneOf over the message classes
// (pydantic writes a callable-discriminated union as a plain oneOf).
func messageUnion() map[string]any {
	alts := make([]any, len(messageClasses))
	for i, c := range messageClasses {
		alts[i] = ref(c)
	}
	return map[string]any{"oneOf": alts}
}

// promptValueUnion is a chat model's input: a string, either prompt value,
// or a list of messages.
func promptValueUnion() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"type": "string"},
		ref("StringPromptValue"),
		ref("ChatPromptValueConcrete"),
		map[string]any{"items": messageUnion(), "type": "array"},
	}}
}
