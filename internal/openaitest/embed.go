package openaitest

import (
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"strings"
	"unicode"
)

// Embed returns the vector the server gives text: each lower-cased word
// (a run of letters and digits) adds ±1 to a dimension chosen by its FNV
// hash, and the sum is scaled to length 1. Texts sharing words therefore
// have a positive cosine similarity, and a text always gets the same vector.
// A text without words gets the first unit vector. dims must be positive.
func Embed(text string, dims int) []float32 {
	v := make([]float64, dims)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		h := fnv.New64a()
		h.Write([]byte(w))
		sum := h.Sum64()
		sign := 1.0
		if sum>>63 == 1 {
			sign = -1
		}
		v[sum%uint64(dims)] += sign
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, dims)
	if norm == 0 {
		out[0] = 1
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

// maxDims bounds the dimensions a request may ask for.
const maxDims = 1 << 16

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	body, ok := s.read(w, r)
	if !ok {
		return
	}
	model, _ := body["model"].(string)
	if model == "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", `"model" (a string) is required`)
		return
	}
	if f, ok := body["encoding_format"]; ok && f != nil && f != "float" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", fmt.Sprintf("openaitest: encoding_format %v is not supported (only float)", f))
		return
	}
	var inputs []string
	switch in := body["input"].(type) {
	case string:
		inputs = []string{in}
	case []any:
		for i, x := range in {
			s, ok := x.(string)
			if !ok {
				writeError(w, http.StatusBadRequest, "invalid_request_error", fmt.Sprintf("openaitest: input[%d] must be a string (token arrays are not supported)", i))
				return
			}
			inputs = append(inputs, s)
		}
	}
	if len(inputs) == 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", `"input" must be a string or a non-empty list of strings`)
		return
	}
	dims := s.dims
	if d, ok := body["dimensions"].(float64); ok {
		if d < 1 || d > maxDims || d != math.Trunc(d) {
			writeError(w, http.StatusBadRequest, "invalid_request_error", fmt.Sprintf("openaitest: dimensions must be an integer from 1 to %d, got %v", maxDims, d))
			return
		}
		dims = int(d)
	}
	data := make([]any, len(inputs))
	tokens := 0
	for i, text := range inputs {
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": Embed(text, dims)}
		tokens += len(strings.Fields(text))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"object": "list", "data": data, "model": model,
		"usage": map[string]any{"prompt_tokens": tokens, "total_tokens": tokens},
	})
}
