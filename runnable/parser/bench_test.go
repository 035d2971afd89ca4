package parser_test

import (
	"strings"
	"testing"

	"github.com/langserve-go/langserve/runnable/parser"
)

// BenchmarkJSONTransform streams a 40-field object in 4-byte chunks: the
// parser re-parses the text so far after every chunk, as LangChain's does.
func BenchmarkJSONTransform(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("{")
	for i := range 40 {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(`"field` + strings.Repeat("x", i%5) + `": "some value here"`)
	}
	sb.WriteString("}")
	text := sb.String()
	var pieces []string
	for i := 0; i < len(text); i += 4 {
		pieces = append(pieces, text[i:min(i+4, len(text))])
	}
	in := aiChunks(pieces...)
	b.ReportMetric(float64(len(pieces)), "chunks/op")
	for b.Loop() {
		for _, err := range parser.JSON().Transform(b.Context(), chunks(in...)) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkStringTransform(b *testing.B) {
	in := aiChunks(splitReply("Bonjour le monde, ceci est une réponse fixe.")...)
	for b.Loop() {
		for _, err := range parser.String().Transform(b.Context(), chunks(in...)) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
