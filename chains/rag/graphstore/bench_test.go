package graphstore_test

import (
	"testing"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/corpus"
	"github.com/langserve-go/langserve/chains/rag/graphstore"
	"github.com/langserve-go/langserve/chains/rag/loader"
	"github.com/langserve-go/langserve/runnable/schema"
)

const benchQuestion = "Can I use the Python RemoteRunnable client with stream_log and Server-Sent Events?"

func benchGraphs(b *testing.B, fn func(b *testing.B, g graphstore.Graph, docs []schema.Document)) {
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("memory", func(b *testing.B) { fn(b, graphstore.NewMemory(), docs) })
	b.Run("age", func(b *testing.B) { fn(b, openAGE(b), docs) })
}

// BenchmarkNeighbors looks up the entities a question names and their
// neighbours in the corpus graph.
func BenchmarkNeighbors(b *testing.B) {
	keys := graphstore.MentionKeys(benchQuestion)
	benchGraphs(b, func(b *testing.B, g graphstore.Graph, docs []schema.Document) {
		if _, err := graphstore.IndexDocuments(b.Context(), g, docs); err != nil {
			b.Fatal(err)
		}
		for _, depth := range []int{0, 1, 2} {
			b.Run("depth="+string(rune('0'+depth)), func(b *testing.B) {
				for b.Loop() {
					if _, err := g.Neighbors(b.Context(), keys, depth); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// BenchmarkUpsert replaces one corpus document's entities and relations.
func BenchmarkUpsert(b *testing.B) {
	benchGraphs(b, func(b *testing.B, g graphstore.Graph, docs []schema.Document) {
		if _, err := graphstore.IndexDocuments(b.Context(), g, docs); err != nil {
			b.Fatal(err)
		}
		x := graphstore.Extract(docs[0])
		for b.Loop() {
			if err := g.Upsert(b.Context(), docs[0].ID, x.Entities, x.Relations); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(x.Entities)), "entities/op")
		b.ReportMetric(float64(len(x.Relations)), "relations/op")
	})
}

// BenchmarkSearch is a whole GraphRetriever search (vector search of the
// in-memory index and graph lookup, run together) next to vector search
// alone.
func BenchmarkSearch(b *testing.B) {
	benchGraphs(b, func(b *testing.B, g graphstore.Graph, docs []schema.Document) {
		ix, err := rag.Build(b.Context(), docs, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := graphstore.IndexDocuments(b.Context(), g, docs); err != nil {
			b.Fatal(err)
		}
		r, err := graphstore.NewGraphRetriever(ix, g, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("vector", func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.Retrieve(b.Context(), benchQuestion, rag.DefaultK); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("graph", func(b *testing.B) {
			for b.Loop() {
				if _, err := r.Search(b.Context(), benchQuestion); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
