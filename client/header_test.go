package client_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/langserve-go/langserve/client"
)

// A header given with a key that is not in canonical form (as an
// http.Header literal allows) still replaces the client's default.
func TestHeaderKeysInAnyCase(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		io.WriteString(w, `{"output":1}`)
	}))
	defer srv.Close()
	remote, err := client.New[int, int](srv.URL+"/x", &client.Options{HTTPClient: srv.Client(), Header: http.Header{
		"user-agent": {"my-app/1.0"},
		"accept":     {"application/json; charset=utf-8"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Invoke(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	if ua, acc := got.Values("User-Agent"), got.Values("Accept"); !slices.Equal(ua, []string{"my-app/1.0"}) || !slices.Equal(acc, []string{"application/json; charset=utf-8"}) {
		t.Errorf("User-Agent %q, Accept %q", ua, acc)
	}
}
