package pgvector_test

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"

	"github.com/langserve-go/langserve/chains/rag/pgvector"
	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/chains/rag/storetest"
	"github.com/langserve-go/langserve/internal/testenv"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// withParam adds a query parameter to a URL-style connection string.
func withParam(t *testing.T, dsn, key, value string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

var tableSeq atomic.Int64

// newTable returns a fresh table name and drops the table and its migration
// records when the test ends.
func newTable(t *testing.T, url string) string {
	t.Helper()
	name := fmt.Sprintf("ragtest_%d_%d", os.Getpid(), tableSeq.Add(1))
	t.Cleanup(func() { testenv.DropPGVectorTable(t, url, name) })
	return name
}

func open(t *testing.T, url string, opts *pgvector.Options) *pgvector.Store {
	t.Helper()
	s, err := pgvector.Open(t.Context(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func conformance(t *testing.T, url string) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, url, &pgvector.Options{Table: newTable(t, url), Dimensions: storetest.Dimensions})
	})
}

func TestConformance(t *testing.T) {
	conformance(t, testenv.PGVectorURL(t, 1))
}

// TestConformanceExecMode runs the suite without prepared statements, the
// other mode that works behind transaction-pooling proxies.
func TestConformanceExecMode(t *testing.T) {
	conformance(t, withParam(t, testenv.PGVectorURL(t, 1), "default_query_exec_mode", "exec"))
}

// TestConformancePgBouncer runs the suite through pgbouncer in transaction
// pooling mode. scripts/pgvector.sh starts one when pgbouncer is installed;
// other setups may not have it, so this test skips even in CI.
func TestConformancePgBouncer(t *testing.T) {
	url := os.Getenv("PGVECTOR_PGBOUNCER_URL")
	if url == "" {
		t.Skip("PGVECTOR_PGBOUNCER_URL is not set (scripts/pgvector.sh sets it when pgbouncer is installed)")
	}
	conformance(t, url)
}

func TestOpenValidation(t *testing.T) {
	url := testenv.PGVectorURL(t, 1)
	for _, tt := range []struct {
		name string
		opts *pgvector.Options
	}{
		{"nil options (no dimension)", nil},
		{"zero dimension", &pgvector.Options{Table: "x"}},
		{"too many dimensions", &pgvector.Options{Table: "x", Dimensions: pgvector.MaxDimensions + 1}},
		{"upper case table", &pgvector.Options{Table: "Docs", Dimensions: 3}},
		{"injection", &pgvector.Options{Table: `docs"; DROP TABLE users; --`, Dimensions: 3}},
		{"leading digit", &pgvector.Options{Table: "1docs", Dimensions: 3}},
		{"schema-qualified", &pgvector.Options{Table: "public.docs", Dimensions: 3}},
		{"64 characters", &pgvector.Options{Table: strings.Repeat("a", 64), Dimensions: 3}},
		{"bad HNSW m", &pgvector.Options{Table: "x", Dimensions: 3, M: 1}},
		{"ef_construction < 2m", &pgvector.Options{Table: "x", Dimensions: 3, M: 40, EfConstruction: 64}},
		{"ef_search too big", &pgvector.Options{Table: "x", Dimensions: 3, EfSearch: 1001}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := pgvector.Open(t.Context(), url, tt.opts)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
		})
	}
	t.Run("bad DSN", func(t *testing.T) {
		if _, err := pgvector.Open(t.Context(), "postgres://%zz", &pgvector.Options{Dimensions: 3}); err == nil {
			t.Fatal("Open succeeded")
		}
	})
	t.Run("no server", func(t *testing.T) {
		// Port 1 on loopback refuses connections.
		if _, err := pgvector.Open(t.Context(), "postgres://postgres@127.0.0.1:1/x?connect_timeout=5", &pgvector.Options{Dimensions: 3}); err == nil {
			t.Fatal("Open succeeded")
		}
	})
}

func TestMigrations(t *testing.T) {
	url := testenv.PGVectorURL(t, 1)
	table := newTable(t, url)
	opts := &pgvector.Options{Table: table, Dimensions: 3}

	// Concurrent first opens of one table: the advisory lock lets exactly
	// one of them create it.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := pgvector.Open(t.Context(), url, opts)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent Open: %v", err)
	}

	s := open(t, url, opts)
	if err := s.Add(t.Context(), []store.Record{{Document: schema.Document{ID: "kept"}, Vector: []float32{1, 2, 3}}}); err != nil {
		t.Fatal(err)
	}
	// Reopening keeps the data.
	if n, err := open(t, url, opts).Count(t.Context()); err != nil || n != 1 {
		t.Fatalf("Count after reopen = %d, %v", n, err)
	}

	ctx := t.Context()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var versions []int32
	if err := conn.QueryRow(ctx, `SELECT array_agg(version ORDER BY version) FROM rag_schema_migrations WHERE table_name = $1`, table).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(versions) != "[1 2]" {
		t.Fatalf("applied migrations = %v, want [1 2]", versions)
	}
	var indexdef string
	if err := conn.QueryRow(ctx, `SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%USING hnsw%'`, table).Scan(&indexdef); err != nil {
		t.Fatalf("no HNSW index: %v", err)
	}
	for _, want := range []string{"vector_cosine_ops", "m='16'", "ef_construction='64'"} {
		if !strings.Contains(indexdef, want) {
			t.Errorf("index %q lacks %s", indexdef, want)
		}
	}

	// Another dimension for the same table is refused.
	if s, err := pgvector.Open(t.Context(), url, &pgvector.Options{Table: table, Dimensions: 4}); err == nil {
		s.Close()
		t.Fatal("Open with another dimension succeeded")
	} else if !strings.Contains(err.Error(), "3-dimensional") {
		t.Fatalf("error does not explain the mismatch: %v", err)
	}
}

// TestLargeK checks that k above the default ef_search still returns k
// exact results through the HNSW index.
func TestLargeK(t *testing.T) {
	url := testenv.PGVectorURL(t, 1)
	s := open(t, url, &pgvector.Options{Table: newTable(t, url), Dimensions: 4})
	var recs []store.Record
	for i := range 600 {
		v := []float32{float32(i%7) + 1, float32(i%11) - 5, float32(i%13) - 6, float32(i % 3)}
		recs = append(recs, store.Record{Document: schema.Document{ID: fmt.Sprintf("r%03d", i)}, Vector: v})
	}
	if err := s.Add(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	q := []float32{1, 1, 0, 0}
	res, err := s.Search(t.Context(), q, 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 500 {
		t.Fatalf("got %d results, want 500", len(res))
	}
	for i := 1; i < len(res); i++ {
		if store.Better(res[i], res[i-1]) {
			t.Fatalf("results out of order at %d", i)
		}
	}
}
