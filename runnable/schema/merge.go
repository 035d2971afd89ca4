package schema

import (
	"fmt"
	"math"
	"reflect"
	"strings"
)

// lcIDPrefix marks ids that LangChain generated from a run id ("run-…");
// when chunks are merged, an id a provider assigned is preferred over those.
const lcIDPrefix = "run-"

// Add concatenates two message chunks the way LangChain's `+` on
// BaseMessageChunk subclasses does (langchain-core 0.3):
//
//   - content: strings are concatenated; lists of content blocks are merged,
//     blocks carrying the same integer "index" being merged key by key;
//   - additional_kwargs and response_metadata are merged recursively: string
//     values concatenated, objects merged, lists merged by "index", equal
//     values kept, integers summed (except "index", "created" and
//     "timestamp", where the last value wins);
//   - AIMessageChunk: tool call chunks with the same index are merged (their
//     args strings concatenated) and ToolCalls/InvalidToolCalls re-derived
//     from them; usage metadata is summed; the id is the first one not
//     starting with "run-", else the first non-empty one;
//   - ToolMessageChunk: status is "error" if either is;
//   - the class-specific fields (example, role, tool_call_id, name) come from m.
//
// Two deliberate differences from Python: the name is kept (the first
// non-empty one) instead of being dropped, and where Python would put a bare
// string into a list of content blocks (string content followed by block
// content, or the reverse) a {"type":"text"} block is used and an empty
// string is left out, since ContentBlocks holds objects only.
//
// Neither operand is modified; the result may share maps and slices with
// them. Add returns an error where LangChain raises: when either operand is
// not a chunk, when AIMessageChunks differ in example, ChatMessageChunks in
// role, FunctionMessageChunks in name, ToolMessageChunks in tool_call_id, or
// when a metadata key holds values of different types.
func (m Message) Add(other Message) (Message, error) {
	if !m.IsChunk() || !other.IsChunk() {
		return Message{}, fmt.Errorf("schema: cannot add messages of type %q and %q: only message chunks can be added (see Message.ToChunk)", m.Type, other.Type)
	}
	return m.add(other, true)
}

// Concat is the lenient form of [Message.Add], for accumulating a stream
// where an error has no one to go to: non-chunk operands are treated as
// their chunk class ([Message.ToChunk]), so the result is always a chunk;
// where Add would fail on conflicting values, the values of m are kept
// (example, role, name, tool_call_id) or, for metadata keys of different
// types, the value of other wins. If one operand has an unknown Type, the
// other one is returned (as a chunk).
func (m Message) Concat(other Message) Message {
	switch {
	case !m.Type.Valid():
		return other.ToChunk()
	case !other.Type.Valid():
		return m.ToChunk()
	}
	out, _ := m.ToChunk().add(other.ToChunk(), false)
	return out
}

func (m Message) add(o Message, strict bool) (Message, error) {
	if !m.Type.Valid() || !o.Type.Valid() {
		return Message{}, fmt.Errorf("schema: cannot add messages of type %q and %q", m.Type, o.Type)
	}
	if strict && m.Type == o.Type {
		var field, a, b string
		switch m.Type {
		case AIChunkType:
			if m.Example != o.Example {
				return Message{}, fmt.Errorf("schema: cannot concatenate AIMessageChunks with different example values")
			}
		case ChatChunkType:
			field, a, b = "role", m.Role, o.Role
		case FunctionChunkType:
			field, a, b = "name", m.Name, o.Name
		case ToolChunkType:
			field, a, b = "tool_call_id", m.ToolCallID, o.ToolCallID
		}
		if a != b {
			return Message{}, fmt.Errorf("schema: cannot concatenate %s values with different %s (%q and %q)", m.Type, field, a, b)
		}
	}

	out := m // keeps the class-specific fields of the left operand
	out.Extra = mergeExtra(m.Extra, o.Extra)
	var err error
	out.Content, out.ContentBlocks, err = mergeContent(m, o, strict)
	if err != nil {
		return Message{}, err
	}
	if out.AdditionalKwargs, err = mergeDicts(m.AdditionalKwargs, o.AdditionalKwargs, strict); err != nil {
		return Message{}, fmt.Errorf("schema: additional_kwargs: %w", err)
	}
	if out.ResponseMetadata, err = mergeDicts(m.ResponseMetadata, o.ResponseMetadata, strict); err != nil {
		return Message{}, fmt.Errorf("schema: response_metadata: %w", err)
	}
	if out.Name == "" {
		out.Name = o.Name
	}

	if m.Type == AIChunkType && o.Type == AIChunkType {
		out.ToolCallChunks = mergeToolCallChunks(m.ToolCallChunks, o.ToolCallChunks)
		out.UsageMetadata = addUsage(m.UsageMetadata, o.UsageMetadata)
		out.ID = pickChunkID(m.ID, o.ID)
		// Python builds a new AIMessageChunk from the merged tool call chunks
		// only; its validators then derive the tool calls.
		out.ToolCalls, out.InvalidToolCalls = nil, nil
		return out.finalizeAI().normalized(), nil
	}
	if out.ID == "" {
		out.ID = o.ID
	}
	if m.Type == ToolChunkType && o.Type == ToolChunkType {
		if m.status() == "error" || o.status() == "error" {
			out.Status = "error"
		} else {
			out.Status = "success"
		}
		artifact, err := mergeObj(m.Artifact, o.Artifact, strict)
		if err != nil {
			return Message{}, fmt.Errorf("schema: artifact: %w", err)
		}
		out.Artifact = artifact
	}
	return out.normalized(), nil
}

func pickChunkID(ids ...string) string {
	for _, id := range ids {
		if id != "" && !strings.HasPrefix(id, lcIDPrefix) {
			return id
		}
	}
	for _, id := range ids {
		if id != "" {
			return id
		}
	}
	return ""
}

func mergeExtra(a, b map[string]any) map[string]any {
	if len(b) == 0 {
		return a
	}
	out, _ := mergeDicts(a, b, false)
	return out
}

// mergeContent is langchain-core's merge_content. Our Content/ContentBlocks
// pair cannot hold a bare string inside a list, so where Python would put a
// string element into the list, a text block is used instead, and an empty
// string is left out.
func mergeContent(a, b Message, strict bool) (string, []map[string]any, error) {
	switch {
	case a.ContentBlocks == nil && b.ContentBlocks == nil:
		return a.Content + b.Content, nil, nil
	case a.ContentBlocks == nil:
		out := make([]map[string]any, 0, len(b.ContentBlocks)+1)
		if a.Content != "" {
			out = append(out, textBlock(a.Content))
		}
		return "", append(out, b.ContentBlocks...), nil
	case b.ContentBlocks == nil:
		out := append(make([]map[string]any, 0, len(a.ContentBlocks)+1), a.ContentBlocks...)
		if b.Content != "" {
			out = append(out, textBlock(b.Content))
		}
		return "", out, nil
	}
	left := make([]any, len(a.ContentBlocks))
	for i, blk := range a.ContentBlocks {
		left[i] = blk
	}
	right := make([]any, len(b.ContentBlocks))
	for i, blk := range b.ContentBlocks {
		right[i] = blk
	}
	merged, err := mergeLists(left, right, strict)
	if err != nil {
		return "", nil, fmt.Errorf("schema: content: %w", err)
	}
	out := make([]map[string]any, len(merged))
	for i, e := range merged {
		out[i] = e.(map[string]any) // mergeLists only produces maps from maps
	}
	return "", out, nil
}

// mergeToolCallChunks merges tool call chunks that share an index (and do
// not carry two different ids), as merge_lists does on their dict form:
// name, id and args strings are concatenated, except that an equal id is
// kept once.
func mergeToolCallChunks(a, b []ToolCallChunk) []ToolCallChunk {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	out := append([]ToolCallChunk(nil), a...)
	for _, c := range b {
		j := -1
		if c.Index != nil {
			for i, l := range out {
				if l.Index != nil && *l.Index == *c.Index && (l.ID == "" || c.ID == "" || l.ID == c.ID) {
					j = i
					break
				}
			}
		}
		if j < 0 {
			out = append(out, c)
			continue
		}
		l := out[j]
		l.Name += c.Name
		if l.ID != c.ID {
			l.ID += c.ID
		}
		l.Args += c.Args
		out[j] = l
	}
	return out
}

// mergeDicts is langchain-core's merge_dicts. The inputs are not modified.
// With strict=false, values of different types are resolved by taking the
// right one instead of failing.
func mergeDicts(left, right map[string]any, strict bool) (map[string]any, error) {
	if right == nil {
		return left, nil
	}
	merged := make(map[string]any, len(left)+len(right))
	for k, v := range left {
		merged[k] = v
	}
	for _, k := range sortedKeys(right) {
		rv := right[k]
		lv, present := merged[k]
		if !present || (rv != nil && lv == nil) {
			merged[k] = rv
			continue
		}
		if rv == nil {
			continue
		}
		v, err := mergeValue(k, lv, rv, strict)
		if err != nil {
			return nil, err
		}
		merged[k] = v
	}
	return merged, nil
}

// mergeValue merges two non-nil values found under the same key.
func mergeValue(key string, lv, rv any, strict bool) (any, error) {
	lk, rk := kindOf(lv), kindOf(rv)
	if lk != rk {
		if strict {
			return nil, fmt.Errorf("key %q already exists with a different type (%T and %T)", key, lv, rv)
		}
		return rv, nil
	}
	switch lk {
	case kindString:
		ls, rs := lv.(string), rv.(string)
		if (key == "index" && strings.HasPrefix(ls, "lc_")) ||
			((key == "id" || key == "output_version" || key == "model_provider" || key == "ls_provider") && ls == rs) {
			return ls, nil
		}
		return ls + rs, nil
	case kindMap:
		return mergeDicts(asMap(lv), asMap(rv), strict)
	case kindList:
		return mergeLists(asList(lv), asList(rv), strict)
	case kindNumber:
		lf, lInt, _ := toNumber(lv)
		rf, rInt, _ := toNumber(rv)
		switch {
		case lf == rf:
			return lv, nil
		case lInt && rInt:
			if key == "index" || key == "created" || key == "timestamp" {
				return rv, nil
			}
			return sameNumberType(lv, lf+rf), nil
		}
	default:
		if reflect.DeepEqual(lv, rv) {
			return lv, nil
		}
	}
	if strict {
		return nil, fmt.Errorf("key %q already exists and values %v and %v of type %T cannot be merged", key, lv, rv, lv)
	}
	return rv, nil
}

// mergeLists is langchain-core's merge_lists: an element of right that is an
// object with an integer "index" (or a string index starting with "lc_") is
// merged into the first element of left with the same index whose id does
// not conflict; all other elements are appended. A merged-in element loses
// its "type" key first, so that "text" + "text" does not become "texttext".
func mergeLists(left, right []any, strict bool) ([]any, error) {
	if right == nil {
		return left, nil
	}
	merged := append(make([]any, 0, len(left)+len(right)), left...)
	for _, e := range right {
		em, ok := e.(map[string]any)
		if !ok || !isMergeIndex(em["index"]) {
			merged = append(merged, e)
			continue
		}
		j := -1
		for i, l := range merged {
			lm, ok := l.(map[string]any)
			if !ok {
				continue
			}
			li, has := lm["index"]
			if !has || !sameValue(li, em["index"]) {
				continue
			}
			lid, eid := lm["id"], em["id"]
			if lid == nil || lid == "" || eid == nil || eid == "" || sameValue(lid, eid) {
				j = i
				break
			}
		}
		if j < 0 {
			merged = append(merged, e)
			continue
		}
		newE := em
		if _, hasType := em["type"]; hasType {
			newE = make(map[string]any, len(em))
			for k, v := range em {
				if k != "type" {
					newE[k] = v
				}
			}
		}
		m, err := mergeDicts(merged[j].(map[string]any), newE, strict)
		if err != nil {
			return nil, err
		}
		merged[j] = m
	}
	return merged, nil
}

func isMergeIndex(v any) bool {
	if s, ok := v.(string); ok {
		return strings.HasPrefix(s, "lc_")
	}
	_, isInt := asInt(v)
	return isInt
}

func sameValue(a, b any) bool {
	af, _, aNum := toNumber(a)
	bf, _, bNum := toNumber(b)
	if aNum && bNum {
		return af == bf
	}
	return reflect.DeepEqual(a, b)
}

// mergeObj is langchain-core's merge_obj, used for tool message artifacts.
func mergeObj(a, b any, strict bool) (any, error) {
	if a == nil || b == nil {
		if a != nil {
			return a, nil
		}
		return b, nil
	}
	if kindOf(a) != kindOf(b) {
		if strict {
			return nil, fmt.Errorf("values of different types (%T and %T) cannot be merged", a, b)
		}
		return b, nil
	}
	switch kindOf(a) {
	case kindString:
		return a.(string) + b.(string), nil
	case kindMap:
		return mergeDicts(asMap(a), asMap(b), strict)
	case kindList:
		return mergeLists(asList(a), asList(b), strict)
	}
	if sameValue(a, b) {
		return a, nil
	}
	if strict {
		return nil, fmt.Errorf("unable to merge %v and %v", a, b)
	}
	return b, nil
}

type valueKind int

const (
	kindOther valueKind = iota
	kindString
	kindMap
	kindList
	kindNumber
	kindBool
)

func kindOf(v any) valueKind {
	switch v.(type) {
	case string:
		return kindString
	case bool:
		return kindBool
	case map[string]any:
		return kindMap
	case []any:
		return kindList
	}
	if _, _, ok := toNumber(v); ok {
		return kindNumber
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			return kindMap
		}
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() != reflect.Uint8 {
			return kindList
		}
	case reflect.String:
		return kindOther // named string types are compared, not concatenated
	}
	return kindOther
}

// asMap returns a string-keyed map as map[string]any (copying other map
// types, such as map[string]string, that Go callers may put into metadata).
func asMap(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	rv := reflect.ValueOf(v)
	out := make(map[string]any, rv.Len())
	iter := rv.MapRange()
	for iter.Next() {
		out[iter.Key().String()] = iter.Value().Interface()
	}
	return out
}

// asList returns a slice or array as []any.
func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	rv := reflect.ValueOf(v)
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}

// toNumber reports whether v is a Go number and returns it as float64,
// with isInt telling whether it is integral (JSON integers decode as
// integral float64 values).
func toNumber(v any) (f float64, isInt bool, ok bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true, true
	case int8:
		return float64(x), true, true
	case int16:
		return float64(x), true, true
	case int32:
		return float64(x), true, true
	case int64:
		return float64(x), true, true
	case uint:
		return float64(x), true, true
	case uint8:
		return float64(x), true, true
	case uint16:
		return float64(x), true, true
	case uint32:
		return float64(x), true, true
	case uint64:
		return float64(x), true, true
	case float32:
		f = float64(x)
	case float64:
		f = x
	case interface{ Float64() (float64, error) }: // json.Number
		var err error
		if f, err = x.Float64(); err != nil {
			return 0, false, false
		}
	default:
		return 0, false, false
	}
	return f, !math.IsInf(f, 0) && f == math.Trunc(f), true
}

// asInt returns v as an int when it is an integral number.
func asInt(v any) (int, bool) {
	f, isInt, ok := toNumber(v)
	if !ok || !isInt || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int(f), true
}

// sameNumberType returns sum in the Go type of like, so that adding two
// ints gives an int and two float64 values a float64 (json.Number and other
// non-native numbers give float64).
func sameNumberType(like any, sum float64) any {
	rv := reflect.ValueOf(like)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return reflect.ValueOf(int64(sum)).Convert(rv.Type()).Interface()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return reflect.ValueOf(uint64(sum)).Convert(rv.Type()).Interface()
	case reflect.Float32:
		return float32(sum)
	}
	return sum
}
