package wire

import (
	"context"
	"strconv"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable"
)

// LogStream turns the run events of one stream_log request into RunLogPatch
// documents ({"ops":[…]}), as LangChain's LogStreamCallbackHandler and
// astream_log do:
//
//   - the root run's start replaces the whole state with
//     {id, streamed_output, final_output, logs, name, type};
//   - each sub-run that passes the filter gets a log entry under its name
//     ("name", then "name:2", "name:3" for later runs of the same name),
//     its streamed chunks (chat models and LLMs: the token text in
//     streamed_output_str and the chunk in streamed_output, in one patch),
//     and at its end its final_output and end_time;
//   - each chunk the root stream yields, passed to [LogStream.Output], is
//     added to streamed_output, and final_output follows the running
//     aggregate.
//
// Values keep LangChain's "original" tracer shapes: a sub-run's
// final_output is its output when that is a dict (a map or a plain
// struct), {"output": …} otherwise, the prompt value itself for prompts, an
// LLMResult for chat models and LLMs and {"documents": […]} for retrievers.
// Metadata is reported in full, "__" keys included.
//
// LogStream implements [runnable.Handler]. It is safe for concurrent use:
// events of runs executing in parallel are serialized, and emit is called
// with one patch at a time, in order. After the first emit or
// serialization error, LogStream ignores everything and [LogStream.Err]
// reports that error.
type LogStream struct {
	emitter
	filter Filter

	root    uuid.UUID
	started bool
	runs    map[uuid.UUID]*logRun // included runs still running
	counts  map[string]int        // runs seen per name, for "name:N" keys

	final    any // running aggregate of the root's output
	hasFinal bool

	ops []op // reused for every patch
}

// logRun is a sub-run with a log entry, and the paths its patches use.
type logRun struct {
	path, streamedPath, tokensPath string
	streamed                       bool
}

// NewLogStream returns a LogStream that passes each patch to emit. emit
// must not keep the slice after it returns.
func NewLogStream(f Filter, emit func(patch []byte) error) *LogStream {
	return &LogStream{
		emitter: emitter{emit: emit},
		filter:  f,
		runs:    map[uuid.UUID]*logRun{},
		counts:  map[string]int{},
	}
}

// HandleEvent implements runnable.Handler.
func (l *LogStream) HandleEvent(_ context.Context, ev *runnable.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return
	}
	ops := l.ops[:0]
	switch ev.Kind {
	case runnable.EventStart:
		if !l.started {
			// The first run is the root; it has no log entry of its own.
			l.started, l.root = true, ev.RunID
			ops = append(ops, op{"replace", "", object{
				{"id", ev.RunID},
				{"streamed_output", []any{}},
				{"final_output", nil},
				{"logs", object{}},
				{"name", ev.Name},
				{"type", logType(ev.Type)},
			}})
			break
		}
		if ev.RunID == l.root || !l.filter.include(ev.Name, logType(ev.Type), ev.Tags) {
			return
		}
		l.counts[ev.Name]++
		key := ev.Name
		if n := l.counts[ev.Name]; n > 1 {
			key += ":" + strconv.Itoa(n)
		}
		path := pointer("/logs", key)
		l.runs[ev.RunID] = &logRun{
			path:         path,
			streamedPath: path + "/streamed_output/-",
			tokensPath:   path + "/streamed_output_str/-",
		}
		ops = append(ops, op{"add", path, object{
			{"id", ev.RunID},
			{"name", ev.Name},
			{"type", logType(ev.Type)},
			{"tags", tagsOf(ev.Tags)},
			{"metadata", metadataOf(ev.Metadata)},
			{"start_time", isoTime(ev.StartTime)},
			{"streamed_output", []any{}},
			{"streamed_output_str", []any{}},
			{"final_output", nil},
			{"end_time", nil},
		}})
	case runnable.EventStream:
		r := l.runs[ev.RunID]
		if r == nil {
			return // the root (reported through Output) or a filtered run
		}
		r.streamed = true
		if isModel(ev.Type) {
			chunk := ev.Chunk
			if ev.Type == runnable.LLMRun {
				chunk = token(ev.Chunk)
			}
			ops = append(ops,
				op{"add", r.tokensPath, token(ev.Chunk)},
				op{"add", r.streamedPath, chunk})
		} else {
			ops = append(ops, op{"add", r.streamedPath, ev.Chunk})
		}
	case runnable.EventEnd, runnable.EventError:
		r := l.runs[ev.RunID]
		if r == nil {
			return
		}
		delete(l.runs, ev.RunID)
		var out any
		if ev.Kind == runnable.EventEnd {
			out = logOutput(ev.Type, ev.Output, r.streamed)
		} else if ev.Type == runnable.PromptRun {
			// LangChain's tracer fails on the missing outputs of a failed
			// prompt run and reports nothing.
			return
		}
		ops = append(ops,
			op{"add", r.path + "/final_output", out},
			op{"add", r.path + "/end_time", isoTime(ev.Time)})
	default:
		return
	}
	l.send(ops)
}

// Output reports one chunk yielded by the root stream: it is appended to
// streamed_output, and final_output is patched to the running aggregate
// (chunks added with [runnable.Concat]; a chunk that cannot be added
// replaces the aggregate). Call it for each chunk, in order, from the
// goroutine that ranges over the stream.
func (l *LogStream) Output(chunk any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return
	}
	prev, next := l.final, chunk
	if l.hasFinal {
		sum, ok := runnable.Concat(l.final, chunk)
		if ok {
			next = sum
		} else {
			prev = nil
		}
	}
	l.final, l.hasFinal = next, true
	ops := append(l.ops[:0], op{"add", "/streamed_output/-", chunk})
	ops, err := diff(ops, "/final_output", prev, next)
	if err != nil {
		l.err = encodeError("stream_log output", err)
		return
	}
	l.send(ops)
}

// send encodes ops and emits them; l.mu is held.
func (l *LogStream) send(ops []op) {
	l.ops = ops[:0]
	b, err := appendPatch(l.buf[:0], ops)
	clear(ops) // drop references to values already written
	l.out("stream_log patch", b, err)
}

// logOutput is a finished sub-run's final_output in LangChain's original
// tracer schema.
func logOutput(t runnable.RunType, out any, streamed bool) any {
	switch t {
	case runnable.PromptRun:
		return out
	case runnable.ChatModelRun:
		return chatResult(out)
	case runnable.LLMRun:
		return llmResult(out, streamed)
	case runnable.RetrieverRun:
		return object{{"documents", out}}
	case runnable.ToolRun:
		return object{{"output", out}}
	}
	if isDict(out) {
		return out
	}
	return object{{"output", out}}
}

func metadataOf(md map[string]any) map[string]any {
	if md == nil {
		return map[string]any{}
	}
	return md
}
