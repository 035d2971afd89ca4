package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/langserve-go/langserve/internal/validate"
	"github.com/langserve-go/langserve/internal/wire"
)

// readBody reads the whole request body, refusing bodies over the limit
// with 413 before reading them when the client announced their length.
func (s *settings) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Error) {
	tooLarge := &Error{
		Status: http.StatusRequestEntityTooLarge,
		Detail: fmt.Sprintf("Request body too large: the limit is %d bytes", s.maxBody),
	}
	if r.ContentLength > s.maxBody {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge
		}
		return nil, &Error{Status: http.StatusBadRequest, Detail: "Could not read the request body", Err: err}
	}
	return body, nil
}

// envelope is a decoded request body: a JSON object whose members are
// decoded on demand.
type envelope struct {
	body   []byte
	fields map[string]json.RawMessage
}

// decodeEnvelope parses body as a JSON object. Anything else is refused as
// FastAPI and LangServe's shallow validators refuse it: invalid JSON (an
// empty body included) with {"detail":["Invalid JSON body"]}, another JSON
// value with a model_type error naming model.
func decodeEnvelope(body []byte, model string) (*envelope, *Error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, errInvalidJSON
		}
		d := validate.New("model_type", nil, "Input should be a valid dictionary or instance of "+model, v)
		d.Ctx = map[string]any{"class_name": model}
		return nil, validationError(d)
	}
	env := &envelope{body: body}
	if err := json.Unmarshal(body, &env.fields); err != nil {
		return nil, errInvalidJSON
	}
	return env, nil
}

// whole returns the decoded body, the "input" of errors about missing keys.
func (e *envelope) whole() any {
	var v any
	json.Unmarshal(e.body, &v)
	return v
}

// field returns the raw JSON of a member and whether it is present.
func (e *envelope) field(name string) (json.RawMessage, bool) {
	raw, ok := e.fields[name]
	return raw, ok
}

// isNull reports whether raw is the JSON literal null.
func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// decodeAny decodes raw JSON into plain Go values (maps, slices, float64).
func decodeAny(raw json.RawMessage) any {
	var v any
	json.Unmarshal(raw, &v)
	return v
}

// missing is the error for a required member that the body lacks.
func (e *envelope) missing(name string) *Error {
	return validationError(validate.New("missing", []any{name}, "Field required", e.whole()))
}

// bodyConfig returns the "config" member of an invoke or stream body: an
// object, or nothing when absent or null. LangServe answers a null config
// with a 500 (its config unpacking fails on it); here it means "no config",
// which is what clients sending it mean.
func (e *envelope) bodyConfig() (rawConfig, *Error) {
	raw, ok := e.field("config")
	if !ok || isNull(raw) {
		return nil, nil
	}
	return objectConfig(raw, []any{"config"})
}

// objectConfig decodes a config that must be a JSON object.
func objectConfig(raw json.RawMessage, loc []any) (rawConfig, *Error) {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		var m rawConfig
		if err := json.Unmarshal(raw, &m); err == nil {
			return m, nil
		}
	}
	return nil, validationError(validate.New("dict_type", loc, "Input should be a valid dictionary", decodeAny(raw)))
}

// batchConfigs returns the "config" member of a batch body: nil when
// absent, one object, or a list of objects.
func (e *envelope) batchConfigs() (single rawConfig, list []rawConfig, isList bool, err *Error) {
	raw, ok := e.field("config")
	if !ok {
		return nil, nil, false, nil
	}
	if isNull(raw) {
		return nil, nil, false, &Error{Status: http.StatusUnprocessableEntity, Detail: "Value for 'config' key must be a dict or list if provided"}
	}
	var items []json.RawMessage
	switch t := bytes.TrimLeft(raw, " \t\r\n"); {
	case len(t) > 0 && t[0] == '{':
		single, e := objectConfig(raw, []any{"config"})
		return single, nil, false, e
	case len(t) > 0 && t[0] == '[' && json.Unmarshal(raw, &items) == nil:
		var details []validate.Error
		list = make([]rawConfig, len(items))
		for i, item := range items {
			m, e := objectConfig(item, []any{"config", "list", i})
			if e != nil {
				details = addDetails(details, e.Detail.([]validate.Error)...)
				continue
			}
			list[i] = m
		}
		if details != nil {
			return nil, nil, false, validationError(details...)
		}
		return nil, list, true, nil
	default:
		v := decodeAny(raw)
		return nil, nil, false, validationError(
			validate.New("dict_type", []any{"config", "dict"}, "Input should be a valid dictionary", v),
			validate.New("list_type", []any{"config", "list"}, "Input should be a valid list", v),
		)
	}
}

// filterNames are the stream_log / stream_events filters, in LangServe's
// order.
var filterNames = []string{"include_names", "include_types", "include_tags", "exclude_names", "exclude_types", "exclude_tags"}

// filters decodes the six optional stream_log / stream_events filter
// lists; each must be null or a list of strings.
func (e *envelope) filters() (wire.Filter, *Error) {
	var f wire.Filter
	dst := []*[]string{&f.IncludeNames, &f.IncludeTypes, &f.IncludeTags, &f.ExcludeNames, &f.ExcludeTypes, &f.ExcludeTags}
	var details []validate.Error
	for i, name := range filterNames {
		raw, ok := e.field(name)
		if !ok || isNull(raw) {
			continue
		}
		v := decodeAny(raw)
		list, ok := v.([]any)
		if !ok {
			details = addDetails(details, validate.New("list_type", []any{name}, "Input should be a valid list", v))
			continue
		}
		out := make([]string, 0, len(list))
		for j, x := range list {
			s, ok := x.(string)
			if !ok {
				details = addDetails(details, validate.New("string_type", []any{name, j}, "Input should be a valid string", x))
				continue
			}
			out = append(out, s)
		}
		*dst[i] = out
	}
	if details != nil {
		return wire.Filter{}, validationError(details...)
	}
	return f, nil
}

// addDetails appends ds to details as long as they hold fewer than
// validate.MaxErrors: as with input validation, a list of many wrong items
// must not make an answer many times the size of the request.
func addDetails(details []validate.Error, ds ...validate.Error) []validate.Error {
	n := min(len(ds), validate.MaxErrors-len(details))
	if n <= 0 {
		return details
	}
	return append(details, ds[:n]...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// schemaJSON encodes a schema for an answer.
func schemaJSON(s map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func asError(err error) (*Error, bool) { return errors.AsType[*Error](err) }
