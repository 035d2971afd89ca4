// Package embed turns text into vectors for the RAG stores.
//
// [Embedder] has the method set of langchaingo's embeddings.Embedder, so
// langchaingo's OpenAI, Ollama and other embedders plug in unchanged.
//
// # Local embedder
//
// [Local] is a deterministic, offline embedder: hashed TF-IDF over stemmed
// words and word pairs. It needs no model or network and gives real lexical
// similarity (documents that share rare words score high), which is what the
// project uses when no embedding provider is configured and in tests.
//
// # Micro-batching
//
// [Batcher] wraps an Embedder and merges concurrent calls into batched
// downstream calls, trading a bounded wait for fewer round trips.
package embed

import "context"

// Embedder embeds texts. Implementations must be safe for concurrent use and
// must return one vector per input text, in input order.
type Embedder interface {
	// EmbedDocuments embeds texts to be stored.
	EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error)
	// EmbedQuery embeds a search query.
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}
