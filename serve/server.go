package serve

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sync"

	"github.com/langserve-go/langserve/internal/validate"
	"github.com/langserve-go/langserve/playground"
	"github.com/langserve-go/langserve/runnable"
)

// route is one resolved request target: an endpoint, the config hash of a
// /c/{config_hash}/ path, and the file of a playground path.
type route struct {
	ep      Endpoint
	hash    string
	hasHash bool
	file    string
}

// endpoints is the type-erased side of a served runnable, which the
// net/http and echo front ends dispatch to.
type endpoints interface {
	serve(w http.ResponseWriter, r *http.Request, rt route)
	config() *settings
	docs() (*routeDoc, error)
}

// server serves one runnable. It is safe for concurrent use.
type server[I, O any] struct {
	s     *settings
	r     runnable.Runnable[I, O]
	model configModel
	// anyInput is set when I is an interface type: the generically
	// decoded input is the input, no second decoding needed.
	anyInput bool
	play     http.Handler

	inOnce   sync.Once
	inSchema runnable.Schema // the input schema under a config without configurable values
	inErr    error
}

func newServer[I, O any](r runnable.Runnable[I, O], opts *Options) (*server[I, O], error) {
	s, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errNilRunnable
	}
	srv := &server[I, O]{
		s:        s,
		r:        r,
		model:    configModel{keys: s.configKeys, specs: runnable.SpecsOf(r)},
		anyInput: reflect.TypeFor[I]().Kind() == reflect.Interface,
	}
	if s.on(Playground) {
		srv.play = playground.Handler(&playground.Options{
			Type:                   s.playground,
			Title:                  s.playTitle,
			FeedbackEnabled:        s.feedback != nil,
			PublicTraceLinkEnabled: s.traceLinker != nil,
		})
	}
	return srv, nil
}

func (v *server[I, O]) config() *settings { return v.s }

func (v *server[I, O]) serve(w http.ResponseWriter, r *http.Request, rt route) {
	switch rt.ep {
	case Invoke:
		v.invoke(w, r, rt)
	case Batch:
		v.batch(w, r, rt)
	case Stream:
		v.stream(w, r, rt)
	case StreamLog:
		v.streamLog(w, r, rt)
	case StreamEvents:
		v.streamEvents(w, r, rt)
	case InputSchema, OutputSchema, ConfigSchema:
		v.schema(w, r, rt)
	case Playground:
		v.playground(w, r, rt)
	case TokenFeedback:
		v.s.tokenFeedback(w, r)
	case feedbackEndpoint:
		v.s.createFeedback(w, r)
	case traceLinkEndpoint:
		v.s.publicTraceLink(w, r)
	default:
		writeNotFound(w)
	}
}

// hashConfig decodes the route's config hash, if any.
func hashConfig(rt route) (rawConfig, *Error) {
	if !rt.hasHash {
		return nil, nil
	}
	return decodeHash(rt.hash)
}

// request is a validated runnable request: its config and its input.
type request[I any] struct {
	cfg   runnable.Config
	in    I
	input any // the input as plain JSON values, for error details
}

// prepare runs everything that must happen before a run starts for the
// invoke and stream endpoints: body, config pipeline, input validation.
func (v *server[I, O]) prepare(w http.ResponseWriter, r *http.Request, rt route, ep Endpoint, model string) (*envelope, *request[I], *Error) {
	body, e := v.s.readBody(w, r)
	if e != nil {
		return nil, nil, e
	}
	env, e := decodeEnvelope(body, model)
	if e != nil {
		return nil, nil, e
	}
	hashCfg, e := hashConfig(rt)
	if e != nil {
		return nil, nil, e
	}
	rawIn, ok := env.field("input")
	if !ok {
		return nil, nil, env.missing("input")
	}
	bodyCfg, e := env.bodyConfig()
	if e != nil {
		return nil, nil, e
	}
	cfg, e := v.requestConfig(r, body, ep, hashCfg, bodyCfg)
	if e != nil {
		return nil, nil, e
	}
	req, e := v.decodeInput(rawIn, cfg, nil)
	if e != nil {
		return nil, nil, e
	}
	return env, req, nil
}

// requestConfig is the config of one run of a request: the client's
// configs (the hash config, then the body's) validated and merged, then
// the per-request hook and the server's settings.
func (v *server[I, O]) requestConfig(r *http.Request, body []byte, ep Endpoint, hashCfg, bodyCfg rawConfig) (runnable.Config, *Error) {
	cfg, e := v.s.clientConfigs(&v.model, hashCfg, bodyCfg)
	if e != nil {
		return runnable.Config{}, e
	}
	return v.s.finish(r, body, ep, cfg, true)
}

// decodeInput validates raw against the input schema under cfg and decodes
// it into an I. Error locations are prefixed with loc (batch items).
func (v *server[I, O]) decodeInput(raw json.RawMessage, cfg runnable.Config, loc []any) (*request[I], *Error) {
	input := decodeAny(raw)
	sch, err := v.inputSchema(cfg)
	if err != nil {
		if ce := clientError(err, input); ce != nil {
			return nil, ce
		}
		return nil, &Error{Status: http.StatusInternalServerError, Err: err}
	}
	if d := validate.Value(sch, input, loc...); d != nil {
		return nil, validationError(d...)
	}
	req := &request[I]{cfg: cfg, input: input}
	if v.anyInput && input != nil {
		if in, ok := input.(I); ok {
			req.in = in
			return req, nil
		}
	}
	if err := json.Unmarshal(raw, &req.in); err != nil {
		return nil, validationError(validate.DecodeError(err, input, loc...)...)
	}
	return req, nil
}

// inputSchema is the schema inputs are validated against under cfg: the
// override, the runnable's schema for the configurable values of cfg, or
// the cached default.
func (v *server[I, O]) inputSchema(cfg runnable.Config) (runnable.Schema, error) {
	if v.s.inputSchema != nil {
		return v.s.inputSchema, nil
	}
	if len(cfg.Configurable) > 0 && len(v.model.specs) > 0 {
		return runnable.InputSchema(v.r, cfg)
	}
	v.inOnce.Do(func() { v.inSchema, v.inErr = runnable.InputSchema(v.r, runnable.Config{}) })
	return v.inSchema, v.inErr
}

func (v *server[I, O]) outputSchema(cfg runnable.Config) (runnable.Schema, error) {
	if v.s.outputSchema != nil {
		return v.s.outputSchema, nil
	}
	return runnable.OutputSchema(v.r, cfg)
}

func (v *server[I, O]) configSchema() runnable.Schema {
	return runnable.ConfigSchema(v.r, v.s.configKeys)
}
