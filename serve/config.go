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
func (m *configModel) parse(raw rawConfig) (runnable.Config, []detailError) {
	var (
		cfg     runnable.Config
		details []detailError
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
		switch key {
		case "tags":
			list, ok := v.([]any)
			if !ok {
				details = append(details, typeError("array", nil, v, loc))
				continue
			}
			tags := make([]string, 0, len(list))
			for i, t := range list {
				s, ok := t.(string)
				if !ok {
					details = append(details, typeError("string", nil, t, at(loc, i)))
					continue
				}
				tags = append(tags, s)
			}
			cfg.Tags = tags
		case "metadata":
			md, ok := v.(map[string]any)
			if !ok {
				details = append(details, typeError("object", nil, v, loc))
				continue
			}
			cfg.Metadata = md
		case "run_id":
			s, ok := v.(string)
			if !ok {
				details = append(details, newDetail("uuid_type", loc, "UUID input should be a string, bytes or UUID object", v))
				continue
			}
			id, err := uuid.Parse(s)
			if err != nil {
				details = append(details, validateValue(map[string]any{"type": "string", "format": "uuid"}, v, loc)...)
				continue
			}
			cfg.RunID = id
		case "max_concurrency", "recursion_limit":
			n, ok := configInt(v)
			if !ok {
				details = append(details, typeError("integer", nil, v, loc))
				continue
			}
			if key == "max_concurrency" {
				cfg.MaxConcurrency = n
			} else {
				cfg.RecursionLimit = n
			}
		case "configurable":
			obj, ok := v.(map[string]any)
			if !ok {
				details = append(details, typeError("object", map[string]any{"title": "Configurable", "properties": map[string]any{}}, v, loc))
				continue
			}
			values := map[string]any{}
			for _, spec := range m.specs {
				x, ok := obj[spec.ID]
				if !ok {
					continue
				}
				if d := validateValue(spec.Schema, x, at(loc, spec.ID)); d != nil {
					details = append(details, d...)
					continue
				}
				values[spec.ID] = x
			}
			cfg.Configurable = values
		}
	}
	return cfg, details
}

func configInt(v any) (int, bool) {
	f, ok := number(v)
	if !ok || !isInteger(v) || f > 1<<31 || f < -(1<<31) {
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
	var details []detailError
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
// override: run name, LangServe metadata and a run id. body is the whole
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
