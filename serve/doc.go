// Package serve hosts runnables behind the LangServe HTTP protocol
// (LangServe 0.3.3), so that LangChain's Python and JavaScript
// RemoteRunnable clients and the LangServe playgrounds work against a Go
// server unchanged.
//
// # Mounting
//
// [NewHandler] returns a plain net/http handler for one runnable; [AddRoutes]
// registers the same routes on an echo server or group, as LangServe's
// add_routes does on a FastAPI app. [New] returns an [App], an echo server
// that answers errors the way FastAPI does and serves an OpenAPI 3.1
// document (/openapi.json) and interactive docs (/docs) of every runnable
// added to it.
//
//	app := serve.New()
//	serve.AddRoutes(app, chain, &serve.Options{Path: "/chat"})
//	app.Start(":8000")
//
// # Routes
//
// Under the path P of a runnable: POST P/invoke, P/batch, P/stream,
// P/stream_log and P/stream_events; GET P/input_schema, P/output_schema and
// P/config_schema; the playground at P/playground/; POST P/token_feedback;
// and, when configured, POST/HEAD P/feedback and PUT/HEAD
// P/public_trace_link. Every runnable route exists again under
// P/c/{config_hash}/, where the hash is an LZ-String compressed config
// that the playground's share links carry. [Options] switches endpoints on
// and off with LangServe's names.
//
// # Requests
//
// Bodies are LangServe's envelopes: {"input", "config", "kwargs"}, batch
// with "inputs" and one config or one per input, stream_log and
// stream_events with include_/exclude_ filters. kwargs and unknown members
// are ignored. The config goes through LangServe's pipeline: only the
// keys in Options.ConfigKeys survive (unknown keys, such as the JavaScript
// client's camelCase ones, are dropped silently), configurable values are
// checked against the runnable's configurable fields, Options.PerRequest
// may adjust the result, and the run is named after P and gets LangServe's
// __langserve_* metadata. The input is validated against the runnable's
// input schema under that config and decoded into the runnable's input
// type. Everything is checked before a response starts, so a bad request
// gets a 4xx JSON answer, never a broken stream; validation errors have
// pydantic's shape ({"detail": [{"type", "loc", "msg", "input"}]}).
//
// # Responses
//
// invoke and batch answer JSON; stream, stream_log and stream_events answer
// server-sent events, flushed one by one, with LangServe's framing
// (metadata, data, end, error events). A run's failure is a plain-text
// 500 "Internal Server Error" (or an SSE error event with that message):
// error texts go to the log with the run id, not to clients, unless
// Options.Debug is set. A runnable or hook that returns an [*Error] chooses
// the status and public detail instead.
//
// # Observing
//
// Every execution is a run with an id, and Options.Callbacks receive the
// events of all runs the routes start: give them observe.Metrics (with
// Metrics.Middleware around the handler) for Prometheus, observe.Tracer
// for OpenTelemetry spans. Options.PlaygroundTitle puts a heading of your
// own, such as the model that answers, on the playground page.
//
// # Cancellation
//
// The runnable runs with the request's context: a client that disconnects
// cancels its run, and every goroutine the run started ends with it.
//
// # Differences from LangServe
//
// Where LangServe answers a client's mistake with an accidental bare 500,
// this package answers the 4xx it means: "config": null is taken as no
// config, batch "inputs" that are not a list and batch inputs that do not
// fit the input schema get 422. Input validation is strict where pydantic
// coerces ("5" is not an integer here). Token feedback needs LangSmith and
// always answers 400; feedback and public trace links use the
// [FeedbackStore] and [TraceLinker] you provide. At most 64 inputs of one
// batch run at once (a client's max_concurrency can lower that, not raise
// it), and a 422 lists at most 64 errors for an input, a batch's config
// list or the stream filters.
package serve
