package jsonschema

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
	ischema "github.com/invopop/jsonschema"
)

const defsPrefix = "#/$defs/"

// generate reflects t (not a pointer) and reshapes invopop's output the way
// pydantic v2 would have written it. named reports whether the root carries
// its own title.
func generate(t reflect.Type) (s Schema, named bool, err error) {
	if err := checkType(t, t.String(), map[reflect.Type]bool{}, map[reflect.Type]bool{}); err != nil {
		return nil, false, err
	}
	g := &generator{
		nameOf:   map[reflect.Type]string{},
		typeOf:   map[string]reflect.Type{},
		out:      map[string]any{},
		shaping:  map[string]bool{},
		inlining: map[reflect.Type]bool{},
	}
	raw, err := g.reflect(t)
	if err != nil {
		return nil, false, err
	}
	rawDefs, _ := raw["$defs"].(map[string]any)
	delete(raw, "$defs")
	g.raw = rawDefs

	// A named struct is a model: its schema is its own, titled after it (or,
	// if it refers to itself, a bare reference to its definition).
	rootRef, _ := raw["$ref"].(string)
	dt, isDef := g.typeOf[strings.TrimPrefix(rootRef, defsPrefix)]
	named = isDef && dt.Kind() == reflect.Struct

	root, _ := g.shape(raw, t).(map[string]any) // shape keeps a map a map
	g.closeDefs(root)
	root = g.expandRoot(root)
	if len(g.out) > 0 {
		root["$defs"] = g.out
	}
	// A root that titles itself (an expanded LangChain model such as
	// Document, a type whose JSONSchemaExtend sets a title) keeps its title.
	if _, ok := root["title"]; ok {
		named = true
	}
	return root, named, nil
}

type generator struct {
	nameOf   map[reflect.Type]string // definition name given to each named type
	typeOf   map[string]reflect.Type // and back
	raw      map[string]any          // invopop's $defs, unshaped
	out      map[string]any          // shaped $defs that the result references
	shaping  map[string]bool         // definitions already being shaped (recursion guard)
	inlining map[reflect.Type]bool   // named non-struct types being inlined (recursion guard)
}

// reflect runs invopop and converts its result to a JSON tree. Numbers are
// kept as json.Number so that defaults such as 1 stay integers.
func (g *generator) reflect(t reflect.Type) (m map[string]any, err error) {
	defer func() {
		// invopop panics on kinds it does not know. checkType rejects those
		// first; this is the safety net that keeps a bad type from taking a
		// server down.
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v: %v", ErrUnsupportedType, t, p)
		}
	}()
	r := &ischema.Reflector{
		Anonymous:                 true, // no $id
		AllowAdditionalProperties: true, // pydantic's default (extra="ignore") emits no additionalProperties
		Namer:                     g.name,
		Mapper:                    g.mapper,
	}
	s := r.ReflectFromType(t)
	s.Version = "" // no $schema
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("jsonschema: %v: %w", t, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("jsonschema: %v: %w", t, err)
	}
	switch v := v.(type) {
	case map[string]any:
		return v, nil
	case bool:
		// invopop writes an empty schema (any) as true.
		return map[string]any{}, nil
	default:
		return nil, fmt.Errorf("jsonschema: %v: unexpected schema %s", t, b)
	}
}

// name is invopop's Namer. Definitions are named after the Go type, as
// pydantic names them after the class; a second type with the same name (from
// another package) is qualified with its package name, and names that the
// LangChain definitions use are reserved for them.
func (g *generator) name(t reflect.Type) string {
	if n, ok := g.nameOf[t]; ok {
		return n
	}
	if isSpecial(t) || t == timeType || textLike(t) {
		// Never a definition: mapper (or invopop, for time.Time) supplies
		// these schemas. LangChain definitions are added after reflection
		// under LangChain's names. Not registering them keeps their names
		// free for user types.
		return ""
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Array, reflect.Map:
	default:
		return "" // never a definition: invopop falls back to t.Name()
	}
	if t.Name() == "" {
		return ""
	}
	base := defKey(displayName(t))
	n := base
	if _, taken := g.typeOf[n]; taken || isLangChainDef(n) {
		pkg := t.PkgPath()
		if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
			pkg = pkg[i+1:]
		}
		n = defKey(pkg) + "__" + base
		for i := 2; ; i++ {
			if _, taken := g.typeOf[n]; !taken && !isLangChainDef(n) {
				break
			}
			n = fmt.Sprintf("%s__%s_%d", defKey(pkg), base, i)
		}
	}
	g.nameOf[t] = n
	g.typeOf[n] = t
	return n
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	uuidType          = reflect.TypeFor[uuid.UUID]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	customSchemaType  = reflect.TypeFor[interface{ JSONSchema() *ischema.Schema }]()
	extendSchemaType  = reflect.TypeFor[interface{ JSONSchemaExtend(*ischema.Schema) }]()
	aliasSchemaType   = reflect.TypeFor[interface{ JSONSchemaAlias() any }]()
	describerType     = reflect.TypeFor[TypeDescriber]()
)

// mapper is invopop's Mapper: it supplies the schemas of the LangChain types
// and of types that encode as JSON strings through MarshalText (uuid.UUID,
// netip.Addr, …), which invopop would otherwise reflect field by field.
func (g *generator) mapper(t reflect.Type) *ischema.Schema {
	if s := specialSchema(t); s != nil {
		return s
	}
	if t == uuidType {
		return &ischema.Schema{Type: "string", Format: "uuid"}
	}
	if textLike(t) {
		return &ischema.Schema{Type: "string"}
	}
	return nil
}

// textLike reports whether encoding/json writes t as a string through its
// MarshalText method, and t does not describe its own schema.
func textLike(t reflect.Type) bool {
	if t == uuidType {
		return true
	}
	return t.Kind() != reflect.String && !hasCustomSchema(t) &&
		implements(t, textMarshalerType) && !implements(t, jsonMarshalerType)
}

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface))
}

// hasCustomSchema reports whether t writes (part of) its own schema through
// one of invopop's hooks; such schemas are left as the type wrote them.
func hasCustomSchema(t reflect.Type) bool {
	return t.Implements(customSchemaType) || t.Implements(aliasSchemaType) || t.Implements(extendSchemaType)
}

// shape rewrites v, the schema of one use of type t, into pydantic's shape.
func (g *generator) shape(v any, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	m, ok := v.(map[string]any)
	if !ok {
		if b, isBool := v.(bool); isBool && b && t.Kind() == reflect.Interface {
			return map[string]any{} // pydantic writes Any as {}
		}
		return v
	}
	if ref, ok := m["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, defsPrefix)
		if dt, known := g.typeOf[name]; known && dt == t {
			if t.Kind() == reflect.Struct || hasCustomSchema(t) || g.inlining[t] {
				g.ensureDef(name)
				return m
			}
			// pydantic has no definitions for list or dict aliases: inline
			// named slices and maps, keeping the use site's keywords.
			g.inlining[t] = true
			content, _ := g.shape(cloneValue(g.raw[name]), t).(map[string]any)
			delete(g.inlining, t)
			if content == nil {
				content = map[string]any{}
			}
			for k, x := range m {
				if k != "$ref" {
					content[k] = x
				}
			}
			return content
		}
		return m
	}
	if isSpecial(t) || hasCustomSchema(t) {
		return m
	}
	switch t.Kind() {
	case reflect.Struct:
		if _, ok := m["properties"]; ok {
			g.shapeStruct(m, t)
		}
	case reflect.Slice, reflect.Array:
		if items, ok := m["items"]; ok {
			m["items"] = g.shape(items, t.Elem())
		}
	case reflect.Map:
		if ap, ok := m["additionalProperties"]; ok {
			m["additionalProperties"] = g.shape(ap, t.Elem())
		} else if pp, ok := m["patternProperties"].(map[string]any); ok {
			for k, x := range pp {
				pp[k] = g.shape(x, t.Elem())
			}
		} else if m["type"] == "object" {
			// dict[str, Any]
			m["additionalProperties"] = true
		}
	}
	return m
}

// ensureDef shapes definition name into g.out once.
func (g *generator) ensureDef(name string) {
	if g.shaping[name] {
		return
	}
	g.shaping[name] = true
	t := g.typeOf[name]
	d, _ := cloneValue(g.raw[name]).(map[string]any)
	if d == nil {
		d = map[string]any{}
	}
	if t.Kind() != reflect.Struct && !hasCustomSchema(t) {
		// A recursive named slice or map: it stays a definition.
		g.inlining[t] = true
		d, _ = g.shape(d, t).(map[string]any)
		delete(g.inlining, t)
	} else if !hasCustomSchema(t) {
		g.shapeStruct(d, t)
	}
	if _, ok := d["title"]; !ok && t.Kind() == reflect.Struct {
		d["title"] = displayName(t)
	}
	if _, ok := d["description"]; !ok {
		if desc := describe(t); desc != "" {
			d["description"] = desc
		}
	}
	g.out[name] = d
}

// describe returns t's own description, if it has one.
func describe(t reflect.Type) (desc string) {
	if !implements(t, describerType) {
		return ""
	}
	defer func() {
		// A JSONSchemaDescription that dereferences a nil receiver must not
		// crash schema generation.
		if recover() != nil {
			desc = ""
		}
	}()
	v := reflect.New(t)
	if t.Implements(describerType) {
		return v.Elem().Interface().(TypeDescriber).JSONSchemaDescription()
	}
	return v.Interface().(TypeDescriber).JSONSchemaDescription()
}

// shapeStruct applies pydantic's field rules to the object schema m of
// struct type t: property titles, Optional pointers, required lists.
func (g *generator) shapeStruct(m map[string]any, t reflect.Type) {
	props, _ := m["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		m["properties"] = props
	}
	var required []any
	for _, f := range structFields(t) {
		p, ok := props[f.name]
		if !ok {
			continue
		}
		if f.nullableTag {
			p = unwrapNullable(p)
		}
		p = g.shape(p, f.field.Type)
		optional := f.field.Type.Kind() == reflect.Pointer || f.nullableTag
		if optional {
			p = nullable(p, f.requiredTag)
		}
		pm, isMap := p.(map[string]any)
		if isMap {
			if _, ok := pm["title"]; !ok && !refLike(pm) {
				pm["title"] = Title(f.name)
			}
		}
		props[f.name] = p
		_, hasDefault := pm["default"]
		if f.requiredTag || (!f.omit && !optional && !hasDefault) {
			required = append(required, f.name)
		}
	}
	if len(required) > 0 {
		m["required"] = required
	} else {
		delete(m, "required")
	}
}

// annotationKeys stay outside the anyOf when a schema is made nullable, as
// pydantic keeps them on the field rather than on the type.
var annotationKeys = map[string]bool{
	"title": true, "description": true, "default": true, "examples": true,
	"deprecated": true, "readOnly": true, "writeOnly": true,
}

// nullable turns p into pydantic's Optional[p] = None.
func nullable(p any, required bool) any {
	m, ok := p.(map[string]any)
	if !ok {
		return p
	}
	outer := map[string]any{}
	inner := map[string]any{}
	for k, v := range m {
		if annotationKeys[k] {
			outer[k] = v
		} else {
			inner[k] = v
		}
	}
	if len(inner) > 0 {
		null := map[string]any{"type": "null"}
		if alts, ok := inner["anyOf"].([]any); ok && len(inner) == 1 {
			// Optional[Union[A, B]] flattens to anyOf [A, B, null].
			outer["anyOf"] = append(alts, null)
		} else {
			outer["anyOf"] = []any{inner, null}
		}
	}
	if _, ok := outer["default"]; !ok && !required {
		outer["default"] = nil
	}
	return outer
}

// unwrapNullable undoes invopop's `jsonschema:"nullable"` wrapper
// (oneOf [X, {"type":"null"}]) so that nullable can apply pydantic's form.
func unwrapNullable(p any) any {
	m, ok := p.(map[string]any)
	if !ok || len(m) != 1 {
		return p
	}
	alts, ok := m["oneOf"].([]any)
	if !ok || len(alts) != 2 {
		return p
	}
	if null, ok := alts[1].(map[string]any); ok && len(null) == 1 && null["type"] == "null" {
		return alts[0]
	}
	return p
}

// refLike reports whether a property is a bare reference to a definition,
// possibly made Optional. pydantic does not title those fields.
func refLike(m map[string]any) bool {
	core := map[string]any{}
	for k, v := range m {
		if !annotationKeys[k] {
			core[k] = v
		}
	}
	if _, ok := core["$ref"]; ok && len(core) == 1 {
		return true
	}
	alts, ok := core["anyOf"].([]any)
	if !ok || len(core) != 1 || len(alts) != 2 {
		return false
	}
	a, _ := alts[0].(map[string]any)
	b, _ := alts[1].(map[string]any)
	_, isRef := a["$ref"]
	return isRef && len(a) == 1 && len(b) == 1 && b["type"] == "null"
}

// closeDefs adds every definition that root or another definition refers to
// but that shaping has not produced: LangChain definitions, and definitions
// written by custom JSONSchema methods.
func (g *generator) closeDefs(root map[string]any) {
	pending := refs(root, nil)
	for _, d := range g.out {
		pending = refs(d, pending)
	}
	for len(pending) > 0 {
		name := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		if _, ok := g.out[name]; ok {
			continue
		}
		var d any
		if lc, ok := langChainDef(name); ok {
			d = lc
		} else if r, ok := g.raw[name]; ok {
			d = cloneValue(r)
		} else {
			continue // dangling: leave the reference as the type wrote it
		}
		g.out[name] = d
		pending = refs(d, pending)
	}
}

// refs appends the definition names that v refers to.
func refs(v any, acc []string) []string {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" && strings.HasPrefix(s, defsPrefix) {
				acc = append(acc, strings.TrimPrefix(s, defsPrefix))
			} else {
				acc = refs(x, acc)
			}
		}
	case []any:
		for _, x := range v {
			acc = refs(x, acc)
		}
	}
	return acc
}

// expandRoot inlines the definition that a bare root "$ref" points to, as
// pydantic writes a model's own schema at the root. A definition that is
// referenced from elsewhere (a recursive model) stays where it is.
func (g *generator) expandRoot(root map[string]any) map[string]any {
	ref, ok := root["$ref"].(string)
	if !ok || len(root) != 1 {
		return root
	}
	name := strings.TrimPrefix(ref, defsPrefix)
	d, ok := g.out[name].(map[string]any)
	if !ok {
		return root
	}
	for other, od := range g.out {
		if other == name {
			if containsRef(od, ref) {
				return root
			}
			continue
		}
		if containsRef(od, ref) {
			return root
		}
	}
	delete(g.out, name)
	return d
}

func containsRef(v any, ref string) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "$ref" && x == ref {
				return true
			}
			if containsRef(x, ref) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if containsRef(x, ref) {
				return true
			}
		}
	}
	return false
}

// field is one JSON property of a struct, found the way invopop finds it.
type field struct {
	name        string
	field       reflect.StructField
	omit        bool // omitempty or omitzero
	requiredTag bool // jsonschema:"required"
	nullableTag bool // jsonschema:"nullable"
}

// structFields lists t's JSON properties in declaration order, following
// invopop's rules (which follow encoding/json's for names and embedding). A
// name that appears twice keeps its last occurrence, as invopop's property
// map does.
func structFields(t reflect.Type) []field {
	var all []field
	collectFields(t, &all, map[reflect.Type]bool{})
	last := map[string]int{}
	for i, f := range all {
		last[f.name] = i
	}
	out := all[:0:0]
	for i, f := range all {
		if last[f.name] == i {
			out = append(out, f)
		}
	}
	return out
}

func collectFields(t reflect.Type, acc *[]field, seen map[reflect.Type]bool) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := range t.NumField() {
		f := t.Field(i)
		jsonTags := strings.Split(f.Tag.Get("json"), ",")
		schemaTags := strings.Split(f.Tag.Get("jsonschema"), ",")
		if jsonTags[0] == "-" || schemaTags[0] == "-" {
			continue
		}
		if embedded(f, jsonTags) {
			collectFields(f.Type, acc, seen)
			continue
		}
		if !f.Anonymous && f.PkgPath != "" {
			continue
		}
		name := f.Name
		if jsonTags[0] != "" {
			name = jsonTags[0]
		}
		*acc = append(*acc, field{
			name:        name,
			field:       f,
			omit:        hasOption(jsonTags[1:], "omitempty") || hasOption(jsonTags[1:], "omitzero"),
			requiredTag: hasOption(schemaTags, "required"),
			nullableTag: hasOption(schemaTags, "nullable"),
		})
	}
}

// embedded reports whether invopop merges f's fields into its parent.
func embedded(f reflect.StructField, jsonTags []string) bool {
	if f.Anonymous && jsonTags[0] == "" {
		k := f.Type.Kind()
		if k == reflect.Struct || (k == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct) {
			return true
		}
	}
	return hasOption(jsonTags[1:], "inline")
}

func hasOption(opts []string, o string) bool {
	for _, x := range opts {
		if x == o {
			return true
		}
	}
	return false
}

// checkType rejects types without a JSON form before invopop sees them
// (invopop panics on them), and embedding cycles, which would recurse
// without end. path names the offending field in the error.
func checkType(t reflect.Type, path string, seen, embedding map[reflect.Type]bool) error {
	if isSpecial(t) || t == timeType || t == uuidType {
		return nil
	}
	if t.Kind() != reflect.Interface && (t.Implements(customSchemaType) || t.Implements(aliasSchemaType)) {
		return nil
	}
	if seen[t] {
		return nil // recursive type, checked on the way in
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128,
		reflect.UnsafePointer, reflect.Uintptr, reflect.Invalid:
		return fmt.Errorf("%w: %s is a %s", ErrUnsupportedType, path, t.Kind())
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return checkType(t.Elem(), path+"[]", seen, embedding)
	case reflect.Map:
		switch k := t.Key(); {
		case k.Kind() == reflect.String,
			k.Kind() >= reflect.Int && k.Kind() <= reflect.Uint64,
			implements(k, textMarshalerType):
		default:
			return fmt.Errorf("%w: %s has map key type %s", ErrUnsupportedType, path, k)
		}
		return checkType(t.Elem(), path+"[key]", seen, embedding)
	case reflect.Struct:
		return checkStruct(t, path, seen, embedding)
	}
	return nil
}

func checkStruct(t reflect.Type, path string, seen, embedding map[reflect.Type]bool) error {
	if embedding[t] {
		return fmt.Errorf("%w: %s embeds itself", ErrUnsupportedType, path)
	}
	embedding[t] = true
	defer delete(embedding, t)
	for i := range t.NumField() {
		f := t.Field(i)
		jsonTags := strings.Split(f.Tag.Get("json"), ",")
		schemaTags := strings.Split(f.Tag.Get("jsonschema"), ",")
		if jsonTags[0] == "-" || schemaTags[0] == "-" {
			continue
		}
		if embedded(f, jsonTags) {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() != reflect.Struct {
				continue
			}
			if err := checkStruct(et, path+"."+f.Name, seen, embedding); err != nil {
				return err
			}
			continue
		}
		if !f.Anonymous && f.PkgPath != "" {
			continue
		}
		if err := checkType(f.Type, path+"."+f.Name, seen, embedding); err != nil {
			return err
		}
	}
	return nil
}

// displayName is the title of a named type's definition: its Go name, with
// type arguments written without package paths ("Page[Item]").
func displayName(t reflect.Type) string {
	n := t.Name()
	i := strings.IndexByte(n, '[')
	if i < 0 {
		return n
	}
	var b strings.Builder
	b.WriteString(n[:i])
	token := n[i:]
	start := 0
	flush := func(end int) {
		w := token[start:end]
		if j := strings.LastIndexByte(w, '.'); j >= 0 {
			w = w[j+1:]
		}
		b.WriteString(w)
	}
	for j, r := range token {
		if r == '[' || r == ']' || r == ',' || r == ' ' || r == '*' {
			flush(j)
			b.WriteRune(r)
			start = j + 1
		}
	}
	flush(len(token))
	return b.String()
}

// defKey makes a definition name safe to use in a "#/$defs/…" JSON pointer,
// as pydantic does ("Page[Item]" -> "Page_Item_").
func defKey(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}
