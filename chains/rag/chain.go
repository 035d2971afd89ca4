package rag

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/langserve-go/langserve/internal/jsonschema"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Defaults for [ChainOptions] and [Retriever].
const (
	// DefaultK is the number of chunks retrieved per question.
	DefaultK = 4
	// DefaultMaxQuestionLength is the longest question, in characters.
	DefaultMaxQuestionLength = 2000
	// DefaultSnippetLength is the length, in characters, of the excerpt of
	// each source in an [Answer].
	DefaultSnippetLength = 200
)

// Retriever returns a runnable that answers a query with the k chunks of
// idx most similar to it, best first (LangChain's VectorStoreRetriever). k
// below 1 means DefaultK.
//
// Each document is a copy of the stored chunk whose metadata carries the
// chunk's "score" (cosine similarity, higher is closer) next to what the
// loaders and the splitter recorded ("source", "chunk", "parent_id",
// "section", …). Chunks scoring 0 or less, which have nothing in common
// with the query, are left out, so fewer than k documents may come back.
// Runs are named "VectorStoreRetriever", of run type
// retriever, and do not stream: Stream yields the whole list once.
// An empty query is an error ([ErrEmptyQuery]).
func Retriever(idx *Index, k int) runnable.Runnable[string, []schema.Document] {
	if k < 1 {
		k = DefaultK
	}
	info := runnable.Info{Name: "VectorStoreRetriever", Type: runnable.RetrieverRun, Metadata: map[string]any{
		"ls_retriever_name": "vectorstore",
	}}
	if idx != nil {
		info.Metadata["ls_vector_store_provider"] = typeName(idx.store)
		info.Metadata["ls_embedding_provider"] = typeName(idx.embedder)
	}
	return runnable.NewInvoker(info, func(ctx context.Context, query string) ([]schema.Document, error) {
		if idx == nil {
			return nil, errNilIndex
		}
		res, err := idx.Retrieve(ctx, query, k)
		if err != nil {
			return nil, err
		}
		docs := make([]schema.Document, 0, len(res))
		for _, r := range res {
			if !(r.Score > 0) {
				continue
			}
			md := make(map[string]any, len(r.Document.Metadata)+1)
			for key, v := range r.Document.Metadata {
				md[key] = v
			}
			md["score"] = r.Score
			docs = append(docs, schema.Document{ID: r.Document.ID, PageContent: r.Document.PageContent, Metadata: md})
		}
		return docs, nil
	})
}

var errNilIndex = errors.New("rag: nil *Index")

// typeName is the provider name LangChain puts in ls_* metadata: the class
// name, here the Go type without package path or pointer star.
func typeName(v any) string { return strings.TrimPrefix(fmt.Sprintf("%T", v), "*") }

// Question is the input of the chain [Chain] builds.
type Question struct {
	Question string `json:"question"`
}

// Answer is the output of [Chain]: the model's answer, the chunks it was
// given to answer from, and the model that answered.
//
// While streaming, the first chunk carries Sources and Model with an empty
// Answer, and every later chunk carries the next piece of the answer text
// with nil Sources; [Answer.Concat] adds them up to what Invoke returns.
type Answer struct {
	Answer string `json:"answer"`
	// Sources are the retrieved chunks, best first. They are the chunks the
	// model was shown, not a claim that it used each one.
	Sources []Source `json:"sources,omitzero"`
	// Model names the chat model that answered (its ls_model_name, or its
	// run name when it has none).
	Model string `json:"model,omitempty"`
}

// Concat adds a streamed chunk to a: texts are joined, sources appended,
// and the first non-empty model name is kept.
func (a Answer) Concat(b Answer) Answer {
	out := Answer{Answer: a.Answer + b.Answer, Model: a.Model}
	if out.Model == "" {
		out.Model = b.Model
	}
	switch {
	case a.Sources == nil:
		out.Sources = b.Sources
	case b.Sources == nil:
		out.Sources = a.Sources
	default:
		out.Sources = append(slices.Clip(a.Sources), b.Sources...)
	}
	return out
}

// Source is one retrieved chunk an [Answer] was based on.
type Source struct {
	// ID is the chunk's ID in the store ("doc/0").
	ID string `json:"id"`
	// Source is where the document came from (its "source" metadata).
	Source string `json:"source"`
	// Section is the Markdown heading path of the chunk, when it has one.
	Section string `json:"section,omitempty"`
	// Score is the chunk's cosine similarity to the question.
	Score float64 `json:"score"`
	// Snippet is the start of the chunk's text.
	Snippet string `json:"snippet"`
}

// ChainOptions configures [Chain]. A nil *ChainOptions means all defaults.
type ChainOptions struct {
	// K is the number of chunks retrieved per question. Zero: DefaultK.
	K int
	// MaxQuestionLength bounds questions, in characters. Zero:
	// DefaultMaxQuestionLength.
	MaxQuestionLength int
	// SnippetLength is the length of each source's snippet, in characters.
	// Zero: DefaultSnippetLength.
	SnippetLength int
}

// QuestionError reports a question the chain refuses to answer.
type QuestionError struct{ Reason string }

func (e *QuestionError) Error() string { return "rag: question " + e.Reason }

// systemPrompt must not contain the marker "Context:" itself: the local
// model looks for it to find the passages.
const systemPrompt = "You answer questions using only the numbered passages the user gives you. " +
	"If the passages do not contain the answer, say that you do not know. " +
	"Be brief, and cite the passages you used by their numbers, like [2]."

// Chain returns a RAG chain: it retrieves the chunks of idx most similar to
// the question and has model answer from them, returning the answer with
// its sources.
//
// It is built from core runnables, so stream_events shows every step:
//
//	prepare_question
//	| assign(docs = pick question | VectorStoreRetriever)
//	| assign(answer = format_docs | ChatPromptTemplate | model | StrOutputParser)
//	| attach_sources
//
// Stream yields the sources as soon as retrieval is done, then the answer
// text chunk by chunk as the model produces it (see [Answer]). A blank or
// too long question fails with a *QuestionError; served through serve, the
// input schema rejects it with a 422 first. A nil idx or model makes every
// call fail.
func Chain(idx *Index, model runnable.Runnable[schema.PromptValue, schema.Message], opts *ChainOptions) runnable.Runnable[Question, Answer] {
	var o ChainOptions
	if opts != nil {
		o = *opts
	}
	if o.K < 1 {
		o.K = DefaultK
	}
	if o.MaxQuestionLength < 1 {
		o.MaxQuestionLength = DefaultMaxQuestionLength
	}
	if o.SnippetLength < 1 {
		o.SnippetLength = DefaultSnippetLength
	}
	c := &chain{maxLen: o.MaxQuestionLength}
	switch {
	case idx == nil:
		c.err = errNilIndex
	case model == nil:
		c.err = errors.New("rag: nil chat model")
	}
	modelName := modelNameOf(model)

	prepare := runnable.Lambda("prepare_question", func(_ context.Context, q Question) (map[string]any, error) {
		text := strings.TrimSpace(q.Question)
		switch n := utf8.RuneCountInString(text); {
		case n == 0:
			return nil, &QuestionError{"is empty"}
		case n > c.maxLen:
			return nil, &QuestionError{fmt.Sprintf("has %d characters, more than the %d allowed", n, c.maxLen)}
		}
		return map[string]any{"question": text}, nil
	})
	pickQuestion := runnable.Lambda("pick_question", func(_ context.Context, in map[string]any) (string, error) {
		s, _ := in["question"].(string)
		return s, nil
	})
	retrieve := runnable.Assign(map[string]runnable.Runnable[map[string]any, any]{
		"docs": runnable.AsAny(runnable.Pipe(pickQuestion, Retriever(idx, o.K))),
	})
	formatDocs := runnable.Lambda("format_docs", func(_ context.Context, in map[string]any) (map[string]any, error) {
		docs, _ := in["docs"].([]schema.Document)
		return map[string]any{"context": formatContext(docs), "question": in["question"]}, nil
	})
	tmpl := prompt.MustChat(
		prompt.System(systemPrompt),
		prompt.Human("Context:\n{context}\n\nQuestion: {question}"),
	)
	var answer runnable.Runnable[map[string]any, any]
	if model != nil {
		answer = runnable.AsAny(runnable.Pipe4(formatDocs, tmpl, model, parser.String()))
	} else {
		answer = runnable.AsAny(formatDocs)
	}
	generate := runnable.Assign(map[string]runnable.Runnable[map[string]any, any]{"answer": answer})
	attach := runnable.Generator("attach_sources", func(ctx context.Context, in iter.Seq2[map[string]any, error]) iter.Seq2[Answer, error] {
		return func(yield func(Answer, error) bool) {
			for chunk, err := range in {
				if err != nil {
					yield(Answer{}, err)
					return
				}
				var a Answer
				emit := false
				if docs, ok := chunk["docs"].([]schema.Document); ok {
					a.Sources, a.Model, emit = sourcesOf(docs, o.SnippetLength), modelName, true
				}
				if s, ok := chunk["answer"].(string); ok && s != "" {
					a.Answer, emit = s, true
				}
				if emit && !yield(a, nil) {
					return
				}
			}
		}
	})
	c.Runnable = runnable.Pipe4(prepare, retrieve, generate, attach).Named("rag")
	return c
}

type chain struct {
	runnable.Runnable[Question, Answer]
	maxLen int
	err    error
}

// Describe names the chain "rag".
func (c *chain) Describe() runnable.Info { return runnable.Info{Name: "rag", Type: runnable.ChainRun} }

// Invoke answers the question.
func (c *chain) Invoke(ctx context.Context, q Question, opts ...runnable.Option) (Answer, error) {
	if c.err != nil {
		return Answer{}, c.err
	}
	return c.Runnable.Invoke(ctx, q, opts...)
}

// Stream yields the sources, then the answer as it is generated.
func (c *chain) Stream(ctx context.Context, q Question, opts ...runnable.Option) iter.Seq2[Answer, error] {
	if c.err != nil {
		return func(yield func(Answer, error) bool) { yield(Answer{}, c.err) }
	}
	return c.Runnable.Stream(ctx, q, opts...)
}

// Batch answers every question; see [runnable.BatchOf].
func (c *chain) Batch(ctx context.Context, qs []Question, opts ...runnable.Option) ([]Answer, error) {
	if c.err != nil {
		return nil, c.err
	}
	return c.Runnable.Batch(ctx, qs, opts...)
}

// InputSchema states the question's limits, so that serve rejects blank and
// oversized questions with a 422 before anything runs.
func (c *chain) InputSchema(runnable.Config) (runnable.Schema, error) {
	return jsonschema.Object("Question", []jsonschema.Field{{
		Name: "question", Required: true, Description: "The question to answer from the indexed documents",
		Schema: jsonschema.Schema{"type": "string", "minLength": 1, "maxLength": c.maxLen},
	}}), nil
}

// OutputSchema is the schema of [Answer].
func (c *chain) OutputSchema(runnable.Config) (runnable.Schema, error) {
	return jsonschema.Of[Answer]("Answer")
}

// ConfigSpecs are the model's configurable fields, if any.
func (c *chain) ConfigSpecs() []runnable.ConfigSpec { return runnable.SpecsOf(c.Runnable) }

// modelNameOf names a chat model for [Answer.Model].
func modelNameOf(model any) string {
	if d, ok := model.(runnable.Describer); ok {
		info := d.Describe()
		if name, ok := info.Metadata["ls_model_name"].(string); ok && name != "" {
			return name
		}
		return info.Name
	}
	if model == nil {
		return ""
	}
	return runnable.NameOf(model)
}

// formatContext numbers the passages for the prompt. Each header is a
// paragraph of its own in brackets, which the local model's extractive
// answers skip, so that only passage text is quoted back.
func formatContext(docs []schema.Document) string {
	if len(docs) == 0 {
		return "(no passages were found)"
	}
	var b strings.Builder
	for i, d := range docs {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("[" + strconv.Itoa(i+1))
		if src, _ := d.Metadata["source"].(string); src != "" {
			b.WriteString(" · " + src)
		}
		if sec, _ := d.Metadata["section"].(string); sec != "" {
			b.WriteString(" · " + sec)
		}
		b.WriteString("]\n\n")
		b.WriteString(withoutHeading(d.PageContent))
	}
	return b.String()
}

// sourcesOf lists the retrieved documents as sources; never nil, so that
// an answer without sources still says so with an empty list.
func sourcesOf(docs []schema.Document, snippetLen int) []Source {
	out := make([]Source, len(docs))
	for i, d := range docs {
		src, _ := d.Metadata["source"].(string)
		sec, _ := d.Metadata["section"].(string)
		score, _ := d.Metadata["score"].(float64)
		out[i] = Source{ID: d.ID, Source: src, Section: sec, Score: score, Snippet: snippet(withoutHeading(d.PageContent), snippetLen)}
	}
	return out
}

// withoutHeading trims text and drops the Markdown heading lines it starts
// with: the loader keeps a section's heading in its first chunk, but the
// prompt and the sources name the section already, and a bare heading
// makes a poor sentence in an extractive answer.
func withoutHeading(text string) string {
	text = strings.TrimSpace(text)
	for strings.HasPrefix(text, "#") {
		line, rest, _ := strings.Cut(text, "\n")
		level := len(line) - len(strings.TrimLeft(line, "#"))
		if level > 6 || len(line) > level && line[level] != ' ' {
			break // "#hashtag" or "#######" is text, not a heading
		}
		text = strings.TrimSpace(rest)
	}
	return text
}

// snippet returns the first n characters of s with white space collapsed,
// cut at a word boundary when one is near, with "…" when cut.
func snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if n == 0 {
			cut = i
			break
		}
		n--
	}
	head := s[:cut]
	if sp := strings.LastIndexByte(head, ' '); sp > len(head)*3/4 {
		head = head[:sp]
	}
	return head + "…"
}
