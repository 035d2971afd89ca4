// Package sharded spreads one logical vector store over N stores (for
// example N PostgreSQL databases).
//
// A record lives on exactly one shard, chosen by a stable hash of its ID
// (FNV-1a, the same in every process and release), so an upsert always hits
// the shard holding the old version. Search asks every shard for its top k
// in parallel and merges the answers by score, breaking ties by ID; the
// result is the same as one store holding everything would give.
//
// # Failures
//
// The store fails closed: if any shard fails, the whole call fails with a
// [*ShardError] naming the shard, and a Search returns no partial result,
// because a silent gap in retrieval is worse than an error callers can see
// and retry. Writes are not atomic across shards: when Add or Delete fails,
// other shards may have applied their part. Both are idempotent, so
// retrying the call is safe.
//
// Changing the number or order of shards moves records between shards; the
// data must then be re-indexed. Give every shard a fixed dimension (for
// memory shards, memory.Options.Dimensions): an empty shard that learns its
// dimension from the first record could otherwise accept vectors the others
// reject.
package sharded

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"golang.org/x/sync/errgroup"

	"github.com/langserve-go/langserve/chains/rag/store"
)

// Store is a [store.Store] over several shards. It is safe for concurrent
// use if the shards are.
type Store struct {
	shards []store.Store
}

var _ store.Store = (*Store)(nil)

// ShardError reports which shard failed.
type ShardError struct {
	Shard int // index into the shards passed to New
	Op    string
	Err   error
}

func (e *ShardError) Error() string {
	return fmt.Sprintf("sharded: %s on shard %d: %v", e.Op, e.Shard, e.Err)
}

func (e *ShardError) Unwrap() error { return e.Err }

// New returns a store over shards. Their order is part of the routing: keep
// it the same for the lifetime of the data. The shards stay owned by the
// caller, which closes them.
func New(shards ...store.Store) (*Store, error) {
	if len(shards) == 0 {
		return nil, errors.New("sharded: no shards")
	}
	for i, s := range shards {
		if s == nil {
			return nil, fmt.Errorf("sharded: shard %d is nil", i)
		}
	}
	return &Store{shards: append([]store.Store(nil), shards...)}, nil
}

// ShardOf returns the index of the shard that holds id.
func (s *Store) ShardOf(id string) int {
	h := fnv.New64a()
	h.Write([]byte(id))
	return int(h.Sum64() % uint64(len(s.shards)))
}

// Add implements [store.Store]. Records are validated before any shard is
// written, so invalid input never leaves a partial write behind.
func (s *Store) Add(ctx context.Context, records []store.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.ValidateRecords(records, 0); err != nil {
		return err
	}
	parts := make([][]store.Record, len(s.shards))
	for _, r := range records {
		i := s.ShardOf(r.Document.ID)
		parts[i] = append(parts[i], r)
	}
	return s.each(ctx, "add", func(ctx context.Context, i int) error {
		if len(parts[i]) == 0 {
			return nil
		}
		return s.shards[i].Add(ctx, parts[i])
	})
}

// Delete implements [store.Store].
func (s *Store) Delete(ctx context.Context, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	parts := make([][]string, len(s.shards))
	for _, id := range ids {
		i := s.ShardOf(id)
		parts[i] = append(parts[i], id)
	}
	return s.each(ctx, "delete", func(ctx context.Context, i int) error {
		if len(parts[i]) == 0 {
			return nil
		}
		return s.shards[i].Delete(ctx, parts[i])
	})
}

// Count implements [store.Store].
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	counts := make([]int, len(s.shards))
	err := s.each(ctx, "count", func(ctx context.Context, i int) error {
		n, err := s.shards[i].Count(ctx)
		counts[i] = n
		return err
	})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	return total, nil
}

// Search implements [store.Store]. Each shard returns its own top k; the
// global top k is among them.
func (s *Store) Search(ctx context.Context, query []float32, k int) ([]store.ScoredDocument, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if k <= 0 {
		return nil, fmt.Errorf("%w: got %d", store.ErrInvalidK, k)
	}
	if err := store.ValidateVector(query, 0); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	results := make([][]store.ScoredDocument, len(s.shards))
	err := s.each(ctx, "search", func(ctx context.Context, i int) error {
		res, err := s.shards[i].Search(ctx, query, k)
		results[i] = res
		return err
	})
	if err != nil {
		return nil, err
	}
	var merged []store.ScoredDocument
	for _, r := range results {
		merged = append(merged, r...)
	}
	store.SortResults(merged)
	return merged[:min(k, len(merged))], nil
}

// each runs fn for every shard in parallel. The first failure cancels the
// others; the error reported is that first failure, unless it only says
// that the caller's ctx is done.
func (s *Store) each(ctx context.Context, op string, fn func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	for i := range s.shards {
		g.Go(func() error {
			if err := fn(gctx, i); err != nil {
				return &ShardError{Shard: i, Op: op, Err: err}
			}
			return nil
		})
	}
	err := g.Wait()
	if err != nil && ctx.Err() != nil {
		// The caller gave up: report that plainly rather than blaming
		// whichever shard noticed first.
		return ctx.Err()
	}
	return err
}
