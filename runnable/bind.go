package runnable

import (
	"context"
	"iter"
	"slices"
)

type bound[I, O any] struct {
	r   Runnable[I, O]
	cfg Config
}

// Bind returns r with opts bound to every call (LangChain's with_config /
// RunnableBinding). It adds no run of its own: events show r.
//
// Precedence is LangChain's merge_configs(bound, call): the bound config is
// the base, and the caller's config (what it inherits through ctx plus the
// options of the call) is laid over it. So tags are united (and sorted, as
// merge_configs sorts them), metadata and configurable values are merged
// key by key with the caller's values winning, callbacks of both receive
// events, and run name, run id, max_concurrency and recursion_limit come
// from the caller when it sets them and from the binding otherwise.
func Bind[I, O any](r Runnable[I, O], opts ...Option) Runnable[I, O] {
	if r == nil {
		return nilRunnable[I, O]("Bind")
	}
	var cfg Config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if b, ok := r.(*bound[I, O]); ok { // Bind(Bind(r, a), b) binds a then b
		return &bound[I, O]{r: b.r, cfg: mergeSorted(b.cfg, cfg)}
	}
	return &bound[I, O]{r: r, cfg: cfg}
}

func mergeSorted(base, over Config) Config {
	out := Merge(base, over)
	slices.Sort(out.Tags)
	return out
}

// configure returns the ctx and options that run r with the bound config
// under the caller's.
func (b *bound[I, O]) configure(ctx context.Context, opts []Option) (context.Context, []Option) {
	call := ConfigFrom(ctx)
	for _, o := range opts {
		if o != nil {
			o(&call)
		}
	}
	if call.RecursionLimit == DefaultRecursionLimit {
		// Inherited from a run that set none: not an explicit choice, so it
		// does not override the binding (merge_configs ignores the default).
		call.RecursionLimit = 0
	}
	eff := mergeSorted(b.cfg, call)
	// ContextWithConfig keeps what nested runs inherit; the fields for r's
	// own run only go through an option.
	ctx = ContextWithConfig(ctx, eff)
	return ctx, []Option{func(c *Config) {
		c.RunName, c.RunID, c.localTags = eff.RunName, eff.RunID, eff.localTags
	}}
}

func (b *bound[I, O]) Describe() Info            { return describe(b.r) }
func (b *bound[I, O]) ConfigSpecs() []ConfigSpec { return SpecsOf(b.r) }

// InputSchema and OutputSchema are r's under the bound config.
func (b *bound[I, O]) InputSchema(cfg Config) (Schema, error) {
	return InputSchema(b.r, mergeSorted(b.cfg, cfg))
}

func (b *bound[I, O]) OutputSchema(cfg Config) (Schema, error) {
	return OutputSchema(b.r, mergeSorted(b.cfg, cfg))
}

func (b *bound[I, O]) Invoke(ctx context.Context, in I, opts ...Option) (O, error) {
	ctx, opts = b.configure(ctx, opts)
	return b.r.Invoke(ctx, in, opts...)
}

func (b *bound[I, O]) Stream(ctx context.Context, in I, opts ...Option) iter.Seq2[O, error] {
	ctx, opts = b.configure(ctx, opts)
	return b.r.Stream(ctx, in, opts...)
}

func (b *bound[I, O]) Transform(ctx context.Context, in iter.Seq2[I, error], opts ...Option) iter.Seq2[O, error] {
	ctx, opts = b.configure(ctx, opts)
	return transformOf(ctx, b.r, in, opts)
}

func (b *bound[I, O]) Batch(ctx context.Context, ins []I, opts ...Option) ([]O, error) {
	ctx, opts = b.configure(ctx, opts)
	return b.r.Batch(ctx, ins, opts...)
}
