// Package runnable is the core of langserve-go: a typed [Runnable] with
// Invoke, Stream and Batch, the combinators LangChain users build chains
// from, and the run events that LangServe's stream_log and stream_events
// endpoints are made of.
//
// # Runnables
//
// A [Runnable][I, O] turns an I into an O. [Lambda] and [Generator] make one
// from a Go function; [Pipe] chains runnables into a [Sequence]. Streams are
// Go iterators (iter.Seq2[O, error]): single-use, ended by their last error,
// cancelled by breaking out of the loop or by the context.
//
// # Config
//
// [Config] is LangChain's RunnableConfig. A runnable sees its caller's
// config through the context ([ConfigFrom]); [Option] values passed at a call
// site apply on top. Tags, metadata, configurable values and callbacks flow
// down to nested runs.
//
// # Events
//
// Every execution is a [Run] with an id, its ancestors' ids, a name, a run
// type, tags and metadata. A run reports its start, streamed chunks and end
// or error as [Event] values to the [Handler] values of its config, in the
// order LangChain's tracers produce them, which is what lets the serve
// package reproduce LangServe's event streams exactly.
package runnable
