package splitter_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/langserve-go/langserve/chains/rag/splitter"
	"github.com/langserve-go/langserve/runnable/schema"
)

func mustNew(t *testing.T, o *splitter.Options) *splitter.Splitter {
	t.Helper()
	s, err := splitter.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSplit(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts *splitter.Options
		text string
		want []string
	}{
		{"short text is one chunk", nil, "  hello world  ", []string{"hello world"}},
		{"empty", nil, "", nil},
		{"white space only", nil, " \n\n \t", nil},
		{
			"paragraphs first",
			&splitter.Options{ChunkSize: 12, ChunkOverlap: -1},
			"aaaa bbbb\n\ncccc dddd\n\neeee",
			[]string{"aaaa bbbb", "cccc dddd", "eeee"},
		},
		{
			"small paragraphs are packed together",
			&splitter.Options{ChunkSize: 14, ChunkOverlap: -1},
			"aa\n\nbb\n\ncc\n\ndd\n\nee",
			[]string{"aa\n\nbb\n\ncc", "dd\n\nee"},
		},
		{
			"words with overlap",
			// Parts keep their trailing separator: "five " counts 5.
			&splitter.Options{ChunkSize: 11, ChunkOverlap: 5},
			"one two three four five six",
			[]string{"one two", "two three", "four five", "five six"},
		},
		{
			"sentences before words",
			&splitter.Options{ChunkSize: 20, ChunkOverlap: -1},
			"First sentence. Second one here. Third.",
			[]string{"First sentence.", "Second one here.", "Third."},
		},
		{
			"characters as the last resort",
			&splitter.Options{ChunkSize: 4, ChunkOverlap: 1},
			"abcdefghij",
			[]string{"abcd", "defg", "ghij"},
		},
		{
			"sizes count runes, not bytes",
			&splitter.Options{ChunkSize: 3, ChunkOverlap: -1},
			"日本語中文字",
			[]string{"日本語", "中文字"},
		},
		{
			"custom separators",
			&splitter.Options{ChunkSize: 5, ChunkOverlap: -1, Separators: []string{"|"}},
			"ab|cd|efghijk",
			[]string{"ab|", "cd|ef", "ghijk"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := mustNew(t, tt.opts).Split(tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Split = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSplitInvariants checks on a longer text that no chunk exceeds the
// size, that chunks follow the text in order without gaps (nothing is
// lost), and that consecutive chunks overlap. Every word is unique, so a
// chunk's position in the text is unambiguous.
func TestSplitInvariants(t *testing.T) {
	var b strings.Builder
	w := 0
	word := func() string { w++; return fmt.Sprintf("w%04d ", w) }
	for i := range 40 {
		for range i%9 + 3 {
			b.WriteString(word())
		}
		b.WriteString("ünï" + word() + ". ")
		for range 4 {
			b.WriteString(word())
		}
		b.WriteString(".\n\n")
	}
	text := b.String()
	for _, size := range []int{30, 80, 200, 500} {
		s := mustNew(t, &splitter.Options{ChunkSize: size, ChunkOverlap: size / 4})
		chunks := s.Split(text)
		if len(chunks) < 2 {
			t.Fatalf("size %d: %d chunks", size, len(chunks))
		}
		end, overlaps := 0, 0
		for i, c := range chunks {
			if n := utf8.RuneCountInString(c); n > size {
				t.Fatalf("size %d: chunk %d has %d runes", size, i, n)
			}
			at := strings.Index(text, c)
			if at < 0 {
				t.Fatalf("size %d: chunk %d is not a substring of the text: %q", size, i, c)
			}
			if gap := text[end:max(at, end)]; strings.TrimSpace(gap) != "" {
				t.Fatalf("size %d: text lost before chunk %d: %q", size, i, gap)
			}
			if i > 0 && at < end {
				overlaps++
			}
			if at+len(c) <= end {
				t.Fatalf("size %d: chunk %d does not advance", size, i)
			}
			end = at + len(c)
		}
		if rest := strings.TrimSpace(text[end:]); rest != "" {
			t.Fatalf("size %d: text after the last chunk was lost: %q", size, rest)
		}
		if overlaps == 0 {
			t.Fatalf("size %d: no two chunks overlap", size)
		}
		t.Logf("size %d: %d chunks, %d overlapping", size, len(chunks), overlaps)
	}
}

func TestNewErrors(t *testing.T) {
	for _, o := range []*splitter.Options{
		{ChunkSize: -1},
		{ChunkSize: 10, ChunkOverlap: 10},
		{ChunkSize: 10, ChunkOverlap: 50},
		{ChunkOverlap: 1000},
	} {
		if _, err := splitter.New(o); err == nil {
			t.Errorf("New(%+v) succeeded", *o)
		}
	}
}

func TestSplitDocuments(t *testing.T) {
	s := mustNew(t, &splitter.Options{ChunkSize: 10, ChunkOverlap: -1})
	nested := map[string]any{"k": "v"}
	docs := []schema.Document{
		{ID: "a.md#0", PageContent: "alpha beta gamma", Metadata: map[string]any{"source": "a.md", "nested": nested}},
		{ID: "b", PageContent: "short"},
	}
	got, err := s.SplitDocuments(docs)
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.Document{
		{ID: "a.md#0/0", PageContent: "alpha", Metadata: map[string]any{"source": "a.md", "nested": nested, "chunk": 0, "parent_id": "a.md#0"}},
		{ID: "a.md#0/1", PageContent: "beta gamma", Metadata: map[string]any{"source": "a.md", "nested": nested, "chunk": 1, "parent_id": "a.md#0"}},
		{ID: "b/0", PageContent: "short", Metadata: map[string]any{"chunk": 0, "parent_id": "b"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("SplitDocuments:\n got %#v\nwant %#v", got, want)
	}
	// The parent's metadata map is not modified.
	if len(docs[0].Metadata) != 2 {
		t.Fatalf("parent metadata changed: %v", docs[0].Metadata)
	}
	if _, err := s.SplitDocuments([]schema.Document{{PageContent: "no id"}}); !errors.Is(err, splitter.ErrNoID) {
		t.Fatalf("document without ID: %v", err)
	}
}

func BenchmarkSplit(b *testing.B) {
	text := strings.Repeat("A sentence of moderate length for the splitter. ", 2000)
	s, _ := splitter.New(nil)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.Split(text)
	}
}
