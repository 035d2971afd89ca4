package graphstore

import (
	"context"
	"maps"
	"slices"
	"sync"
)

// Memory is a [Graph] held in process: for tests, for small corpora and as
// the reference the AGE graph is checked against (both pass the same
// tests). It is safe for concurrent use; writers hold a lock, readers share
// one.
type Memory struct {
	mu       sync.RWMutex
	entities map[string]*memEntity
	docs     map[string]*memDoc
	// adj counts the relation records joining two entities, in both
	// directions: adj[a][b] == adj[b][a].
	adj map[string]map[string]int
}

type memEntity struct {
	Entity
	docs map[string]bool
}

type memDoc struct {
	keys      []string
	relations []Relation
}

var _ Graph = (*Memory)(nil)

// NewMemory returns an empty in-memory graph.
func NewMemory() *Memory {
	return &Memory{
		entities: map[string]*memEntity{},
		docs:     map[string]*memDoc{},
		adj:      map[string]map[string]int{},
	}
}

// Upsert implements [Graph].
func (m *Memory) Upsert(ctx context.Context, doc string, entities []Entity, relations []Relation) error {
	u, err := prepareUpsert(doc, entities, relations)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.forget(doc)
	if len(u.entities) == 0 {
		m.dropOrphans(old)
		return nil
	}
	d := &memDoc{relations: u.relations}
	for _, e := range u.entities {
		me := m.entities[e.Key]
		if me == nil {
			me = &memEntity{Entity: Entity{Key: e.Key}, docs: map[string]bool{}}
			m.entities[e.Key] = me
		}
		me.Name, me.Kind = e.Name, e.Kind
		if e.Properties != nil {
			me.Properties = e.Properties
		}
		me.docs[doc] = true
		d.keys = append(d.keys, e.Key)
	}
	for _, r := range u.relations {
		m.link(r.From, r.To, 1)
	}
	m.docs[doc] = d
	m.dropOrphans(old)
	return nil
}

// DeleteDocument implements [Graph].
func (m *Memory) DeleteDocument(ctx context.Context, doc string) error {
	if err := validID(doc); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropOrphans(m.forget(doc))
	return nil
}

// Neighbors implements [Graph].
func (m *Memory) Neighbors(ctx context.Context, keys []string, depth int) ([]Neighbor, error) {
	keys, err := prepareKeys(keys, depth)
	if err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	next := func(ctx context.Context, frontier []string) (map[string]int, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		links := map[string]int{}
		for _, a := range frontier {
			for b, n := range m.adj[a] {
				links[b] += n
			}
		}
		return links, nil
	}
	describe := func(ctx context.Context, keys []string) ([]Neighbor, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ns := make([]Neighbor, 0, len(keys))
		for _, k := range keys {
			me := m.entities[k]
			if me == nil {
				continue
			}
			e := me.Entity
			e.Properties = cloneProps(e.Properties)
			ns = append(ns, Neighbor{Entity: e, Documents: slices.Sorted(maps.Keys(me.docs))})
		}
		return ns, nil
	}
	return neighbors(ctx, keys, depth, next, describe)
}

// Stats counts the graph's entities, documents and relation records.
func (m *Memory) Stats(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	s := Stats{Entities: len(m.entities), Documents: len(m.docs)}
	for _, d := range m.docs {
		s.Relations += len(d.relations)
	}
	return s, nil
}

// forget removes doc's mentions and relations and returns the keys it
// mentioned. The caller holds the write lock.
func (m *Memory) forget(doc string) []string {
	d := m.docs[doc]
	if d == nil {
		return nil
	}
	for _, r := range d.relations {
		m.link(r.From, r.To, -1)
	}
	for _, k := range d.keys {
		delete(m.entities[k].docs, doc)
	}
	delete(m.docs, doc)
	return d.keys
}

// dropOrphans deletes the entities among keys that no document mentions.
// Their relations are gone already: a relation lives only as long as the
// document that records it, and that document mentions both ends.
func (m *Memory) dropOrphans(keys []string) {
	for _, k := range keys {
		if me := m.entities[k]; me != nil && len(me.docs) == 0 {
			delete(m.entities, k)
			delete(m.adj, k)
		}
	}
}

func (m *Memory) link(a, b string, n int) {
	for _, p := range [2][2]string{{a, b}, {b, a}} {
		row := m.adj[p[0]]
		if row == nil {
			row = map[string]int{}
			m.adj[p[0]] = row
		}
		row[p[1]] += n
		if row[p[1]] == 0 {
			delete(row, p[1])
		}
		if len(row) == 0 {
			delete(m.adj, p[0])
		}
	}
}
