// Package client calls runnables served over LangServe's HTTP protocol, by
// this module's serve package or by a Python LangServe server. It is the Go
// counterpart of LangServe's Python and JavaScript RemoteRunnable.
//
// A [Remote] is itself a [runnable.Runnable], so a chain running on another
// machine composes with local steps:
//
//	remote, err := client.New[map[string]any, string]("http://host:8000/chat", nil)
//	chain := runnable.Pipe(remote, runnable.Lambda("shout", shout))
//
// # Requests
//
// Requests are the ones the Python client sends: {"input", "config",
// "kwargs"}, where config carries the tags, metadata, recursion_limit and
// configurable values of the call's [runnable.Config] (from ctx and the
// options given at the call). Callbacks and run names are never sent; a run
// id is sent with the streaming endpoints only, as the Python client does.
// The server keeps only the config keys its config_keys allow and drops the
// others silently.
//
// # Errors
//
// An answer outside 2xx is an [*Error] carrying the status, the body and the
// decoded "detail" of FastAPI-style error bodies (422 validation errors). A
// stream that fails on the server ends with an SSE error event, which
// becomes an [*Error] with the status and message of that event after the
// chunks that came before it.
//
// # Streams
//
// [Remote.Stream], [Remote.StreamLog] and [Remote.StreamEvents] read the
// Server-Sent Events of /stream, /stream_log and /stream_events as they
// arrive, without goroutines. Breaking out of the range loop, or cancelling
// ctx, closes the connection, and the server then cancels its run.
//
// # Tracing
//
// Every call is a run of its own (type chain, named after the URL path), so
// handlers of the calling chain see the remote call in their run tree. With
// [Options.ForwardEvents], Stream reads /stream_events instead of /stream
// and replays the remote chain's inner runs as nested local runs.
package client
