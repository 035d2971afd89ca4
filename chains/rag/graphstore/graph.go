package graphstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits shared by every [Graph] implementation, so that input accepted by
// the in-memory graph is accepted by AGE too.
const (
	// MaxDepth is the largest neighbourhood depth [Graph.Neighbors] accepts.
	MaxDepth = 4
	// MaxIDLength is the longest document ID, in bytes.
	MaxIDLength = 1024
	// MaxNameLength is the longest entity name or key, in bytes.
	MaxNameLength = 256
	// MaxKeys is the most keys one [Graph.Neighbors] call accepts.
	MaxKeys = 10000
	// MaxNeighbors bounds the entities [Graph.Neighbors] adds beyond the
	// keys themselves, so that a hub entity cannot make one question read
	// the whole graph.
	MaxNeighbors = 1000
)

// Errors; they are wrapped with details, so compare with errors.Is.
var (
	// ErrInvalid reports input no graph accepts: an empty or oversized
	// document ID or entity name, text that is not valid UTF-8 or holds NUL
	// bytes, a relation whose ends the document does not mention, or
	// properties that cannot be stored as JSON.
	ErrInvalid = errors.New("graphstore: invalid input")
	// ErrDepth reports a neighbourhood depth outside 0..MaxDepth.
	ErrDepth = errors.New("graphstore: depth out of range")
)

// Graph stores entities, the documents that mention them and the relations
// between them.
//
// Implementations are safe for concurrent use. Every method returns an error
// wrapping ctx.Err() when ctx is done before the work completes.
type Graph interface {
	// Upsert replaces everything document doc contributed to the graph:
	// afterwards doc mentions exactly entities and records exactly
	// relations. Entities are created when new; an existing entity gets the
	// given Name and Kind, and Properties when they are not nil. Relations
	// must join two of the given entities. Upserting the same input twice
	// leaves the graph as it was after the first call. An empty entities
	// list removes the document, as DeleteDocument does. Invalid input fails
	// the whole call before anything is written.
	Upsert(ctx context.Context, doc string, entities []Entity, relations []Relation) error

	// Neighbors returns the entities with the given keys (normalized with
	// [Key]) and every entity at most depth relations away from them,
	// following relations in either direction. Each comes with its distance
	// and the documents that mention it. Depth 0 only looks the keys up.
	// Unknown keys are left out. The result is ordered by depth, then key.
	//
	// At most MaxNeighbors entities are added beyond depth 0: when a level
	// would pass that bound, the entities joined to the level before by the
	// most relations are kept (ties broken by key) and the search stops.
	Neighbors(ctx context.Context, keys []string, depth int) ([]Neighbor, error)

	// DeleteDocument removes what doc contributed: its mentions and its
	// relations, and the entities no other document mentions. Deleting an
	// unknown document does nothing.
	DeleteDocument(ctx context.Context, doc string) error
}

// Entity is something documents name.
type Entity struct {
	// Key identifies the entity. Empty: Key(Name). It is always normalized
	// with [Key] when stored.
	Key string `json:"key"`
	// Name is how the entity is written; empty means the key.
	Name string `json:"name"`
	// Kind says what the entity is ("name", "code", "heading", …). Optional.
	Kind string `json:"kind,omitempty"`
	// Properties are extra JSON values. nil leaves stored properties
	// unchanged; a non-nil map replaces them. Numbers come back as float64,
	// as encoding/json decodes them.
	Properties map[string]any `json:"properties,omitempty"`
}

// Relation joins two entities mentioned by the same document.
type Relation struct {
	// From and To are entity keys (normalized with [Key]). They must differ.
	From string `json:"from"`
	To   string `json:"to"`
	// Type says how they are related ("co_occurs", "in_section", …).
	// Required. A document records one relation per (From, To, Type); the
	// last one given wins.
	Type string `json:"type"`
	// Properties are extra JSON values; nil means none.
	Properties map[string]any `json:"properties,omitempty"`
}

// Neighbor is an entity found by [Graph.Neighbors].
type Neighbor struct {
	Entity
	// Depth is the number of relations between the entity and the nearest
	// of the keys asked for; 0 for the keys themselves.
	Depth int `json:"depth"`
	// Links is the number of relation records joining the entity to the
	// entities one step nearer; 0 at depth 0.
	Links int `json:"links"`
	// Documents are the IDs of the documents mentioning the entity, sorted.
	Documents []string `json:"documents"`
}

// Stats counts what a graph holds: entities, documents that mention
// entities, and relation records (one per document that records it).
type Stats struct {
	Entities, Documents, Relations int
}

// Key normalizes an entity name: its words (runs of letters, digits and
// underscores) in lower case, joined by single spaces. "Apache AGE",
// "apache-age" and "`apache.age`" all have the key "apache age".
func Key(name string) string {
	var b strings.Builder
	word := false
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			if !word && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(unicode.ToLower(r))
			word = true
		} else {
			word = false
		}
	}
	return b.String()
}

// upsert is validated and normalized input to Upsert, the same for every
// implementation.
type upsert struct {
	doc       string
	entities  []Entity // unique keys, sorted by key; Name set; Properties normalized JSON or nil
	relations []Relation
}

// prepareUpsert validates and normalizes Upsert's arguments: keys
// normalized, duplicates merged (the last entity or relation with a key
// wins), properties checked and turned into plain JSON values.
func prepareUpsert(doc string, entities []Entity, relations []Relation) (*upsert, error) {
	if err := validID(doc); err != nil {
		return nil, err
	}
	byKey := make(map[string]Entity, len(entities))
	for i, e := range entities {
		raw := e.Key
		if raw == "" {
			raw = e.Name
		}
		if err := validText("entity key", raw, MaxNameLength); err != nil {
			return nil, fmt.Errorf("entity %d: %w", i, err)
		}
		e.Key = Key(raw)
		if e.Key == "" {
			return nil, fmt.Errorf("%w: entity %d: %q has no letters or digits", ErrInvalid, i, raw)
		}
		if e.Name == "" {
			e.Name = e.Key
		}
		if err := validText("entity name", e.Name, MaxNameLength); err != nil {
			return nil, fmt.Errorf("entity %d: %w", i, err)
		}
		if err := validText("entity kind", e.Kind, MaxNameLength); err != nil {
			return nil, fmt.Errorf("entity %d: %w", i, err)
		}
		props, err := normalizeProps(e.Properties)
		if err != nil {
			return nil, fmt.Errorf("entity %d (%q): %w", i, e.Key, err)
		}
		e.Properties = props
		byKey[e.Key] = e
	}
	type relKey struct{ from, to, typ string }
	byRel := make(map[relKey]Relation, len(relations))
	for i, r := range relations {
		r.From, r.To = Key(r.From), Key(r.To)
		if _, ok := byKey[r.From]; !ok {
			return nil, fmt.Errorf("%w: relation %d: from %q is not among the document's entities", ErrInvalid, i, r.From)
		}
		if _, ok := byKey[r.To]; !ok {
			return nil, fmt.Errorf("%w: relation %d: to %q is not among the document's entities", ErrInvalid, i, r.To)
		}
		if r.From == r.To {
			return nil, fmt.Errorf("%w: relation %d: %q relates to itself", ErrInvalid, i, r.From)
		}
		if r.Type == "" {
			return nil, fmt.Errorf("%w: relation %d: empty type", ErrInvalid, i)
		}
		if err := validText("relation type", r.Type, MaxNameLength); err != nil {
			return nil, fmt.Errorf("relation %d: %w", i, err)
		}
		props, err := normalizeProps(r.Properties)
		if err != nil {
			return nil, fmt.Errorf("relation %d: %w", i, err)
		}
		r.Properties = props
		byRel[relKey{r.From, r.To, r.Type}] = r
	}
	u := &upsert{doc: doc}
	u.entities = slices.SortedFunc(maps.Values(byKey), func(a, b Entity) int { return strings.Compare(a.Key, b.Key) })
	u.relations = slices.SortedFunc(maps.Values(byRel), func(a, b Relation) int {
		return cmp.Or(strings.Compare(a.From, b.From), strings.Compare(a.To, b.To), strings.Compare(a.Type, b.Type))
	})
	return u, nil
}

// prepareKeys validates Neighbors' arguments and returns the distinct
// non-empty normalized keys, sorted.
func prepareKeys(keys []string, depth int) ([]string, error) {
	if depth < 0 || depth > MaxDepth {
		return nil, fmt.Errorf("%w: %d, want 0..%d", ErrDepth, depth, MaxDepth)
	}
	if len(keys) > MaxKeys {
		return nil, fmt.Errorf("%w: %d keys, at most %d", ErrInvalid, len(keys), MaxKeys)
	}
	set := make(map[string]bool, len(keys))
	for _, k := range keys {
		if err := validText("key", k, MaxNameLength); err != nil {
			return nil, err
		}
		if k = Key(k); k != "" {
			set[k] = true
		}
	}
	return slices.Sorted(maps.Keys(set)), nil
}

func validID(doc string) error {
	if doc == "" {
		return fmt.Errorf("%w: empty document ID", ErrInvalid)
	}
	return validText("document ID", doc, MaxIDLength)
}

// validText rejects what PostgreSQL cannot store in text (invalid UTF-8,
// NUL) and oversized values. The in-memory graph applies it too, so that
// input that works in development does not fail in production.
func validText(what, s string, max int) error {
	switch {
	case len(s) > max:
		return fmt.Errorf("%w: %s is %d bytes, at most %d", ErrInvalid, what, len(s), max)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, what)
	case strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("%w: %s contains a NUL byte", ErrInvalid, what)
	}
	return nil
}

// normalizeProps turns properties into the plain JSON values they read back
// as (maps, slices, strings, float64, bools, nil), rejecting what JSON or
// PostgreSQL cannot hold. nil stays nil.
func normalizeProps(p map[string]any) (map[string]any, error) {
	if p == nil {
		return nil, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("%w: properties: %v", ErrInvalid, err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%w: properties: %v", ErrInvalid, err)
	}
	if err := checkJSON(out); err != nil {
		return nil, fmt.Errorf("%w: properties: %v", ErrInvalid, err)
	}
	return out, nil
}

// checkJSON rejects NUL in decoded strings and keys: PostgreSQL refuses the
// \u0000 escape.
func checkJSON(v any) error {
	switch v := v.(type) {
	case string:
		if strings.IndexByte(v, 0) >= 0 {
			return errors.New("a string contains a NUL character")
		}
	case map[string]any:
		for k, x := range v {
			if err := checkJSON(k); err != nil {
				return err
			}
			if err := checkJSON(x); err != nil {
				return err
			}
		}
	case []any:
		for _, x := range v {
			if err := checkJSON(x); err != nil {
				return err
			}
		}
	}
	return nil
}

// cloneJSON deep-copies a plain JSON value, so callers cannot change what a
// graph holds through a returned map.
func cloneJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = cloneJSON(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = cloneJSON(x)
		}
		return s
	}
	return v
}

func cloneProps(p map[string]any) map[string]any {
	if p == nil {
		return nil
	}
	return cloneJSON(p).(map[string]any)
}

// sortNeighbors orders a Neighbors result: by depth, then key.
func sortNeighbors(ns []Neighbor) {
	slices.SortFunc(ns, func(a, b Neighbor) int {
		return cmp.Or(cmp.Compare(a.Depth, b.Depth), strings.Compare(a.Key, b.Key))
	})
}

// neighbors is the breadth-first search behind every Neighbors: keys are
// prepared (see prepareKeys); next returns the entities joined to a frontier
// with the number of relations joining them; describe fills in the entities
// whose depths were found (Key, Name, Kind, Properties, Documents), leaving
// out keys the graph does not hold; neighbors sets Depth and Links.
func neighbors(ctx context.Context, keys []string, depth int,
	next func(ctx context.Context, frontier []string) (map[string]int, error),
	describe func(ctx context.Context, keys []string) ([]Neighbor, error),
) ([]Neighbor, error) {
	if len(keys) == 0 {
		return []Neighbor{}, nil
	}
	depths := make(map[string]int, len(keys))
	linked := map[string]int{}
	for _, k := range keys {
		depths[k] = 0
	}
	frontier, added := keys, 0
	for d := 1; d <= depth && len(frontier) > 0; d++ {
		links, err := next(ctx, frontier)
		if err != nil {
			return nil, err
		}
		var found []string
		for k := range links {
			if _, seen := depths[k]; !seen {
				found = append(found, k)
			}
		}
		// Most strongly joined first, so that the cut keeps them.
		slices.SortFunc(found, func(a, b string) int {
			return cmp.Or(cmp.Compare(links[b], links[a]), strings.Compare(a, b))
		})
		full := added+len(found) > MaxNeighbors
		if full {
			found = found[:MaxNeighbors-added]
		}
		for _, k := range found {
			depths[k] = d
			linked[k] = links[k]
		}
		added += len(found)
		slices.Sort(found)
		frontier = found
		if full {
			break
		}
	}
	ns, err := describe(ctx, slices.Sorted(maps.Keys(depths)))
	if err != nil {
		return nil, err
	}
	for i := range ns {
		ns[i].Depth, ns[i].Links = depths[ns[i].Key], linked[ns[i].Key]
	}
	sortNeighbors(ns)
	return ns, nil
}
