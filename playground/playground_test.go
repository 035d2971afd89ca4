package playground

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

const wantCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'none'"

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestIndex(t *testing.T) {
	h := Handler(&Options{Title: "/chat"})
	for _, target := range []string{
		"/playground/",
		"/chat/playground/",
		"/chat/playground/index.html",
		"/chat/playground/?x=1",
		"/a/very/deep/proxy/prefix/chat/playground/",
		"/chat/c/N4XyA/playground/",
		"/chat/c/N4IgLghg5gziBcACA2uApjMIC6BfIA/playground/index.html",
		"/playground/playground/",
	} {
		t.Run(target, func(t *testing.T) {
			rec := get(t, h, http.MethodGet, target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d, want 200; body %q", rec.Code, rec.Body)
			}
			for k, want := range map[string]string{
				"Content-Type":            "text/html; charset=utf-8",
				"Content-Security-Policy": wantCSP,
				"Cache-Control":           "no-cache",
				"X-Content-Type-Options":  "nosniff",
			} {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			body := rec.Body.String()
			for _, want := range []string{
				`<meta name="playground-type" content="default">`,
				`<meta name="playground-title" content="/chat">`,
				`<meta name="playground-feedback" content="false">`,
				`<meta name="playground-public-trace-link" content="false">`,
				`<script type="module" src="assets/app-`,
				`<link rel="stylesheet" href="assets/style-`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q", want)
				}
			}
			if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
				t.Error("index.html has inline script or style, which the CSP forbids")
			}
		})
	}
}

func TestIndexOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts *Options
		want []string
	}{
		{"nil", nil, []string{`name="playground-type" content="default"`, `name="playground-title" content=""`, `<title>Playground</title>`}},
		{"chat with flags", &Options{Type: Chat, Title: "/chat", FeedbackEnabled: true, PublicTraceLinkEnabled: true}, []string{
			`name="playground-type" content="chat"`,
			`name="playground-feedback" content="true"`,
			`name="playground-public-trace-link" content="true"`,
			`<title>/chat · Playground</title>`,
			`chat playground`,
		}},
		{"title is escaped", &Options{Title: `/x"><script>alert(1)</script>`}, []string{
			`content="/x&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`,
			`<span id="route-title">/x&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</span>`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := get(t, Handler(tt.opts), http.MethodGet, "/x/playground/").Body.String()
			for _, want := range tt.want {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q\n%s", want, body)
				}
			}
			if strings.Contains(body, "<script>alert") {
				t.Error("title was not escaped")
			}
		})
	}
}

func TestUnknownTypePanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), `unknown Type "fancy"`) {
			t.Fatalf("recover() = %v, want a panic naming the type", r)
		}
	}()
	Handler(&Options{Type: "fancy"})
}

var assetRef = regexp.MustCompile(`(?:src|href)="(assets/[^"]+)"`)
var importRef = regexp.MustCompile(`from "\./([^"]+)"`)

// TestAssetsResolve follows every reference from index.html, and every
// import from the modules, under a prefix and a config hash, the way a
// browser resolves them.
func TestAssetsResolve(t *testing.T) {
	h := Handler(nil)
	for _, page := range []string{"/p/chat/playground/", "/p/chat/c/N4XyA/playground/index.html"} {
		base, err := url.Parse(page)
		if err != nil {
			t.Fatal(err)
		}
		index := get(t, h, http.MethodGet, page).Body.String()
		queue := []string{}
		for _, m := range assetRef.FindAllStringSubmatch(index, -1) {
			queue = append(queue, base.ResolveReference(&url.URL{Path: m[1]}).Path)
		}
		if len(queue) != 3 {
			t.Fatalf("index.html refers to %d assets, want 3 (icon, style, app): %v", len(queue), queue)
		}
		seen := map[string]bool{}
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			if seen[p] {
				continue
			}
			seen[p] = true
			rec := get(t, h, http.MethodGet, p)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: status %d", p, rec.Code)
			}
			name := path.Base(p)
			m := regexp.MustCompile(`^[a-z]+-([0-9a-f]{12})\.(js|css|svg)$`).FindStringSubmatch(name)
			if m == nil {
				t.Fatalf("asset name %q is not <name>-<12 hex>.<ext>", name)
			}
			sum := sha256.Sum256(rec.Body.Bytes())
			if got := hex.EncodeToString(sum[:])[:hashLen]; got != m[1] {
				t.Errorf("%s: content hash %s does not match its name", name, got)
			}
			wantType := map[string]string{
				"js":  "text/javascript; charset=utf-8",
				"css": "text/css; charset=utf-8",
				"svg": "image/svg+xml",
			}[m[2]]
			for k, want := range map[string]string{
				"Content-Type":           wantType,
				"Cache-Control":          "public, max-age=31536000, immutable",
				"X-Content-Type-Options": "nosniff",
				"ETag":                   `"` + m[1] + `"`,
			} {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s: %s = %q, want %q", name, k, got, want)
				}
			}
			if rec.Header().Get("Content-Security-Policy") != "" {
				t.Errorf("%s: CSP belongs on the HTML only", name)
			}
			dir := path.Dir(p) + "/"
			for _, im := range importRef.FindAllStringSubmatch(rec.Body.String(), -1) {
				queue = append(queue, dir+im[1])
			}
		}
		// Every embedded module is reachable from app.js.
		if want := len(theSite.assets); len(seen) != want {
			t.Errorf("reached %d assets from index.html, site has %d", len(seen), want)
		}
	}
}

func TestNotFound(t *testing.T) {
	h := Handler(nil)
	for _, target := range []string{
		"/chat/playground/nope.js",
		"/chat/playground/assets/app.js", // only hashed names are served
		"/chat/playground/assets/",
		"/chat/playground/js/app.js",
		"/chat/playground/favicon.ico",
		"/chat/",
		"/",
		"/chat/playground/../../etc/passwd",
		"/chat/playground/..%2f..%2fetc%2fpasswd",
		"/chat/playground/%2e%2e/%2e%2e/etc/passwd",
		"/chat/playground/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
		"/chat/playground/assets/..%5c..%5cindex.html",
		"/chat/playground/assets/../index.html",
		"/chat/playground/./index.html",
		"/chat/../playground/",
		"/chat/playground/%252e%252e/index.html",
		"/chat/playground/index.html%00",
		"/chat/playground/assets%2fapp.js",
	} {
		t.Run(target, func(t *testing.T) {
			rec := get(t, h, http.MethodGet, target)
			if rec.Code != http.StatusNotFound {
				t.Fatalf("status %d, want 404", rec.Code)
			}
			if got := rec.Body.String(); got != "Not Found" {
				t.Errorf("body %q, want %q", got, "Not Found")
			}
			if got := rec.Header().Get("Content-Type"); got != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", got)
			}
			if rec.Header().Get("Cache-Control") != "" {
				t.Errorf("a 404 must not be cached as immutable: %q", rec.Header().Get("Cache-Control"))
			}
		})
	}
}

func TestMethods(t *testing.T) {
	h := Handler(nil)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		rec := get(t, h, m, "/chat/playground/")
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d, want 405", m, rec.Code)
		}
		if got := rec.Header().Get("Allow"); got != "GET, HEAD" {
			t.Errorf("%s: Allow %q", m, got)
		}
		if got := rec.Body.String(); got != `{"detail":"Method Not Allowed"}` {
			t.Errorf("%s: body %q", m, got)
		}
	}
}

func TestHead(t *testing.T) {
	h := Handler(nil)
	app := "/x/playground/" + theSite.public["js/app.js"]
	for _, target := range []string{"/x/playground/", app} {
		g := get(t, h, http.MethodGet, target)
		hd := get(t, h, http.MethodHead, target)
		if hd.Code != http.StatusOK {
			t.Fatalf("HEAD %s: status %d", target, hd.Code)
		}
		if hd.Body.Len() != 0 {
			t.Errorf("HEAD %s: %d body bytes", target, hd.Body.Len())
		}
		for _, k := range []string{"Content-Type", "Content-Length", "Cache-Control", "ETag"} {
			if hd.Header().Get(k) != g.Header().Get(k) || g.Header().Get(k) == "" {
				t.Errorf("HEAD %s: %s = %q, GET has %q", target, k, hd.Header().Get(k), g.Header().Get(k))
			}
		}
	}
}

func TestConditionalGet(t *testing.T) {
	h := Handler(nil)
	for _, target := range []string{"/x/playground/", "/x/playground/" + theSite.public["style.css"]} {
		etag := get(t, h, http.MethodGet, target).Header().Get("ETag")
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("If-None-Match", etag)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("%s with If-None-Match %s: status %d, want 304", target, etag, rec.Code)
		}
	}
}

func TestRedirectAddsSlash(t *testing.T) {
	h := Handler(nil)
	for target, want := range map[string]string{
		"/chat/playground":         "playground/",
		"/chat/playground?a=b&c=d": "playground/?a=b&c=d",
		"/chat/c/N4XyA/playground": "playground/",
	} {
		rec := get(t, h, http.MethodGet, target)
		if rec.Code != http.StatusTemporaryRedirect || rec.Header().Get("Location") != want {
			t.Errorf("%s: %d Location %q, want 307 %q", target, rec.Code, rec.Header().Get("Location"), want)
		}
		// The relative Location resolves to the slash form under any prefix.
		u, _ := url.Parse("http://h" + target)
		loc, _ := url.Parse(want)
		if got := u.ResolveReference(loc).Path; got != strings.SplitN(target, "?", 2)[0]+"/" {
			t.Errorf("%s: redirect resolves to %s", target, got)
		}
	}
}

// TestServedUnderMux mounts the handler the way serve does and talks to it
// over a real connection.
func TestServedUnderMux(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("GET /chat/playground/", Handler(&Options{Type: Chat, Title: "/chat"}))
	mux.Handle("GET /chat/c/{hash}/playground/", Handler(&Options{Type: Chat, Title: "/chat"}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, p := range []string{"/chat/playground/", "/chat/c/N4XyA/playground/"} {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), `content="chat"`) {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
		m := assetRef.FindAllStringSubmatch(string(body), -1)
		res, err = http.Get(srv.URL + p + m[len(m)-1][1])
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Errorf("GET %s%s: %d %s", p, m[len(m)-1][1], res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}

func TestBuildSite(t *testing.T) {
	index := &fstest.MapFile{Data: []byte(`<script src="{{.Asset "js/a.js"}}"></script>`)}
	mk := func(files map[string]string) fstest.MapFS {
		fsys := fstest.MapFS{"web/index.html": index}
		for k, v := range files {
			fsys["web/"+k] = &fstest.MapFile{Data: []byte(v)}
		}
		return fsys
	}
	for _, tt := range []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{"cycle", map[string]string{"js/a.js": `import { b } from "./b.js";`, "js/b.js": `import { a } from "./a.js";`}, "import cycle: js/a.js -> js/b.js -> js/a.js"},
		{"missing import", map[string]string{"js/a.js": `import "./gone.js";`}, "js/a.js imports ./gone.js, which is not embedded"},
		{"unknown type", map[string]string{"js/a.js": ``, "data.bin": "x"}, `no content type for ".bin"`},
		{"same base name", map[string]string{"js/a.js": ``, "other/a.js": ``}, "the same base name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildSite(mk(tt.files))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}

	// A change in a leaf module renames every module that imports it.
	names := func(leaf string) map[string]string {
		s, err := buildSite(mk(map[string]string{
			"js/a.js":    `import { b } from "./b.js"; export const a = 1;`,
			"js/b.js":    `import { c } from './c.js'; export const b = 1;`,
			"js/c.js":    leaf,
			"js/solo.js": `export const s = 1;`,
		}))
		if err != nil {
			t.Fatal(err)
		}
		return s.public
	}
	one, two := names("export const c = 1;"), names("export const c = 2;")
	for _, p := range []string{"js/a.js", "js/b.js", "js/c.js"} {
		if one[p] == two[p] {
			t.Errorf("%s kept its name %s after its dependency changed", p, one[p])
		}
	}
	if one["js/solo.js"] != two["js/solo.js"] {
		t.Error("an unrelated module was renamed")
	}
	s, _ := buildSite(mk(map[string]string{"js/a.js": `import { b } from './b.js';`, "js/b.js": `x`}))
	if got, want := string(s.assets[s.public["js/a.js"]].body), `import { b } from './`+path.Base(s.public["js/b.js"])+`';`; got != want {
		t.Errorf("rewritten import %q, want %q", got, want)
	}
}
