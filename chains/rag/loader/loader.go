// Package loader turns files into [schema.Document] values for indexing:
// plain text as is, Markdown cut into sections at its headings, and HTML
// reduced to its visible text.
//
// Every document gets a stable ID derived from its source, and metadata
// with at least "source" (the name it was loaded from) and "format"
// ("text", "markdown" or "html"). Markdown sections add "section" (the
// heading path joined with " > ") and "headings" (the same path as a list);
// Markdown files and HTML pages with a title add "title".
package loader

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/langserve-go/langserve/runnable/schema"
)

// ErrNotUTF8 reports input that is not valid UTF-8 text.
var ErrNotUTF8 = errors.New("loader: input is not valid UTF-8")

// Formats by file extension, for [File] and [Dir].
var formats = map[string]string{
	".txt":      "text",
	".text":     "text",
	".md":       "markdown",
	".markdown": "markdown",
	".html":     "html",
	".htm":      "html",
}

// Text returns text as one document with ID source.
func Text(source, text string) (schema.Document, error) {
	if !utf8.ValidString(text) {
		return schema.Document{}, fmt.Errorf("%w: %s", ErrNotUTF8, source)
	}
	return schema.Document{
		ID:          source,
		PageContent: text,
		Metadata:    map[string]any{"source": source, "format": "text"},
	}, nil
}

// File loads the file name from fsys, choosing the format by extension:
// .md and .markdown are Markdown, .html and .htm are HTML, anything else is
// plain text. The source of the documents is name.
func File(fsys fs.FS, name string) ([]schema.Document, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	switch formats[strings.ToLower(path.Ext(name))] {
	case "markdown":
		return Markdown(name, string(b))
	case "html":
		d, err := HTML(name, strings.NewReader(string(b)))
		if err != nil {
			return nil, err
		}
		return []schema.Document{d}, nil
	default:
		d, err := Text(name, string(b))
		if err != nil {
			return nil, err
		}
		return []schema.Document{d}, nil
	}
}

// Dir loads every .txt, .text, .md, .markdown, .html and .htm file under
// root in fsys, in lexical path order; other files are skipped. Sources are
// the paths within fsys.
func Dir(fsys fs.FS, root string) ([]schema.Document, error) {
	var names []string
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && formats[strings.ToLower(path.Ext(p))] != "" {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	sort.Strings(names)
	var docs []schema.Document
	for _, n := range names {
		d, err := File(fsys, n)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d...)
	}
	return docs, nil
}

// readAll reads r, refusing input that is not UTF-8.
func readAll(source string, r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("loader: reading %s: %w", source, err)
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("%w: %s", ErrNotUTF8, source)
	}
	return string(b), nil
}
