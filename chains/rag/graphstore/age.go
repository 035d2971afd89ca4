package graphstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultGraph is the graph [Open] uses when [Options.Graph] is empty.
const DefaultGraph = "rag_graph"

// graphName is what Open accepts as a graph name. AGE refuses names shorter
// than three characters, and the name becomes a PostgreSQL schema.
var graphName = regexp.MustCompile(`^[a-z_][a-z0-9_]{2,62}$`)

// setupLockKey is the advisory lock that serializes graph creation in a
// database ("graphstr" in ASCII).
const setupLockKey int64 = 0x6772_6170_6873_7472

// Options configures [Open]. A nil *Options means all defaults.
type Options struct {
	// Graph names the AGE graph (a PostgreSQL schema of that name holds
	// it): ^[a-z_][a-z0-9_]{2,62}$, not starting with pg_ and not
	// ag_catalog, public or information_schema. Zero value: DefaultGraph.
	Graph string
}

// AGE is a [Graph] in PostgreSQL with the Apache AGE extension. It is safe
// for concurrent use. Close it to release the connection pool.
//
// The graph has two vertex labels, Entity {key, name, kind, props} and
// Document {id}, and two edge labels, (Document)-[MENTIONS]->(Entity) and
// (Entity)-[RELATED {doc, type, props}]->(Entity). Every statement is fixed
// openCypher text run through cypher(graph, $$ … $$, $1) with the data in
// the agtype parameter $1; the only value formatted into SQL is the
// validated graph name.
//
// Writers of one graph are serialized by a transaction-scoped advisory
// lock: AGE has no unique constraints, so two concurrent writers could
// otherwise both create the same entity. Readers are not blocked, and each
// Neighbors call reads one snapshot.
//
// AGE needs LOAD 'age' and ag_catalog on the search_path in every session;
// the pool does both when it connects. That session state does not survive
// pgbouncer's transaction pooling, so connect directly or through a
// session-pooling bouncer. pgx's simple protocol mode is refused: it
// formats parameters into the query text, and cypher() takes its
// parameter only bound.
type AGE struct {
	pool    *pgxpool.Pool
	graph   string
	lockKey int64
	q       ageQueries
}

// ageQueries are the statements with the graph name filled in.
type ageQueries struct {
	docKeys, deleteRelations, deleteDocument, existing, createEntities, updateEntities,
	createDocument, createRelations, deleteOrphans, nextOut, nextIn, describe, stats string
}

var _ Graph = (*AGE)(nil)

// Open connects to the database at dsn (a pgx connection string or URL;
// pool settings such as pool_max_conns go in it too), creates the age
// extension, the graph and its labels and indexes when missing, and returns
// the graph. ctx bounds the connection and setup work only. Creating the
// extension takes a role allowed to; where it exists already, none is
// needed.
func Open(ctx context.Context, dsn string, opts *Options) (*AGE, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Graph == "" {
		o.Graph = DefaultGraph
	}
	if err := validGraphName(o.Graph); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("graphstore: %w", err)
	}
	if cfg.ConnConfig.DefaultQueryExecMode == pgx.QueryExecModeSimpleProtocol {
		// pgx would format the parameter into the query text, and AGE
		// refuses a cypher() whose third argument is not a bound parameter.
		return nil, fmt.Errorf("%w: default_query_exec_mode=simple_protocol: AGE needs bound parameters (use exec or cache_describe)", ErrInvalid)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("graphstore: connect: %w", err)
	}
	err = setup(ctx, conn, o.Graph)
	conn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return nil, fmt.Errorf("graphstore: setting up graph %s: %w", o.Graph, err)
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		// JIT off: AGE's plans carry huge cost estimates (a set-returning
		// UNWIND counts as 1000 rows, unanalyzed label tables as thousands),
		// which make PostgreSQL spend about half a second compiling each
		// small graph lookup.
		_, err := c.Exec(ctx, `LOAD 'age'; SET search_path = ag_catalog, "$user", public; SET jit = off`)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("graphstore: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("graphstore: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("graphstore:" + o.Graph))
	return &AGE{pool: pool, graph: o.Graph, lockKey: int64(h.Sum64()), q: queries(o.Graph)}, nil
}

func validGraphName(name string) error {
	switch {
	case !graphName.MatchString(name):
		return fmt.Errorf("%w: graph name %q: want ^[a-z_][a-z0-9_]{2,62}$", ErrInvalid, name)
	case strings.HasPrefix(name, "pg_"), name == "ag_catalog", name == "public", name == "information_schema":
		return fmt.Errorf("%w: graph name %q is reserved", ErrInvalid, name)
	}
	return nil
}

// labels are the graph's labels: vertex labels first ("v"), then edges.
var labels = []struct{ name, kind string }{
	{"Entity", "v"}, {"Document", "v"}, {"MENTIONS", "e"}, {"RELATED", "e"},
}

// setup creates the extension, the graph, its labels and the indexes the
// queries use, under an advisory lock so that concurrent Opens do not race.
func setup(ctx context.Context, conn *pgx.Conn, graph string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, setupLockKey); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS age`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `LOAD 'age'`); err != nil {
		return err
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ag_catalog.ag_graph WHERE name = $1)`, graph).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := tx.Exec(ctx, `SELECT ag_catalog.create_graph($1)`, graph); err != nil {
			return err
		}
	}
	have := map[string]bool{}
	rows, err := tx.Query(ctx, `SELECT l.name::text FROM ag_catalog.ag_label l
JOIN ag_catalog.ag_graph g ON g.graphid = l.graph WHERE g.name = $1`, graph)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		have[name] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, l := range labels {
		if have[l.name] {
			continue
		}
		fn := "ag_catalog.create_vlabel"
		if l.kind == "e" {
			fn = "ag_catalog.create_elabel"
		}
		if _, err := tx.Exec(ctx, `SELECT `+fn+`($1, $2)`, graph, l.name); err != nil {
			return fmt.Errorf("label %s: %w", l.name, err)
		}
	}
	// AGE creates no indexes. Vertex ids serve the joins of edges to their
	// ends; the GIN indexes serve the {key: …}, {id: …} and {doc: …}
	// property matches. fastupdate is off because its pending list, scanned
	// on every lookup, made the lookups that follow a large insert five
	// times slower.
	s := pgx.Identifier{graph}.Sanitize()
	for _, stmt := range []string{
		`CREATE INDEX IF NOT EXISTS entity_id ON ` + s + `."Entity" (id)`,
		`CREATE INDEX IF NOT EXISTS entity_props ON ` + s + `."Entity" USING gin (properties) WITH (fastupdate = off)`,
		`CREATE INDEX IF NOT EXISTS document_id ON ` + s + `."Document" (id)`,
		`CREATE INDEX IF NOT EXISTS document_props ON ` + s + `."Document" USING gin (properties) WITH (fastupdate = off)`,
		`CREATE INDEX IF NOT EXISTS mentions_start ON ` + s + `."MENTIONS" (start_id)`,
		`CREATE INDEX IF NOT EXISTS mentions_end ON ` + s + `."MENTIONS" (end_id)`,
		`CREATE INDEX IF NOT EXISTS related_start ON ` + s + `."RELATED" (start_id)`,
		`CREATE INDEX IF NOT EXISTS related_end ON ` + s + `."RELATED" (end_id)`,
		`CREATE INDEX IF NOT EXISTS related_props ON ` + s + `."RELATED" USING gin (properties) WITH (fastupdate = off)`,
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// queries fills the graph name into the statements. Every statement takes
// its data from the agtype parameter $1 (a JSON map; the cypher text names
// its members $doc, $keys, …), never from the query text.
func queries(graph string) ageQueries {
	c := func(cypher, columns string) string {
		return `SELECT * FROM ag_catalog.cypher('` + graph + `', $$ ` + cypher + ` $$, $1) AS (` + columns + `)`
	}
	return ageQueries{
		docKeys:         c(`MATCH (:Document {id: $doc})-[:MENTIONS]->(e:Entity) RETURN e.key`, `key agtype`),
		deleteRelations: c(`MATCH (:Entity)-[r:RELATED {doc: $doc}]->(:Entity) DELETE r`, `r agtype`),
		deleteDocument:  c(`MATCH (d:Document {id: $doc}) DETACH DELETE d`, `d agtype`),
		existing:        c(`UNWIND $keys AS k MATCH (e:Entity {key: k}) RETURN e.key`, `key agtype`),
		// AGE 1.5's MERGE loses properties and duplicates vertices when they
		// come from an UNWIND variable, so new and existing entities are
		// told apart first (under the writer lock) and created or updated.
		createEntities: c(`UNWIND $entities AS x CREATE (:Entity {key: x.key, name: x.name, kind: x.kind, props: x.props})`, `e agtype`),
		updateEntities: c(`UNWIND $entities AS x MATCH (e:Entity {key: x.key})
SET e.name = x.name, e.kind = x.kind, e.props = coalesce(x.props, e.props)`, `e agtype`),
		createDocument: c(`CREATE (d:Document {id: $doc}) WITH d UNWIND $keys AS k
MATCH (e:Entity {key: k}) CREATE (d)-[:MENTIONS]->(e)`, `e agtype`),
		createRelations: c(`UNWIND $relations AS x MATCH (a:Entity {key: x.from}) MATCH (b:Entity {key: x.to})
CREATE (a)-[:RELATED {doc: $doc, type: x.type, props: x.props}]->(b)`, `r agtype`),
		deleteOrphans: c(`UNWIND $keys AS k MATCH (e:Entity {key: k})
WHERE NOT exists((:Document)-[:MENTIONS]->(e)) DETACH DELETE e`, `e agtype`),
		// Two directed patterns instead of one undirected: AGE 1.5 plans
		// (a)-[]-(b) as a join of a with every vertex b, which took two
		// minutes on 5,000 entities where these take milliseconds.
		nextOut: c(`UNWIND $keys AS k MATCH (:Entity {key: k})-[:RELATED]->(b:Entity) RETURN b.key, count(*)`, `key agtype, n agtype`),
		nextIn:  c(`UNWIND $keys AS k MATCH (:Entity {key: k})<-[:RELATED]-(b:Entity) RETURN b.key, count(*)`, `key agtype, n agtype`),
		describe: c(`UNWIND $keys AS k MATCH (e:Entity {key: k}) OPTIONAL MATCH (d:Document)-[:MENTIONS]->(e)
RETURN e.key, e.name, e.kind, e.props, collect(d.id)`, `key agtype, name agtype, kind agtype, props agtype, docs agtype`),
		stats: `SELECT (SELECT count(*) FROM ` + pgx.Identifier{graph, "Entity"}.Sanitize() + `),
	(SELECT count(*) FROM ` + pgx.Identifier{graph, "Document"}.Sanitize() + `),
	(SELECT count(*) FROM ` + pgx.Identifier{graph, "RELATED"}.Sanitize() + `)`,
	}
}

// Close closes the connection pool. The graph must not be used afterwards.
func (a *AGE) Close() { a.pool.Close() }

// Name returns the graph's name.
func (a *AGE) Name() string { return a.graph }

// Drop deletes the graph and everything in it. The AGE value must not be
// used afterwards except to Close it.
func (a *AGE) Drop(ctx context.Context) error {
	if _, err := a.pool.Exec(ctx, `SELECT ag_catalog.drop_graph($1, true)`, a.graph); err != nil {
		return fmt.Errorf("graphstore: dropping %s: %w", a.graph, err)
	}
	return nil
}

// Upsert implements [Graph]. The whole call is one transaction.
func (a *AGE) Upsert(ctx context.Context, doc string, entities []Entity, relations []Relation) error {
	u, err := prepareUpsert(doc, entities, relations)
	if err != nil {
		return err
	}
	return a.write(ctx, func(tx pgx.Tx) error {
		old, err := a.forget(ctx, tx, doc)
		if err != nil {
			return err
		}
		if len(u.entities) == 0 {
			return a.dropOrphans(ctx, tx, old)
		}
		keys := make([]any, len(u.entities))
		for i, e := range u.entities {
			keys[i] = e.Key
		}
		existing, err := queryStrings(ctx, tx, a.q.existing, map[string]any{"keys": keys})
		if err != nil {
			return err
		}
		have := make(map[string]bool, len(existing))
		for _, k := range existing {
			have[k] = true
		}
		var create, update []any
		for _, e := range u.entities {
			x := map[string]any{"key": e.Key, "name": e.Name, "kind": e.Kind}
			if e.Properties != nil {
				x["props"] = e.Properties
			}
			if have[e.Key] {
				update = append(update, x)
			} else {
				create = append(create, x)
			}
		}
		if len(create) > 0 {
			if err := exec(ctx, tx, a.q.createEntities, map[string]any{"entities": create}); err != nil {
				return fmt.Errorf("creating entities: %w", err)
			}
		}
		if len(update) > 0 {
			if err := exec(ctx, tx, a.q.updateEntities, map[string]any{"entities": update}); err != nil {
				return fmt.Errorf("updating entities: %w", err)
			}
		}
		if err := exec(ctx, tx, a.q.createDocument, map[string]any{"doc": doc, "keys": keys}); err != nil {
			return fmt.Errorf("recording mentions: %w", err)
		}
		if len(u.relations) > 0 {
			rels := make([]any, len(u.relations))
			for i, r := range u.relations {
				x := map[string]any{"from": r.From, "to": r.To, "type": r.Type}
				if r.Properties != nil {
					x["props"] = r.Properties
				}
				rels[i] = x
			}
			if err := exec(ctx, tx, a.q.createRelations, map[string]any{"doc": doc, "relations": rels}); err != nil {
				return fmt.Errorf("recording relations: %w", err)
			}
		}
		return a.dropOrphans(ctx, tx, old)
	})
}

// DeleteDocument implements [Graph].
func (a *AGE) DeleteDocument(ctx context.Context, doc string) error {
	if err := validID(doc); err != nil {
		return err
	}
	return a.write(ctx, func(tx pgx.Tx) error {
		old, err := a.forget(ctx, tx, doc)
		if err != nil {
			return err
		}
		return a.dropOrphans(ctx, tx, old)
	})
}

// write runs fn in a transaction holding the graph's writer lock.
func (a *AGE) write(ctx context.Context, fn func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, a.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, a.lockKey); err != nil {
			return err
		}
		return fn(tx)
	})
	if err != nil {
		return fmt.Errorf("graphstore: %s: %w", a.graph, err)
	}
	return nil
}

// forget removes doc's mentions and relations and returns the keys it
// mentioned.
func (a *AGE) forget(ctx context.Context, tx pgx.Tx, doc string) ([]string, error) {
	p := map[string]any{"doc": doc}
	old, err := queryStrings(ctx, tx, a.q.docKeys, p)
	if err != nil {
		return nil, err
	}
	if err := exec(ctx, tx, a.q.deleteRelations, p); err != nil {
		return nil, fmt.Errorf("deleting relations: %w", err)
	}
	if err := exec(ctx, tx, a.q.deleteDocument, p); err != nil {
		return nil, fmt.Errorf("deleting mentions: %w", err)
	}
	return old, nil
}

// dropOrphans deletes the entities among keys that no document mentions.
func (a *AGE) dropOrphans(ctx context.Context, tx pgx.Tx, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	ks := make([]any, len(keys))
	for i, k := range keys {
		ks[i] = k
	}
	if err := exec(ctx, tx, a.q.deleteOrphans, map[string]any{"keys": ks}); err != nil {
		return fmt.Errorf("deleting orphaned entities: %w", err)
	}
	return nil
}

// Neighbors implements [Graph]. Its queries read one snapshot (a
// repeatable-read, read-only transaction), so a concurrent writer cannot
// make it see half an upsert.
func (a *AGE) Neighbors(ctx context.Context, keys []string, depth int) ([]Neighbor, error) {
	keys, err := prepareKeys(keys, depth)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return []Neighbor{}, nil
	}
	var out []Neighbor
	err = pgx.BeginTxFunc(ctx, a.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		next := func(ctx context.Context, frontier []string) (map[string]int, error) {
			arg, err := param(map[string]any{"keys": anySlice(frontier)})
			if err != nil {
				return nil, err
			}
			links := map[string]int{}
			for _, sql := range []string{a.q.nextOut, a.q.nextIn} {
				rows, err := tx.Query(ctx, sql, arg)
				if err != nil {
					return nil, err
				}
				var key, n string
				_, err = pgx.ForEachRow(rows, []any{&key, &n}, func() error {
					var k string
					var c int
					if err := decode(key, &k); err != nil {
						return err
					}
					if err := decode(n, &c); err != nil {
						return err
					}
					links[k] += c
					return nil
				})
				if err != nil {
					return nil, err
				}
			}
			return links, nil
		}
		describe := func(ctx context.Context, keys []string) ([]Neighbor, error) {
			arg, err := param(map[string]any{"keys": anySlice(keys)})
			if err != nil {
				return nil, err
			}
			rows, err := tx.Query(ctx, a.q.describe, arg)
			if err != nil {
				return nil, err
			}
			var ns []Neighbor
			var key, name, kind, props, docs *string
			_, err = pgx.ForEachRow(rows, []any{&key, &name, &kind, &props, &docs}, func() error {
				var n Neighbor
				if err := decodeNullable(key, &n.Key); err != nil {
					return err
				}
				if err := decodeNullable(name, &n.Name); err != nil {
					return err
				}
				if err := decodeNullable(kind, &n.Kind); err != nil {
					return err
				}
				if err := decodeNullable(props, &n.Properties); err != nil {
					return err
				}
				if err := decodeNullable(docs, &n.Documents); err != nil {
					return err
				}
				if n.Documents == nil {
					n.Documents = []string{}
				}
				slices.Sort(n.Documents)
				ns = append(ns, n)
				return nil
			})
			return ns, err
		}
		out, err = neighbors(ctx, keys, depth, next, describe)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("graphstore: %s: %w", a.graph, err)
	}
	return out, nil
}

// Stats counts the graph's entities, documents and relation records.
func (a *AGE) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	if err := a.pool.QueryRow(ctx, a.q.stats).Scan(&s.Entities, &s.Documents, &s.Relations); err != nil {
		return Stats{}, fmt.Errorf("graphstore: %s: %w", a.graph, err)
	}
	return s, nil
}

func exec(ctx context.Context, tx pgx.Tx, sql string, p map[string]any) error {
	arg, err := param(p)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, sql, arg)
	return err
}

// queryStrings runs a statement returning one agtype string column.
func queryStrings(ctx context.Context, tx pgx.Tx, sql string, p map[string]any) ([]string, error) {
	arg, err := param(p)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, sql, arg)
	if err != nil {
		return nil, err
	}
	var out []string
	var raw string
	_, err = pgx.ForEachRow(rows, []any{&raw}, func() error {
		var s string
		if err := decode(raw, &s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// param is the agtype text of a cypher parameter map. It is sent as text
// and parsed by AGE as agtype, which reads JSON.
func param(p map[string]any) (string, error) {
	b, err := json.Marshal(agValue(p))
	if err != nil {
		return "", fmt.Errorf("encoding a cypher parameter: %w", err)
	}
	return string(b), nil
}

// agValue prepares a JSON value for agtype: a number without fraction or
// exponent is an agtype integer (int64), so a float64 that JSON would write
// as a long run of digits is written in exponent form to stay a float.
func agValue(v any) any {
	switch v := v.(type) {
	case float64:
		return agFloat(v)
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = agValue(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = agValue(x)
		}
		return s
	}
	return v
}

type agFloat float64

func (f agFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, errors.New("not a finite number")
	}
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return strconv.AppendInt(nil, int64(x), 10), nil
	}
	b := strconv.AppendFloat(nil, x, 'g', -1, 64)
	if !strings.ContainsAny(string(b), ".e") {
		b = append(b, ".0"...)
	}
	return b, nil
}

// decode reads an agtype value in its text form, which for the scalars,
// lists and maps this package stores is JSON.
func decode(raw string, v any) error {
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return fmt.Errorf("decoding agtype %.80q: %w", raw, err)
	}
	return nil
}

func decodeNullable(raw *string, v any) error {
	if raw == nil {
		return nil
	}
	return decode(*raw, v)
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}
