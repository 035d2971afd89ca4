package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/internal/lzstring"
	"github.com/langserve-go/langserve/internal/validate"
	"github.com/langserve-go/langserve/runnable"
)

// This file is LangServe's config pipeline (protocol spec §5.4), for every
// request that carries a config: the config of the /c/{config_hash}/ path
// and the config of the body are each validated against the config model
// (the allowed keys, plus "configurable" when the runnable declares
// configurable fields), unknown keys and undeclared configurable fields are
// dropped, the two are merged, a non-empty "configurable" that the server
// does not allow is refused, the rest is cut down to the allowed keys, the
// per-request hook runs, and the server's own settings (run name, run id,
// __langserve_* metadata) go on top.

// decodeHash decodes a /c/{config_hash}/ segment: LZ-String (URI
// component) compressed JSON text of a config object.
func decodeHash(hash string) (rawConfig, *Error) {
	text, err := lzstring.DecompressFromEncodedURIComponent(hash)
	if err != nil {
		return nil, errInvalidHash
	}
	var m rawConfig
	if err := json.Unmarshal([]byte(text), &m); err != nil || m == nil {
		return nil, errInvalidHash
	}
	return m, nil
}

// rawConfig is a config object as a client sent it; only the members the
// config model has are decoded.
type rawConfig = map[string]json.RawMessage

// configModel is what a client may send in a config: the allowed keys
// and the declared configurable fields.
type configModel struct {
	keys  []string
	specs []runnable.ConfigSpec
}

// has reports whether the model has a field named key.
func (m *configModel) has(key string) bool {
	if key == "configurable" {
		return len(m.specs) > 0
	}
	return slices.Contains(m.keys, key)
}

// parse validates one client config object and returns its fields of the
// model; every other key is dropped. A null value leaves a field unset.
func (m *configModel) parse(raw rawConfig) (runnable.Config, []validate.Error) {
	var (
		cfg     runnable.Config
		details []validate.Error
	)
	for _, key := range sortedKeys(raw) {
		if !m.has(key) {
			continue
		}
		v := decodeAny(raw[key])
		if v == nil {
			continue
		}
		loc := []any{key}
		if key == "configurable" {
			values, d := m.configurable(v, loc)
			details = append(details, d...)
			if d == nil {
				cfg.Configurable = values
			}
			continue
		}
		if key == "run_id" {
			id, d := parseUUID(v, loc)
			details = append(details, d...)
			cfg.RunID = id
			continue
		}
		if d := validate.Value(configFieldSchemas[key], v, loc...); d != nil {
			details = append(details, d...)
			continue
		}
		switch key {
		case "tags":
			list := v.([]any)
			tags := make([]string, len(list))
			for i, t := range list {
				tags[i] = t.(string)
			}
			cfg.Tags = tags
		case "metadata":
			cfg.Metadata = v.(map[string]any)
		case "max_concurrency", "recursion_limit":
			n, ok := configInt(v)
			if !ok {
				details = append(details, validate.New("int_type", loc, "Input should be a valid integer", v))
				continue
			}
			if key == "max_concurrency" {
				cfg.MaxConcurrency = n
			} else {
				cfg.RecursionLimit = n
			}
		}
	}
	return cfg, details
}

// configFieldSchemas are the types of the config fields a client may set,
// as RunnableConfig declares them (configurable and run_id aside).
var configFieldSchemas = map[string]map[string]any{
	"tags":            {"type": "array", "items": map[string]any{"type": "string"}},
	"metadata":        {"type": "object"},
	"max_concurrency": {"type": "integer"},
	"recursion_limit": {"type": "integer"},
}

// configurableSchema is the config model's "configurable" field: an object
// (pydantic names it a Configurable model) whose declared fields are
// checked one by one.
var configurableSchema = map[string]any{"type": "object", "title": "Configurable", "properties": map[string]any{}}

// configurable validates the values of the declared configurable fields;
// undeclared keys are dropped.
func (m *configModel) configurable(v any, loc []any) (map[string]any, []validate.Error) {
	if d := validate.Value(configurableSchema, v, loc...); d != nil {
		return nil, d
	}
	obj := v.(map[string]any)
	var details []validate.Error
	values := map[string]any{}
	for _, spec := range m.specs {
		x, ok := obj[spec.ID]
		if !ok {
			continue
		}
		if d := validate.Value(spec.Schema, x, append(slices.Clip(loc), spec.ID)...); d != nil {
			details = append(details, d...)
			continue
		}
		values[spec.ID] = x
	}
	return values, details
}

// configInt converts a validated integer, refusing what does not fit the
// int32 that LangChain's limits are in practice.
func configInt(v any) (int, bool) {
	f, ok := v.(float64)
	if !ok || f > 1<<31 || f < -(1<<31) {
		return 0, false
	}
	return int(f), true
}

// clientConfigs validates and merges the configs a client sent, in order
// (the hash config, then the body config), and refuses a non-empty
// configurable the server does not allow. The result holds only allowed
// keys.
func (s *settings) clientConfigs(model *configModel, raws ...rawConfig) (runnable.Config, *Error) {
	var merged runnable.Config
	var details []validate.Error
	for _, raw := range raws {
		if raw == nil {
			continue
		}
		cfg, d := model.parse(raw)
		details = append(details, d...)
		merged = mergeConfigs(merged, cfg)
	}
	if len(details) > 0 {
		return runnable.Config{}, validationError(details...)
	}
	if len(merged.Configurable) > 0 && !s.allowed("configurable") {
		return runnable.Config{}, &Error{Status: http.StatusUnprocessableEntity, Detail: configurableDisallowed}
	}
	// Keep only what the server allows.
	if !s.allowed("tags") {
		merged.Tags = nil
	}
	if !s.allowed("metadata") {
		merged.Metadata = nil
	}
	if !s.allowed("run_id") {
		merged.RunID = uuid.Nil
	}
	if !s.allowed("max_concurrency") {
		merged.MaxConcurrency = 0
	}
	if !s.allowed("recursion_limit") {
		merged.RecursionLimit = 0
	}
	if !s.allowed("configurable") {
		merged.Configurable = nil
	}
	return merged, nil
}

// mergeConfigs is langchain-core's merge_configs for the fields a client
// can send: tags united and sorted, metadata and configurable merged key
// by key, the rest last writer wins.
func mergeConfigs(base, over runnable.Config) runnable.Config {
	out := runnable.Merge(base, over)
	if out.Tags != nil {
		out.Tags = slices.Clone(out.Tags)
		slices.Sort(out.Tags)
		out.Tags = slices.Compact(out.Tags)
	}
	return out
}

// finish applies the per-request hook and the settings no client can
// override: run name, LangServe metadata, a run id and the server's
// callbacks. body is the whole
// request body, which the hook may read again.
func (s *settings) finish(r *http.Request, body []byte, ep Endpoint, cfg runnable.Config, hook bool) (runnable.Config, *Error) {
	if hook && s.perRequest != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		// The hook gets copies it may change freely.
		cfg.Tags = slices.Clone(cfg.Tags)
		cfg.Metadata = maps.Clone(cfg.Metadata)
		cfg.Configurable = maps.Clone(cfg.Configurable)
		if err := callHook(s.perRequest, r, &cfg); err != nil {
			if e, ok := asError(err); ok {
				return runnable.Config{}, e
			}
			s.log.ErrorContext(r.Context(), "serve: PerRequest failed", "path", s.path, "endpoint", string(ep), "error", err)
			return runnable.Config{}, &Error{Status: http.StatusInternalServerError, Err: err}
		}
	}
	md := make(map[string]any, len(cfg.Metadata)+3)
	maps.Copy(md, cfg.Metadata)
	var ua any
	if v := r.Header.Values("User-Agent"); len(v) > 0 {
		ua = v[0]
	}
	md["__useragent"] = ua
	md["__langserve_version"] = LangServeVersion
	if ep != "" {
		md["__langserve_endpoint"] = string(ep)
	}
	cfg.Metadata = md
	if len(s.handlers) > 0 {
		cfg.Callbacks = append(slices.Clip(cfg.Callbacks), s.handlers...)
	}
	if s.runName != "" {
		cfg.RunName = s.runName
	}
	if cfg.RunID == uuid.Nil {
		cfg.RunID = uuid.New()
	}
	return cfg, nil
}

// callHook runs the per-request hook, turning a panic into an error.
func callHook(hook func(*http.Request, *runnable.Config) error, r *http.Request, cfg *runnable.Config) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &runnable.PanicError{Value: v}
		}
	}()
	return hook(r, cfg)
}
