package serve

import (
	"embed"
	"net/http"
	"path"
	"strconv"

	"github.com/labstack/echo/v4"
)

//go:embed docs/index.html docs/docs.js docs/docs.css
var docsFS embed.FS

// docsCSP allows the page its own script, style and API calls and nothing
// else: no inline code, no other origins.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

var docsTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
}

// serveDocs serves the interactive API docs: /docs and its two assets.
func serveDocs(c echo.Context) error {
	name := c.Param("file")
	if name == "" {
		name = "index.html"
	}
	b, err := docsFS.ReadFile("docs/" + path.Base(name))
	if err != nil || path.Base(name) != name {
		writeNotFound(c.Response())
		return nil
	}
	h := c.Response().Header()
	h.Set("Content-Type", docsTypes[path.Ext(name)])
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Content-Security-Policy", docsCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method != http.MethodHead {
		c.Response().Write(b)
	}
	return nil
}

// serveOpenAPI serves /openapi.json.
func (a *App) serveOpenAPI(c echo.Context) error {
	b, err := a.OpenAPI()
	if err != nil {
		return err
	}
	writeJSONBytes(c.Response(), http.StatusOK, b)
	return nil
}
