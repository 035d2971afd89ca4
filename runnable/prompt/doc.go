// Package prompt holds LangChain's prompt templates: runnables that turn a
// map of variables into a [schema.PromptValue] for a chat model.
//
// [Template] builds a text prompt (PromptTemplate) and [Chat] a chat prompt
// (ChatPromptTemplate) from message templates ([System], [Human], [AI],
// [Message]) and [Placeholder] entries for lists of messages, such as a chat
// history.
//
// # Template syntax
//
// Templates use LangChain's default "f-string" format, which is Python's
// str.format syntax: {name} is replaced by the variable name, and {{ and }}
// stand for literal braces (write {{"a": 1}} to show a JSON object). A
// template with an unbalanced brace, attribute access ({user.name}),
// indexing ({items[0]}), a positional field ({0}, {}), a conversion ({x!r})
// or a format spec ({x:.2f}) is rejected when it is built, with a
// [*TemplateError] that says where.
//
// Values are rendered as Python's str() renders them, so a prompt served to a
// Python client reads the same as LangChain's: strings as they are, None,
// True and False, 3 for a JSON integer, ['a', 'b'] for a list.
//
// # Variables
//
// The input variables are those of the templates and placeholders, sorted,
// without those filled in with Partial. A call that lacks one fails with a
// [*MissingVariablesError] (errors.Is(err, [ErrMissingVariables])), which a
// server reports as a client error. InputSchema describes the variables the
// way LangServe does: an object titled "PromptInput".
//
// # Tracing
//
// A prompt runs as one run of type "prompt", named "PromptTemplate" or
// "ChatPromptTemplate", whose input is the variables map and whose output is
// the prompt value. Prompts do not stream: Stream yields the one value
// without a stream event, as in LangChain.
package prompt
