// Package pgvector is a RAG vector store in PostgreSQL with the pgvector
// extension: one table per store, an HNSW index with cosine distance, pgx/v5
// connection pooling.
//
// # Schema and migrations
//
// [Open] brings the database up to date before it returns: it creates the
// vector extension and applies the store's versioned migrations, recorded
// per table in rag_schema_migrations, inside one transaction holding an
// advisory lock, so any number of processes may open the same store at once.
// The table is
//
//	id text PRIMARY KEY, content text, metadata jsonb, embedding vector(N), updated_at timestamptz
//
// with an HNSW index using vector_cosine_ops. The table name is
// configurable and checked against ^[a-z_][a-z0-9_]{0,62}$; it is the only
// identifier ever formatted into SQL. All data goes in as query parameters.
//
// # Connection poolers
//
// Every statement runs either alone or inside an explicit transaction, search
// tuning uses transaction-local settings (set_config(…, true)) and the
// migration lock is transaction-scoped, so the store works behind pgbouncer
// in transaction pooling mode. There, pgx's default statement cache fails
// (prepared statements do not survive the server connection switch), so add
// default_query_exec_mode=cache_describe (or exec) to the connection string:
//
//	postgres://app@pgbouncer:6432/db?default_query_exec_mode=cache_describe
//
// # Search
//
// HNSW search is approximate. Search raises hnsw.ef_search to at least k (up
// to pgvector's maximum of 1000) and, on pgvector 0.8 or later, enables
// strict-order iterative index scans, so that a k larger than ef_search
// still gets k results, in distance order.
package pgvector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgv "github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Defaults for [Options].
const (
	DefaultTable          = "rag_documents"
	DefaultM              = 16
	DefaultEfConstruction = 64
	DefaultEfSearch       = 40
	// MaxDimensions is pgvector's limit for HNSW indexes on vector columns.
	MaxDimensions = 2000
)

// maxEfSearch is the largest hnsw.ef_search pgvector accepts.
const maxEfSearch = 1000

// addChunk is the number of rows sent per pipelined batch in Add.
const addChunk = 256

// migrationLockKey is the advisory lock that serializes migrations of all
// stores in a database ("ragstore" in ASCII).
const migrationLockKey int64 = 0x7261_6773_746f_7265

var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Options configures [Open]. Dimensions is required; every other zero value
// means the default.
type Options struct {
	// Table is the table holding the records. Zero value: DefaultTable.
	Table string
	// Dimensions is the vector length, 1 to MaxDimensions. Required. An
	// existing table with another dimension makes Open fail.
	Dimensions int
	// M and EfConstruction are the HNSW index parameters, used when the
	// index is created. Zero values: DefaultM, DefaultEfConstruction.
	M, EfConstruction int
	// EfSearch is the HNSW candidate list size for queries; Search raises it
	// to k when k is larger. Zero value: DefaultEfSearch.
	EfSearch int
}

// Store is a [store.Store] in PostgreSQL. It is safe for concurrent use.
// Close it to release the connection pool.
type Store struct {
	pool      *pgxpool.Pool
	dim       int
	efSearch  int
	iterative bool // pgvector >= 0.8: hnsw.iterative_scan exists

	// SQL with the validated, quoted table name filled in.
	insertSQL, searchSQL, deleteSQL, countSQL string
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at dsn (a pgx connection string or URL; pool
// settings such as pool_max_conns go in it too), migrates the store's table
// and returns the store. ctx bounds the connection and migration work only.
func Open(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.Table == "" {
		o.Table = DefaultTable
	}
	if !tableName.MatchString(o.Table) {
		return nil, fmt.Errorf("pgvector: invalid table name %q: want ^[a-z_][a-z0-9_]{0,62}$", o.Table)
	}
	if o.Dimensions < 1 || o.Dimensions > MaxDimensions {
		return nil, fmt.Errorf("pgvector: Dimensions must be 1..%d, got %d", MaxDimensions, o.Dimensions)
	}
	if o.M == 0 {
		o.M = DefaultM
	}
	if o.EfConstruction == 0 {
		o.EfConstruction = DefaultEfConstruction
	}
	if o.EfSearch == 0 {
		o.EfSearch = DefaultEfSearch
	}
	if o.M < 2 || o.M > 100 || o.EfConstruction < 4 || o.EfConstruction > 1000 || o.EfConstruction < 2*o.M {
		return nil, fmt.Errorf("pgvector: invalid HNSW parameters m=%d ef_construction=%d (need 2<=m<=100, 2m<=ef_construction<=1000)", o.M, o.EfConstruction)
	}
	if o.EfSearch < 1 || o.EfSearch > maxEfSearch {
		return nil, fmt.Errorf("pgvector: EfSearch must be 1..%d, got %d", maxEfSearch, o.EfSearch)
	}

	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgvector: %w", err)
	}
	// The extension must exist before any pooled connection registers the
	// vector codecs, so migrate over a connection of our own first.
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("pgvector: connect: %w", err)
	}
	version, err := migrate(ctx, conn, o)
	conn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return nil, fmt.Errorf("pgvector: migrate %s: %w", o.Table, err)
	}

	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		return pgxvec.RegisterTypes(ctx, c)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgvector: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgvector: %w", err)
	}
	t := pgx.Identifier{o.Table}.Sanitize()
	return &Store{
		pool:      pool,
		dim:       o.Dimensions,
		efSearch:  o.EfSearch,
		iterative: atLeast(version, 0, 8),
		insertSQL: `INSERT INTO ` + t + ` (id, content, metadata, embedding, updated_at)
VALUES ($1, $2, $3::jsonb, $4, now())
ON CONFLICT (id) DO UPDATE SET content = EXCLUDED.content, metadata = EXCLUDED.metadata,
	embedding = EXCLUDED.embedding, updated_at = EXCLUDED.updated_at`,
		// The inner query has the one shape the HNSW index serves (ORDER BY
		// distance LIMIT k); the outer one adds the ID tie-break.
		searchSQL: `SELECT id, content, metadata, distance FROM (
	SELECT id, content, metadata, embedding <=> $1 AS distance FROM ` + t + `
	ORDER BY embedding <=> $1 LIMIT $2
) nearest ORDER BY distance, id`,
		deleteSQL: `DELETE FROM ` + t + ` WHERE id = ANY($1)`,
		countSQL:  `SELECT count(*) FROM ` + t,
	}, nil
}

// Close closes the connection pool. The store must not be used afterwards.
func (s *Store) Close() { s.pool.Close() }

// Add implements [store.Store]. All records are written in one transaction,
// in ID order so that concurrent writers of overlapping IDs cannot deadlock.
func (s *Store) Add(ctx context.Context, records []store.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(records) == 0 {
		return nil
	}
	if err := store.ValidateRecords(records, s.dim); err != nil {
		return err
	}
	recs := store.Dedupe(records)
	metadata := make([]string, len(recs))
	for i, r := range recs {
		b, err := store.MetadataJSON(r.Document.Metadata)
		if err != nil {
			return fmt.Errorf("%w: %q: %v", store.ErrInvalidRecord, r.Document.ID, err)
		}
		metadata[i] = string(b)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for start := 0; start < len(recs); start += addChunk {
			end := min(start+addChunk, len(recs))
			b := &pgx.Batch{}
			for i := start; i < end; i++ {
				d := recs[i].Document
				b.Queue(s.insertSQL, d.ID, d.PageContent, metadata[i], pgv.NewVector(recs[i].Vector))
			}
			br := tx.SendBatch(ctx, b)
			for i := start; i < end; i++ {
				if _, err := br.Exec(); err != nil {
					br.Close()
					return fmt.Errorf("pgvector: add %q: %w", recs[i].Document.ID, err)
				}
			}
			if err := br.Close(); err != nil {
				return fmt.Errorf("pgvector: add: %w", err)
			}
		}
		return nil
	})
}

// Search implements [store.Store].
func (s *Store) Search(ctx context.Context, query []float32, k int) ([]store.ScoredDocument, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if k <= 0 {
		return nil, fmt.Errorf("%w: got %d", store.ErrInvalidK, k)
	}
	if err := store.ValidateVector(query, s.dim); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	var out []store.ScoredDocument
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		ef := strconv.Itoa(min(max(k, s.efSearch), maxEfSearch))
		var err error
		if s.iterative {
			_, err = tx.Exec(ctx, `SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'strict_order', true)`, ef)
		} else {
			_, err = tx.Exec(ctx, `SELECT set_config('hnsw.ef_search', $1, true)`, ef)
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, s.searchSQL, pgv.NewVector(query), k)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				d        schema.Document
				md       []byte
				distance float64
			)
			if err := rows.Scan(&d.ID, &d.PageContent, &md, &distance); err != nil {
				return err
			}
			d.Metadata = map[string]any{}
			if err := json.Unmarshal(md, &d.Metadata); err != nil {
				return fmt.Errorf("metadata of %q: %w", d.ID, err)
			}
			out = append(out, store.ScoredDocument{Document: d, Score: 1 - distance})
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("pgvector: search: %w", err)
	}
	return out, nil
}

// Delete implements [store.Store].
func (s *Store) Delete(ctx context.Context, ids []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.pool.Exec(ctx, s.deleteSQL, ids); err != nil {
		return fmt.Errorf("pgvector: delete: %w", err)
	}
	return nil
}

// Count implements [store.Store].
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	if err := s.pool.QueryRow(ctx, s.countSQL).Scan(&n); err != nil {
		return 0, fmt.Errorf("pgvector: count: %w", err)
	}
	return int(n), nil
}

// migration is one schema step for table t (already quoted).
type migration struct {
	version int
	sql     func(t string, o Options) string
}

// migrations are applied in order, each once per table. Never edit a
// released step: add a new one.
var migrations = []migration{
	{1, func(t string, o Options) string {
		return fmt.Sprintf(`CREATE TABLE %s (
	id text PRIMARY KEY,
	content text NOT NULL,
	metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
	embedding vector(%d) NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
)`, t, o.Dimensions)
	}},
	{2, func(t string, o Options) string {
		return fmt.Sprintf(`CREATE INDEX ON %s USING hnsw (embedding vector_cosine_ops) WITH (m = %d, ef_construction = %d)`,
			t, o.M, o.EfConstruction)
	}},
}

// migrate creates the extension and applies missing migrations under the
// advisory lock, then checks the embedding column's dimension. It returns
// the installed pgvector version.
func migrate(ctx context.Context, conn *pgx.Conn, o Options) (version string, err error) {
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS vector`); err != nil {
			return fmt.Errorf("create extension vector: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS rag_schema_migrations (
	table_name text NOT NULL,
	version integer NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (table_name, version)
)`); err != nil {
			return err
		}
		var applied int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM rag_schema_migrations WHERE table_name = $1`, o.Table).Scan(&applied); err != nil {
			return err
		}
		if applied > len(migrations) {
			return fmt.Errorf("table is at schema version %d, newer than this code (%d)", applied, len(migrations))
		}
		t := pgx.Identifier{o.Table}.Sanitize()
		for _, m := range migrations[applied:] {
			if _, err := tx.Exec(ctx, m.sql(t, o)); err != nil {
				return fmt.Errorf("migration %d: %w", m.version, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO rag_schema_migrations (table_name, version) VALUES ($1, $2)`, o.Table, m.version); err != nil {
				return err
			}
		}
		// For vector columns the type modifier is the dimension.
		var dim int
		if err := tx.QueryRow(ctx, `SELECT atttypmod FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'embedding'`, t).Scan(&dim); err != nil {
			return fmt.Errorf("reading the embedding column: %w", err)
		}
		if dim != o.Dimensions {
			return fmt.Errorf("table holds %d-dimensional vectors, want %d", dim, o.Dimensions)
		}
		return tx.QueryRow(ctx, `SELECT extversion FROM pg_extension WHERE extname = 'vector'`).Scan(&version)
	})
	return version, err
}

// atLeast reports whether a "major.minor[.patch]" version is at least
// major.minor.
func atLeast(version string, major, minor int) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err := errors.Join(err1, err2); err != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}
