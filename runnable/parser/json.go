package parser

import (
	"context"
	"errors"
	"iter"
	"reflect"
	"strings"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// ParseError is returned when a parser cannot make sense of the model's
// output (LangChain's OutputParserException). Text is the output as the
// parser read it.
type ParseError struct {
	Text string
	Err  error
}

func (e *ParseError) Error() string {
	return "parser: invalid json output: " + e.Text
}

// Unwrap returns the underlying syntax error.
func (e *ParseError) Unwrap() error { return e.Err }

// JSONParser parses chat model output as JSON (LangChain's
// JsonOutputParser). Build one with [JSON]. It is safe for concurrent use.
type JSONParser struct {
	info runnable.Info
}

var (
	_ runnable.Runnable[schema.Message, any]    = (*JSONParser)(nil)
	_ runnable.Transformer[schema.Message, any] = (*JSONParser)(nil)
	_ runnable.Describer                        = (*JSONParser)(nil)
)

// JSON returns a parser that outputs the JSON value in a message's text,
// named "JsonOutputParser", of run type parser. Objects decode as
// map[string]any, arrays as []any, numbers as float64.
//
// The text may be wrapped in a Markdown code fence (```json … ```), and may
// be cut off: like LangChain's, the parser closes open strings, arrays and
// objects and drops an incomplete trailing token (see
// [schema.ParsePartialJSON]), so `{"city": "Par` parses as {"city":"Par"}.
// Text that holds no JSON value at all fails with a [*ParseError].
//
// Inside a [runnable.Sequence] it transforms the model's chunks as they
// arrive and yields the whole value parsed so far each time it changes
// (LangChain's diff=false mode): {"a":"B"}, then {"a":"Bon"}, ... Each
// yielded value is complete in itself; consumers must not add them up.
func JSON() *JSONParser {
	return &JSONParser{info: runnable.Info{Name: "JsonOutputParser", Type: runnable.ParserRun}}
}

// Describe returns the parser's name and run type.
func (p *JSONParser) Describe() runnable.Info { return p.info }

// Invoke parses the text of m in a run of its own.
func (p *JSONParser) Invoke(ctx context.Context, m schema.Message, opts ...runnable.Option) (any, error) {
	ctx, run := runnable.StartRun(ctx, p.info, m, opts...)
	if err := ctx.Err(); err != nil {
		return nil, run.Fail(context.Cause(ctx))
	}
	v, err := parseOutput(generationText(m))
	if err != nil {
		return nil, run.Fail(err)
	}
	run.End(v)
	return v, nil
}

// Stream yields the result of Invoke. As in LangChain, a parser streamed on
// its own does not stream; it streams when it transforms the output of a
// streaming step (see [JSONParser.Transform]).
func (p *JSONParser) Stream(ctx context.Context, m schema.Message, opts ...runnable.Option) iter.Seq2[any, error] {
	return runnable.StreamByInvoke(ctx, p, m, opts...)
}

// Transform adds up the message chunks of in and, after each one, yields
// the JSON value parsed from the text so far when it differs from the last
// value yielded. Text that does not parse yet yields nothing.
//
// When the complete text holds no JSON value, the stream ends with a
// [*ParseError], as Invoke fails on the same text. (LangChain's stream ends
// silently then; an error tells the client what went wrong.)
//
// The run starts with the first chunk; its end event carries the added-up
// message and the last value yielded.
func (p *JSONParser) Transform(ctx context.Context, in iter.Seq2[schema.Message, error], opts ...runnable.Option) iter.Seq2[any, error] {
	return func(yield func(any, error) bool) {
		next, stop := iter.Pull2(in)
		defer stop()
		// Read the first chunk before the run starts, as LangChain does, so
		// that the upstream run shows first in the event stream.
		chunk, err, ok := next()
		if ok && err != nil {
			yield(nil, err)
			return
		}
		rctx, run := runnable.StartStreamingRun(ctx, p.info, opts...)
		var (
			acc     schema.Message
			got     bool
			last    any // the last value yielded
			yielded bool
			lastErr error // the parse error of the text so far
		)
		for ; ok; chunk, err, ok = next() {
			if err == nil {
				err = context.Cause(rctx)
			}
			if err != nil {
				yield(nil, run.Fail(err))
				return
			}
			if got {
				acc, _ = runnable.Concat(acc, chunk)
			} else {
				acc, got = chunk, true
			}
			var v any
			v, lastErr = parseOutput(generationText(acc))
			// A JSON null is not reported, as in LangChain, where None
			// means "nothing parsed yet".
			if lastErr != nil || v == nil || (yielded && reflect.DeepEqual(v, last)) {
				continue
			}
			last, yielded = v, true
			run.Chunk(v)
			if !yield(v, nil) {
				run.Fail(runnable.ErrStreamStopped)
				return
			}
		}
		if lastErr != nil {
			yield(nil, run.Fail(lastErr))
			return
		}
		var input any
		if got {
			input = acc
		}
		run.EndWithInput(input, last)
	}
}

// Batch invokes the parser on every input; see [runnable.BatchOf].
func (p *JSONParser) Batch(ctx context.Context, ms []schema.Message, opts ...runnable.Option) ([]any, error) {
	return runnable.BatchOf(ctx, p, ms, opts...)
}

// parseOutput parses model output the way LangChain's JsonOutputParser does
// (parse_json_markdown over parse_partial_json): the trimmed text is parsed
// as (possibly partial) JSON; when that fails and the text holds a code
// fence, what follows the fence (and an optional "json" tag) is parsed
// instead. Backticks and whitespace around the JSON are ignored.
func parseOutput(text string) (any, error) {
	text = strings.TrimSpace(text)
	v, err := parseJSONText(text)
	if err == nil {
		return v, nil
	}
	// LangChain gives up without looking for a fence when a closing bracket
	// does not match (parse_partial_json returns None then).
	if !errors.Is(err, schema.ErrMismatchedBracket) {
		if i := strings.Index(text, "```"); i >= 0 {
			v, err = parseJSONText(strings.TrimPrefix(text[i+3:], "json"))
		}
	}
	if err != nil {
		return nil, &ParseError{Text: text, Err: err}
	}
	return v, nil
}

// parseJSONText strips whitespace and backticks around s and parses it as
// partial JSON.
func parseJSONText(s string) (any, error) {
	return schema.ParsePartialJSON(strings.Trim(s, " \n\r\t`"))
}
