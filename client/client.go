package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// Options configures a [Remote]. A nil *Options means the zero value.
type Options struct {
	// HTTPClient sends the requests. nil means a client on
	// http.DefaultTransport (30 s to connect, 10 s for the TLS handshake,
	// idle connections kept 90 s) without an overall timeout: an overall
	// http.Client.Timeout would also cut streams that run longer, so bound
	// non-streaming calls with Timeout and every call with ctx. A client
	// given here is used as is, Timeout included.
	HTTPClient *http.Client

	// Header is sent with every request, typically for authentication. It
	// is copied by New. Its values replace the client's defaults
	// (Content-Type, Accept, User-Agent) for the same keys.
	Header http.Header

	// Timeout bounds each non-streaming call (invoke, batch, the schemas),
	// from sending the request to reading the whole answer. Zero means no
	// bound; ctx applies in any case. Streams are bounded by ctx only.
	Timeout time.Duration

	// ForwardEvents makes Stream read /stream_events instead of /stream and
	// replay the runs of the remote chain (its prompt, model, parser…) as
	// runs nested in the local run of the call, so that local handlers, and
	// a serve handler exposing a chain that contains the Remote, see them.
	// It costs more bytes on the wire; the chunks yielded are the same.
	ForwardEvents bool
}

// defaultHTTPClient is shared by every Remote built without an HTTPClient,
// so that they share one connection pool, as http.DefaultClient users do.
// It is never modified.
var defaultHTTPClient = &http.Client{Transport: http.DefaultTransport}

// userAgent goes with every request unless Options.Header sets one; the
// server records it in the run metadata as __useragent.
const userAgent = "langserve-go-client"

// errBodyLimit bounds how much of an error answer is read.
const errBodyLimit = 64 << 10

// Remote is a runnable served over LangServe's HTTP protocol. It
// implements [runnable.Runnable] and [runnable.Describer], and is safe for
// concurrent use. Its schema methods fetch the server's schemas and take a
// ctx, so it is not a [runnable.SchemaProvider]: served again by the serve
// package, a Remote has the schemas of its Go types I and O.
type Remote[I, O any] struct {
	base    *url.URL
	name    string
	http    *http.Client
	header  http.Header
	timeout time.Duration
	forward bool
}

// endpointNames are the last path segments that mark the URL of one
// endpoint rather than the base URL of a runnable.
var endpointNames = []string{
	"invoke", "batch", "stream", "stream_log", "stream_events",
	"input_schema", "output_schema", "config_schema", "playground",
}

// New returns a client for the runnable served at baseURL, the URL the
// routes were mounted under: "http://host:8000/chat", or
// "http://host:8000/chat/c/<config_hash>" to call it with the config of a
// playground share link. The endpoint names are appended to it
// ("…/chat/invoke"); a baseURL that already ends with one, with a query or
// with a fragment is an error.
func New[I, O any](baseURL string, opts *Options) (*Remote[I, O], error) {
	if opts == nil {
		opts = &Options{}
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("client: invalid base URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("client: base URL %q: scheme must be http or https", u.Redacted())
	case u.Opaque != "" || u.Host == "":
		return nil, fmt.Errorf("client: base URL %q has no host", u.Redacted())
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("client: base URL %q has a query; LangServe routes take none", u.Redacted())
	case u.Fragment != "":
		return nil, fmt.Errorf("client: base URL %q has a fragment", u.Redacted())
	case opts.Timeout < 0:
		return nil, fmt.Errorf("client: negative timeout %v", opts.Timeout)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	last := u.Path[strings.LastIndexByte(u.Path, '/')+1:]
	if slices.Contains(endpointNames, last) {
		return nil, fmt.Errorf("client: base URL %q ends with the endpoint %q; pass the URL the runnable is mounted under, without /%s", u.Redacted(), last, last)
	}
	name := u.Path
	if name == "" {
		name = "RemoteRunnable"
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient
	}
	// Canonical keys, so that a "user-agent" of an http.Header literal
	// replaces the default User-Agent instead of going out beside it.
	var header http.Header
	for k, v := range opts.Header {
		if header == nil {
			header = make(http.Header, len(opts.Header))
		}
		k = textproto.CanonicalMIMEHeaderKey(k)
		header[k] = append(header[k], v...)
	}
	return &Remote[I, O]{
		base:    u,
		name:    name,
		http:    hc,
		header:  header,
		timeout: opts.Timeout,
		forward: opts.ForwardEvents,
	}, nil
}

// Describe names the remote runnable after the path of its URL ("/chat");
// its runs have type chain.
func (r *Remote[I, O]) Describe() runnable.Info {
	return runnable.Info{Name: r.name, Type: runnable.ChainRun}
}

// URL returns the base URL of the remote runnable, with any password
// masked.
func (r *Remote[I, O]) URL() string { return r.base.Redacted() }

func (r *Remote[I, O]) endpoint(name string) *url.URL { return r.base.JoinPath(name) }

// send makes one request. body, when not nil, is encoded the way LangServe
// encodes LangChain objects. A non-2xx answer is read, closed and returned
// as an *Error; otherwise the caller owns the response body.
func (r *Remote[I, O]) send(ctx context.Context, method, endpoint string, body any, stream bool) (*http.Response, error) {
	u := r.endpoint(endpoint)
	var rd io.Reader
	if body != nil {
		b, err := schema.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("client: %s %s: encode request: %w", method, u.Redacted(), err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", method, u.Redacted(), err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if stream {
		// As the Python client: some proxies only stream when asked to.
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Cache-Control", "no-store")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("User-Agent", userAgent)
	for k, v := range r.header {
		req.Header[k] = slices.Clone(v)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, fmt.Errorf("client: %w", redactErr(err, u))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		e := errorFrom(resp)
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, fmt.Errorf("client: %s %s: %w", method, u.Redacted(), e)
	}
	if stream {
		ct := resp.Header.Get("Content-Type")
		if mt, _, _ := mime.ParseMediaType(ct); mt != "text/event-stream" {
			resp.Body.Close()
			return nil, fmt.Errorf("client: %s %s: answer is not an event stream (Content-Type %q)", method, u.Redacted(), ct)
		}
	}
	return resp, nil
}

// redactErr masks the password of u in the *url.Error of a failed request.
func redactErr(err error, u *url.URL) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		ue.URL = u.Redacted()
	}
	return err
}

// withTimeout applies Options.Timeout to a non-streaming call.
func (r *Remote[I, O]) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.timeout > 0 {
		return context.WithTimeout(ctx, r.timeout)
	}
	return ctx, func() {}
}

// readErr turns a failure while reading an answer into ctx's cause when
// ctx ended the read.
func readErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}
