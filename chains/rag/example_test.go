package rag_test

import (
	"context"
	"fmt"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/corpus"
	"github.com/langserve-go/langserve/chains/rag/loader"
)

// Index the bundled corpus offline (local embedder, in-memory store) and
// retrieve the best chunk for a question.
func ExampleBuild() {
	ctx := context.Background()
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		panic(err)
	}
	ix, err := rag.Build(ctx, docs, nil)
	if err != nil {
		panic(err)
	}
	res, err := ix.Retrieve(ctx, "What happens to a search when one shard fails?", 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(res[0].Document.Metadata["source"], res[0].Document.Metadata["section"])
	// Output: sharding.md Sharding the vector store
}
