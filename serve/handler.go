package serve

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable"
)

// NewHandler returns a net/http handler that serves the LangServe routes
// of r under opts.Path: <Path>/invoke, /batch, /stream, /stream_log,
// /stream_events, /input_schema, /output_schema, /config_schema,
// /playground/, /token_feedback, the feedback routes when configured, and
// all of them again under <Path>/c/{config_hash}/. It answers every other
// path below <Path>/ with 404 {"detail":"Not Found"}, and a wrong method
// with 405 {"detail":"Method Not Allowed"} and an Allow header, as
// LangServe (FastAPI) does.
//
// The handler expects the full request path, so mount it without
// stripping the prefix:
//
//	h, err := serve.NewHandler(chain, &serve.Options{Path: "/chat"})
//	mux.Handle("/chat/", h)
//
// It returns an error when opts are invalid (see [Options]).
func NewHandler[I, O any](r runnable.Runnable[I, O], opts *Options) (http.Handler, error) {
	srv, err := newServer(r, opts)
	if err != nil {
		return nil, err
	}
	return &handler{srv: srv}, nil
}

type handler struct{ srv endpoints }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.srv.config()
	rest, ok := strings.CutPrefix(r.URL.Path, s.path+"/")
	if !ok {
		writeNotFound(w)
		return
	}
	rt, methods, ok := resolve(s, rest)
	if !ok {
		// Starlette redirects a path that only lacks or has an extra
		// trailing slash to the one that exists.
		alt := strings.TrimSuffix(rest, "/")
		if alt == rest {
			alt = rest + "/"
		}
		if _, _, found := resolve(s, alt); found && rest != "" {
			redirect(w, r, s.path+"/"+alt)
			return
		}
		writeNotFound(w)
		return
	}
	if rt.ep == "" { // <path>/playground without its slash
		redirect(w, r, r.URL.Path+"/")
		return
	}
	if !slices.Contains(methods, r.Method) {
		writeMethodNotAllowed(w, allowHeader(methods))
		return
	}
	h.srv.serve(w, r, rt)
}

// redirect answers 307 to path, keeping the query string.
func redirect(w http.ResponseWriter, r *http.Request, path string) {
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", path)
	w.WriteHeader(http.StatusTemporaryRedirect)
}

// allowHeader lists methods for an Allow header, leaving out the HEAD that
// every GET route answers implicitly, as Starlette does.
func allowHeader(methods []string) string {
	if slices.Contains(methods, http.MethodGet) {
		methods = slices.DeleteFunc(slices.Clone(methods), func(m string) bool { return m == http.MethodHead })
	}
	return strings.Join(methods, ", ")
}

var (
	postOnly  = []string{http.MethodPost}
	getOnly   = []string{http.MethodGet, http.MethodHead}
	feedbacks = []string{http.MethodPost, http.MethodHead}
	traceLink = []string{http.MethodPut, http.MethodHead}
)

// endpointMethods are the methods of each endpoint's route.
var endpointMethods = map[Endpoint][]string{
	Invoke: postOnly, Batch: postOnly, Stream: postOnly, StreamLog: postOnly, StreamEvents: postOnly,
	InputSchema: getOnly, OutputSchema: getOnly, ConfigSchema: getOnly, Playground: getOnly,
	TokenFeedback: postOnly, feedbackEndpoint: feedbacks, traceLinkEndpoint: traceLink,
}

// hashable are the endpoints that also exist under /c/{config_hash}/.
var hashable = []Endpoint{Invoke, Batch, Stream, StreamLog, StreamEvents, InputSchema, OutputSchema, ConfigSchema, Playground}

// resolve maps the part of a path after "<path>/" to a route and its
// methods. A route with an empty endpoint is the bare "playground"
// directory, which redirects.
func resolve(s *settings, rest string) (route, []string, bool) {
	var rt route
	if after, ok := strings.CutPrefix(rest, "c/"); ok {
		hash, tail, found := strings.Cut(after, "/")
		if !found || hash == "" {
			return route{}, nil, false
		}
		rt.hash, rt.hasHash, rest = hash, true, tail
	}
	if file, ok := strings.CutPrefix(rest, "playground/"); ok {
		rt.ep, rt.file = Playground, file
	} else if rest == "playground" {
		if !s.on(Playground) || rt.hasHash && !s.hashOn(Playground) {
			return route{}, nil, false
		}
		return route{}, getOnly, true
	} else {
		rt.ep = Endpoint(rest)
	}
	methods, known := endpointMethods[rt.ep]
	if !known || !s.on(rt.ep) {
		return route{}, nil, false
	}
	if rt.hasHash && (!slices.Contains(hashable, rt.ep) || !s.hashOn(rt.ep)) {
		return route{}, nil, false
	}
	return rt, methods, true
}

func itoa(n int) string { return strconv.Itoa(n) }

func newRunID() uuid.UUID { return uuid.New() }
