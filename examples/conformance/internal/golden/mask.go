package golden

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var (
	uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// Message ids of chat model chunks: "run--<uuid>-0" in langchain-core
	// 0.3.77 (one per stream), "run--<uuid>" on aggregated messages.
	msgIDRE = regexp.MustCompile(`^(run-+)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(.*)$`)
	// ISO-8601 times as LangChain writes them into run logs.
	timeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$`)
	digit  = regexp.MustCompile(`\d`)
)

// Masker replaces the values a server generates afresh on every request —
// run ids, message ids, timestamps — by placeholders, so that two answers
// can be compared structurally.
//
// Ids are numbered in order of first appearance, so the relations between
// them survive masking: a parent id must name the same run as the run_id
// it refers to, every chunk of one stream must carry the same message id.
// Use one Masker per answer and feed it that answer's values in order.
// Timestamps keep their shape (digits become D), so a format difference
// such as "Z" instead of "+00:00" still shows.
type Masker struct {
	// Descriptions replaces the value of every "description" string, for
	// JSON Schemas whose documentation texts are our own.
	Descriptions bool

	ids  map[string]string
	msgs map[string]string
}

// Mask returns a masked copy of a decoded JSON value. Objects are walked in
// sorted key order, so the numbering does not depend on key order.
func (m *Masker) Mask(v any) any {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(v))
		for _, k := range keys {
			if _, ok := v[k].(string); ok && k == "description" && m.Descriptions {
				out[k] = "<description>"
				continue
			}
			out[k] = m.Mask(v[k])
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = m.Mask(e)
		}
		return out
	case string:
		return m.MaskString(v)
	default:
		return v
	}
}

// MaskString masks one string value: a UUID, a message id or a timestamp;
// other strings are returned unchanged.
func (m *Masker) MaskString(s string) string {
	switch {
	case uuidRE.MatchString(s):
		return number(&m.ids, "id", s)
	case msgIDRE.MatchString(s):
		p := msgIDRE.FindStringSubmatch(s)
		return p[1] + number(&m.msgs, "msg", p[2]) + p[3]
	case timeRE.MatchString(s):
		return "<time " + digit.ReplaceAllString(s, "D") + ">"
	}
	return s
}

func number(seen *map[string]string, kind, s string) string {
	if *seen == nil {
		*seen = map[string]string{}
	}
	if p, ok := (*seen)[strings.ToLower(s)]; ok {
		return p
	}
	p := fmt.Sprintf("<%s-%d>", kind, len(*seen)+1)
	(*seen)[strings.ToLower(s)] = p
	return p
}
