package loader

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/langserve-go/langserve/runnable/schema"
)

// HTML returns the visible text of the page read from r as one document
// with ID source. Scripts, styles, templates, embedded SVG and other
// elements that render no text are dropped. Block elements (paragraphs,
// headings, list items, table rows, …) become line breaks, paragraphs and
// headings blank lines, so the splitter can cut at them. Runs of white
// space are collapsed outside <pre>, and every line is trimmed. The <title>
// goes to metadata.
//
// Input must be UTF-8 (declared encodings are not converted).
func HTML(source string, r io.Reader) (schema.Document, error) {
	text, err := readAll(source, r)
	if err != nil {
		return schema.Document{}, err
	}
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return schema.Document{}, fmt.Errorf("loader: parsing %s: %w", source, err)
	}
	var (
		b     textBuilder
		title string
	)
	var walk func(n *html.Node, pre bool)
	walk = func(n *html.Node, pre bool) {
		switch n.Type {
		case html.TextNode:
			if pre {
				b.WriteString(n.Data)
			} else {
				b.WriteString(collapseSpace(n.Data))
			}
			return
		case html.ElementNode:
			if n.DataAtom == atom.Title && title == "" {
				title = strings.Join(strings.Fields(textOf(n)), " ")
				return
			}
			if invisible[n.DataAtom] {
				return
			}
			if n.DataAtom == atom.Pre || n.DataAtom == atom.Textarea {
				pre = true
			}
		case html.CommentNode, html.DoctypeNode:
			return
		}
		brk := breaks[n.DataAtom]
		if n.Type == html.ElementNode {
			b.breakLines(brk)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, pre)
		}
		if n.Type == html.ElementNode {
			b.breakLines(brk)
			if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
				b.WriteString(" ")
			}
		}
	}
	walk(root, false)

	md := map[string]any{"source": source, "format": "html"}
	if title != "" {
		md["title"] = title
	}
	return schema.Document{ID: source, PageContent: tidy(b.String()), Metadata: md}, nil
}

// invisible elements render no text a reader would search for.
var invisible = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Canvas: true, atom.Audio: true, atom.Video: true,
	atom.Meta: true, atom.Link: true, atom.Base: true, atom.Select: true,
	atom.Button: true,
}

// breaks is the number of line breaks an element needs before and after
// its content: 2 (a blank line) for paragraph-like blocks, 1 for others.
var breaks = map[atom.Atom]int{
	atom.P: 2, atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2,
	atom.H6: 2, atom.Pre: 2, atom.Blockquote: 2, atom.Table: 2,
	atom.Section: 2, atom.Article: 2,
	atom.Header: 1, atom.Footer: 1, atom.Nav: 1, atom.Aside: 1, atom.Main: 1,
	atom.Div: 1, atom.Ul: 1, atom.Ol: 1, atom.Li: 1, atom.Dl: 1, atom.Dt: 1,
	atom.Dd: 1, atom.Tr: 1, atom.Br: 1, atom.Hr: 1, atom.Figure: 1,
	atom.Figcaption: 1, atom.Form: 1, atom.Fieldset: 1, atom.Address: 1,
	atom.Details: 1, atom.Summary: 1,
}

// textBuilder collects extracted text; breakLines lets nested blocks share
// their line breaks instead of stacking them.
type textBuilder struct {
	strings.Builder
	newlines int // line breaks at the end, ignoring spaces
}

func (b *textBuilder) WriteString(s string) {
	b.Builder.WriteString(s)
	t := strings.TrimRight(s, " \t")
	if t == "" {
		return
	}
	n := len(t) - len(strings.TrimRight(t, "\n"))
	if n == len(t) {
		b.newlines += n // only line breaks: they extend the current run
	} else {
		b.newlines = n
	}
}

// breakLines ensures the text ends with at least n line breaks (none at
// the very start).
func (b *textBuilder) breakLines(n int) {
	if b.Len() == 0 {
		return
	}
	for ; b.newlines < n; b.newlines++ {
		b.Builder.WriteString("\n")
	}
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

var spaces = regexp.MustCompile(`[ \t\r\n\f]+`)

func collapseSpace(s string) string { return spaces.ReplaceAllString(s, " ") }

var manyBreaks = regexp.MustCompile(`\n{3,}`)

// tidy trims every line and keeps at most one blank line in a row.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Trim(l, " \t\r")
	}
	return strings.TrimSpace(manyBreaks.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
