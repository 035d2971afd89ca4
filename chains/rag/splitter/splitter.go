// Package splitter cuts documents into chunks small enough to embed, with a
// recursive character splitter in the manner of LangChain's
// RecursiveCharacterTextSplitter.
//
// It is written here rather than taken from langchaingo's textsplitter
// because chunk sizes must be hard limits measured in characters (runes),
// the splitter must not log, and chunks must keep their document's metadata
// and get stable IDs, none of which langchaingo's RecursiveCharacter does.
package splitter

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/langserve-go/langserve/runnable/schema"
)

// Defaults for [Options].
const (
	DefaultChunkSize    = 1000
	DefaultChunkOverlap = 200
)

// DefaultSeparators are tried in order: paragraphs, lines, sentences,
// words, and finally single characters.
var DefaultSeparators = []string{"\n\n", "\n", ". ", " ", ""}

// Options configures [New]. A nil *Options means all defaults.
type Options struct {
	// ChunkSize is the maximum chunk length in characters (runes). Zero:
	// DefaultChunkSize.
	ChunkSize int
	// ChunkOverlap is the maximum number of characters a chunk repeats from
	// the end of the previous one. Zero: DefaultChunkOverlap or ChunkSize/5,
	// whichever is smaller; negative: no overlap. It must be smaller than
	// ChunkSize.
	ChunkOverlap int
	// Separators are the places to cut at, most preferred first. Nil:
	// DefaultSeparators. "" (between any two characters) is always tried
	// last, so chunks never exceed ChunkSize.
	Separators []string
}

// Splitter splits text into chunks. It is immutable and safe for concurrent
// use.
type Splitter struct {
	size, overlap int
	seps          []string
}

// New returns a Splitter, or an error if the options are inconsistent.
func New(opts *Options) (*Splitter, error) {
	s := &Splitter{size: DefaultChunkSize, overlap: DefaultChunkOverlap, seps: DefaultSeparators}
	if opts != nil {
		if opts.ChunkSize < 0 {
			return nil, fmt.Errorf("splitter: ChunkSize %d is negative", opts.ChunkSize)
		}
		if opts.ChunkSize > 0 {
			s.size = opts.ChunkSize
		}
		switch {
		case opts.ChunkOverlap < 0:
			s.overlap = 0
		case opts.ChunkOverlap > 0:
			s.overlap = opts.ChunkOverlap
		default:
			s.overlap = min(DefaultChunkOverlap, s.size/5)
		}
		if opts.Separators != nil {
			s.seps = opts.Separators
		}
	}
	if s.overlap >= s.size {
		return nil, fmt.Errorf("splitter: ChunkOverlap %d must be smaller than ChunkSize %d", s.overlap, s.size)
	}
	if len(s.seps) == 0 || s.seps[len(s.seps)-1] != "" {
		s.seps = append(append([]string(nil), s.seps...), "")
	}
	return s, nil
}

// piece is a part of the text no longer than the chunk size, with its
// length in runes.
type piece struct {
	text string
	n    int
}

// Split returns the chunks of text, each at most ChunkSize characters and
// trimmed of surrounding white space; white-space-only chunks are dropped.
//
// Text short enough is one chunk. Longer text is cut after the first
// separator that occurs in it, and every part that is still too long is cut
// again with the next separators. The parts are then packed greedily into
// chunks. Each new chunk starts with the end of the previous one: up to
// ChunkOverlap characters (fewer if the next part would not fit otherwise),
// beginning at a word, so words are not cut in half.
func (s *Splitter) Split(text string) []string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	return s.merge(s.pieces(text, s.seps))
}

func (s *Splitter) pieces(text string, seps []string) []piece {
	if n := utf8.RuneCountInString(text); n <= s.size {
		return []piece{{text, n}}
	}
	i := 0
	for i < len(seps)-1 && !strings.Contains(text, seps[i]) {
		i++
	}
	sep, rest := seps[i], seps[i+1:]
	var out []piece
	if sep == "" {
		// The last resort: single characters.
		for _, r := range text {
			out = append(out, piece{string(r), 1})
		}
		return out
	}
	// SplitAfter keeps each separator with the text before it, so the
	// parts concatenate back to the original.
	for _, part := range strings.SplitAfter(text, sep) {
		if part == "" {
			continue
		}
		if n := utf8.RuneCountInString(part); n <= s.size {
			out = append(out, piece{part, n})
		} else {
			out = append(out, s.pieces(part, rest)...)
		}
	}
	return out
}

func (s *Splitter) merge(ps []piece) []string {
	var (
		chunks []string
		cur    strings.Builder
		curN   int
	)
	emit := func() {
		if c := strings.TrimSpace(cur.String()); c != "" {
			chunks = append(chunks, c)
		}
	}
	for _, p := range ps {
		if curN > 0 && curN+p.n > s.size {
			emit()
			t := overlapTail(cur.String(), min(s.overlap, s.size-p.n))
			cur.Reset()
			curN = 0
			if strings.TrimSpace(t) != "" {
				cur.WriteString(t)
				curN = utf8.RuneCountInString(t)
			}
		}
		cur.WriteString(p.text)
		curN += p.n
	}
	if curN > 0 {
		emit()
	}
	return chunks
}

// overlapTail returns the end of chunk to repeat at the start of the next
// one: at most n runes, starting at a word (after white space). Only when
// that window has no white space at all, as in text without spaces, is it
// taken as is.
func overlapTail(chunk string, n int) string {
	if n <= 0 {
		return ""
	}
	start := len(chunk)
	for i := 0; i < n && start > 0; i++ {
		_, size := utf8.DecodeLastRuneInString(chunk[:start])
		start -= size
	}
	window := chunk[start:]
	if !strings.ContainsFunc(window, unicode.IsSpace) {
		return window
	}
	if start > 0 {
		if r, _ := utf8.DecodeLastRuneInString(chunk[:start]); unicode.IsSpace(r) {
			return window // already starts at a word
		}
	}
	i := strings.IndexFunc(window, unicode.IsSpace)
	return strings.TrimLeftFunc(window[i:], unicode.IsSpace)
}

// ErrNoID reports a document without ID passed to [Splitter.SplitDocuments];
// chunk IDs are derived from it.
var ErrNoID = errors.New("splitter: document has no ID")

// SplitDocuments splits each document's content into chunks. Chunk i of a
// document with ID d gets ID "d/i" (so re-splitting the same document gives
// the same IDs) and a copy of the document's metadata plus "chunk": i and
// "parent_id": d. The metadata copy is shallow: nested maps are shared.
func (s *Splitter) SplitDocuments(docs []schema.Document) ([]schema.Document, error) {
	var out []schema.Document
	for _, d := range docs {
		if d.ID == "" {
			return nil, fmt.Errorf("%w (content starts %q)", ErrNoID, prefix(d.PageContent, 40))
		}
		for i, c := range s.Split(d.PageContent) {
			md := maps.Clone(d.Metadata)
			if md == nil {
				md = map[string]any{}
			}
			md["chunk"] = i
			md["parent_id"] = d.ID
			out = append(out, schema.Document{ID: fmt.Sprintf("%s/%d", d.ID, i), PageContent: c, Metadata: md})
		}
	}
	return out, nil
}

func prefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
