// Package store defines the vector store contract shared by the RAG stores:
// [Store], the [Record] it holds and the [ScoredDocument] it returns, plus the
// input validation every implementation applies so that all of them accept and
// reject exactly the same input.
//
// Implementations live in sibling packages: memory (brute force, the
// default), pgvector (PostgreSQL + pgvector) and sharded (N stores queried in
// parallel). The conformance suite in storetest checks each of them.
package store

import (
	"context"
	"errors"

	"github.com/langserve-go/langserve/runnable/schema"
)

// Store holds documents with their embedding vectors and finds the ones
// nearest to a query vector by cosine similarity.
//
// Implementations are safe for concurrent use. Every method returns an error
// wrapping ctx.Err() when ctx is done before the work completes.
type Store interface {
	// Add inserts records, replacing any record that already has the same
	// ID, so adding the same records twice is harmless. When one call holds
	// several records with the same ID the last one wins. Invalid records
	// make the whole call fail before anything is written (see
	// [ValidateRecords]).
	Add(ctx context.Context, records []Record) error

	// Search returns at most k records, most similar first. Score is the
	// cosine similarity in [-1, 1]; equal scores are ordered by ID. k must be
	// positive; k larger than the store returns everything. The query must
	// have the store's dimension and must not be the zero vector.
	Search(ctx context.Context, query []float32, k int) ([]ScoredDocument, error)

	// Delete removes the records with the given IDs. Unknown IDs are
	// ignored.
	Delete(ctx context.Context, ids []string) error

	// Count reports how many records the store holds.
	Count(ctx context.Context) (int, error)
}

// Record is a document together with its embedding.
type Record struct {
	Document schema.Document
	Vector   []float32
}

// ScoredDocument is a search result: a document and its cosine similarity to
// the query (1 means the same direction).
type ScoredDocument struct {
	Document schema.Document
	Score    float64
}

// Errors shared by all stores; they are wrapped with details, so compare with
// errors.Is.
var (
	// ErrInvalidRecord reports a record that no store accepts: empty ID,
	// text that is not valid UTF-8 or holds NUL bytes, or metadata that
	// cannot be stored as JSON.
	ErrInvalidRecord = errors.New("rag/store: invalid record")
	// ErrInvalidVector reports a vector of the wrong dimension, with NaN or
	// infinite components, or with all components zero (its cosine
	// similarity to anything is undefined).
	ErrInvalidVector = errors.New("rag/store: invalid vector")
	// ErrInvalidK reports a non-positive k passed to Search.
	ErrInvalidK = errors.New("rag/store: k must be positive")
)
