// Package jsonschema builds the JSON Schemas that a LangServe server serves at
// <path>/input_schema, <path>/output_schema and <path>/config_schema, and that
// the OpenAPI document embeds.
//
// The clients and playgrounds were written against schemas produced by
// pydantic v2 (as used by langchain-core 0.3), so the schemas here are shaped
// the way pydantic shapes them rather than the way a generic Go reflector
// would:
//
//   - no "$schema" and no "$id";
//   - nested named structs go into "$defs" and are referenced as
//     "#/$defs/Name" (a "$ref" may carry sibling keys, as with pydantic ≥ 2.9);
//   - every property carries a title derived from its JSON name (see [Title]),
//     except properties that are plain references to a definition;
//   - pointer fields are optional and nullable, like Optional[X] = None;
//   - map[string]any is {"additionalProperties": true, "type": "object"} and
//     any is the empty schema {};
//   - the LangChain types of package runnable/schema (messages, documents,
//     prompt values) get the hand-written schemas that langchain-core's
//     pydantic models produce.
//
// # Reflection
//
// [For] reflects a Go type with github.com/invopop/jsonschema and then
// reshapes the result. invopop supplies what is awkward to redo: JSON field
// naming, embedded structs, $defs bookkeeping for recursive types and the
// jsonschema struct tag grammar (`jsonschema:"default=1,description=How many"`,
// `jsonschema_description:"…"`, enum=, title=, minimum=…). The post-pass walks
// the same Go types to apply the rules above, because invopop's output loses
// what they need: it dereferences pointers silently, renders any as the
// boolean schema true, gives map[string]any no additionalProperties, puts
// named slices and maps into $defs, and requires fields that have a default.
//
// A type describes itself by implementing [TypeDescriber], or through
// invopop's JSONSchemaExtend / JSONSchema methods.
//
// # Sharing
//
// Schemas are plain map[string]any trees (with []any lists) so that callers
// can marshal them with encoding/json or walk them without knowing this
// package. Results of [For] are cached per type; every call returns a fresh
// deep copy, so a caller may modify what it gets.
//
// Go maps marshal with sorted keys, so "properties" come out in alphabetical
// order, whereas pydantic keeps declaration order. Clients compare schemas as
// JSON values; only the field order of generated playground forms differs.
package jsonschema
