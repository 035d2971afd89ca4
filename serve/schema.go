package serve

import (
	"net/http"

	"github.com/langserve-go/langserve/runnable"
)

// schemaConfig is the config the schema and playground endpoints compute
// with: the config of the /c/{config_hash}/ path, validated like a request
// config, without the per-request hook (as in LangServe).
func (v *server[I, O]) schemaConfig(r *http.Request, rt route) (runnable.Config, *Error) {
	hashCfg, e := hashConfig(rt)
	if e != nil {
		return runnable.Config{}, e
	}
	cfg, e := v.s.clientConfigs(&v.model, hashCfg)
	if e != nil {
		return runnable.Config{}, e
	}
	return v.s.finish(r, nil, "", cfg, false)
}

// schema answers GET <path>/input_schema, output_schema and config_schema.
func (v *server[I, O]) schema(w http.ResponseWriter, r *http.Request, rt route) {
	cfg, e := v.schemaConfig(r, rt)
	if e != nil {
		v.s.writeError(w, e)
		return
	}
	var (
		sch runnable.Schema
		err error
	)
	switch rt.ep {
	case InputSchema:
		if len(cfg.Configurable) > 0 {
			sch, err = v.inputSchema(cfg)
		} else {
			sch, err = v.inputSchema(runnable.Config{})
		}
	case OutputSchema:
		sch, err = v.outputSchema(cfg)
	default:
		sch = v.configSchema()
	}
	if err != nil {
		if ce := clientError(err, nil); ce != nil {
			v.s.writeError(w, ce)
			return
		}
		v.s.failure(w, r, rt.ep, "", nil, err)
		return
	}
	b, err := schemaJSON(sch)
	if err != nil {
		v.s.failure(w, r, rt.ep, "", nil, err)
		return
	}
	writeJSONBytes(w, http.StatusOK, b)
}

// playground serves the playground app. A /c/{config_hash}/ variant checks
// the hash first, as LangServe does; the page reads the config from its URL.
func (v *server[I, O]) playground(w http.ResponseWriter, r *http.Request, rt route) {
	if _, e := v.schemaConfig(r, rt); e != nil {
		v.s.writeError(w, e)
		return
	}
	v.play.ServeHTTP(w, r)
}
