package wire

import (
	"maps"
	"slices"
	"strings"
)

// Filter selects the runs that stream_log and stream_events report, with
// LangChain's semantics (protocol §5.3): a nil list is "not set", an empty
// non-nil list is set and matches nothing. A run is included when no
// include list is set or when it matches any include list (by name, run
// type or any tag), and then excluded when it matches any exclude list.
//
// stream_log never filters its root run; stream_events filters every
// event, the root's included. In stream_log and stream_events v1 a chat
// model's type is "llm" and "chat_model" respectively, as LangChain's
// tracers report it.
type Filter struct {
	IncludeNames, IncludeTypes, IncludeTags []string
	ExcludeNames, ExcludeTypes, ExcludeTags []string
}

// include reports whether a run or event with this name, type and tags
// passes the filter.
func (f Filter) include(name, typ string, tags []string) bool {
	in := f.IncludeNames == nil && f.IncludeTypes == nil && f.IncludeTags == nil
	if f.IncludeNames != nil {
		in = in || slices.Contains(f.IncludeNames, name)
	}
	if f.IncludeTypes != nil {
		in = in || slices.Contains(f.IncludeTypes, typ)
	}
	if f.IncludeTags != nil {
		in = in || slices.ContainsFunc(tags, func(t string) bool { return slices.Contains(f.IncludeTags, t) })
	}
	if f.ExcludeNames != nil {
		in = in && !slices.Contains(f.ExcludeNames, name)
	}
	if f.ExcludeTypes != nil {
		in = in && !slices.Contains(f.ExcludeTypes, typ)
	}
	if f.ExcludeTags != nil {
		in = in && !slices.ContainsFunc(tags, func(t string) bool { return slices.Contains(f.ExcludeTags, t) })
	}
	return in
}

// publicMetadata returns md without the keys starting with "__"
// (__useragent, __langserve_version, __langserve_endpoint), which LangServe
// strips from stream_events. It returns md itself when there is nothing to
// strip.
func publicMetadata(md map[string]any) map[string]any {
	if md == nil {
		return map[string]any{}
	}
	internal := false
	for k := range md {
		if strings.HasPrefix(k, "__") {
			internal = true
			break
		}
	}
	if !internal {
		return md
	}
	out := maps.Clone(md)
	maps.DeleteFunc(out, func(k string, _ any) bool { return strings.HasPrefix(k, "__") })
	return out
}
