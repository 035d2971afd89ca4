// Package memory is the default RAG vector store: records live in a map and
// Search compares the query with every vector (brute-force cosine). That is
// exact, needs no server, and is fast enough for tens of thousands of
// vectors (see BenchmarkSearch).
//
// With [Options.Path] set the store is persistent: it loads the file at
// [Open] and rewrites it after every change, atomically (temporary file,
// fsync, rename), so a crash leaves either the old or the new contents.
package memory

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Options configures a [Store]. A nil *Options means all defaults.
type Options struct {
	// Dimensions fixes the vector length. Zero takes it from the first
	// record added (or from the file being loaded).
	Dimensions int
	// Path, when set, makes the store persistent in this file. A missing
	// file is created on the first change. Zero value: in memory only.
	Path string
}

// Store is an in-memory [store.Store]. It is safe for concurrent use:
// searches run in parallel under a read lock, writes are serialized.
//
// Vectors are kept L2-normalized in one contiguous array, so a search is a
// linear scan of dot products over adjacent memory.
type Store struct {
	path string

	mu    sync.RWMutex
	dim   int
	index map[string]int    // ID -> row
	docs  []schema.Document // row -> document, metadata normalized to JSON shapes
	data  []float32         // row r is data[r*dim : (r+1)*dim], unit length
	gen   uint64            // incremented by every change

	// persistMu serializes file writes; saved is the generation on disk.
	persistMu sync.Mutex
	saved     uint64
}

var _ store.Store = (*Store)(nil)

// New returns an empty, non-persistent store.
func New(opts *Options) *Store {
	s := &Store{index: map[string]int{}}
	if opts != nil {
		s.dim = max(opts.Dimensions, 0)
	}
	return s
}

// Open returns a store persisted in opts.Path, loading the file if it exists.
// It fails if the file is unreadable or its dimension differs from
// opts.Dimensions. With an empty Path it is the same as [New].
func Open(opts *Options) (*Store, error) {
	s := New(opts)
	if opts == nil || opts.Path == "" {
		return s, nil
	}
	s.path = opts.Path
	dim, recs, err := load(opts.Path)
	if err != nil {
		return nil, err
	}
	if recs == nil {
		return s, nil
	}
	if s.dim > 0 && dim != s.dim {
		return nil, fmt.Errorf("memory: %s holds %d-dimensional vectors, want %d", opts.Path, dim, s.dim)
	}
	s.dim = dim
	if err := store.ValidateRecords(recs, dim); err != nil {
		return nil, fmt.Errorf("memory: %s: %w", opts.Path, err)
	}
	rows, err := prepare(recs)
	if err != nil {
		return nil, fmt.Errorf("memory: %s: %w", opts.Path, err)
	}
	s.insertLocked(rows)
	s.saved = s.gen
	return s, nil
}

// row is a validated record ready for insertion.
type row struct {
	doc schema.Document
	vec []float32 // unit length
}

// prepare normalizes metadata and vectors; records must be valid. The
// result shares no memory with records.
func prepare(records []store.Record) ([]row, error) {
	rows := make([]row, len(records))
	for i, r := range records {
		md, err := store.NormalizeMetadata(r.Document.Metadata)
		if err != nil {
			return nil, err
		}
		inv := 1 / store.Norm(r.Vector)
		v := make([]float32, len(r.Vector))
		for d, x := range r.Vector {
			v[d] = float32(float64(x) * inv)
		}
		rows[i] = row{doc: schema.Document{ID: r.Document.ID, PageContent: r.Document.PageContent, Metadata: md}, vec: v}
	}
	return rows, nil
}

func (s *Store) insertLocked(rows []row) {
	for _, r := range rows {
		if i, ok := s.index[r.doc.ID]; ok {
			s.docs[i] = r.doc
			copy(s.data[i*s.dim:], r.vec)
			continue
		}
		s.index[r.doc.ID] = len(s.docs)
		s.docs = append(s.docs, r.doc)
		s.data = append(s.data, r.vec...)
	}
	s.gen++
}

// Add implements [store.Store]. With persistence it returns after the file
// holds the new records; if writing the file fails the records are still
// added in memory and the error says they are not yet durable (the next
// successful change writes everything).
func (s *Store) Add(ctx context.Context, records []store.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(records) == 0 {
		return nil
	}
	s.mu.RLock()
	dim := s.dim
	s.mu.RUnlock()
	if err := store.ValidateRecords(records, dim); err != nil {
		return err
	}
	// Normalizing metadata is the costly part; do it outside the lock.
	rows, err := prepare(records)
	if err != nil {
		return err
	}
	s.mu.Lock()
	if s.dim == 0 {
		s.dim = len(records[0].Vector)
	} else if len(records[0].Vector) != s.dim {
		// Another writer fixed the dimension since we validated.
		s.mu.Unlock()
		return fmt.Errorf("%w: dimension %d, want %d", store.ErrInvalidVector, len(records[0].Vector), s.dim)
	}
	s.insertLocked(rows)
	s.mu.Unlock()
	return s.persist()
}

// Delete implements [store.Store].
func (s *Store) Delete(ctx context.Context, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	changed := false
	for _, id := range ids {
		i, ok := s.index[id]
		if !ok {
			continue
		}
		// Move the last row into the hole.
		last := len(s.docs) - 1
		if i != last {
			s.docs[i] = s.docs[last]
			copy(s.data[i*s.dim:(i+1)*s.dim], s.data[last*s.dim:])
			s.index[s.docs[i].ID] = i
		}
		s.docs[last] = schema.Document{}
		s.docs = s.docs[:last]
		s.data = s.data[:last*s.dim]
		delete(s.index, id)
		changed = true
	}
	if changed {
		s.gen++
	}
	s.mu.Unlock()
	if !changed {
		return nil
	}
	return s.persist()
}

// Count implements [store.Store].
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.docs), nil
}

// Search implements [store.Store]. It scores every record, so its cost is
// linear in the store size; the read lock lets searches run in parallel.
func (s *Store) Search(ctx context.Context, query []float32, k int) ([]store.ScoredDocument, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if k <= 0 {
		return nil, fmt.Errorf("%w: got %d", store.ErrInvalidK, k)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := store.ValidateVector(query, s.dim); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	inv := 1 / store.Norm(query)
	q := make([]float32, len(query))
	for i, x := range query {
		q[i] = float32(float64(x) * inv)
	}
	// A min-heap of the k best so far: the root ranks last and is replaced
	// whenever a better candidate shows up.
	h := make(topK, 0, min(k, len(s.docs)))
	for r := range s.docs {
		c := candidate{score: float64(dot(q, s.data[r*s.dim:(r+1)*s.dim])), row: r, id: s.docs[r].ID}
		if len(h) < k {
			heap.Push(&h, c)
		} else if better(c, h[0]) {
			h[0] = c
			heap.Fix(&h, 0)
		}
	}
	out := make([]store.ScoredDocument, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		c := heap.Pop(&h).(candidate)
		out[i] = store.ScoredDocument{Document: copyDoc(s.docs[c.row]), Score: min(c.score, 1)}
	}
	return out, nil
}

// dot is the inner product of two unit vectors of equal length. Four
// independent accumulators let the CPU overlap the additions.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// copyDoc returns a copy the caller may modify without touching the store.
func copyDoc(d schema.Document) schema.Document {
	d.Metadata = copyMap(d.Metadata)
	return d
}

func copyMap(m map[string]any) map[string]any {
	out := maps.Clone(m)
	for k, v := range out {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return copyMap(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = copyValue(x)
		}
		return out
	default:
		return v // strings, float64, bool, nil: immutable
	}
}

type candidate struct {
	score float64
	row   int
	id    string
}

func better(a, b candidate) bool {
	if c := cmp.Compare(a.score, b.score); c != 0 {
		return c > 0
	}
	return a.id < b.id
}

// topK is a min-heap by rank: the root is the candidate that ranks last.
type topK []candidate

func (h topK) Len() int           { return len(h) }
func (h topK) Less(i, j int) bool { return better(h[j], h[i]) }
func (h topK) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topK) Push(x any)        { *h = append(*h, x.(candidate)) }
func (h *topK) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
