package chatmodel

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"sync"
	"time"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Fake returns a model that answers every prompt with reply, streamed the
// way LangChain's GenericFakeChatModel streams it: the reply is split at
// every whitespace character, and the whitespace characters are chunks of
// their own ("Bonjour le monde" → "Bonjour", " ", "le", " ", "monde"). Two
// whitespace characters in a row have an empty chunk between them, as with
// Python's re.split. The model is named "GenericFakeChatModel" and cannot
// call tools.
func Fake(reply string) *Model {
	return New(runnable.Info{Name: "GenericFakeChatModel"}, genericFake{reply: reply})
}

type genericFake struct{ reply string }

func (f genericFake) StreamChat(ctx context.Context, _ []schema.Message, _ CallOptions) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		for _, tok := range splitKeepingSpaces(f.reply) {
			if !yield(schema.AIChunk(tok), nil) {
				return
			}
		}
	}
}

// splitKeepingSpaces is Python's re.split(r"(\s)", s): the text between
// whitespace characters and each whitespace character, in order. An empty
// s gives no tokens (GenericFakeChatModel streams nothing for an empty
// reply).
func splitKeepingSpaces(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	start := 0
	for i, r := range s {
		if isPySpace(r) {
			out = append(out, s[start:i], string(r))
			start = i + len(string(r))
		}
	}
	return append(out, s[start:])
}

// isPySpace reports whether Python's \s (str patterns) matches r.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// FakeList returns a model that answers with replies in turn, starting
// over after the last one (LangChain's FakeListChatModel). Each reply is
// streamed one character (rune) per chunk. The position in the list is
// shared by all calls and safe for concurrent use. The model is named
// "FakeListChatModel" and cannot call tools; without replies every call
// fails.
func FakeList(replies ...string) *Model {
	m := New(runnable.Info{Name: "FakeListChatModel"}, &fakeList{replies: append([]string(nil), replies...)})
	if len(replies) == 0 {
		m.err = errors.New("chatmodel: FakeList needs at least one reply")
	}
	return m
}

type fakeList struct {
	mu      sync.Mutex
	replies []string
	next    int
}

func (f *fakeList) take() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.replies[f.next]
	f.next = (f.next + 1) % len(f.replies)
	return r
}

func (f *fakeList) StreamChat(ctx context.Context, _ []schema.Message, _ CallOptions) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		for _, r := range f.take() {
			if !yield(schema.AIChunk(string(r)), nil) {
				return
			}
		}
	}
}

// ErrScriptEnded is returned by a [Scripted] model asked once more than it
// has replies.
var ErrScriptEnded = errors.New("chatmodel: the scripted model has no reply left")

// Scripted returns a model that answers the n-th call with steps[n], for
// tests of agents and tool loops. A step is an AI message (type "ai", an
// AIMessageChunk, or no type) and may carry tool calls, usage and response
// metadata. It is streamed as LangChain streams such a message: the content
// split like [Fake]'s, then one chunk per tool call with a tool call chunk
// (arguments as JSON text, index = position), then a chunk with the
// response metadata and usage if there are any. The model is named
// "ScriptedChatModel", accepts tools, and fails with [ErrScriptEnded] once
// the steps are used up. It is safe for concurrent use; concurrent calls
// take the steps in the order they start streaming.
func Scripted(steps ...schema.Message) *Model {
	return New(runnable.Info{Name: "ScriptedChatModel"}, &scripted{steps: append([]schema.Message(nil), steps...)})
}

type scripted struct {
	mu    sync.Mutex
	steps []schema.Message
	next  int
}

func (s *scripted) SupportsTools() bool { return true }

func (s *scripted) take() (schema.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next >= len(s.steps) {
		return schema.Message{}, fmt.Errorf("%w: all %d replies were used", ErrScriptEnded, len(s.steps))
	}
	m := s.steps[s.next]
	s.next++
	return m, nil
}

func (s *scripted) StreamChat(ctx context.Context, _ []schema.Message, _ CallOptions) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		step, err := s.take()
		if err != nil {
			yield(schema.Message{}, err)
			return
		}
		chunks, err := chunksOf(step)
		if err != nil {
			yield(schema.Message{}, err)
			return
		}
		for _, c := range chunks {
			if !yield(c, nil) {
				return
			}
		}
	}
}

// chunksOf splits an AI message into the chunks a streaming provider would
// send for it.
func chunksOf(m schema.Message) ([]schema.Message, error) {
	switch m.Type {
	case "", schema.AIType, schema.AIChunkType:
	default:
		return nil, fmt.Errorf("chatmodel: a scripted reply must be an AI message, got type %q", m.Type)
	}
	piece := func() schema.Message { return schema.Message{Type: schema.AIChunkType, ID: m.ID, Name: m.Name} }
	var out []schema.Message
	for _, tok := range splitKeepingSpaces(m.Content) {
		c := piece()
		c.Content = tok
		out = append(out, c)
	}
	if m.ContentBlocks != nil {
		c := piece()
		c.ContentBlocks = m.ContentBlocks
		out = append(out, c)
	}
	tcc := m.ToolCallChunks
	if len(tcc) == 0 {
		for i, tc := range m.ToolCalls {
			args := tc.Args
			if args == nil {
				args = map[string]any{}
			}
			b, err := argsJSON(args)
			if err != nil {
				return nil, fmt.Errorf("chatmodel: scripted tool call %q: arguments: %w", tc.Name, err)
			}
			tcc = append(tcc, schema.ToolCallChunk{Name: tc.Name, Args: b, ID: tc.ID, Index: new(i)})
		}
	}
	for _, tc := range tcc {
		c := piece()
		c.ToolCallChunks = []schema.ToolCallChunk{tc}
		out = append(out, c)
	}
	if len(m.ResponseMetadata) > 0 || len(m.AdditionalKwargs) > 0 || m.UsageMetadata != nil || len(out) == 0 {
		c := piece()
		c.ResponseMetadata = maps.Clone(m.ResponseMetadata)
		c.AdditionalKwargs = maps.Clone(m.AdditionalKwargs)
		if m.UsageMetadata != nil {
			c.UsageMetadata = new(*m.UsageMetadata)
		}
		out = append(out, c)
	}
	return out, nil
}

// FakeOptions slow down or break a model's stream, for tests of timeouts,
// cancellation and error paths (LangChain's sleep and error_on_chunk_number
// of the fake models). The zero value changes nothing.
type FakeOptions struct {
	// ChunkDelay is waited before each chunk; the wait ends early when ctx
	// is done. Zero means no delay.
	ChunkDelay time.Duration
	// FailAfter, when set, makes the stream fail with [ErrInjected] instead
	// of yielding chunk number *FailAfter (counting from 0): new(0) fails
	// before the first chunk, new(3) after three chunks. A stream shorter
	// than that ends normally. nil never fails.
	FailAfter *int
}

// ErrInjected is the error of a stream broken by [FakeOptions.FailAfter].
var ErrInjected = errors.New("chatmodel: injected failure")

// Inject returns a copy of m whose stream is slowed down or broken as o
// says. It works on any model, fakes or not. A nil o returns m.
func (m *Model) Inject(o *FakeOptions) *Model {
	if o == nil {
		return m
	}
	c := *m
	if m.s != nil {
		c.s = injected{s: m.s, o: *o}
	}
	if o.ChunkDelay < 0 {
		c.err = errors.Join(c.err, fmt.Errorf("chatmodel: ChunkDelay must not be negative, got %v", o.ChunkDelay))
	}
	return &c
}

type injected struct {
	s Streamer
	o FakeOptions
}

func (f injected) SupportsTools() bool { return supportsTools(f.s) }

func (f injected) StreamChat(ctx context.Context, msgs []schema.Message, opts CallOptions) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		var tick <-chan time.Time
		if f.o.ChunkDelay > 0 {
			t := time.NewTicker(f.o.ChunkDelay)
			defer t.Stop()
			tick = t.C
		}
		n := 0
		for chunk, err := range f.s.StreamChat(ctx, msgs, opts) {
			if err != nil {
				yield(schema.Message{}, err)
				return
			}
			if f.o.FailAfter != nil && n == *f.o.FailAfter {
				yield(schema.Message{}, fmt.Errorf("%w at chunk %d", ErrInjected, n))
				return
			}
			if tick != nil {
				select {
				case <-tick:
				case <-ctx.Done():
					yield(schema.Message{}, context.Cause(ctx))
					return
				}
			}
			if !yield(chunk, nil) {
				return
			}
			n++
		}
	}
}
