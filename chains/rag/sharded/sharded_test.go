package sharded_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"reflect"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/chains/rag/memory"
	"github.com/langserve-go/langserve/chains/rag/pgvector"
	"github.com/langserve-go/langserve/chains/rag/sharded"
	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/chains/rag/storetest"
	"github.com/langserve-go/langserve/internal/testenv"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func memShards(n, dim int) []store.Store {
	out := make([]store.Store, n)
	for i := range out {
		out[i] = memory.New(&memory.Options{Dimensions: dim})
	}
	return out
}

func mustNew(t *testing.T, shards ...store.Store) *sharded.Store {
	t.Helper()
	s, err := sharded.New(shards...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformanceMemoryShards(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return mustNew(t, memShards(3, storetest.Dimensions)...)
	})
}

// TestConformancePostgres runs the suite over three real PostgreSQL
// databases.
func TestConformancePostgres(t *testing.T) {
	var urls []string
	for n := 1; n <= 3; n++ {
		urls = append(urls, testenv.PGVectorURL(t, n))
	}
	var seq atomic.Int64
	storetest.Run(t, func(t *testing.T) store.Store {
		table := fmt.Sprintf("ragtest_sharded_%d_%d", os.Getpid(), seq.Add(1))
		shards := make([]store.Store, len(urls))
		for i, u := range urls {
			s, err := pgvector.Open(t.Context(), u, &pgvector.Options{Table: table, Dimensions: storetest.Dimensions})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				s.Close()
				testenv.DropPGVectorTable(t, u, table)
			})
			shards[i] = s
		}
		return mustNew(t, shards...)
	})
}

func TestNew(t *testing.T) {
	if _, err := sharded.New(); err == nil {
		t.Error("New() with no shards succeeded")
	}
	if _, err := sharded.New(memory.New(nil), nil); err == nil {
		t.Error("New with a nil shard succeeded")
	}
}

// TestRoutingIsStable pins the routing function: changing it would move
// every record of existing deployments to another shard.
func TestRoutingIsStable(t *testing.T) {
	s := mustNew(t, memShards(3, 2)...)
	for _, id := range []string{"", "a", "doc-1#chunk-0", "日本語"} {
		h := fnv.New64a()
		h.Write([]byte(id))
		if got, want := s.ShardOf(id), int(h.Sum64()%3); got != want {
			t.Errorf("ShardOf(%q) = %d, want %d (FNV-1a mod 3)", id, got, want)
		}
	}
	if got := []int{s.ShardOf("a"), s.ShardOf("b"), s.ShardOf("c"), s.ShardOf("d")}; !reflect.DeepEqual(got, []int{1, 1, 0, 1}) {
		t.Errorf("routing of a..d = %v, want [1 1 0 1]", got)
	}
}

func vecFor(i int) []float32 {
	return []float32{float32(i%5) + 0.5, float32(i%7) - 3, float32(i%3) - 1, float32(i%11) - 5}
}

// TestSameAsOneStore checks that routing plus merging gives exactly what a
// single store holding all records returns, and that the records are spread
// over all shards.
func TestSameAsOneStore(t *testing.T) {
	ctx := t.Context()
	shards := memShards(3, 4)
	s := mustNew(t, shards...)
	single := memory.New(nil)
	var recs []store.Record
	for i := range 300 {
		recs = append(recs, store.Record{Document: schema.Document{ID: fmt.Sprintf("id-%03d", i), PageContent: fmt.Sprint(i)}, Vector: vecFor(i)})
	}
	if err := s.Add(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := single.Add(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for i, sh := range shards {
		n, _ := sh.Count(ctx)
		if n < 60 {
			t.Errorf("shard %d holds %d of 300 records: routing is skewed", i, n)
		}
	}
	for q := range 20 {
		for _, k := range []int{1, 7, 50, 400} {
			got, err := s.Search(ctx, vecFor(q*13+1), k)
			if err != nil {
				t.Fatal(err)
			}
			want, err := single.Search(ctx, vecFor(q*13+1), k)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("query %d k=%d: sharded and single store disagree", q, k)
			}
		}
	}
}

// failing wraps a store and fails every call once broken is set.
type failing struct {
	store.Store
	broken atomic.Bool
}

var errShardDown = errors.New("shard down")

func (f *failing) Add(ctx context.Context, r []store.Record) error {
	if f.broken.Load() {
		return errShardDown
	}
	return f.Store.Add(ctx, r)
}

func (f *failing) Search(ctx context.Context, q []float32, k int) ([]store.ScoredDocument, error) {
	if f.broken.Load() {
		return nil, errShardDown
	}
	return f.Store.Search(ctx, q, k)
}

func (f *failing) Delete(ctx context.Context, ids []string) error {
	if f.broken.Load() {
		return errShardDown
	}
	return f.Store.Delete(ctx, ids)
}

func (f *failing) Count(ctx context.Context) (int, error) {
	if f.broken.Load() {
		return 0, errShardDown
	}
	return f.Store.Count(ctx)
}

func TestShardFailureFailsClosed(t *testing.T) {
	ctx := t.Context()
	bad := &failing{Store: memory.New(nil)}
	s := mustNew(t, memory.New(nil), bad, memory.New(nil))
	var recs []store.Record
	for i := range 30 {
		recs = append(recs, store.Record{Document: schema.Document{ID: fmt.Sprint(i)}, Vector: vecFor(i)})
	}
	if err := s.Add(ctx, recs); err != nil {
		t.Fatal(err)
	}
	bad.broken.Store(true)

	check := func(op string, err error) {
		t.Helper()
		se, ok := errors.AsType[*sharded.ShardError](err)
		if !ok || se.Shard != 1 || !errors.Is(err, errShardDown) {
			t.Errorf("%s: err = %v, want *ShardError for shard 1 wrapping the cause", op, err)
		}
	}
	res, err := s.Search(ctx, vecFor(1), 5)
	check("Search", err)
	if res != nil {
		t.Errorf("Search returned partial results %v", res)
	}
	_, err = s.Count(ctx)
	check("Count", err)
	check("Add", s.Add(ctx, recs))
	check("Delete", s.Delete(ctx, []string{"0", "1", "2", "3", "4", "5"}))

	bad.broken.Store(false)
	if n, err := s.Count(ctx); err != nil || n > 30 {
		t.Fatalf("after recovery: Count = %d, %v", n, err)
	}
}
