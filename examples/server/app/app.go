// Package app wires the example server: a translation chain at /translate,
// the RAG chain at /rag (with an indexing API at /rag/documents and
// /rag/jobs/{id}), a tool-calling agent at /agent, each with its
// playground, plus /docs, /openapi.json, /health and Prometheus metrics at
// /metrics.
//
// Everything has an offline default, so the server runs on a fresh machine
// with no database and no API key: the built-in local chat model (which
// says what it is), the local hashed TF-IDF embedder and an in-memory
// vector store loaded with the bundled documentation corpus. The
// environment switches parts to real services:
//
//   - OPENAI_API_KEY (with OPENAI_BASE_URL, OPENAI_MODEL, …) or
//     OLLAMA_MODEL / OLLAMA_HOST: the chat model and the embedder (see
//     chatmodel.FromEnv and chatmodel.EmbedderFromEnv);
//   - DATABASE_URL: the RAG store becomes a pgvector table (RAG_TABLE,
//     default "langserve_docs") in that PostgreSQL database.
//
// Every answer of the runnable routes carries an X-Langserve-Model header
// naming the model that answered, and every playground's heading says it
// too.
//
// /metrics has the counters and histograms of package observe: requests
// by route, endpoint and status, latencies, streams in flight, runs by
// name and outcome, time to first chunk. Traces are an option of the
// embedding program, which owns the exporter: pass
// observe.Tracer(tracerProvider) in Config.Callbacks.
package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/langserve-go/langserve/chains/agent"
	"github.com/langserve-go/langserve/chains/rag"
	"github.com/langserve-go/langserve/chains/rag/corpus"
	"github.com/langserve-go/langserve/chains/rag/embed"
	"github.com/langserve-go/langserve/chains/rag/httpapi"
	"github.com/langserve-go/langserve/chains/rag/loader"
	"github.com/langserve-go/langserve/chains/rag/memory"
	"github.com/langserve-go/langserve/chains/rag/pgvector"
	"github.com/langserve-go/langserve/chains/rag/store"
	"github.com/langserve-go/langserve/chains/translate"
	"github.com/langserve-go/langserve/observe"
	"github.com/langserve-go/langserve/playground"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/serve"
)

// ModelHeader is the response header that names the model behind the
// runnable routes.
const ModelHeader = "X-Langserve-Model"

// DefaultTable is the pgvector table of the RAG documents.
const DefaultTable = "langserve_docs"

// Config configures [New]. A nil *Config means an empty environment: all
// offline defaults.
type Config struct {
	// Getenv reads the environment (os.Getenv in the server). Nil means no
	// variable is set.
	Getenv func(string) string
	// Logger receives start-up information and failed runs. Nil means
	// slog.Default().
	Logger *slog.Logger
	// Now is the agent's clock. Nil means time.Now.
	Now func() time.Time
	// Callbacks receive the events of every run of the runnable routes,
	// besides the server's metrics: e.g. observe.Tracer(tp) to export a
	// span per run with the caller's OpenTelemetry TracerProvider.
	Callbacks []runnable.Handler
}

// Info describes what a server built by [New] uses.
type Info struct {
	// Model names the chat model: "<model name> (<provider>)".
	Model string
	// Embedder and Store describe the RAG index's parts.
	Embedder, Store string
	// Chunks is the number of chunks the store held after start-up.
	Chunks int
	// Jobs is the indexing queue behind POST /rag/documents, for callers
	// that index documents in process or wait for a job to finish.
	Jobs *rag.Jobs
}

// New builds the server's handler. The returned function releases what the
// handler holds (the indexing workers, the database pool); call it after
// the HTTP server has shut down. ctx bounds the start-up work only
// (connecting to the database, indexing the corpus).
func New(ctx context.Context, cfg *Config) (http.Handler, func(), error) {
	h, _, cleanup, err := Build(ctx, cfg)
	return h, cleanup, err
}

// Build is [New] that also reports what the server uses.
func Build(ctx context.Context, cfg *Config) (http.Handler, Info, func(), error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.Getenv == nil {
		c.Getenv = func(string) string { return "" }
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	env := func(k string) string { return strings.TrimSpace(c.Getenv(k)) }
	var (
		info     Info
		closers  []func()
		released bool
	)
	cleanup := func() {
		if released {
			return
		}
		released = true
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	fail := func(err error) (http.Handler, Info, func(), error) {
		cleanup()
		return nil, Info{}, func() {}, err
	}

	model, provider, err := chatmodel.FromEnv(c.Getenv)
	if err != nil {
		return fail(err)
	}
	if model == nil {
		model, provider = chatmodel.Local(), "local"
	}
	info.Model = modelLabel(model, provider)

	idx, err := buildIndex(ctx, c, env, &info, &closers)
	if err != nil {
		return fail(err)
	}
	jobs, err := rag.NewJobs(idx, nil)
	if err != nil {
		return fail(err)
	}
	info.Jobs = jobs
	closers = append(closers, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := jobs.Close(ctx); err != nil {
			c.Logger.Warn("indexing jobs did not stop", "err", err)
		}
	})
	indexing, err := httpapi.New(jobs, &httpapi.Options{Prefix: "/rag"})
	if err != nil {
		return fail(err)
	}

	ag, err := agent.New(model, []agent.Tool{calculatorTool(), searchTool(idx), clockTool(c.Now)}, &agent.Options{
		Name: "agent",
		SystemPrompt: "You are the langserve-go demo agent. Use the calculator for arithmetic, search_docs for " +
			"questions about langserve-go, and current_time for the date and time. Answer briefly.",
		MaxSteps: 10,
	})
	if err != nil {
		return fail(err)
	}

	registry := prometheus.NewRegistry()
	metrics, err := observe.NewMetrics(registry)
	if err != nil {
		return fail(err)
	}
	callbacks := append([]runnable.Handler{metrics}, c.Callbacks...)

	app := serve.New()
	app.Title = "langserve-go example server"
	// The playgrounds' headings say which model answers.
	title := func(path string) string { return path + " · answered by " + info.Model }

	tr := translate.New(model, nil)
	trSchema, err := runnable.InputSchema(tr, runnable.Config{})
	if err != nil {
		return fail(err)
	}
	serve.AddRoutes(app, tr, &serve.Options{
		Path: "/translate", Logger: c.Logger, Callbacks: callbacks, PlaygroundTitle: title("/translate"),
		InputSchema: notBlank(trSchema, "text"),
	})

	chain := rag.Chain(idx, model, nil)
	ragSchema, err := runnable.InputSchema(chain, runnable.Config{})
	if err != nil {
		return fail(err)
	}
	serve.AddRoutes(app, chain, &serve.Options{
		Path: "/rag", Logger: c.Logger, Callbacks: callbacks, PlaygroundTitle: title("/rag"),
		InputSchema: notBlank(ragSchema, "question"),
	})
	serve.AddRoutes(app, ag.Answer(), &serve.Options{
		Path: "/agent", Logger: c.Logger, Callbacks: callbacks, PlaygroundTitle: title("/agent"),
		PlaygroundType: playground.Chat,
	})

	wrapped := echo.WrapHandler(indexing)
	app.POST("/rag/documents", wrapped)
	app.GET("/rag/jobs/:id", wrapped)
	app.HEAD("/rag/jobs/:id", wrapped)
	app.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(registry, promhttp.HandlerOpts{})))

	app.GET("/health", func(ec echo.Context) error {
		ctx, cancel := context.WithTimeout(ec.Request().Context(), 2*time.Second)
		defer cancel()
		body := map[string]any{"status": "ok", "model": info.Model, "embedder": info.Embedder, "store": info.Store}
		n, err := idx.Store().Count(ctx)
		if err != nil {
			c.Logger.Warn("health check: the vector store does not answer", "err", err)
			body["status"] = "unavailable"
			return ec.JSON(http.StatusServiceUnavailable, body)
		}
		body["chunks"] = n
		return ec.JSON(http.StatusOK, body)
	})
	app.GET("/", func(ec echo.Context) error {
		return ec.JSON(http.StatusOK, map[string]any{
			"model": info.Model,
			"routes": map[string]string{
				"/translate":     "translation chain; playground at /translate/playground/",
				"/rag":           "answers from the indexed documents with sources; playground at /rag/playground/",
				"/agent":         "tool-calling agent (calculator, search_docs, current_time); chat playground at /agent/playground/",
				"/rag/documents": "POST documents to index; poll /rag/jobs/{id}",
				"/docs":          "OpenAPI documentation",
				"/health":        "health check",
				"/metrics":       "Prometheus metrics",
			},
		})
	})

	c.Logger.Info("example server ready", "model", info.Model, "embedder", info.Embedder,
		"store", info.Store, "chunks", info.Chunks)
	return metrics.Middleware(modelHeader(app, info.Model)), info, cleanup, nil
}

// buildIndex opens the store the environment selects and indexes the
// bundled corpus into it. Indexing is idempotent (chunk IDs are stable), so
// a persistent store is simply refreshed on every start.
func buildIndex(ctx context.Context, c Config, env func(string) string, info *Info, closers *[]func()) (*rag.Index, error) {
	docs, err := loader.Dir(corpus.FS(), ".")
	if err != nil {
		return nil, err
	}
	emb, embProvider, err := chatmodel.EmbedderFromEnv(c.Getenv)
	if err != nil {
		return nil, err
	}
	var (
		embedder embed.Embedder // nil: rag.Build fits a local embedder to the corpus
		dims     = embed.DefaultLocalDimensions
	)
	info.Embedder = fmt.Sprintf("local hashed TF-IDF, %d dimensions", dims)
	if emb != nil {
		// One probe tells the vector length, which a pgvector table needs,
		// and shows a misconfigured provider at start-up instead of at the
		// first question.
		v, err := emb.EmbedQuery(ctx, "dimension probe")
		if err != nil {
			return nil, fmt.Errorf("app: the %s embedder does not answer: %w", embProvider, err)
		}
		if len(v) == 0 {
			return nil, fmt.Errorf("app: the %s embedder returned an empty vector", embProvider)
		}
		dims = len(v)
		embedder = embed.NewBatcher(emb, nil)
		info.Embedder = fmt.Sprintf("%s, %d dimensions", embProvider, dims)
	}

	var st store.Store
	if url := env("DATABASE_URL"); url != "" {
		table := env("RAG_TABLE")
		if table == "" {
			table = DefaultTable
		}
		pg, err := pgvector.Open(ctx, url, &pgvector.Options{Table: table, Dimensions: dims})
		if err != nil {
			return nil, fmt.Errorf("app: DATABASE_URL: %w", err)
		}
		*closers = append(*closers, pg.Close)
		st = pg
		info.Store = "pgvector table " + table
	} else {
		st = memory.New(nil)
		info.Store = "memory"
	}

	start := time.Now()
	idx, err := rag.Build(ctx, docs, &rag.Options{Embedder: embedder, Store: st})
	if err != nil {
		return nil, fmt.Errorf("app: indexing the corpus: %w", err)
	}
	if info.Chunks, err = st.Count(ctx); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	c.Logger.Info("indexed the bundled corpus", "documents", len(docs), "chunks", info.Chunks,
		"took", time.Since(start).Round(time.Millisecond))
	return idx, nil
}

// modelLabel names a chat model for people: "<model name> (<provider>)".
func modelLabel(m *chatmodel.Model, provider chatmodel.Provider) string {
	info := m.Describe()
	name, _ := info.Metadata["ls_model_name"].(string)
	if name == "" {
		name = info.Name
	}
	if provider == "local" {
		return name + " (built-in local model, not an LLM)"
	}
	return name + " (" + string(provider) + ")"
}

// modelHeader adds ModelHeader to every answer of the runnable routes.
func modelHeader(next http.Handler, model string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range []string{"/translate/", "/rag/", "/agent/"} {
			if strings.HasPrefix(r.URL.Path, p) {
				w.Header().Set(ModelHeader, model)
				break
			}
		}
		next.ServeHTTP(w, r)
	})
}

// notBlank returns a copy of an object schema whose string property prop
// must hold a character that is not white space: a JSON Schema pattern,
// so that serve's validation answers a blank text with a 422
// (string_pattern_mismatch) before the chain runs, and clients see the
// rule in the input schema.
func notBlank(s runnable.Schema, prop string) runnable.Schema {
	out, err := cloneJSON(s)
	if err != nil {
		return s // not JSON: serve's options check reports it
	}
	props, _ := out["properties"].(map[string]any)
	if p, _ := props[prop].(map[string]any); p != nil {
		p["pattern"] = `\S`
	}
	return out
}

// cloneJSON deep-copies a schema, so that the chain's own stays as it is.
func cloneJSON(s runnable.Schema) (runnable.Schema, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var out runnable.Schema
	err = json.Unmarshal(b, &out)
	return out, err
}
