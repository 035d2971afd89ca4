package playground

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Type selects the playground app.
type Type string

const (
	// Default is the general playground: forms generated from the
	// runnable's input and config schemas, streaming output and
	// intermediate steps.
	Default Type = "default"
	// Chat is the chat playground, for runnables whose input is a list of
	// messages (LangServe's playground_type="chat").
	Chat Type = "chat"
)

// Options configures [Handler]. A nil *Options means the zero value.
type Options struct {
	// Type is the app to serve. The zero value means Default.
	Type Type
	// Title is shown in the page, normally the route path ("/chat").
	// Empty means the page shows the API path it derives from its URL.
	Title string
	// FeedbackEnabled shows thumbs up/down after a run, which POST to
	// <base>/feedback. Set it only when that endpoint exists.
	FeedbackEnabled bool
	// PublicTraceLinkEnabled shows a button that PUTs
	// <base>/public_trace_link for a run.
	PublicTraceLinkEnabled bool
}

// contentSecurityPolicy allows nothing but this origin's own scripts,
// styles and API; the app has no inline script or style for it to allow.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'self'; form-action 'none'"

const (
	immutable = "public, max-age=31536000, immutable"
	segment   = "/playground/"
)

type handler struct {
	index *asset
}

// Handler serves the playground files. It takes the file name from the
// part of r.URL.Path after the last "/playground/" segment ("" serves
// index.html), so it works under any route prefix and behind a proxy that
// adds one; the page derives the API base from its own URL the same way.
//
// index.html is rendered once here, with the options in <meta> tags, and
// is served with "Cache-Control: no-cache" and a strict
// Content-Security-Policy. The scripts and styles it references have
// content-hashed names ("assets/app-<hash>.js") and are served as
// immutable. Unknown files and any path containing a ".." segment (plain
// or percent-encoded) get 404 "Not Found"; methods other than GET and
// HEAD get 405.
//
// Handler panics if opts.Type is not Default, Chat or empty: that is a
// programming error, reported when the route is registered rather than as
// a broken page later.
func Handler(opts *Options) http.Handler {
	var o Options
	if opts != nil {
		o = *opts
	}
	switch o.Type {
	case "":
		o.Type = Default
	case Default, Chat:
	default:
		panic(fmt.Sprintf("playground: unknown Type %q (want %q or %q)", o.Type, Default, Chat))
	}
	var buf bytes.Buffer
	err := theSite.index.Execute(&buf, indexData{Options: o, site: theSite})
	if err != nil {
		// Only a broken embedded template can fail here; see mustBuildSite.
		panic("playground: rendering index.html: " + err.Error())
	}
	sum := sha256.Sum256(buf.Bytes())
	return &handler{index: &asset{
		body:        buf.Bytes(),
		contentType: contentTypes[".html"],
		etag:        `"` + hex.EncodeToString(sum[:])[:hashLen] + `"`,
	}}
}

// indexData is what index.html sees.
type indexData struct {
	Options
	site *site
}

func (d indexData) Feedback() string        { return strconv.FormatBool(d.FeedbackEnabled) }
func (d indexData) PublicTraceLink() string { return strconv.FormatBool(d.PublicTraceLinkEnabled) }

// Asset returns the page-relative URL of an embedded file's hashed name.
func (d indexData) Asset(source string) (string, error) { return d.site.assetURL(source) }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		hdr.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusMethodNotAllowed)
		io.WriteString(w, `{"detail":"Method Not Allowed"}`)
		return
	}
	if traversal(r) {
		notFound(w)
		return
	}
	p := r.URL.Path
	i := strings.LastIndex(p, segment)
	if i < 0 {
		if strings.HasSuffix(p, "/playground") {
			// ".../playground" -> ".../playground/". The relative
			// Location keeps a proxy's path prefix intact.
			target := "playground/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			hdr.Set("Location", target)
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		notFound(w)
		return
	}
	name := p[i+len(segment):]
	switch name {
	case "", "index.html":
		hdr.Set("Content-Security-Policy", contentSecurityPolicy)
		hdr.Set("Referrer-Policy", "same-origin")
		hdr.Set("Cache-Control", "no-cache")
		serve(w, r, h.index)
		return
	}
	a, ok := theSite.assets[name]
	if !ok {
		notFound(w)
		return
	}
	hdr.Set("Cache-Control", immutable)
	serve(w, r, a)
}

// traversal reports a ".." or "." segment anywhere in the path, in its
// decoded or its raw form, and encoded slashes or backslashes, which only
// a traversal attempt would send. The handler serves from an in-memory
// table and so could not leak a file anyway; refusing these outright
// keeps it from ever being a path oracle for whatever sits in front of it.
func traversal(r *http.Request) bool {
	for _, p := range []string{r.URL.Path, r.URL.RawPath} {
		if strings.ContainsAny(p, "\\\x00") {
			return true
		}
		for seg := range strings.SplitSeq(p, "/") {
			if seg == ".." || seg == "." {
				return true
			}
		}
	}
	raw := strings.ToLower(r.URL.RawPath)
	return strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") || strings.Contains(raw, "%2e")
}

func serve(w http.ResponseWriter, r *http.Request, a *asset) {
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("ETag", a.etag)
	// ServeContent answers HEAD, If-None-Match and Range for us. A zero
	// modtime leaves Last-Modified out: the ETag is the validator.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

func notFound(w http.ResponseWriter) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, "Not Found")
}
