package jsonschema

import "slices"

// Field is one property of an object schema built by [Object] or [Config].
type Field struct {
	// Name is the JSON property name.
	Name string
	// Schema is the property's type schema; nil means any value ({}). A
	// "title" in it is kept; otherwise the property is titled Title(Name),
	// unless it is a bare "$ref" (pydantic leaves those untitled). Any "$defs"
	// inside it are moved to the root of the object schema.
	Schema Schema
	// Required lists the property in "required". A field with a default is
	// never required, as in pydantic.
	Required bool
	// Default is written as "default" when HasDefault is set (so that a nil
	// default can be told from no default).
	Default    any
	HasDefault bool
	// Description, when not empty, replaces the schema's description.
	Description string
}

// Object builds an object schema from ordered fields, the way pydantic writes
// a model created at run time. LangServe uses it for prompt inputs: title
// "PromptInput", one string property per template variable, all required.
// An empty title leaves the title out. The fields' schemas are copied, so
// later changes to them do not affect the result.
func Object(title string, fields []Field) Schema {
	defs := map[string]any{}
	props := map[string]any{}
	var required []any
	for _, f := range fields {
		props[f.Name] = property(f, defs)
		req := f.Required && !f.HasDefault
		i := slices.Index(required, any(f.Name))
		switch {
		case req && i < 0:
			required = append(required, f.Name)
		case !req && i >= 0:
			required = slices.Delete(required, i, i+1) // a later field of the same name wins
		}
	}
	s := Schema{"properties": props, "type": "object"}
	if title != "" {
		s["title"] = title
	}
	if len(required) > 0 {
		s["required"] = required
	}
	if len(defs) > 0 {
		s["$defs"] = defs
	}
	return s
}

// property returns f's property schema, moving nested definitions to defs.
func property(f Field, defs map[string]any) map[string]any {
	p := map[string]any{}
	if f.Schema != nil {
		p = cloneSchema(f.Schema)
	}
	hoistDefs(p, defs)
	if _, ok := p["title"]; !ok && !refLike(p) {
		p["title"] = Title(f.Name)
	}
	if f.Description != "" {
		p["description"] = f.Description
	}
	if f.HasDefault {
		p["default"] = cloneValue(f.Default)
	}
	return p
}

// hoistDefs removes every "$defs" found inside v and adds its entries to
// defs. pydantic keeps all definitions at the root; a name defined twice
// keeps its first definition (definitions of one name come from one type).
func hoistDefs(v any, defs map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		if d, ok := v["$defs"].(map[string]any); ok {
			delete(v, "$defs")
			for name, def := range d {
				hoistDefs(def, defs)
				if _, dup := defs[name]; !dup {
					defs[name] = def
				}
			}
		}
		for _, x := range v {
			hoistDefs(x, defs)
		}
	case []any:
		for _, x := range v {
			hoistDefs(x, defs)
		}
	}
}

// Choice returns the configurable field that langchain-core derives from
// configurable_alternatives and from ConfigurableFieldSingleOption: a string
// enumeration, defined in "$defs" under name (or id when name is empty),
// whose values are options, defaulting to def.
//
// For configurable_alternatives, options are the alternative keys followed
// by the default key, which is LangChain's order.
func Choice(id, name, description string, options []string, def string) Field {
	return Field{
		Name:        id,
		Schema:      enumField(id, name, func(r map[string]any) map[string]any { return r }, options),
		Default:     def,
		HasDefault:  true,
		Description: description,
	}
}

// MultiChoice returns the configurable field that langchain-core derives
// from ConfigurableFieldMultiOption: a list of values of a string enumeration
// (named as in [Choice]), defaulting to defaults.
func MultiChoice(id, name, description string, options, defaults []string) Field {
	d := make([]any, len(defaults))
	for i, v := range defaults {
		d[i] = v
	}
	return Field{
		Name: id,
		Schema: enumField(id, name, func(r map[string]any) map[string]any {
			return map[string]any{"items": r, "type": "array"}
		}, options),
		Default:     d,
		HasDefault:  true,
		Description: description,
	}
}

// enumField builds the schema of a field whose type is (or contains, as
// wrap decides) a reference to a string enumeration definition. LangChain
// names the enum class after the field's name, or its id, and passes the name
// as the field title.
func enumField(id, name string, wrap func(ref map[string]any) map[string]any, options []string) Schema {
	enumName := name
	if enumName == "" {
		enumName = id
	}
	values := make([]any, len(options))
	for i, o := range options {
		values[i] = o
	}
	key := defKey(enumName)
	s := wrap(map[string]any{"$ref": defsPrefix + key})
	s["$defs"] = map[string]any{key: map[string]any{"enum": values, "title": enumName, "type": "string"}}
	if name != "" {
		s["title"] = name
	}
	return s
}

// runnableConfigFields are the schemas of RunnableConfig's fields as
// langchain-core's config_schema writes them: the TypedDict's annotations
// with default None (which pydantic does not turn into Optional).
var runnableConfigFields = map[string]func() map[string]any{
	"tags": func() map[string]any {
		return map[string]any{"default": nil, "items": map[string]any{"type": "string"}, "title": "Tags", "type": "array"}
	},
	"metadata": func() map[string]any {
		return map[string]any{"additionalProperties": true, "default": nil, "title": "Metadata", "type": "object"}
	},
	// Callbacks is `list | Any | None` at run time in langchain-core.
	"callbacks": func() map[string]any {
		return map[string]any{"anyOf": []any{
			map[string]any{"items": map[string]any{}, "type": "array"},
			map[string]any{},
			map[string]any{"type": "null"},
		}, "default": nil, "title": "Callbacks"}
	},
	"run_name": func() map[string]any {
		return map[string]any{"default": nil, "title": "Run Name", "type": "string"}
	},
	"max_concurrency": func() map[string]any {
		return map[string]any{"anyOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "null"}}, "default": nil, "title": "Max Concurrency"}
	},
	"recursion_limit": func() map[string]any {
		return map[string]any{"default": nil, "title": "Recursion Limit", "type": "integer"}
	},
	"run_id": func() map[string]any {
		return map[string]any{"anyOf": []any{map[string]any{"format": "uuid", "type": "string"}, map[string]any{"type": "null"}}, "default": nil, "title": "Run Id"}
	},
}

// Config returns a runnable's config schema as LangServe serves it at
// <path>/config_schema: one property per key of keys that is a RunnableConfig
// field (tags, metadata, callbacks, run_name, max_concurrency,
// recursion_limit, run_id; other keys are ignored, as langchain-core ignores
// them), plus "configurable" whenever configurable is not empty, referring to
// a "Configurable" definition with one property per configurable field.
//
// "configurable" in keys adds nothing by itself: langchain-core includes it
// exactly when the runnable has configurable fields. Configurable fields are
// never required; one without a default gets "default": null, as LangChain's
// ConfigurableFieldSpec defaults to None. title is the runnable's config
// title ("RunnableSequenceConfig", "echo_config").
func Config(title string, keys []string, configurable []Field) Schema {
	props := map[string]any{}
	defs := map[string]any{}
	if len(configurable) > 0 {
		fields := make([]Field, len(configurable))
		for i, f := range configurable {
			f.Required = false
			if !f.HasDefault {
				f.Default, f.HasDefault = nil, true
			}
			fields[i] = f
		}
		conf := Object("Configurable", fields)
		hoistDefs(conf, defs)
		defs["Configurable"] = conf
		props["configurable"] = map[string]any{"$ref": defsPrefix + "Configurable", "default": nil}
	}
	for _, k := range keys {
		if build, ok := runnableConfigFields[k]; ok {
			props[k] = build()
		}
	}
	s := Schema{"properties": props, "type": "object"}
	if title != "" {
		s["title"] = title
	}
	if len(defs) > 0 {
		s["$defs"] = defs
	}
	return s
}
