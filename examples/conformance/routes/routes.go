package routes

import (
	"log/slog"

	"github.com/langserve-go/langserve/serve"
)

// Option configures [New].
type Option func(*settings)

type settings struct {
	logger *slog.Logger
}

// WithLogger sets the logger that receives the routes' failed runs (the
// /fail route fails on every call). The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.logger = l }
}

// New returns an app that serves the nine reference routes the way the
// recorded Python server mounted them: default options everywhere (every
// endpoint, playground on, feedback off, config_keys ["configurable"]),
// except /chatv1, whose /stream_events speaks the v1 event schema, and
// /conflocked, which lets clients set only "tags" in their config.
//
// Each call builds fresh runnables; the app is safe for concurrent use.
func New(opts ...Option) *serve.App {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	app := serve.New()
	add := func(path string, o *serve.Options) *serve.Options {
		if o == nil {
			o = &serve.Options{}
		}
		o.Path = path
		o.Logger = s.logger
		return o
	}
	serve.AddRoutes(app, Echo(), add("/echo", nil))
	serve.AddRoutes(app, Chat(), add("/chat", nil))
	serve.AddRoutes(app, ChatMsg(), add("/chatmsg", nil))
	serve.AddRoutes(app, Chat(), add("/chatv1", &serve.Options{StreamEventsVersion: "v1"}))
	serve.AddRoutes(app, Fail(), add("/fail", nil))
	serve.AddRoutes(app, Typed(), add("/typed", nil))
	serve.AddRoutes(app, Retriever(), add("/retriever", nil))
	serve.AddRoutes(app, Conf(), add("/conf", nil))
	serve.AddRoutes(app, Conf(), add("/conflocked", &serve.Options{ConfigKeys: []string{"tags"}}))
	return app
}
