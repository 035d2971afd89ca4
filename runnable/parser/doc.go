// Package parser holds LangChain's output parsers: runnables that turn the
// messages a chat model produces into plain Go values.
//
// [String] (StrOutputParser) outputs a message's text and [JSON]
// (JsonOutputParser) the JSON value in it. Both stream: placed after a
// streaming chat model in a [runnable.Sequence], they transform the model's
// chunks as they arrive, so a client sees text, or a JSON value growing
// field by field, while the model is still writing. Both trace as runs of
// type "parser" with LangChain's names, which is what LangServe's
// stream_events shows.
package parser
