package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// ValidateVector checks that v has dim components, all finite, not all zero.
// dim <= 0 skips the length check.
func ValidateVector(v []float32, dim int) error {
	if len(v) == 0 {
		return fmt.Errorf("%w: empty", ErrInvalidVector)
	}
	if dim > 0 && len(v) != dim {
		return fmt.Errorf("%w: dimension %d, want %d", ErrInvalidVector, len(v), dim)
	}
	nonZero := false
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("%w: component %d is %v", ErrInvalidVector, i, x)
		}
		if x != 0 {
			nonZero = true
		}
	}
	if !nonZero {
		return fmt.Errorf("%w: zero vector", ErrInvalidVector)
	}
	return nil
}

// ValidateRecords checks every record against the rules all stores share and
// returns the first violation, naming the record by position. dim <= 0 skips
// the dimension check, but all vectors must still have the same length.
//
// PostgreSQL rejects NUL bytes in text and the \u0000 escape in jsonb, so the
// in-memory store rejects them too: a record that works in development must
// not fail in production.
func ValidateRecords(records []Record, dim int) error {
	if dim <= 0 && len(records) > 0 {
		dim = len(records[0].Vector)
	}
	for i, r := range records {
		if err := validText(r.Document.ID); err != nil || r.Document.ID == "" {
			if err == nil {
				err = fmt.Errorf("empty ID")
			}
			return fmt.Errorf("%w: record %d: ID: %v", ErrInvalidRecord, i, err)
		}
		if err := validText(r.Document.PageContent); err != nil {
			return fmt.Errorf("%w: record %d (%q): content: %v", ErrInvalidRecord, i, r.Document.ID, err)
		}
		if _, err := MetadataJSON(r.Document.Metadata); err != nil {
			return fmt.Errorf("%w: record %d (%q): %v", ErrInvalidRecord, i, r.Document.ID, err)
		}
		if err := ValidateVector(r.Vector, dim); err != nil {
			return fmt.Errorf("record %d (%q): %w", i, r.Document.ID, err)
		}
	}
	return nil
}

func validText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("contains a NUL byte")
	}
	return nil
}

// MetadataJSON encodes metadata as a JSON object ("{}" for nil) and rejects
// what PostgreSQL's jsonb cannot hold.
func MetadataJSON(m map[string]any) ([]byte, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("metadata is not JSON-encodable: %v", err)
	}
	if bytes.Contains(b, []byte(`\u0000`)) {
		return nil, fmt.Errorf("metadata contains a NUL character")
	}
	return b, nil
}

// NormalizeMetadata returns a deep copy of m holding only the JSON value
// shapes (map[string]any, []any, string, float64, bool, nil), which is what a
// store that round-trips metadata through JSON gives back. A nil or empty map
// becomes an empty, non-nil map.
func NormalizeMetadata(m map[string]any) (map[string]any, error) {
	b, err := MetadataJSON(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRecord, err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrInvalidRecord, err)
	}
	return out, nil
}

// Dedupe returns records with duplicate IDs removed, keeping the last
// occurrence of each ID, in ascending ID order. Stores that write in one
// statement need it (PostgreSQL refuses to upsert one row twice in a
// statement), and a fixed order keeps concurrent writers from deadlocking.
func Dedupe(records []Record) []Record {
	last := make(map[string]int, len(records))
	for i, r := range records {
		last[r.Document.ID] = i
	}
	out := make([]Record, 0, len(last))
	for i, r := range records {
		if last[r.Document.ID] == i {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Record) int { return strings.Compare(a.Document.ID, b.Document.ID) })
	return out
}
