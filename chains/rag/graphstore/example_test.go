package graphstore_test

import (
	"context"
	"fmt"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/corpus"
	"github.com/langserve-go/langserve/chains/rag/graphstore"
	"github.com/langserve-go/langserve/chains/rag/loader"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Find the entities a document names and how they relate.
func ExampleExtract() {
	x := graphstore.Extract(schema.Document{
		Metadata:    map[string]any{"headings": []any{"Graph store"}},
		PageContent: "The graph lives in Apache AGE; `graphstore.Open` connects to it.",
	})
	for _, e := range x.Entities {
		fmt.Printf("%s (%s)\n", e.Name, e.Kind)
	}
	for _, r := range x.Relations {
		fmt.Printf("%s -%s-> %s\n", r.From, r.Type, r.To)
	}
	// Output:
	// Apache AGE (name)
	// Graph store (heading)
	// graphstore.Open (code)
	// apache age -co_occurs-> graphstore open
	// graph store -in_section-> apache age
	// graph store -in_section-> graphstore open
}

// Re-rank vector search with a knowledge graph of the bundled corpus. The
// question names `error`, which errors.md mentions, so the graph lifts the
// document that answers it into the top three. The graph here is in
// memory; graphstore.Open gives the same on Apache AGE.
func ExampleNewGraphRetriever() {
	ctx := context.Background()
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		panic(err)
	}
	ix, err := rag.Build(ctx, docs, nil)
	if err != nil {
		panic(err)
	}
	g := graphstore.NewMemory()
	if _, err := graphstore.IndexDocuments(ctx, g, docs); err != nil {
		panic(err)
	}
	r, err := graphstore.NewGraphRetriever(ix, g, &graphstore.RetrieverOptions{K: 3})
	if err != nil {
		panic(err)
	}
	question := "Does the 500 response show the Go error message to the client?"

	vector, err := ix.Retrieve(ctx, question, 3)
	if err != nil {
		panic(err)
	}
	fmt.Println("vector search:")
	for _, x := range vector {
		fmt.Printf("  %s %.3f\n", x.Document.ID, x.Score)
	}
	res, err := r.Search(ctx, question)
	if err != nil {
		panic(err)
	}
	fmt.Println("with the graph:")
	for _, x := range res {
		fmt.Printf("  %s %.3f = %.3f + 0.1 × %.2f\n", x.Document.ID, x.Score, x.VectorScore, x.GraphScore)
	}
	// Output:
	// vector search:
	//   streaming.md#0/0 0.203
	//   streaming.md#0/1 0.183
	//   playground.md#0/0 0.167
	// with the graph:
	//   streaming.md#0/0 0.249 = 0.203 + 0.1 × 0.46
	//   streaming.md#0/1 0.230 = 0.183 + 0.1 × 0.46
	//   errors.md#0/0 0.204 = 0.166 + 0.1 × 0.38
}
