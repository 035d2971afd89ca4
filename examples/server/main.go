// Command server is the main example: a translation chain, a RAG chain
// over the project's documentation and a tool-calling agent, served with
// the LangServe protocol so that the Python and JS RemoteRunnable clients
// (and the playgrounds) work with it.
//
//	go run ./examples/server                  # http://127.0.0.1:8000
//	go run ./examples/server -addr :9000
//
// Routes: /translate, /rag and /agent (each with /invoke, /batch,
// /stream, /stream_log, /stream_events, schemas and /playground/),
// POST /rag/documents and GET /rag/jobs/{id} to index more documents,
// /docs, /openapi.json, /health and /metrics (Prometheus).
//
// With no environment it needs no network, database or API key: the
// built-in local model answers (and says so), documents are embedded
// locally and kept in memory. OPENAI_API_KEY or OLLAMA_MODEL select a real
// model and embedder; DATABASE_URL keeps the documents in PostgreSQL with
// pgvector. See package app for the details.
//
// The server stops gracefully on SIGINT or SIGTERM: it stops accepting
// connections and lets running requests finish for at most -grace, then
// cancels the rest.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/langserve-go/langserve/examples/server/app"
	"github.com/langserve-go/langserve/internal/httpserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "address to listen on")
	grace := flag.Duration("grace", 15*time.Second, "how long running requests may take to finish at shutdown")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, *addr, *grace); err != nil {
		log.Error("server failed", "err", err)
		os.Exit(1)
	}
}

// run serves until ctx is cancelled, then shuts down within grace.
func run(ctx context.Context, log *slog.Logger, addr string, grace time.Duration) error {
	startCtx, cancelStart := context.WithTimeout(ctx, 2*time.Minute)
	handler, cleanup, err := app.New(startCtx, &app.Config{Getenv: os.Getenv, Logger: log})
	cancelStart()
	if err != nil {
		return err
	}
	defer cleanup()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Info("serving", "url", "http://"+ln.Addr().String(),
		"routes", "/translate /rag /agent /rag/documents /rag/jobs/{id} /docs /openapi.json /health /metrics")
	err = httpserver.Serve(ctx, ln, handler, &httpserver.Options{Grace: grace, Logger: log})
	if errors.Is(err, httpserver.ErrGraceExceeded) {
		// Serve has warned about the requests it cut off; stopping at the
		// end of the grace period is what -grace asks for.
		return nil
	}
	return err
}
