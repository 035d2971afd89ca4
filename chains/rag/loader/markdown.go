package loader

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/langserve-go/langserve/runnable/schema"
)

// Markdown cuts text into one document per section. A section starts at an
// ATX heading ("# Title" to "###### Title") and runs to the next heading;
// text before the first heading is a section without headings. Headings
// inside fenced code blocks do not count. Setext headings (text underlined
// with === or ---) are not recognised.
//
// Each section keeps its heading line in its content, so the heading words
// are searchable, and its heading path in metadata: for a "## Install"
// under "# Guide", section is "Guide > Install" and headings is
// ["Guide", "Install"]. The first level-1 heading of the file is the title
// of every section. Section IDs are source#0, source#1, …; sections with
// nothing but white space are dropped.
func Markdown(source, text string) ([]schema.Document, error) {
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("%w: %s", ErrNotUTF8, source)
	}
	type section struct {
		headings []string
		body     strings.Builder
	}
	var (
		sections = []*section{{}}
		stack    []string // current heading path by level
		fence    string   // the open code fence, "" outside one
		title    string
	)
	for _, line := range strings.SplitAfter(text, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		if indent <= 3 {
			if f := fenceOf(trimmed); f != "" {
				switch {
				case fence == "":
					fence = f
				case strings.HasPrefix(f, fence) && strings.TrimSpace(strings.TrimLeft(trimmed, f[:1])) == "":
					fence = ""
				}
			} else if fence == "" {
				if level, h, ok := atxHeading(trimmed); ok {
					if level > len(stack) {
						stack = append(stack, make([]string, level-len(stack))...)
					}
					stack = append(stack[:level-1], h)
					if level == 1 && title == "" {
						title = h
					}
					sections = append(sections, &section{headings: nonEmpty(stack)})
				}
			}
		}
		sections[len(sections)-1].body.WriteString(line)
	}

	var docs []schema.Document
	for _, s := range sections {
		content := strings.TrimSpace(s.body.String())
		if content == "" {
			continue
		}
		md := map[string]any{"source": source, "format": "markdown"}
		if title != "" {
			md["title"] = title
		}
		if len(s.headings) > 0 {
			hs := make([]any, len(s.headings))
			for i, h := range s.headings {
				hs[i] = h
			}
			md["headings"] = hs
			md["section"] = strings.Join(s.headings, " > ")
		}
		docs = append(docs, schema.Document{
			ID:          fmt.Sprintf("%s#%d", source, len(docs)),
			PageContent: content,
			Metadata:    md,
		})
	}
	return docs, nil
}

// fenceOf returns the fence marker (``` or ~~~, at least three) that line
// starts with, or "".
func fenceOf(line string) string {
	for _, c := range []byte{'`', '~'} {
		n := 0
		for n < len(line) && line[n] == c {
			n++
		}
		if n >= 3 {
			return line[:n]
		}
	}
	return ""
}

// atxHeading parses "## Heading ##" into level 2 and "Heading".
func atxHeading(line string) (level int, text string, ok bool) {
	line = strings.TrimRight(line, "\r\n")
	for level < len(line) && line[level] == '#' {
		level++
	}
	if level == 0 || level > 6 {
		return 0, "", false
	}
	rest := line[level:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false // "#hashtag" is not a heading
	}
	rest = strings.TrimSpace(rest)
	// An optional closing sequence of #s, preceded by a space.
	if t := strings.TrimRight(rest, "#"); t != rest && (t == "" || strings.HasSuffix(t, " ")) {
		rest = strings.TrimSpace(t)
	}
	return level, rest, true
}

// nonEmpty copies the heading path, leaving out levels that were skipped
// (a "###" directly under a "#").
func nonEmpty(stack []string) []string {
	var out []string
	for _, h := range stack {
		if h != "" {
			out = append(out, h)
		}
	}
	return out
}
