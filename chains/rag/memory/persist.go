package memory

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/runnable/schema"
)

// fileVersion is bumped when the file layout changes incompatibly.
const fileVersion = 1

// file is the persisted form: JSON, because it is portable, diffable and
// round-trips float32 exactly (encoding/json prints the shortest form that
// parses back to the same float32).
type file struct {
	Version    int          `json:"version"`
	Dimensions int          `json:"dimensions"`
	Records    []fileRecord `json:"records"`
}

type fileRecord struct {
	ID       string         `json:"id"`
	Content  string         `json:"content"`
	Metadata map[string]any `json:"metadata"`
	Vector   []float32      `json:"vector"`
}

// load reads path. A missing file yields no records and no error.
func load(path string) (int, []store.Record, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("memory: %w", err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return 0, nil, fmt.Errorf("memory: %s is not a store file: %w", path, err)
	}
	if f.Version != fileVersion {
		return 0, nil, fmt.Errorf("memory: %s has format version %d, want %d", path, f.Version, fileVersion)
	}
	recs := make([]store.Record, len(f.Records))
	for i, r := range f.Records {
		recs[i] = store.Record{
			Document: schema.Document{ID: r.ID, PageContent: r.Content, Metadata: r.Metadata},
			Vector:   r.Vector,
		}
	}
	return f.Dimensions, recs, nil
}

// persist writes the current contents to s.path unless a concurrent call
// already wrote a state at least as new. So concurrent writers coalesce into
// fewer file writes, and every writer returns only after the file holds its
// change.
func (s *Store) persist() error {
	if s.path == "" {
		return nil
	}
	s.persistMu.Lock()
	defer s.persistMu.Unlock()

	s.mu.RLock()
	gen, dim := s.gen, s.dim
	if gen <= s.saved {
		s.mu.RUnlock()
		return nil
	}
	// Documents are replaced, never modified, so copying the slice headers
	// is enough; vectors are copied because rows move on delete.
	f := file{Version: fileVersion, Dimensions: dim, Records: make([]fileRecord, len(s.docs))}
	for i, d := range s.docs {
		f.Records[i] = fileRecord{ID: d.ID, Content: d.PageContent, Metadata: d.Metadata, Vector: slices.Clone(s.data[i*dim : (i+1)*dim])}
	}
	s.mu.RUnlock()

	slices.SortFunc(f.Records, func(a, b fileRecord) int { return strings.Compare(a.ID, b.ID) })
	if err := writeAtomic(s.path, &f); err != nil {
		return fmt.Errorf("memory: saving %s: %w", s.path, err)
	}
	s.saved = gen
	return nil
}

// writeAtomic writes v as JSON to a temporary file next to path, syncs it and
// renames it over path, then syncs the directory so the rename itself is
// durable.
func writeAtomic(path string, v any) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<16)
	if err = json.NewEncoder(w).Encode(v); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
