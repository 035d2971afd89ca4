package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"

	"github.com/google/uuid"

	"github.com/langserve-go/langserve/runnable"
)

// invokeRequest is the body of invoke and stream; kwargs is always {},
// which servers ignore.
type invokeRequest struct {
	Input  any        `json:"input"`
	Config wireConfig `json:"config"`
	Kwargs struct{}   `json:"kwargs"`
}

type batchRequest struct {
	Inputs []any    `json:"inputs"`
	Config any      `json:"config"` // one wireConfig, or one per input
	Kwargs struct{} `json:"kwargs"`
}

// Invoke calls POST <base>/invoke and decodes the output into O with
// encoding/json. The call is a run of its own, named after the URL path.
func (r *Remote[I, O]) Invoke(ctx context.Context, in I, opts ...runnable.Option) (O, error) {
	var zero O
	ctx, run := runnable.StartRun(ctx, r.Describe(), in, opts...)
	wc, err := toWire(run.Config(), false)
	if err != nil {
		return zero, run.Fail(err)
	}
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	var out O
	if err := r.call(ctx, "invoke", invokeRequest{Input: in, Config: wc}, &out); err != nil {
		return zero, run.Fail(err)
	}
	run.End(out)
	return out, nil
}

// Batch calls POST <base>/batch once for all inputs, with the call's
// config, and returns the outputs in input order. Each input is a run of
// its own, as in [runnable.BatchOf]; a run id in opts is dropped. The
// server fails the whole batch when one input fails, so Batch returns one
// error for all. An empty ins returns without a request.
func (r *Remote[I, O]) Batch(ctx context.Context, ins []I, opts ...runnable.Option) ([]O, error) {
	return r.BatchConfigs(ctx, ins, nil, opts...)
}

// BatchConfigs is [Remote.Batch] with one config per input: cfgs[i] is
// merged over the call's config for ins[i] (see [runnable.Merge]). A nil
// cfgs gives every input the call's config. When all inputs end up with the
// same config, the request carries it once; otherwise it carries a list
// with one config per input, which LangServe applies input by input.
func (r *Remote[I, O]) BatchConfigs(ctx context.Context, ins []I, cfgs []runnable.Config, opts ...runnable.Option) ([]O, error) {
	if cfgs != nil && len(cfgs) != len(ins) {
		return nil, fmt.Errorf("client: batch of %d inputs with %d configs", len(ins), len(cfgs))
	}
	if len(ins) == 0 {
		return []O{}, nil
	}
	runs := make([]*runnable.Run, len(ins))
	configs := make([]wireConfig, len(ins))
	inputs := make([]any, len(ins))
	var prepErr error
	for i, in := range ins {
		o := append(opts[:len(opts):len(opts)], func(c *runnable.Config) { c.RunID = uuid.Nil })
		if cfgs != nil {
			o = append(o, runnable.WithConfig(cfgs[i]))
		}
		_, runs[i] = runnable.StartRun(ctx, r.Describe(), in, o...)
		inputs[i] = in
		if prepErr == nil {
			configs[i], prepErr = toWire(runs[i].Config(), false)
		}
	}
	fail := func(err error) ([]O, error) {
		for _, run := range runs {
			run.Fail(err)
		}
		return nil, err
	}
	if prepErr != nil {
		return fail(prepErr)
	}
	req := batchRequest{Inputs: inputs, Config: configs[0]}
	for _, c := range configs[1:] {
		if !reflect.DeepEqual(c, configs[0]) {
			req.Config = configs
			break
		}
	}
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	var outs []O
	if err := r.call(ctx, "batch", req, &outs); err != nil {
		return fail(err)
	}
	if len(outs) != len(ins) {
		return fail(fmt.Errorf("client: POST %s: %d outputs for %d inputs", r.endpoint("batch").Redacted(), len(outs), len(ins)))
	}
	for i, run := range runs {
		run.End(outs[i])
	}
	return outs, nil
}

// call posts req to endpoint and decodes the "output" of the answer into
// out.
func (r *Remote[I, O]) call(ctx context.Context, endpoint string, req, out any) error {
	resp, err := r.send(ctx, http.MethodPost, endpoint, req, false)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	u := r.endpoint(endpoint).Redacted()
	var env struct {
		Output json.RawMessage `json:"output"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return fmt.Errorf("client: POST %s: read answer: %w", u, readErr(ctx, err))
	}
	if env.Output == nil {
		return fmt.Errorf("client: POST %s: answer has no \"output\"", u)
	}
	if err := json.Unmarshal(env.Output, out); err != nil {
		return fmt.Errorf("client: POST %s: decode output into %v: %w", u, reflect.TypeOf(out).Elem(), err)
	}
	return nil
}

// InputSchema returns the JSON Schema of the remote runnable's input (GET
// <base>/input_schema). With a /c/<config_hash> base URL it is the schema
// under that config.
func (r *Remote[I, O]) InputSchema(ctx context.Context) (map[string]any, error) {
	return r.schema(ctx, "input_schema")
}

// OutputSchema returns the JSON Schema of the remote runnable's output.
func (r *Remote[I, O]) OutputSchema(ctx context.Context) (map[string]any, error) {
	return r.schema(ctx, "output_schema")
}

// ConfigSchema returns the JSON Schema of the config the server accepts:
// the config keys it allows and its configurable fields.
func (r *Remote[I, O]) ConfigSchema(ctx context.Context) (map[string]any, error) {
	return r.schema(ctx, "config_schema")
}

func (r *Remote[I, O]) schema(ctx context.Context, endpoint string) (map[string]any, error) {
	ctx, cancel := r.withTimeout(ctx)
	defer cancel()
	resp, err := r.send(ctx, http.MethodGet, endpoint, nil, false)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var s map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return nil, fmt.Errorf("client: GET %s: %w", r.endpoint(endpoint).Redacted(), readErr(ctx, err))
	}
	if s == nil {
		return nil, fmt.Errorf("client: GET %s: answer is not a JSON object", r.endpoint(endpoint).Redacted())
	}
	return s, nil
}
