// Package rag is the storage and retrieval layer of the RAG chain: it
// splits documents into chunks, embeds them and stores them, and retrieves
// the chunks most similar to a question.
//
// [Index] ties an embedder to a vector store; its [Index.Retrieve] is what a
// retriever runnable calls. The parts live in subpackages:
//
//   - loader: plain text, Markdown and HTML to documents;
//   - splitter: recursive character splitter with overlap;
//   - embed: the [embed.Embedder] interface (langchaingo-compatible), the
//     offline local embedder and the micro-batcher;
//   - store: the vector store interface; memory (the default), pgvector and
//     sharded implement it, and storetest checks them;
//   - corpus: the bundled documents about langserve-go.
//
// With no options everything runs in process and offline: the local hashed
// TF-IDF embedder and the in-memory store.
package rag

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/langserve-go/langserve/chains/rag/embed"
	"github.com/langserve-go/langserve/chains/rag/memory"
	"github.com/langserve-go/langserve/chains/rag/splitter"
	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/runnable/schema"
)

// ScoredDocument is a retrieved chunk and its cosine similarity to the
// query.
type ScoredDocument = store.ScoredDocument

// DefaultBatchSize is the number of chunks [Index.Ingest] embeds and stores
// per call when [Options.BatchSize] is zero.
const DefaultBatchSize = 64

// ErrEmptyQuery reports a query with nothing but white space.
var ErrEmptyQuery = errors.New("rag: empty query")

// Options configures an [Index]. A nil *Options means all defaults.
type Options struct {
	// Embedder computes the vectors. Nil: a local embedder (see
	// [embed.Local]); [Build] fits it to the documents it indexes, [New]
	// uses it unfitted.
	Embedder embed.Embedder
	// Store holds the vectors. Nil: a new in-memory store.
	Store store.Store
	// Splitter cuts documents into chunks. Nil: splitter defaults.
	Splitter *splitter.Splitter
	// BatchSize is the number of chunks per EmbedDocuments and Add call in
	// Ingest. Zero: DefaultBatchSize.
	BatchSize int
}

// Index embeds and stores document chunks and retrieves them by
// similarity. It is safe for concurrent use if its embedder and store are
// (all in chains/rag are).
type Index struct {
	embedder  embed.Embedder
	store     store.Store
	splitter  *splitter.Splitter
	batchSize int
}

// New returns an Index with the given parts.
func New(opts *Options) (*Index, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Embedder == nil {
		o.Embedder = embed.NewLocal(nil)
	}
	if o.Store == nil {
		o.Store = memory.New(nil)
	}
	if o.Splitter == nil {
		sp, err := splitter.New(nil)
		if err != nil {
			return nil, err
		}
		o.Splitter = sp
	}
	if o.BatchSize < 0 {
		return nil, fmt.Errorf("rag: BatchSize %d is negative", o.BatchSize)
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	return &Index{embedder: o.Embedder, store: o.Store, splitter: o.Splitter, batchSize: o.BatchSize}, nil
}

// Build returns an Index holding docs. Without an embedder in opts it uses
// a local embedder whose inverse document frequencies are learned from the
// chunks of docs (TF-IDF proper). On the small bundled corpus this ranks
// about as well as the unfitted embedder [New] uses (see
// TestRetrievalQuality); it matters more on corpora with many frequent
// terms. Such an embedder belongs to its corpus: vectors it made are only
// comparable with queries embedded by the same embedder, so rebuild a
// persisted index from scratch when the corpus changes.
func Build(ctx context.Context, docs []schema.Document, opts *Options) (*Index, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Embedder == nil {
		sp := o.Splitter
		if sp == nil {
			var err error
			if sp, err = splitter.New(nil); err != nil {
				return nil, err
			}
		}
		chunks, err := sp.SplitDocuments(docs)
		if err != nil {
			return nil, fmt.Errorf("rag: %w", err)
		}
		texts := make([]string, len(chunks))
		for i, c := range chunks {
			texts[i] = c.PageContent
		}
		o.Embedder = embed.NewLocal(&embed.LocalOptions{Corpus: texts})
	}
	ix, err := New(&o)
	if err != nil {
		return nil, err
	}
	if _, err := ix.Ingest(ctx, docs); err != nil {
		return nil, err
	}
	return ix, nil
}

// Store returns the index's vector store.
func (ix *Index) Store() store.Store { return ix.store }

// Embedder returns the index's embedder.
func (ix *Index) Embedder() embed.Embedder { return ix.embedder }

// Ingest splits docs into chunks, embeds them in batches and adds them to
// the store, replacing chunks with the same IDs. Every document needs an ID;
// chunk IDs are derived from it (see [splitter.Splitter.SplitDocuments]).
// Chunks without any searchable word (the embedder returns the zero vector)
// are skipped. It returns the number of chunks stored.
//
// Ingest is not atomic: if it fails, earlier batches stay stored. Running it
// again with the same documents is safe. If a document now has fewer chunks
// than before, its old surplus chunks stay until deleted.
func (ix *Index) Ingest(ctx context.Context, docs []schema.Document) (int, error) {
	chunks, err := ix.splitter.SplitDocuments(docs)
	if err != nil {
		return 0, fmt.Errorf("rag: %w", err)
	}
	stored := 0
	for start := 0; start < len(chunks); start += ix.batchSize {
		batch := chunks[start:min(start+ix.batchSize, len(chunks))]
		texts := make([]string, len(batch))
		for i, c := range batch {
			texts[i] = c.PageContent
		}
		vecs, err := ix.embedder.EmbedDocuments(ctx, texts)
		if err != nil {
			return stored, fmt.Errorf("rag: embedding: %w", err)
		}
		if len(vecs) != len(batch) {
			return stored, fmt.Errorf("rag: embedder returned %d vectors for %d texts", len(vecs), len(batch))
		}
		recs := make([]store.Record, 0, len(batch))
		for i, c := range batch {
			if isZero(vecs[i]) {
				continue
			}
			recs = append(recs, store.Record{Document: c, Vector: vecs[i]})
		}
		if err := ix.store.Add(ctx, recs); err != nil {
			return stored, fmt.Errorf("rag: storing: %w", err)
		}
		stored += len(recs)
	}
	return stored, nil
}

// Retrieve returns the k chunks most similar to query, best first, with
// their cosine similarity. A query without searchable words (for the local
// embedder: only stop words) matches nothing and returns an empty result.
// An empty query, or k < 1, is an error.
func (ix *Index) Retrieve(ctx context.Context, query string, k int) ([]ScoredDocument, error) {
	if strings.TrimSpace(query) == "" {
		return nil, ErrEmptyQuery
	}
	if k < 1 {
		return nil, fmt.Errorf("rag: %w: got %d", store.ErrInvalidK, k)
	}
	q, err := ix.embedder.EmbedQuery(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("rag: embedding the query: %w", err)
	}
	if isZero(q) {
		return []ScoredDocument{}, nil
	}
	res, err := ix.store.Search(ctx, q, k)
	if err != nil {
		return nil, fmt.Errorf("rag: %w", err)
	}
	return res, nil
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
