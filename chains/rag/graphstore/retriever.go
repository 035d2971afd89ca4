package graphstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Defaults for [RetrieverOptions].
const (
	// DefaultDepth is how many relations away from the entities a question
	// names the retriever looks.
	DefaultDepth = 1
	// DefaultBoost is the most the graph adds to a chunk's cosine score.
	DefaultBoost = 0.1
	// DefaultDecay is the weight of an entity one relation further away,
	// relative to the nearer one.
	DefaultDecay = 0.5
	// DefaultMinFetchK is the smallest number of vector candidates the
	// retriever re-ranks.
	DefaultMinFetchK = 20
	// MaxMentionWords is the longest entity name, in words, that
	// [MentionKeys] looks for in a question.
	MaxMentionWords = 6
)

// RetrieverOptions configures [NewGraphRetriever]. A nil *RetrieverOptions
// means all defaults.
type RetrieverOptions struct {
	// K is the number of chunks returned. Zero: rag.DefaultK.
	K int
	// FetchK is the number of chunks vector search returns for the graph
	// to re-rank; at least K. Zero: max(4K, DefaultMinFetchK).
	FetchK int
	// Depth is how many relations away from the question's entities the
	// graph is searched, 0 to MaxDepth. Zero: DefaultDepth; negative: only
	// the entities the question names.
	Depth int
	// Boost is the most the graph adds to a chunk's score; positive. Zero:
	// DefaultBoost.
	Boost float64
	// Decay weighs an entity found one relation further away, in (0, 1].
	// Zero: DefaultDecay.
	Decay float64
	// DocumentKey gives the graph document a retrieved chunk belongs to.
	// Nil: the chunk's "parent_id" metadata (set by the splitter, so the
	// graph holds the documents given to rag.Index.Ingest), or its ID when
	// it has none.
	DocumentKey func(schema.Document) string
}

// GraphRetriever retrieves chunks by vector similarity and re-ranks them
// with a knowledge graph (GraphRAG). For a question it
//
//  1. asks the vector index for the FetchK chunks most similar to it;
//  2. looks up the entities the question names ([MentionKeys]) in the
//     graph, with their neighbours up to Depth relations away;
//  3. scores each chunk's document by the entities it mentions. The
//     entities the question names share a weight of 1; those d relations
//     away share Decay^d, in proportion to the relations joining them to
//     the nearer level. Each entity divides its weight among the documents
//     mentioning it, so a rare entity the question names counts most and
//     one that every document mentions hardly at all. A document's graph
//     score is the sum over its entities, capped at 1;
//  4. returns the K chunks with the best cosine score + Boost × graph
//     score, ties broken by ID.
//
// The graph re-ranks what vector search found; it does not add chunks from
// outside the FetchK candidates, whose text only the vector store holds.
// When the question names no entity of the graph the result is the vector
// ranking. If the graph fails, the call fails: silently falling back to
// vector search would hide the outage.
//
// It is a runnable of run type retriever named "GraphRetriever" that does
// not stream (Stream yields the whole list once). Its documents are copies
// of the stored chunks whose metadata adds "score" (the combined score),
// "vector_score", "graph_score" and, when the graph linked the chunk,
// "graph_entities" (the names of the entities that did, sorted).
type GraphRetriever struct {
	*runnable.Invoker[string, []schema.Document]
	idx   *rag.Index
	graph Graph
	o     RetrieverOptions
}

var _ runnable.Runnable[string, []schema.Document] = (*GraphRetriever)(nil)

// NewGraphRetriever returns a retriever over idx and g; see
// [GraphRetriever]. Options out of range are an error.
func NewGraphRetriever(idx *rag.Index, g Graph, opts *RetrieverOptions) (*GraphRetriever, error) {
	if idx == nil {
		return nil, errors.New("graphstore: nil *rag.Index")
	}
	if g == nil {
		return nil, errors.New("graphstore: nil Graph")
	}
	var o RetrieverOptions
	if opts != nil {
		o = *opts
	}
	if o.K == 0 {
		o.K = rag.DefaultK
	}
	if o.FetchK == 0 {
		o.FetchK = max(4*o.K, DefaultMinFetchK)
	}
	switch {
	case o.Depth == 0:
		o.Depth = DefaultDepth
	case o.Depth < 0:
		o.Depth = 0
	}
	if o.Boost == 0 {
		o.Boost = DefaultBoost
	}
	if o.Decay == 0 {
		o.Decay = DefaultDecay
	}
	if o.DocumentKey == nil {
		o.DocumentKey = parentID
	}
	switch {
	case o.K < 1:
		return nil, fmt.Errorf("graphstore: K %d is not positive", o.K)
	case o.FetchK < o.K:
		return nil, fmt.Errorf("graphstore: FetchK %d is below K %d", o.FetchK, o.K)
	case o.Depth > MaxDepth:
		return nil, fmt.Errorf("graphstore: %w: Depth %d, want at most %d", ErrDepth, o.Depth, MaxDepth)
	case !(o.Boost > 0) || math.IsInf(o.Boost, 0):
		return nil, fmt.Errorf("graphstore: Boost %v is not a positive number", o.Boost)
	case !(o.Decay > 0 && o.Decay <= 1):
		return nil, fmt.Errorf("graphstore: Decay %v is not in (0, 1]", o.Decay)
	}
	r := &GraphRetriever{idx: idx, graph: g, o: o}
	info := runnable.Info{Name: "GraphRetriever", Type: runnable.RetrieverRun, Metadata: map[string]any{
		"ls_retriever_name":        "graph",
		"ls_vector_store_provider": typeName(idx.Store()),
		"ls_embedding_provider":    typeName(idx.Embedder()),
		"ls_graph_provider":        typeName(g),
	}}
	r.Invoker = runnable.NewInvoker(info, r.documents)
	return r, nil
}

func parentID(d schema.Document) string {
	if p, ok := d.Metadata["parent_id"].(string); ok && p != "" {
		return p
	}
	return d.ID
}

func typeName(v any) string { return strings.TrimPrefix(fmt.Sprintf("%T", v), "*") }

// Result is one chunk found by [GraphRetriever.Search].
type Result struct {
	// Document is the stored chunk, as the vector store returned it.
	Document schema.Document
	// Score is VectorScore + Boost × GraphScore.
	Score float64
	// VectorScore is the chunk's cosine similarity to the question.
	VectorScore float64
	// GraphScore, in [0, 1], is what the graph said about the chunk's
	// document.
	GraphScore float64
	// Entities are the names of the graph entities that linked the chunk's
	// document to the question, sorted.
	Entities []string
}

// Search returns the best K chunks for question with the parts of their
// scores, best first. Chunks with a cosine score of 0 or less, which share
// nothing with the question, are left out, as rag.Retriever does. An empty
// question is an error (rag.ErrEmptyQuery).
func (r *GraphRetriever) Search(ctx context.Context, question string) ([]Result, error) {
	question = strings.TrimSpace(question)
	if question == "" {
		return nil, rag.ErrEmptyQuery
	}
	var (
		cands []rag.ScoredDocument
		ns    []Neighbor
	)
	// Vector search and graph lookup are independent; run them together.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		cands, err = r.idx.Retrieve(gctx, question, r.o.FetchK)
		return err
	})
	// A very long question names at most MaxKeys candidates: its first.
	if keys := MentionKeys(question); len(keys) > 0 {
		keys = keys[:min(len(keys), MaxKeys)]
		g.Go(func() (err error) {
			ns, err = r.graph.Neighbors(gctx, keys, r.o.Depth)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	type docScore struct {
		score    float64
		entities []string
	}
	// The entities the question names share a weight of 1 equally; those d
	// relations away share Decay^d in proportion to the relations joining
	// them to the level before. An entity passes its weight on in equal
	// parts to the documents mentioning it.
	totals := map[int]int{}
	for _, n := range ns {
		if n.Depth == 0 {
			totals[0]++
		} else {
			totals[n.Depth] += n.Links
		}
	}
	scores := map[string]*docScore{}
	for _, n := range ns {
		if len(n.Documents) == 0 || totals[n.Depth] == 0 {
			continue
		}
		share := 1.0
		if n.Depth > 0 {
			share = math.Pow(r.o.Decay, float64(n.Depth)) * float64(n.Links)
		}
		w := share / float64(totals[n.Depth]) / float64(len(n.Documents))
		for _, d := range n.Documents {
			s := scores[d]
			if s == nil {
				s = &docScore{}
				scores[d] = s
			}
			s.score += w
			s.entities = append(s.entities, n.Name)
		}
	}
	out := make([]Result, 0, len(cands))
	for _, c := range cands {
		if !(c.Score > 0) {
			continue
		}
		res := Result{Document: c.Document, VectorScore: c.Score}
		if s := scores[r.o.DocumentKey(c.Document)]; s != nil {
			res.GraphScore = min(1, s.score)
			res.Entities = slices.Clone(s.entities)
			slices.Sort(res.Entities)
			res.Entities = slices.Compact(res.Entities)
		}
		res.Score = res.VectorScore + r.o.Boost*res.GraphScore
		out = append(out, res)
	}
	slices.SortStableFunc(out, func(a, b Result) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Document.ID, b.Document.ID))
	})
	return out[:min(len(out), r.o.K)], nil
}

// documents is the runnable's function: Search with the scores in metadata.
func (r *GraphRetriever) documents(ctx context.Context, question string) ([]schema.Document, error) {
	res, err := r.Search(ctx, question)
	if err != nil {
		return nil, err
	}
	docs := make([]schema.Document, len(res))
	for i, x := range res {
		md := make(map[string]any, len(x.Document.Metadata)+4)
		for k, v := range x.Document.Metadata {
			md[k] = v
		}
		md["score"] = x.Score
		md["vector_score"] = x.VectorScore
		md["graph_score"] = x.GraphScore
		if len(x.Entities) > 0 {
			es := make([]any, len(x.Entities))
			for j, e := range x.Entities {
				es[j] = e
			}
			md["graph_entities"] = es
		}
		docs[i] = schema.Document{ID: x.Document.ID, PageContent: x.Document.PageContent, Metadata: md}
	}
	return docs, nil
}

// MentionKeys returns the keys of every entity text could name: the [Key]
// of each run of 1 to MaxMentionWords consecutive words, leaving out runs
// made only of stop words. The retriever looks these up in the graph;
// unknown keys cost a lookup and match nothing.
func MentionKeys(text string) []string {
	words := strings.Fields(Key(text))
	seen := map[string]bool{}
	var out []string
	for i := range words {
		for n := 1; n <= MaxMentionWords && i+n <= len(words); n++ {
			run := words[i : i+n]
			if !slices.ContainsFunc(run, func(w string) bool { return !stopWords[w] }) {
				continue
			}
			k := strings.Join(run, " ")
			if len(k) > MaxNameLength {
				break
			}
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}
