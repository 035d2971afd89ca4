package pgvector

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	pgv "github.com/pgvector/pgvector-go"

	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/internal/testenv"
	"github.com/langserve-go/langserve/runnable/schema"
)

// TestSearchUsesHNSWIndex checks that the exact SQL Search sends can be
// answered by the HNSW index. Sequential scans are disabled for the EXPLAIN
// because on a small table the planner rightly prefers them.
func TestSearchUsesHNSWIndex(t *testing.T) {
	url := testenv.PGVectorURL(t, 1)
	ctx := t.Context()
	table := fmt.Sprintf("ragtest_explain_%d", os.Getpid())
	s, err := Open(ctx, url, &Options{Table: table, Dimensions: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	defer func() {
		s.pool.Exec(ctx, `DROP TABLE IF EXISTS `+pgx.Identifier{table}.Sanitize())
		s.pool.Exec(ctx, `DELETE FROM rag_schema_migrations WHERE table_name = $1`, table)
	}()
	var recs []store.Record
	for i := range 200 {
		recs = append(recs, store.Record{Document: schema.Document{ID: fmt.Sprint(i)}, Vector: []float32{float32(i), 1, float32(i % 5)}})
	}
	if err := s.Add(ctx, recs); err != nil {
		t.Fatal(err)
	}
	var plan []string
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "EXPLAIN "+s.searchSQL, pgv.NewVector([]float32{1, 2, 3}), 5)
		if err != nil {
			return err
		}
		plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "Index Scan using "+table+"_embedding_idx") {
		t.Fatalf("search does not use the HNSW index:\n%s", text)
	}
}

func TestAtLeast(t *testing.T) {
	for _, tt := range []struct {
		v    string
		want bool
	}{
		{"0.8.0", true}, {"0.8", true}, {"0.10.1", true}, {"1.0.0", true},
		{"0.7.4", false}, {"0.5", false}, {"", false}, {"x.y", false},
	} {
		if got := atLeast(tt.v, 0, 8); got != tt.want {
			t.Errorf("atLeast(%q, 0, 8) = %v", tt.v, got)
		}
	}
}
