// Package schema holds LangChain's data types (messages, tool calls,
// documents, prompt values, generations) with the exact JSON shapes that
// langchain-core 0.3 and LangServe 0.3 put on the wire, so that the Python
// and JS RemoteRunnable clients revive them as the classes they know.
//
// # Messages
//
// [Message] is one struct for every LangChain message class; its Type
// selects the class and so the JSON field set. [Message.MarshalJSON] writes
// the fields in pydantic's order with LangChain's defaults (null name and
// id, {} and [] for empty collections), compact, with raw UTF-8 and no HTML
// escaping, byte for byte what LangServe's orjson writes. [Message.UnmarshalJSON]
// accepts what both clients send, from full dumps to
// {"type":"human","content":"hi"}, and fails with an error naming the
// problem otherwise. [Marshal] encodes any value the same orjson way; note
// that json.Marshal re-escapes <, > and & in the output of these methods.
//
// # Streaming
//
// A streaming chat model yields AIMessageChunks. [Message.Add] and the lenient
// [Message.Concat] merge them as LangChain's `+` does, including tool call
// chunks whose JSON arguments arrive in pieces; [Message.ToMessage] turns the
// accumulated chunk into the final message, parsing the arguments with
// [ParsePartialJSON]. The package-level [Concat] folds chunks of any
// streamable type (strings, messages, dicts, lists, numbers).
//
// # Prompt values
//
// [PromptValue] is the output of a prompt template and the input of a chat
// model. Its JSON decoding accepts every input form a LangServe client may
// send for a chat model: a string, a list of messages, or a prompt value
// object.
package schema
