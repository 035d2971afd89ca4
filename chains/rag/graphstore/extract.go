package graphstore

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/langserve-go/langserve/runnable/schema"
)

// Kinds of the entities [Extract] finds.
const (
	// KindHeading is a Markdown heading (or the part of it before a colon).
	KindHeading = "heading"
	// KindCode is an identifier in backticks: `rag.Index`, `Retrieve(…)`.
	KindCode = "code"
	// KindName is a capitalised name of two or more words ("Apache AGE",
	// "Server-Sent Events") or a single word with inner capitals
	// ("LangServe", "PostgreSQL").
	KindName = "name"
)

// Types of the relations [Extract] records.
const (
	// RelCoOccurs joins two entities named in the same paragraph. Its From
	// is the smaller key: the relation has no direction.
	RelCoOccurs = "co_occurs"
	// RelInSection joins a heading to an entity named in its section.
	RelInSection = "in_section"
)

// Extraction is what [Extract] finds in a document.
type Extraction struct {
	Entities  []Entity
	Relations []Relation
}

// Extract finds the entities a document names and relates them, without
// any model: it is deterministic, offline and cheap, and it only finds what
// is marked in the text.
//
//   - Headings: the document's "headings" metadata (as the Markdown loader
//     records it) and the ATX heading lines in its text; a heading with a
//     colon also yields the part before it ("stream_log: run logs as JSON
//     Patch" gives "stream_log"). Leading articles are dropped.
//   - Code: inline code spans holding an identifier, dotted or called:
//     `rag.Index`, `runnable.Retry(r, policy)` gives runnable.Retry.
//   - Names: runs of two or more capitalised words, after dropping leading
//     function words ("The Python RemoteRunnable" gives "Python
//     RemoteRunnable"), and single words with inner capitals ("LangServe").
//
// Fenced code blocks are skipped. Entities named in the same paragraph are
// related by [RelCoOccurs]; each heading is related to every entity of its
// section by [RelInSection]. The result is sorted, so the same document
// always gives the same extraction. What this gets wrong: a sentence's
// capitalised first word joins the name after it ("Install Apache AGE").
// What it misses: names written in lower case, synonyms, and anything a
// reader infers. A model-based extractor can replace it behind the same
// [Graph].
func Extract(doc schema.Document) Extraction {
	x := extractor{entities: map[string]Entity{}}
	for _, h := range metadataHeadings(doc.Metadata) {
		x.heading(h)
	}
	var (
		fence string
		para  strings.Builder
	)
	flush := func() {
		x.paragraph(para.String())
		para.Reset()
	}
	for line := range strings.Lines(doc.PageContent) {
		trimmed := strings.TrimSpace(line)
		if f := fenceOf(trimmed); f != "" {
			switch {
			case fence == "":
				flush()
				fence = f
			case strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "":
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		if h, ok := atxHeading(trimmed); ok {
			flush()
			x.heading(h)
			continue
		}
		if trimmed == "" {
			flush()
			continue
		}
		para.WriteString(line)
	}
	flush()
	return x.result()
}

type extractor struct {
	entities   map[string]Entity
	headings   []string   // keys
	paragraphs [][]string // keys named in each paragraph
}

func (x *extractor) add(name, kind string) (string, bool) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > MaxNameLength || !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0 {
		return "", false
	}
	key := Key(name)
	if key == "" || allStopWords(key) {
		return "", false
	}
	if _, ok := x.entities[key]; !ok {
		x.entities[key] = Entity{Key: key, Name: name, Kind: kind}
	}
	return key, true
}

func (x *extractor) heading(h string) {
	h = dropArticles(strings.TrimSpace(h))
	if key, ok := x.add(h, KindHeading); ok {
		x.headings = append(x.headings, key)
	}
	if before, _, ok := strings.Cut(h, ": "); ok {
		if key, ok := x.add(dropArticles(before), KindHeading); ok {
			x.headings = append(x.headings, key)
		}
	}
}

var codeSpan = regexp.MustCompile("`([^`\n]+)`")

// identifier is a code span worth an entity: a possibly dotted Go-like
// identifier, optionally followed by a call's arguments.
var identifier = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?:\(.*\))?$`)

func (x *extractor) paragraph(text string) {
	var keys []string
	for _, m := range codeSpan.FindAllStringSubmatch(text, -1) {
		if id := identifier.FindStringSubmatch(strings.TrimSpace(m[1])); id != nil && len(id[1]) >= 2 {
			if key, ok := x.add(id[1], KindCode); ok {
				keys = append(keys, key)
			}
		}
	}
	// Code spans break runs of names: "`Foo` Bar" names nothing.
	prose := codeSpan.ReplaceAllString(text, " | ")
	for _, name := range names(prose) {
		if key, ok := x.add(name, KindName); ok {
			keys = append(keys, key)
		}
	}
	if len(keys) > 0 {
		x.paragraphs = append(x.paragraphs, keys)
	}
}

func (x *extractor) result() Extraction {
	var out Extraction
	for _, e := range x.entities {
		out.Entities = append(out.Entities, e)
	}
	slices.SortFunc(out.Entities, func(a, b Entity) int { return strings.Compare(a.Key, b.Key) })

	type pair struct{ from, to, typ string }
	seen := map[pair]bool{}
	rel := func(from, to, typ string) {
		if from == to {
			return
		}
		if typ == RelCoOccurs && to < from {
			from, to = to, from
		}
		p := pair{from, to, typ}
		if !seen[p] {
			seen[p] = true
			out.Relations = append(out.Relations, Relation{From: from, To: to, Type: typ})
		}
	}
	for _, keys := range x.paragraphs {
		for i, a := range keys {
			for _, b := range keys[i+1:] {
				rel(a, b, RelCoOccurs)
			}
			for _, h := range x.headings {
				rel(h, a, RelInSection)
			}
		}
	}
	slices.SortFunc(out.Relations, func(a, b Relation) int {
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		if c := strings.Compare(a.To, b.To); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})
	return out
}

// names finds capitalised multi-word names and single words with inner
// capitals in prose.
func names(prose string) []string {
	var out, run []string
	end := func() {
		for len(run) > 0 && stopWords[strings.ToLower(run[0])] {
			run = run[1:]
		}
		if len(run) >= 2 {
			out = append(out, strings.Join(run, " "))
		}
		run = run[:0]
	}
	for _, tok := range strings.Fields(prose) {
		word := strings.TrimLeft(tok, `("'[*_<`)
		if len(word) < len(tok) {
			end() // an opening bracket or quote starts a new run
		}
		trimmed := strings.TrimRight(word, `.,;:!?)"'*]_>`)
		// A possessive ends a name too: "LangChain's RunnableConfig" names
		// LangChain and RunnableConfig.
		for _, p := range []string{"'s", "’s"} {
			trimmed = strings.TrimSuffix(trimmed, p)
		}
		closed := len(trimmed) < len(word)
		word = trimmed
		if capitalised(word) {
			run = append(run, word)
			if innerCapital(word) {
				out = append(out, word)
			}
		} else {
			end()
		}
		if closed {
			end() // punctuation ends a name
		}
	}
	end()
	return out
}

// capitalised reports a word of two or more letters, digits, hyphens or
// apostrophes that starts with an upper-case letter.
func capitalised(w string) bool {
	first, size := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(first) || utf8.RuneCountInString(w) < 2 {
		return false
	}
	for _, r := range w[size:] {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '\'' && r != '’' {
			return false
		}
	}
	return true
}

// innerCapital reports a word with an upper-case letter right after a
// lower-case one: "LangServe", "PostgreSQL", "pgBouncer"; not "HTTP",
// "Server" or "Server-Sent".
func innerCapital(w string) bool {
	lower := false
	for _, r := range w {
		if unicode.IsUpper(r) && lower {
			return true
		}
		lower = unicode.IsLower(r)
	}
	return false
}

func dropArticles(s string) string {
	for _, a := range []string{"the ", "a ", "an "} {
		if len(s) > len(a) && strings.EqualFold(s[:len(a)], a) {
			return strings.TrimSpace(s[len(a):])
		}
	}
	return s
}

func metadataHeadings(md map[string]any) []string {
	switch hs := md["headings"].(type) {
	case []string:
		return hs
	case []any:
		var out []string
		for _, h := range hs {
			if s, ok := h.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// fenceOf returns the fence a line opens or closes (``` or ~~~, three or
// more), or "".
func fenceOf(line string) string {
	for _, c := range []string{"`", "~"} {
		if strings.HasPrefix(line, c+c+c) {
			return line[:len(line)-len(strings.TrimLeft(line, c))]
		}
	}
	return ""
}

// atxHeading returns the text of a Markdown heading line ("## Title ##").
func atxHeading(line string) (string, bool) {
	level := len(line) - len(strings.TrimLeft(line, "#"))
	if level < 1 || level > 6 || (len(line) > level && line[level] != ' ') {
		return "", false
	}
	text := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(line[level:]), "#"))
	return text, text != ""
}

// IndexDocuments extracts entities and relations from each document and
// upserts them into g under the document's ID. Index the documents given to
// [rag.Index.Ingest] (not their chunks): their chunks carry the document ID
// as "parent_id", which is how [GraphRetriever] joins the two. A document
// in which nothing is found is removed from the graph. It returns the number
// of entities recorded over all documents (an entity named by two documents
// counts twice).
func IndexDocuments(ctx context.Context, g Graph, docs []schema.Document) (int, error) {
	n := 0
	for _, d := range docs {
		if d.ID == "" {
			return n, fmt.Errorf("%w: document without ID (content starts %q)", ErrInvalid, prefix(d.PageContent, 40))
		}
		x := Extract(d)
		if err := g.Upsert(ctx, d.ID, x.Entities, x.Relations); err != nil {
			return n, err
		}
		n += len(x.Entities)
	}
	return n, nil
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

func allStopWords(key string) bool {
	for w := range strings.SplitSeq(key, " ") {
		if !stopWords[w] {
			return false
		}
	}
	return true
}

// stopWords are English function words: never entities on their own, never
// the first word of a name, and never looked up alone from a question.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for w := range strings.FieldsSeq(`a about above after again against all also am an and any are as at
be because been before being below between both but by can cannot could did do does doing done
down during each either else every few for from further had has have having he her here hers
how i if in into is it its itself just may me might more most must my no nor not now of off on
once only or other our ours out over own same she should so some such than that the their theirs
them then there these they this those through to too under until up upon us use used uses using
very via was we were what when where which while who whom why will with within without would
yes yet you your yours`) {
		m[w] = true
	}
	return m
}()
