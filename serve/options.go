package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/playground"
	"github.com/langserve-go/langserve/runnable"
)

// Endpoint names a group of routes that can be switched on or off, with
// LangServe's names for enabled_endpoints / disabled_endpoints.
type Endpoint string

// The endpoints of a route. ConfigHashes stands for every
// /c/{config_hash}/… variant. The names "feedback" and "public_trace_link"
// are accepted in Enabled and Disabled, as LangServe accepts them, but have
// no effect there: those routes exist exactly when Options.Feedback and
// Options.PublicTraceLink are set.
const (
	Invoke        Endpoint = "invoke"
	Batch         Endpoint = "batch"
	Stream        Endpoint = "stream"
	StreamLog     Endpoint = "stream_log"
	StreamEvents  Endpoint = "stream_events"
	InputSchema   Endpoint = "input_schema"
	OutputSchema  Endpoint = "output_schema"
	ConfigSchema  Endpoint = "config_schema"
	Playground    Endpoint = "playground"
	ConfigHashes  Endpoint = "config_hashes"
	TokenFeedback Endpoint = "token_feedback"

	feedbackEndpoint  Endpoint = "feedback"
	traceLinkEndpoint Endpoint = "public_trace_link"
)

var allEndpoints = []Endpoint{
	Invoke, Batch, Stream, StreamLog, StreamEvents, InputSchema, OutputSchema,
	ConfigSchema, Playground, ConfigHashes, TokenFeedback, feedbackEndpoint, traceLinkEndpoint,
}

// LangServeVersion is the LangServe release whose wire protocol this package
// speaks. Runs see it as the metadata key __langserve_version.
const LangServeVersion = "0.3.3"

// DefaultMaxBodyBytes is the request body limit when Options.MaxBodyBytes
// is zero.
const DefaultMaxBodyBytes = 10 << 20

// The RunnableConfig keys a client may be allowed to set (Options.ConfigKeys).
var configKeyNames = []string{"configurable", "tags", "metadata", "run_id", "max_concurrency", "recursion_limit"}

// Options configures the routes of one runnable, as LangServe's add_routes
// arguments do. A nil *Options means the zero value: every endpoint on,
// config_keys ["configurable"], default playground, stream_events v2, no
// feedback routes.
type Options struct {
	// Path is where the routes live: "" (the root) or "/name". A trailing
	// slash is dropped. It is also the run name of every run started through
	// the routes and, without slashes, the namespace of the route's OpenAPI
	// models ("/chat" → chatInvokeRequest).
	Path string

	// Enabled lists the only endpoints to serve (enabled_endpoints); a
	// non-nil empty slice serves none. Disabled lists endpoints to leave
	// out (disabled_endpoints). Setting both is an error; names are matched
	// case-insensitively.
	Enabled, Disabled []Endpoint

	// ConfigKeys are the RunnableConfig keys clients may set: any of
	// "configurable", "tags", "metadata", "run_id", "max_concurrency",
	// "recursion_limit". nil means ["configurable"]. "run_name" is an error:
	// the run name is always Path.
	ConfigKeys []string

	// PerRequest may change the config of every invoke, batch (once per
	// config), stream, stream_log and stream_events request after the
	// client's config was validated, as LangServe's per_req_config_modifier:
	// typically to put the caller's identity, read from headers or cookies,
	// into cfg.Metadata or cfg.Configurable. r.Body can be read again: it
	// holds the whole request body. An error answers 500, or the status and
	// detail of a *Error, before the run starts.
	PerRequest func(r *http.Request, cfg *runnable.Config) error

	// IncludeCallbackEvents adds the runs' callback events to invoke and
	// batch responses (include_callback_events).
	IncludeCallbackEvents bool

	// Callbacks receive the events of every run the routes start, on every
	// endpoint, besides the handlers the endpoint itself uses (stream_log,
	// stream_events, callback events) and any a PerRequest hook puts in the
	// config: the place for observe.Tracer and observe.Metrics. They are
	// called on the runs' goroutines, concurrently across requests, so
	// they must be safe for concurrent use. A nil entry is an error.
	Callbacks []runnable.Handler

	// InputSchema and OutputSchema replace the runnable's schemas
	// (input_type / output_type): the schema endpoints, input validation and
	// the OpenAPI models use them. Give them a "title".
	InputSchema, OutputSchema runnable.Schema

	// PlaygroundType selects the playground app; "" means playground.Default.
	PlaygroundType playground.Type

	// PlaygroundTitle is the heading of the playground page (both apps);
	// "" means Path. It can say more than the path, e.g. which model
	// answers: "/chat · answered by gpt-4o".
	PlaygroundTitle string

	// StreamEventsVersion is the event schema of /stream_events: "v2" (the
	// default) or "v1". Clients cannot choose it.
	StreamEventsVersion string

	// Feedback stores the feedback of POST <Path>/feedback. nil leaves the
	// feedback routes out (404), which is LangServe's default.
	Feedback FeedbackStore

	// PublicTraceLink answers PUT <Path>/public_trace_link. nil leaves the
	// route out.
	PublicTraceLink TraceLinker

	// MaxBodyBytes limits request bodies; a larger body gets 413. Zero
	// means DefaultMaxBodyBytes (10 MiB).
	MaxBodyBytes int64

	// Debug puts the text of a runnable's error into 500 answers and SSE
	// error events. Leave it off in production: error texts can hold
	// secrets, prompts and internal addresses.
	Debug bool

	// Logger receives one record per failed run, with its run_id. nil means
	// slog.Default().
	Logger *slog.Logger
}

// settings are Options checked and with defaults applied.
type settings struct {
	path          string
	runName       string // path, with the prefix of an echo group
	namespace     string
	enabled       map[Endpoint]bool
	configKeys    []string
	perRequest    func(*http.Request, *runnable.Config) error
	includeEvents bool
	handlers      []runnable.Handler
	inputSchema   runnable.Schema
	outputSchema  runnable.Schema
	playground    playground.Type
	playTitle     string
	eventsVersion string
	feedback      FeedbackStore
	traceLinker   TraceLinker
	maxBody       int64
	debug         bool
	log           *slog.Logger
}

func (s *settings) on(e Endpoint) bool { return s.enabled[e] }

// hashOn reports whether the /c/{config_hash}/ variant of e is served.
func (s *settings) hashOn(e Endpoint) bool { return s.enabled[e] && s.enabled[ConfigHashes] }

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]`)

func newSettings(o *Options) (*settings, error) {
	if o == nil {
		o = &Options{}
	}
	s := &settings{
		path:          strings.TrimRight(o.Path, "/"),
		perRequest:    o.PerRequest,
		includeEvents: o.IncludeCallbackEvents,
		handlers:      slices.Clone(o.Callbacks),
		inputSchema:   o.InputSchema,
		outputSchema:  o.OutputSchema,
		playground:    o.PlaygroundType,
		playTitle:     o.PlaygroundTitle,
		eventsVersion: o.StreamEventsVersion,
		feedback:      o.Feedback,
		traceLinker:   o.PublicTraceLink,
		maxBody:       o.MaxBodyBytes,
		debug:         o.Debug,
		log:           o.Logger,
	}
	if o.Path != "" && !strings.HasPrefix(o.Path, "/") {
		return nil, fmt.Errorf("serve: path %q must be empty or start with '/'", o.Path)
	}
	if strings.ContainsAny(s.path, "{}*:?#") {
		return nil, fmt.Errorf("serve: path %q must not contain any of {}*:?#", o.Path)
	}
	if i := slices.Index(s.handlers, nil); i >= 0 {
		return nil, fmt.Errorf("serve: Callbacks[%d] is nil", i)
	}
	if s.playTitle == "" {
		s.playTitle = s.path
	}
	s.runName = s.path
	s.namespace = nonWord.ReplaceAllString(strings.Trim(s.path, "/"), "_")

	if o.Enabled != nil && o.Disabled != nil {
		return nil, errors.New("serve: set Enabled or Disabled, not both")
	}
	s.enabled = make(map[Endpoint]bool, len(allEndpoints))
	for _, e := range allEndpoints {
		s.enabled[e] = o.Enabled == nil
	}
	for _, list := range [][]Endpoint{o.Enabled, o.Disabled} {
		for _, e := range list {
			name := Endpoint(strings.ToLower(string(e)))
			if !slices.Contains(allEndpoints, name) {
				return nil, fmt.Errorf("serve: unknown endpoint %q (known: %s)", e, joinEndpoints())
			}
			s.enabled[name] = o.Enabled != nil
		}
	}
	// Feedback and trace-link routes follow their stores alone.
	s.enabled[feedbackEndpoint] = o.Feedback != nil
	s.enabled[traceLinkEndpoint] = o.PublicTraceLink != nil

	s.configKeys = []string{"configurable"}
	if o.ConfigKeys != nil {
		s.configKeys = nil
		for _, k := range o.ConfigKeys {
			switch {
			case k == "run_name":
				return nil, errors.New("serve: config key \"run_name\" cannot be allowed: the run name is always the route path")
			case !slices.Contains(configKeyNames, k):
				return nil, fmt.Errorf("serve: unknown config key %q (allowed: %s)", k, strings.Join(configKeyNames, ", "))
			case !slices.Contains(s.configKeys, k):
				s.configKeys = append(s.configKeys, k)
			}
		}
		if s.configKeys == nil {
			s.configKeys = []string{}
		}
	}

	switch s.playground {
	case "":
		s.playground = playground.Default
	case playground.Default, playground.Chat:
	default:
		return nil, fmt.Errorf("serve: unknown playground type %q (want %q or %q)", o.PlaygroundType, playground.Default, playground.Chat)
	}
	switch s.eventsVersion {
	case "":
		s.eventsVersion = "v2"
	case "v1", "v2":
	default:
		return nil, fmt.Errorf("serve: unknown stream_events version %q (want \"v1\" or \"v2\")", o.StreamEventsVersion)
	}
	for name, sch := range map[string]runnable.Schema{"InputSchema": o.InputSchema, "OutputSchema": o.OutputSchema} {
		if sch != nil {
			if _, err := schemaJSON(sch); err != nil {
				return nil, fmt.Errorf("serve: %s cannot be encoded as JSON: %w", name, err)
			}
		}
	}
	switch {
	case s.maxBody == 0:
		s.maxBody = DefaultMaxBodyBytes
	case s.maxBody < 0:
		return nil, fmt.Errorf("serve: MaxBodyBytes %d is negative", o.MaxBodyBytes)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s, nil
}

func joinEndpoints() string {
	names := make([]string, len(allEndpoints))
	for i, e := range allEndpoints {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}

func (s *settings) allowed(key string) bool { return slices.Contains(s.configKeys, key) }

// FeedbackStore keeps the feedback that users give on runs through
// POST <path>/feedback (the playground's thumbs up and down). Create gets
// the feedback as the client sent it, with ID, CreatedAt and ModifiedAt
// unset, and returns it as stored.
type FeedbackStore interface {
	Create(ctx context.Context, f Feedback) (Feedback, error)
}

// TraceLinker makes the trace of a run public (LangSmith's share link) for
// PUT <path>/public_trace_link and returns its URL.
type TraceLinker interface {
	PublicTraceLink(ctx context.Context, runID uuid.UUID) (url string, err error)
}
