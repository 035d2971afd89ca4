// Package graphstore is the knowledge graph behind GraphRAG retrieval: a
// small [Graph] interface, an implementation on Apache AGE ([AGE],
// openCypher inside PostgreSQL) and one in memory ([Memory]), deterministic
// entity extraction from documents ([Extract], [IndexDocuments]) and a
// retriever that combines the graph with the vector index of chains/rag
// ([GraphRetriever]).
//
// # Model
//
// The graph holds entities (things documents name: "Apache AGE",
// `rag.Index`, the heading "Retries"), the documents that mention them, and
// relations between entities, each recorded by the document it came from.
// A document's contribution is replaced as a whole by [Graph.Upsert] and
// removed by [Graph.DeleteDocument], so indexing the same document twice is
// harmless and an entity lives exactly as long as some document mentions it.
//
// Entities are identified by their key, [Key] of their name: lower-case
// words joined by single spaces, so "Apache AGE", "apache  age" and
// "Apache-AGE" are one entity.
//
// # Use
//
// Index the same documents into the vector index and the graph, then
// retrieve through both:
//
//	docs, _ := loader.Dir(corpus.FS(), ".")
//	ix, _ := rag.Build(ctx, docs, nil)
//	g, _ := graphstore.Open(ctx, dsn, nil) // or graphstore.NewMemory()
//	defer g.Close()
//	graphstore.IndexDocuments(ctx, g, docs)
//	r, _ := graphstore.NewGraphRetriever(ix, g, nil)
//	chunks, _ := r.Invoke(ctx, "Does the 500 response show the Go error message?")
//
// The retriever is a runnable of run type retriever with rag.Retriever's
// input and output, so it composes into chains where that one does and can
// be served on its own with serve.AddRoutes (see TestServe).
//
// # Apache AGE
//
// [Open] creates the age extension when it is missing, which takes a role
// allowed to (AGE is not a trusted extension), and loads it into every
// pooled session; a role that may not LOAD libraries needs AGE in
// session_preload_libraries instead. AGE's openCypher has rough edges that
// shaped the queries, noted where they are written: MERGE with properties
// from an UNWIND variable loses properties and duplicates vertices,
// undirected patterns are planned as a join against every vertex, and JIT
// compilation of its large cost estimates costs more than the queries.
package graphstore
