// Package corpus is the bundled document collection of the RAG package:
// short Markdown documents about langserve-go itself, used as the default
// knowledge base of the example RAG chain and as the labelled corpus of the
// retrieval quality test.
package corpus

import (
	"embed"
	"io/fs"
)

//go:embed *.md
var files embed.FS

// FS returns the corpus: Markdown files at the root of a read-only file
// system.
func FS() fs.FS { return files }
