package parser

import (
	"context"
	"iter"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// StringParser turns chat model output into its text (LangChain's
// StrOutputParser). Build one with [String]. It is safe for concurrent use.
type StringParser struct {
	gen *runnable.Gen[schema.Message, string]
}

var (
	_ runnable.Runnable[schema.Message, string]    = (*StringParser)(nil)
	_ runnable.Transformer[schema.Message, string] = (*StringParser)(nil)
	_ runnable.Describer                           = (*StringParser)(nil)
)

// String returns a parser that outputs the text of a message, named
// "StrOutputParser", of run type parser.
//
// Inside a [runnable.Sequence] it transforms token by token: each message
// chunk of a streaming chat model becomes one string chunk as soon as it
// arrives, empty chunks included, so the parser reports one stream event per
// model chunk as LangChain's does.
//
// The text of a message whose content is a list of content blocks is the
// text of the first block that has one, as in LangChain's ChatGeneration.
func String() *StringParser {
	info := runnable.Info{Name: "StrOutputParser", Type: runnable.ParserRun}
	return &StringParser{gen: runnable.NewGenerator(info, func(ctx context.Context, in iter.Seq2[schema.Message, error]) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) {
			for m, err := range in {
				if err != nil {
					yield("", err)
					return
				}
				if !yield(generationText(m), nil) {
					return
				}
			}
		}
	})}
}

// Describe returns the parser's name and run type.
func (p *StringParser) Describe() runnable.Info { return p.gen.Describe() }

// Invoke returns the text of m in a run of its own.
func (p *StringParser) Invoke(ctx context.Context, m schema.Message, opts ...runnable.Option) (string, error) {
	ctx, run := runnable.StartRun(ctx, p.Describe(), m, opts...)
	if err := ctx.Err(); err != nil {
		return "", run.Fail(context.Cause(ctx))
	}
	out := generationText(m)
	run.End(out)
	return out, nil
}

// Stream yields the result of Invoke. As in LangChain, a parser streamed on
// its own does not stream; it streams when it transforms the output of a
// streaming step (see [StringParser.Transform]).
func (p *StringParser) Stream(ctx context.Context, m schema.Message, opts ...runnable.Option) iter.Seq2[string, error] {
	return runnable.StreamByInvoke(ctx, p, m, opts...)
}

// Transform yields the text of each message chunk of in as it arrives. The
// run starts with the first chunk; its end event carries the added-up
// message and text.
func (p *StringParser) Transform(ctx context.Context, in iter.Seq2[schema.Message, error], opts ...runnable.Option) iter.Seq2[string, error] {
	return p.gen.Transform(ctx, in, opts...)
}

// Batch invokes the parser on every input; see [runnable.BatchOf].
func (p *StringParser) Batch(ctx context.Context, ms []schema.Message, opts ...runnable.Option) ([]string, error) {
	return runnable.BatchOf(ctx, p, ms, opts...)
}

// generationText is the text LangChain's ChatGeneration takes from a
// message: the content when it is a string, otherwise the text of the first
// content block that has a "text" key (an empty string when none has).
// Note that this differs from [schema.Message.Text], which joins all text
// blocks.
func generationText(m schema.Message) string {
	if m.ContentBlocks == nil {
		return m.Content
	}
	for _, block := range m.ContentBlocks {
		if t, ok := block["text"]; ok {
			s, _ := t.(string)
			return s
		}
	}
	return ""
}
