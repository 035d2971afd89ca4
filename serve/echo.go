package serve

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"github.com/langserve-go/langserve/runnable"
)

// Echo stays at the edge of this package: the protocol lives in the
// net/http handler, and this file only registers its routes. The echo API
// used here (Add, Param, Request, Response, Group) is the part that echo v5
// keeps, so moving to v5 changes this file alone.

// Router is where AddRoutes registers routes: *echo.Echo, *echo.Group and
// *App satisfy it.
type Router interface {
	Add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// An App learns about the routes AddRoutes registers on it, directly or
// through any echo group of it, from echo's OnAddRouteHandler hook:
// AddRoutes announces its routes in pending while it registers them, and
// the App whose hook sees the first of them claims the documentation.
var (
	addMu   sync.Mutex // one AddRoutes at a time
	pending atomic.Pointer[pendingDocs]
)

type pendingDocs struct {
	path string // the path (without group prefix) of the first route
	app  atomic.Pointer[App]
}

// AddRoutes registers the LangServe routes of r under opts.Path on app, as
// LangServe's add_routes does: one echo route per endpoint and method, each
// again under <Path>/c/:config_hash/, all served by the same handler as
// [NewHandler]. Disabled endpoints are not registered, so echo answers them
// with 404 and a wrong method with 405 (with [New]'s error handler, in
// FastAPI's {"detail": …} shape).
//
// When app is an *App or an echo group of one, the routes also appear in
// the app's OpenAPI document. The run name of the runs is the full path,
// group prefix included.
//
// Like http.ServeMux.Handle, AddRoutes panics on invalid options and when
// the path is already served on the same *App: those are programming
// errors, found at start-up.
func AddRoutes[I, O any](app Router, r runnable.Runnable[I, O], opts *Options) {
	srv, err := newServer(r, opts)
	if err != nil {
		panic(err)
	}
	if err := addRoutes(app, srv); err != nil {
		panic(err)
	}
}

func addRoutes(app Router, srv endpoints) error {
	s := srv.config()
	addMu.Lock()
	defer addMu.Unlock()
	announce := &pendingDocs{}
	pending.Store(announce)
	defer pending.Store(nil)

	var (
		fullPath   string // prefix of app + Path
		registered bool
	)
	add := func(method, path string, h echo.HandlerFunc) {
		if !registered {
			announce.path = s.path + path
		}
		er := app.Add(method, s.path+path, h)
		if !registered {
			registered = true
			fullPath = strings.TrimSuffix(er.Path, path)
			// LangServe names runs after the full path, router prefix
			// included.
			s.runName = fullPath
		}
	}
	handle := func(rt route) echo.HandlerFunc {
		return func(c echo.Context) error {
			rt := rt
			if rt.hasHash {
				rt.hash = c.Param("config_hash")
				// echo matches escaped paths as they came; the hash
				// alphabet needs no escaping, but clients may escape + or $.
				if h, err := url.PathUnescape(rt.hash); err == nil {
					rt.hash = h
				}
			}
			srv.serve(c.Response(), c.Request(), rt)
			return nil
		}
	}
	redirectSlash := func(c echo.Context) error {
		redirect(c.Response(), c.Request(), c.Request().URL.Path+"/")
		return nil
	}
	for _, ep := range allEndpoints {
		if ep == ConfigHashes || !s.on(ep) {
			continue
		}
		variants := []route{{ep: ep}}
		if isHashable(ep) && s.hashOn(ep) {
			variants = append(variants, route{ep: ep, hasHash: true})
		}
		for _, rt := range variants {
			base := "/"
			if rt.hasHash {
				base = "/c/:config_hash/"
			}
			for _, m := range endpointMethods[ep] {
				if ep == Playground {
					add(m, base+"playground/*", handle(rt))
					add(m, base+"playground", redirectSlash)
					continue
				}
				add(m, base+string(ep), handle(rt))
			}
		}
	}
	a := announce.app.Load()
	if a == nil || !registered {
		return nil
	}
	d, err := srv.docs()
	if err != nil {
		return err
	}
	return a.registerDocs(strings.TrimSuffix(fullPath, s.path), d)
}

// onAddRoute is the App's OnAddRouteHandler: it claims the routes that
// AddRoutes is registering.
func (a *App) onAddRoute(_ string, r echo.Route, _ echo.HandlerFunc, _ []echo.MiddlewareFunc) {
	if p := pending.Load(); p != nil && p.path != "" && strings.HasSuffix(r.Path, p.path) {
		p.app.CompareAndSwap(nil, a)
	}
}

func isHashable(ep Endpoint) bool {
	for _, e := range hashable {
		if e == ep {
			return true
		}
	}
	return false
}

// App is an echo server set up the way a LangServe (FastAPI) app behaves:
// errors as JSON {"detail": …} (404 "Not Found", 405 "Method Not Allowed"
// with an Allow header), a plain-text 500 for unhandled errors, an OpenAPI
// 3.1 document of every runnable added with [AddRoutes] at /openapi.json,
// and interactive API docs at /docs. It adds no compression: SSE responses
// must reach clients unbuffered.
type App struct {
	*echo.Echo

	// Title and Version go into the OpenAPI document's info; change them
	// before serving.
	Title, Version string

	mu     sync.Mutex
	routes []*mountedDoc
	paths  map[string]bool
	doc    []byte // the rendered document, until routes change
	docKey string // the title and version doc was rendered with
}

// New returns an App with /openapi.json and /docs. The App uses echo's
// OnAddRouteHandler hook to see the routes of AddRoutes; replacing it
// leaves later routes out of the OpenAPI document.
func New() *App {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	a := &App{Echo: e, Title: "LangServe", Version: "1.0", paths: map[string]bool{}}
	e.HTTPErrorHandler = errorHandler
	e.OnAddRouteHandler = a.onAddRoute
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		e.Add(m, "/openapi.json", a.serveOpenAPI)
		e.Add(m, "/docs", serveDocs)
		e.Add(m, "/docs/:file", serveDocs)
	}
	return a
}

// errorHandler answers errors in FastAPI's shapes.
func errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	if !errors.As(err, &he) || he.Code >= 500 {
		if c.Request().Method == http.MethodHead {
			c.NoContent(http.StatusInternalServerError)
			return
		}
		writeInternal(c.Response())
		return
	}
	if he.Code == http.StatusMethodNotAllowed {
		// echo lists OPTIONS (which it answers itself) and HEAD; FastAPI
		// lists the route's own methods.
		h := c.Response().Header()
		var methods []string
		for _, m := range strings.Split(h.Get("Allow"), ",") {
			if m = strings.TrimSpace(m); m != "" && m != http.MethodOptions {
				methods = append(methods, m)
			}
		}
		h.Set("Allow", allowHeader(methods))
	}
	detail := http.StatusText(he.Code)
	if msg, ok := he.Message.(string); ok && msg != "" {
		detail = msg
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(he.Code)
		return
	}
	writeDetail(c.Response(), he.Code, detail)
}

func (a *App) registerDocs(prefix string, d *routeDoc) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	full := prefix + d.path
	if a.paths[full] {
		return fmt.Errorf("serve: a runnable is already served at %q", full)
	}
	a.paths[full] = true
	a.routes = append(a.routes, &mountedDoc{prefix: prefix, doc: d})
	a.doc = nil
	return nil
}
