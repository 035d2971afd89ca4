// Package chatmodel provides chat models as runnables: a
// [runnable.Runnable] from a [schema.PromptValue] to an AI
// [schema.Message], traced the way LangChain traces its BaseChatModel so
// that LangServe's stream, stream_log and stream_events show the same
// events.
//
// # Models
//
// A [Model] is built from a [Streamer], the one thing a provider has to
// implement: answer messages with a stream of AIMessageChunks. [New] adds the
// rest (runs, message ids, Invoke by adding chunks up, Batch, schemas,
// bound call options and tools).
//
//   - [FromLLM] adapts any langchaingo llms.Model, streaming through its
//     streaming callback;
//   - [FromEnv] builds an OpenAI (or OpenAI-compatible) or Ollama model from
//     environment variables, and [EmbedderFromEnv] the matching embedder;
//   - [Fake], [FakeList] and [Scripted] are deterministic offline models for
//     tests, examples and servers without a provider: LangChain's
//     GenericFakeChatModel and FakeListChatModel, and a model that replays
//     scripted AI messages with tool calls. [Model.Inject] slows down or
//     breaks any model's stream.
//
// # Tools
//
// [Model.BindTools] offers tools to the model; their specs reach the
// Streamer in [CallOptions]. Tool calls come back as tool call chunks while
// streaming and as ToolCalls on the message Invoke returns.
package chatmodel
