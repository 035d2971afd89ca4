package runnable

import (
	"context"
	"maps"
	"slices"

	"github.com/google/uuid"
)

// DefaultRecursionLimit is the recursion limit of a config that sets none,
// as in LangChain.
const DefaultRecursionLimit = 25

// Config is LangChain's RunnableConfig. Its JSON names are LangServe's wire
// names, so a request's "config" object decodes straight into it.
//
// A runnable sees the config of its caller through ctx (see [ConfigFrom]);
// options given at a call site are applied on top. Tags, metadata,
// configurable values, callbacks, max_concurrency and recursion_limit are
// inherited by nested runs; run_name and run_id apply to one run only.
type Config struct {
	Tags           []string       `json:"tags,omitempty"`
	Metadata       map[string]any `json:"metadata,omitempty"`
	RunName        string         `json:"run_name,omitempty"`
	RunID          uuid.UUID      `json:"run_id,omitzero"`
	MaxConcurrency int            `json:"max_concurrency,omitempty"`
	RecursionLimit int            `json:"recursion_limit,omitempty"`
	Configurable   map[string]any `json:"configurable,omitempty"`
	// Callbacks receive the events of this run and of every nested run.
	Callbacks []Handler `json:"-"`

	// localTags tag this run only; nested runs do not inherit them
	// (LangChain's seq:step:N and map:key:K tags).
	localTags []string
}

// Option changes the config of one call.
type Option func(*Config)

// WithConfig merges c into the call's config (see [Merge]).
func WithConfig(c Config) Option {
	return func(dst *Config) { *dst = Merge(*dst, c) }
}

// WithTags adds tags to the run and to every nested run.
func WithTags(tags ...string) Option {
	return func(c *Config) { c.Tags = appendUnique(c.Tags, tags...) }
}

// WithLocalTags adds tags to this run only; nested runs do not inherit them.
// Composites use it to mark their steps (seq:step:2, map:key:answer).
func WithLocalTags(tags ...string) Option {
	return func(c *Config) { c.localTags = appendUnique(c.localTags, tags...) }
}

// WithMetadata adds metadata to the run and to every nested run.
func WithMetadata(md map[string]any) Option {
	return func(c *Config) {
		if len(md) == 0 {
			return
		}
		c.Metadata = maps.Clone(c.Metadata)
		if c.Metadata == nil {
			c.Metadata = make(map[string]any, len(md))
		}
		maps.Copy(c.Metadata, md)
	}
}

// WithRunName names this run; nested runs keep their own names.
func WithRunName(name string) Option { return func(c *Config) { c.RunName = name } }

// WithRunID sets the id of this run; nested runs get fresh ids.
func WithRunID(id uuid.UUID) Option { return func(c *Config) { c.RunID = id } }

// WithMaxConcurrency bounds how many items Batch, Parallel and the like run
// at once. Zero means no bound.
func WithMaxConcurrency(n int) Option { return func(c *Config) { c.MaxConcurrency = n } }

// WithRecursionLimit bounds the number of steps of graphs and recursive
// lambdas.
func WithRecursionLimit(n int) Option { return func(c *Config) { c.RecursionLimit = n } }

// WithConfigurable sets values of configurable fields (see [Configurable]).
func WithConfigurable(values map[string]any) Option {
	return func(c *Config) {
		c.Configurable = maps.Clone(c.Configurable)
		if c.Configurable == nil {
			c.Configurable = make(map[string]any, len(values))
		}
		maps.Copy(c.Configurable, values)
	}
}

// WithCallbacks adds event handlers for this run and every nested run.
func WithCallbacks(h ...Handler) Option {
	return func(c *Config) { c.Callbacks = append(slices.Clip(c.Callbacks), h...) }
}

// Merge returns base overlaid with over the way LangChain's merge_configs
// does: tags are united, metadata and configurable are merged key by key,
// callbacks are appended, every other field is taken from over when set.
func Merge(base, over Config) Config {
	out := base
	out.Tags = appendUnique(slices.Clone(base.Tags), over.Tags...)
	out.localTags = appendUnique(slices.Clone(base.localTags), over.localTags...)
	if len(over.Metadata) > 0 {
		out.Metadata = maps.Clone(base.Metadata)
		if out.Metadata == nil {
			out.Metadata = map[string]any{}
		}
		maps.Copy(out.Metadata, over.Metadata)
	}
	if len(over.Configurable) > 0 {
		out.Configurable = maps.Clone(base.Configurable)
		if out.Configurable == nil {
			out.Configurable = map[string]any{}
		}
		maps.Copy(out.Configurable, over.Configurable)
	}
	if len(over.Callbacks) > 0 {
		out.Callbacks = append(slices.Clip(base.Callbacks), over.Callbacks...)
	}
	if over.RunName != "" {
		out.RunName = over.RunName
	}
	if over.RunID != uuid.Nil {
		out.RunID = over.RunID
	}
	if over.MaxConcurrency != 0 {
		out.MaxConcurrency = over.MaxConcurrency
	}
	if over.RecursionLimit != 0 {
		out.RecursionLimit = over.RecursionLimit
	}
	return out
}

// appendUnique appends the strings of src that are not in dst yet, in
// order. Tags come from requests, so beyond a few of them a set replaces
// the linear scans, which would make the work quadratic in the tag count.
func appendUnique(dst []string, src ...string) []string {
	if len(src) == 0 {
		return dst
	}
	if len(dst)+len(src) <= 32 {
		for _, s := range src {
			if !slices.Contains(dst, s) {
				dst = append(dst, s)
			}
		}
		return dst
	}
	seen := make(map[string]struct{}, len(dst)+len(src))
	for _, s := range dst {
		seen[s] = struct{}{}
	}
	for _, s := range src {
		if _, ok := seen[s]; !ok {
			seen[s] = struct{}{}
			dst = append(dst, s)
		}
	}
	return dst
}

type ctxKey int

const (
	configKey ctxKey = iota
	parentKey
)

// ConfigFrom returns the config that runs started with ctx inherit: the
// config of the enclosing run without its run name, run id and local tags.
// Outside any run it is the zero Config.
func ConfigFrom(ctx context.Context) Config {
	c, _ := ctx.Value(configKey).(*Config)
	if c == nil {
		return Config{}
	}
	return *c
}

// ContextWithConfig returns a ctx whose runs inherit c, as if they were
// nested in a run configured with c. Servers use it to give a whole request
// one config.
func ContextWithConfig(ctx context.Context, c Config) context.Context {
	c.RunName, c.RunID, c.localTags = "", uuid.Nil, nil
	return context.WithValue(ctx, configKey, &c)
}

// resolve applies opts to the config inherited through ctx.
func resolve(ctx context.Context, opts []Option) Config {
	c := ConfigFrom(ctx)
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.RecursionLimit == 0 {
		c.RecursionLimit = DefaultRecursionLimit
	}
	return c
}

// Configured returns the config a call with ctx and opts runs with: the
// inherited config with opts applied. Runnables that are not built on
// [StartRun] use it to read configurable values.
func Configured(ctx context.Context, opts ...Option) Config {
	return resolve(ctx, opts)
}
