// Package httpserver runs the example commands' HTTP servers: serve until
// a context ends (SIGINT or SIGTERM in a main), then shut down gracefully.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// DefaultGrace is the grace period of a nil or zero [Options].
const DefaultGrace = 10 * time.Second

// ErrGraceExceeded is wrapped by the error [Serve] returns when requests
// were still running at the end of the grace period and had to be cut off.
var ErrGraceExceeded = errors.New("requests still running after the grace period were cancelled")

// Options configures [Serve]. A nil *Options uses the defaults.
type Options struct {
	// Grace is how long running requests may take to finish once ctx is
	// done; zero means DefaultGrace.
	Grace time.Duration
	// Logger receives the shutdown messages and the server's own errors
	// (at warning level); nil means slog.Default().
	Logger *slog.Logger
}

// Serve serves h on ln until ctx is done, then shuts down: it stops
// accepting connections and lets running requests finish for at most the
// grace period. Requests still running then have their contexts cancelled
// and their connections closed, and the returned error wraps
// [ErrGraceExceeded]. Serve returns nil after a graceful shutdown, and the
// error that stopped serving when that happened first. Serve closes ln.
//
// Request contexts do not derive from ctx: they end at the close of the
// grace period, so that a signal lets running streams finish.
//
// The server has no ReadTimeout or WriteTimeout, which would cut off long
// streams and large uploads (handlers bound request bodies themselves); it
// bounds the time to read request headers (10s) and idle keep-alive
// connections (2m).
func Serve(ctx context.Context, ln net.Listener, h http.Handler, opts *Options) error {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Grace == 0 {
		o.Grace = DefaultGrace
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}

	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	o.Logger.Info("shutting down", "grace", o.Grace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), o.Grace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		o.Logger.Warn("requests still running after the grace period; cancelling them")
		cancelBase()
		err = errors.Join(fmt.Errorf("httpserver: %w (grace %v)", ErrGraceExceeded, o.Grace), srv.Close())
	case err != nil:
		err = fmt.Errorf("httpserver: shutdown: %w", err)
	}
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	if err == nil {
		o.Logger.Info("stopped")
	}
	return err
}
