// Package storetest is the conformance suite for [store.Store]
// implementations. Every store in chains/rag runs it, so they all behave the
// same: ordering and scores, upsert by ID, deletion, metadata round trips,
// input validation, cancellation, and concurrent writers and readers losing
// nothing.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Dimensions is the vector length the suite uses; newStore must return
// stores that accept it.
const Dimensions = 8

// scoreTol absorbs float32 storage and the different summation order of
// PostgreSQL's float4 arithmetic.
const scoreTol = 1e-5

// Run runs the suite. newStore must return a new, empty store for each call;
// it is called once per subtest and should register its own cleanup with
// t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Empty", testEmpty},
		{"OrderAndScores", testOrderAndScores},
		{"KLargerThanCount", testKLargerThanCount},
		{"TieBreakByID", testTieBreak},
		{"Upsert", testUpsert},
		{"DuplicateIDsInOneAdd", testDuplicateIDs},
		{"Delete", testDelete},
		{"MetadataRoundTrip", testMetadata},
		{"ResultsAreCopies", testResultsAreCopies},
		{"InvalidInput", testInvalidInput},
		{"Cancelled", testCancelled},
		{"Concurrent", testConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

// vec builds a vector from the given leading components, zero-padded.
func vec(xs ...float32) []float32 {
	v := make([]float32, Dimensions)
	copy(v, xs)
	return v
}

func rec(id, content string, v []float32) store.Record {
	return store.Record{Document: schema.Document{ID: id, PageContent: content}, Vector: v}
}

func mustAdd(t *testing.T, s store.Store, recs ...store.Record) {
	t.Helper()
	if err := s.Add(t.Context(), recs); err != nil {
		t.Fatalf("Add: %v", err)
	}
}

func mustCount(t *testing.T, s store.Store, want int) {
	t.Helper()
	n, err := s.Count(t.Context())
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	if n != want {
		t.Fatalf("Count = %d, want %d", n, want)
	}
}

func mustSearch(t *testing.T, s store.Store, q []float32, k int) []store.ScoredDocument {
	t.Helper()
	res, err := s.Search(t.Context(), q, k)
	if err != nil {
		t.Fatalf("Search(k=%d): %v", k, err)
	}
	return res
}

func ids(res []store.ScoredDocument) []string {
	out := make([]string, len(res))
	for i, r := range res {
		out[i] = r.Document.ID
	}
	return out
}

func testEmpty(t *testing.T, s store.Store) {
	mustCount(t, s, 0)
	if res := mustSearch(t, s, vec(1), 3); len(res) != 0 {
		t.Fatalf("Search on empty store = %v, want nothing", ids(res))
	}
	if err := s.Delete(t.Context(), []string{"missing"}); err != nil {
		t.Fatalf("Delete of unknown ID: %v", err)
	}
	if err := s.Add(t.Context(), nil); err != nil {
		t.Fatalf("Add(nil): %v", err)
	}
	mustCount(t, s, 0)
}

func testOrderAndScores(t *testing.T, s store.Store) {
	recs := []store.Record{
		rec("east", "points east", vec(1, 0)),
		rec("north", "points north", vec(0, 1)),
		rec("northeast", "points northeast", vec(1, 1)),
		rec("west", "points west", vec(-1, 0)),
		rec("mostly-east", "mostly east", vec(3, 1)),
		rec("up", "points up", vec(0, 0, 1)),
	}
	mustAdd(t, s, recs...)
	mustCount(t, s, len(recs))

	for _, tt := range []struct {
		name  string
		query []float32
		k     int
		want  []string
	}{
		{"east", vec(1, 0), 3, []string{"east", "mostly-east", "northeast"}},
		{"scaled query is the same query", vec(10, 0), 3, []string{"east", "mostly-east", "northeast"}},
		{"north", vec(0, 2), 2, []string{"north", "northeast"}},
		{"all ranked", vec(1, 0), 6, []string{"east", "mostly-east", "northeast", "north", "up", "west"}},
		{"k=1", vec(-1, 0.1), 1, []string{"west"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := mustSearch(t, s, tt.query, tt.k)
			if got := ids(res); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ids = %v, want %v", got, tt.want)
			}
			byID := map[string]store.Record{}
			for _, r := range recs {
				byID[r.Document.ID] = r
			}
			for _, r := range res {
				want := store.Cosine(tt.query, byID[r.Document.ID].Vector)
				if math.Abs(r.Score-want) > scoreTol {
					t.Errorf("score(%s) = %v, want %v", r.Document.ID, r.Score, want)
				}
				if r.Document.PageContent != byID[r.Document.ID].Document.PageContent {
					t.Errorf("content(%s) = %q", r.Document.ID, r.Document.PageContent)
				}
			}
		})
	}
}

func testKLargerThanCount(t *testing.T, s store.Store) {
	mustAdd(t, s, rec("a", "a", vec(1)), rec("b", "b", vec(1, 1)), rec("c", "c", vec(0, 1)))
	res := mustSearch(t, s, vec(1), 100)
	if got, want := ids(res), []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ids = %v, want %v", got, want)
	}
}

func testTieBreak(t *testing.T, s store.Store) {
	// Same direction, different lengths: the scores tie exactly.
	mustAdd(t, s,
		rec("m", "", vec(1, 1)), rec("b", "", vec(2, 2)), rec("x", "", vec(0.5, 0.5)),
		rec("other", "", vec(0, 1)))
	res := mustSearch(t, s, vec(1, 1), 3)
	if got, want := ids(res), []string{"b", "m", "x"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ids = %v, want %v (equal scores ordered by ID)", got, want)
	}
	for _, r := range res {
		if math.Abs(r.Score-1) > scoreTol {
			t.Errorf("score(%s) = %v, want 1", r.Document.ID, r.Score)
		}
	}
}

func testUpsert(t *testing.T, s store.Store) {
	mustAdd(t, s, rec("a", "old", vec(1)), rec("b", "b", vec(0, 1)))
	r := rec("a", "new", vec(0, 0, 1))
	r.Document.Metadata = map[string]any{"v": 2.0}
	mustAdd(t, s, r)
	mustAdd(t, s, r) // the same record again changes nothing
	mustCount(t, s, 2)

	res := mustSearch(t, s, vec(0, 0, 1), 1)
	if len(res) != 1 || res[0].Document.ID != "a" || res[0].Document.PageContent != "new" {
		t.Fatalf("after upsert: %+v", res)
	}
	if math.Abs(res[0].Score-1) > scoreTol {
		t.Fatalf("score = %v, want 1 (new vector)", res[0].Score)
	}
	if !reflect.DeepEqual(res[0].Document.Metadata, map[string]any{"v": 2.0}) {
		t.Fatalf("metadata = %v", res[0].Document.Metadata)
	}
	// The old vector no longer finds "a" first.
	if res := mustSearch(t, s, vec(1), 1); res[0].Document.ID == "a" && res[0].Score > 0.5 {
		t.Fatalf("old vector still matches: %+v", res)
	}
}

func testDuplicateIDs(t *testing.T, s store.Store) {
	mustAdd(t, s, rec("d", "first", vec(1)), rec("e", "e", vec(0, 1)), rec("d", "last", vec(0, 0, 1)))
	mustCount(t, s, 2)
	res := mustSearch(t, s, vec(0, 0, 1), 1)
	if res[0].Document.ID != "d" || res[0].Document.PageContent != "last" {
		t.Fatalf("got %+v, want the last record for d", res[0])
	}
}

func testDelete(t *testing.T, s store.Store) {
	mustAdd(t, s, rec("a", "", vec(1)), rec("b", "", vec(1, 0.1)), rec("c", "", vec(1, 0.2)), rec("d", "", vec(0, 1)))
	if err := s.Delete(t.Context(), []string{"b", "missing", "d"}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustCount(t, s, 2)
	if got, want := ids(mustSearch(t, s, vec(1), 10)), []string{"a", "c"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after delete: %v, want %v", got, want)
	}
	if err := s.Delete(t.Context(), nil); err != nil {
		t.Fatalf("Delete(nil): %v", err)
	}
	// A deleted ID can be added again.
	mustAdd(t, s, rec("b", "again", vec(0, 1)))
	mustCount(t, s, 3)
}

func testMetadata(t *testing.T, s store.Store) {
	md := map[string]any{
		"source":  "docs/ünïcödé/日本語.md",
		"emoji":   "🦜🔗",
		"rtl":     "مرحبا",
		"escapes": "quote \" backslash \\ newline \n tab \t",
		"int":     42,
		"float":   0.125,
		"neg":     -3.5e-7,
		"big":     int64(1) << 52,
		"bool":    true,
		"null":    nil,
		"list":    []any{"a", 1, false, nil, []any{"nested"}},
		"nested":  map[string]any{"chunk": map[string]any{"index": 3, "tags": []string{"x", "y"}}},
		"empty":   map[string]any{},
		"emptyl":  []any{},
	}
	r := rec("ключ-🔑", "contenu: naïve café ☕", vec(1, 2, 3))
	r.Document.Metadata = md
	mustAdd(t, s, r, rec("plain", "no metadata", vec(3, 2, 1)))

	want, err := store.NormalizeMetadata(md)
	if err != nil {
		t.Fatal(err)
	}
	res := mustSearch(t, s, vec(1, 2, 3), 2)
	got := res[0].Document
	if got.ID != r.Document.ID || got.PageContent != r.Document.PageContent {
		t.Fatalf("document = %q %q, want %q %q", got.ID, got.PageContent, r.Document.ID, r.Document.PageContent)
	}
	if !reflect.DeepEqual(got.Metadata, want) {
		t.Fatalf("metadata round trip:\n got %#v\nwant %#v", got.Metadata, want)
	}
	// A record without metadata comes back with an empty map.
	if m := res[1].Document.Metadata; m == nil || len(m) != 0 {
		t.Fatalf("nil metadata came back as %#v, want empty map", m)
	}
}

func testResultsAreCopies(t *testing.T, s store.Store) {
	r := rec("a", "a", vec(1))
	r.Document.Metadata = map[string]any{"k": "v", "n": map[string]any{"x": "y"}}
	mustAdd(t, s, r)
	// Changing the caller's record after Add must not change the store.
	r.Document.Metadata["k"] = "changed"
	r.Vector[0] = -1
	res := mustSearch(t, s, vec(1), 1)
	if res[0].Document.Metadata["k"] != "v" || math.Abs(res[0].Score-1) > scoreTol {
		t.Fatalf("store shares memory with the added record: %+v", res[0])
	}
	// Changing a result must not change the store either.
	res[0].Document.Metadata["k"] = "changed"
	res[0].Document.Metadata["n"].(map[string]any)["x"] = "changed"
	res = mustSearch(t, s, vec(1), 1)
	want := map[string]any{"k": "v", "n": map[string]any{"x": "y"}}
	if !reflect.DeepEqual(res[0].Document.Metadata, want) {
		t.Fatalf("store shares memory with results: %#v", res[0].Document.Metadata)
	}
}

func testInvalidInput(t *testing.T, s store.Store) {
	mustAdd(t, s, rec("ok", "", vec(1)))
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, tt := range []struct {
		name string
		recs []store.Record
		want error
	}{
		{"empty ID", []store.Record{rec("", "x", vec(1))}, store.ErrInvalidRecord},
		{"invalid UTF-8 ID", []store.Record{rec("a\xff", "x", vec(1))}, store.ErrInvalidRecord},
		{"NUL in content", []store.Record{rec("a", "x\x00y", vec(1))}, store.ErrInvalidRecord},
		{"NUL in metadata", []store.Record{{Document: schema.Document{ID: "a", Metadata: map[string]any{"k": "a\x00"}}, Vector: vec(1)}}, store.ErrInvalidRecord},
		{"unencodable metadata", []store.Record{{Document: schema.Document{ID: "a", Metadata: map[string]any{"f": func() {}}}, Vector: vec(1)}}, store.ErrInvalidRecord},
		{"short vector", []store.Record{rec("a", "x", []float32{1, 2})}, store.ErrInvalidVector},
		{"long vector", []store.Record{rec("a", "x", make([]float32, Dimensions+1))}, store.ErrInvalidVector},
		{"no vector", []store.Record{rec("a", "x", nil)}, store.ErrInvalidVector},
		{"zero vector", []store.Record{rec("a", "x", vec())}, store.ErrInvalidVector},
		{"NaN", []store.Record{rec("a", "x", vec(1, nan))}, store.ErrInvalidVector},
		{"Inf", []store.Record{rec("a", "x", vec(inf))}, store.ErrInvalidVector},
		{"one bad record fails the batch", []store.Record{rec("good", "x", vec(1)), rec("bad", "x", vec(nan))}, store.ErrInvalidVector},
	} {
		t.Run("Add/"+tt.name, func(t *testing.T) {
			err := s.Add(t.Context(), tt.recs)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Add error = %v, want %v", err, tt.want)
			}
		})
	}
	mustCount(t, s, 1) // nothing from the failed calls was written

	for _, tt := range []struct {
		name  string
		query []float32
		k     int
		want  error
	}{
		{"k=0", vec(1), 0, store.ErrInvalidK},
		{"k<0", vec(1), -1, store.ErrInvalidK},
		{"short query", []float32{1}, 1, store.ErrInvalidVector},
		{"zero query", vec(), 1, store.ErrInvalidVector},
		{"NaN query", vec(nan), 1, store.ErrInvalidVector},
	} {
		t.Run("Search/"+tt.name, func(t *testing.T) {
			res, err := s.Search(t.Context(), tt.query, tt.k)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Search error = %v (results %v), want %v", err, ids(res), tt.want)
			}
		})
	}
}

func testCancelled(t *testing.T, s store.Store) {
	mustAdd(t, s, rec("a", "", vec(1)))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with cancelled ctx: err = %v, want context.Canceled", op, err)
		}
	}
	check("Add", s.Add(ctx, []store.Record{rec("b", "", vec(1))}))
	_, err := s.Search(ctx, vec(1), 1)
	check("Search", err)
	check("Delete", s.Delete(ctx, []string{"a"}))
	_, err = s.Count(ctx)
	check("Count", err)
	mustCount(t, s, 1)
	if res := mustSearch(t, s, vec(1), 5); len(res) != 1 || res[0].Document.ID != "a" {
		t.Fatalf("a cancelled call changed the store: %v", ids(res))
	}
}

// concVec gives record i a direction of its own: a deterministic
// pseudo-random vector derived from its ID.
func concVec(id string) []float32 {
	v := make([]float32, Dimensions)
	for d := range v {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s/%d", id, d)
		v[d] = float32(h.Sum64()%2001)/1000 - 1
	}
	v[0] += 0.01 // never all zero
	return v
}

func testConcurrent(t *testing.T, s store.Store) {
	const (
		writers   = 8
		perWriter = 25
		batch     = 5
		readers   = 4
	)
	var (
		wg      sync.WaitGroup
		stop    = make(chan struct{})
		errsMu  sync.Mutex
		errs    []error
		addErrs = func(err error) {
			errsMu.Lock()
			errs = append(errs, err)
			errsMu.Unlock()
		}
	)
	id := func(w, i int) string { return fmt.Sprintf("w%02d-%03d", w, i) }
	for r := range readers {
		wg.Go(func() {
			q := concVec(fmt.Sprintf("reader-%d", r))
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := s.Search(t.Context(), q, 5)
				if err != nil {
					addErrs(fmt.Errorf("reader %d: %w", r, err))
					return
				}
				for i := 1; i < len(res); i++ {
					if store.Better(res[i], res[i-1]) {
						addErrs(fmt.Errorf("reader %d: results out of order: %v", r, ids(res)))
						return
					}
				}
				if _, err := s.Count(t.Context()); err != nil {
					addErrs(fmt.Errorf("reader %d: %w", r, err))
					return
				}
			}
		})
	}
	var writersWG sync.WaitGroup
	for w := range writers {
		writersWG.Go(func() {
			for i := 0; i < perWriter; i += batch {
				var recs []store.Record
				for j := i; j < i+batch; j++ {
					recs = append(recs, rec(id(w, j), "doc "+id(w, j), concVec(id(w, j))))
				}
				// Every writer also rewrites a shared record, to race
				// upserts of one ID against each other.
				recs = append(recs, rec("shared", fmt.Sprintf("from %d", w), concVec("shared")))
				if err := s.Add(t.Context(), recs); err != nil {
					addErrs(fmt.Errorf("writer %d: %w", w, err))
					return
				}
			}
		})
	}
	writersWG.Wait()
	close(stop)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}

	total := writers*perWriter + 1
	mustCount(t, s, total)
	all := mustSearch(t, s, concVec("anything"), total+10)
	if len(all) != total {
		t.Fatalf("Search(k=all) returned %d records, want %d", len(all), total)
	}
	seen := map[string]bool{}
	for _, r := range all {
		seen[r.Document.ID] = true
	}
	for w := range writers {
		for i := range perWriter {
			want := id(w, i)
			if !seen[want] {
				t.Errorf("record %s lost", want)
				continue
			}
			// Each record is also its own nearest neighbour.
			res := mustSearch(t, s, concVec(want), 1)
			if len(res) != 1 || res[0].Document.ID != want || math.Abs(res[0].Score-1) > scoreTol {
				t.Errorf("Search(vector of %s) = %v", want, res)
			}
		}
	}
}
