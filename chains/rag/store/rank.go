package store

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Norm returns the Euclidean length of v, accumulated in float64.
func Norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

// Cosine returns the cosine similarity of a and b, which must have the same
// length and be non-zero.
func Cosine(a, b []float32) float64 {
	var dot float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
	}
	return dot / (Norm(a) * Norm(b))
}

// Better reports whether a ranks before b: higher score first, then smaller
// ID, so that rankings are deterministic even when scores tie.
func Better(a, b ScoredDocument) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.Document.ID < b.Document.ID
}

// SortResults sorts results in ranking order (see [Better]).
func SortResults(results []ScoredDocument) {
	slices.SortFunc(results, func(a, b ScoredDocument) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Document.ID, b.Document.ID)
	})
}
