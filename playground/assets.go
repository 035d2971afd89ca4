package playground

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// The web app is plain ES modules and CSS with no build step, so what is
// embedded here is exactly what is in web/. web/test is not embedded.
//
//go:embed web/index.html web/style.css web/favicon.svg web/js/*.js
var webFS embed.FS

// hashLen is the number of hex digits of SHA-256 in a public asset name:
// 48 bits, far more than enough to tell versions of one file apart.
const hashLen = 12

// asset is one embedded file ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// site is the processed web app: every asset under its content-hashed
// public name ("assets/app-3f2a…​.js"), and the index template.
type site struct {
	assets map[string]*asset  // public name -> asset
	public map[string]string  // source path ("js/app.js") -> public name
	index  *template.Template // web/index.html
}

var contentTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".html": "text/html; charset=utf-8",
}

// importRE finds the relative module specifiers of static imports and
// re-exports: `from "./x.js"` and `import "./x.js"`. The app only imports
// siblings, which keeps the rewrite below a plain name substitution.
var importRE = regexp.MustCompile(`(\bfrom\s*|\bimport\s*)(["'])\./([A-Za-z0-9_-]+\.js)["']`)

// theSite is built once from the embedded files. Every input is compiled
// into the binary, so a failure is a bug in this package that any test
// run catches; it is a panic, like template.Must on an embedded template.
var theSite = mustBuildSite(webFS)

func mustBuildSite(fsys fs.FS) *site {
	s, err := buildSite(fsys)
	if err != nil {
		panic("playground: " + err.Error())
	}
	return s
}

// buildSite hashes every asset. A module's imports are rewritten to the
// hashed names of the modules it imports before it is hashed itself, so a
// change anywhere gives new names to everything that depends on it: the
// whole graph can then be cached as immutable.
func buildSite(fsys fs.FS) (*site, error) {
	web, err := fs.Sub(fsys, "web")
	if err != nil {
		return nil, err
	}
	sources := map[string][]byte{}
	err = fs.WalkDir(web, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "index.html" {
			return err
		}
		b, err := fs.ReadFile(web, p)
		if err != nil {
			return err
		}
		sources[p] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	s := &site{assets: map[string]*asset{}, public: map[string]string{}}
	byBase := map[string]string{} // base name -> source path, to catch clashes
	for p := range sources {
		base := path.Base(p)
		if other, ok := byBase[base]; ok {
			return nil, fmt.Errorf("assets %s and %s have the same base name", other, p)
		}
		byBase[base] = p
		if _, ok := contentTypes[path.Ext(p)]; !ok {
			return nil, fmt.Errorf("asset %s: no content type for %q", p, path.Ext(p))
		}
	}

	const (
		visiting = 1
		done     = 2
	)
	mark := map[string]int{}
	var visit func(p string, chain []string) error
	visit = func(p string, chain []string) error {
		switch mark[p] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("import cycle: %s", strings.Join(append(chain, p), " -> "))
		}
		mark[p] = visiting
		body := sources[p]
		if path.Ext(p) == ".js" {
			var rerr error
			body = importRE.ReplaceAllFunc(body, func(m []byte) []byte {
				sub := importRE.FindSubmatch(m)
				dep := path.Join(path.Dir(p), string(sub[3]))
				if _, ok := sources[dep]; !ok {
					if rerr == nil {
						rerr = fmt.Errorf("%s imports ./%s, which is not embedded", p, sub[3])
					}
					return m
				}
				if err := visit(dep, append(chain, p)); err != nil {
					if rerr == nil {
						rerr = err
					}
					return m
				}
				return []byte(fmt.Sprintf("%s%s./%s%s", sub[1], sub[2], path.Base(s.public[dep]), sub[2]))
			})
			if rerr != nil {
				return rerr
			}
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:hashLen]
		ext := path.Ext(p)
		name := "assets/" + strings.TrimSuffix(path.Base(p), ext) + "-" + hash + ext
		s.public[p] = name
		s.assets[name] = &asset{body: body, contentType: contentTypes[ext], etag: `"` + hash + `"`}
		mark[p] = done
		return nil
	}
	paths := make([]string, 0, len(sources))
	for p := range sources {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := visit(p, nil); err != nil {
			return nil, err
		}
	}

	tmpl, err := template.ParseFS(web, "index.html")
	if err != nil {
		return nil, err
	}
	s.index = tmpl
	return s, nil
}

// assetURL is the page-relative URL of a source file's hashed name. It is
// called from the index template, so an unknown name is an error there.
func (s *site) assetURL(source string) (string, error) {
	name, ok := s.public[source]
	if !ok {
		return "", fmt.Errorf("index.html refers to unknown asset %q", source)
	}
	return name, nil
}
