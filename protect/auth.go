package protect

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// APIKey returns middleware that lets through only requests carrying one of
// keys, as "Authorization: Bearer <key>" or "X-API-Key: <key>" (the header
// LangServe's examples use). Others get 401 with a JSON detail. Keys are
// compared in constant time; an empty key list rejects everything.
func APIKey(keys ...string) func(http.Handler) http.Handler {
	sums := make([][32]byte, len(keys))
	for i, k := range keys {
		sums[i] = sha256.Sum256([]byte(k))
	}
	valid := func(k string) bool {
		if k == "" {
			return false
		}
		sum := sha256.Sum256([]byte(k))
		ok := 0
		for _, s := range sums {
			ok |= subtle.ConstantTimeCompare(sum[:], s[:])
		}
		return ok == 1
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Header.Get("X-API-Key")
			if auth := r.Header.Get("Authorization"); key == "" && len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
				key = strings.TrimSpace(auth[7:])
			}
			if !valid(key) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="langserve"`)
				writeDetail(w, http.StatusUnauthorized, "Missing or invalid API key: send it as Authorization: Bearer <key> or X-API-Key.")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
