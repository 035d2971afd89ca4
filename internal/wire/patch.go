package wire

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"github.com/langserve-go/langserve/internal/jsonstr"
)

// op is one JSON Patch (RFC 6902) operation of a RunLogPatch.
type op struct {
	op    string // add, replace or remove
	path  string
	value any
}

// appendPatch appends the RunLogPatch {"ops":[…]} holding ops to b.
func appendPatch(b []byte, ops []op) ([]byte, error) {
	b = append(b, `{"ops":[`...)
	for i, o := range ops {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"op":`...)
		b = jsonstr.Append(b, o.op)
		b = append(b, `,"path":`...)
		b = jsonstr.Append(b, o.path)
		if o.op != "remove" {
			b = append(b, `,"value":`...)
			var err error
			if b, err = appendValue(b, o.value); err != nil {
				return b, err
			}
		}
		b = append(b, '}')
	}
	return append(b, "]}"...), nil
}

// pointerEscaper escapes a JSON Pointer reference token (RFC 6901).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointer joins a JSON Pointer and one unescaped reference token.
func pointer(path, token string) string {
	return path + "/" + pointerEscaper.Replace(token)
}

// diff appends the operations that turn prev into next at path, the way
// python-jsonpatch's make_patch does, which is how LangChain reports the
// running aggregate of a stream (final_output): dicts are compared key by
// key, lists index by index, anything else is replaced whole when its JSON
// differs. Within a dict, removed keys come first, then added ones, then
// changed ones, each group in sorted order (Python walks sets, whose order
// is arbitrary).
func diff(ops []op, path string, prev, next any) ([]op, error) {
	return diffAt(ops, path, prev, next, 0)
}

// maxDiffNesting is how deep diff compares dicts and lists; below it,
// what differs is replaced whole. Every level lengthens the path of the
// operations below it, and python-jsonpatch stops at Python's recursion
// limit (about a thousand) anyway.
const maxDiffNesting = 256

// diffAt is diff for values depth levels down.
func diffAt(ops []op, path string, prev, next any, depth int) ([]op, error) {
	switch p := prev.(type) {
	case map[string]any:
		if n, ok := next.(map[string]any); ok && p != nil && n != nil && depth < maxDiffNesting {
			return diffDicts(ops, path, p, n, depth)
		}
	case []any:
		if n, ok := next.([]any); ok && p != nil && n != nil && depth < maxDiffNesting {
			return diffLists(ops, path, p, n, depth)
		}
	case string:
		if n, ok := next.(string); ok {
			if p != n {
				ops = append(ops, op{"replace", path, n})
			}
			return ops, nil
		}
	}
	// Leaves compare by their JSON text, as in python-jsonpatch (so 1 and
	// true differ); the encoding of next is kept as the op's value.
	x, err := appendValue(nil, prev)
	if err != nil {
		return ops, err
	}
	y, err := appendValue(nil, next)
	if err != nil {
		return ops, err
	}
	if !bytes.Equal(x, y) {
		ops = append(ops, op{"replace", path, rawJSON(y)})
	}
	return ops, nil
}

func diffDicts(ops []op, path string, prev, next map[string]any, depth int) ([]op, error) {
	var removed, added, common []string
	for k := range prev {
		if _, ok := next[k]; ok {
			common = append(common, k)
		} else {
			removed = append(removed, k)
		}
	}
	for k := range next {
		if _, ok := prev[k]; !ok {
			added = append(added, k)
		}
	}
	slices.Sort(removed)
	slices.Sort(added)
	slices.Sort(common)
	for _, k := range removed {
		ops = append(ops, op{"remove", pointer(path, k), nil})
	}
	for _, k := range added {
		ops = append(ops, op{"add", pointer(path, k), next[k]})
	}
	for _, k := range common {
		var err error
		if ops, err = diffAt(ops, pointer(path, k), prev[k], next[k], depth+1); err != nil {
			return ops, err
		}
	}
	return ops, nil
}

func diffLists(ops []op, path string, prev, next []any, depth int) ([]op, error) {
	common := min(len(prev), len(next))
	for i := range common {
		var err error
		if ops, err = diffAt(ops, pointer(path, strconv.Itoa(i)), prev[i], next[i], depth+1); err != nil {
			return ops, err
		}
	}
	// Removing at the same index repeatedly drops the tail, as jsonpatch does.
	for range len(prev) - common {
		ops = append(ops, op{"remove", pointer(path, strconv.Itoa(len(next))), nil})
	}
	for i := common; i < len(next); i++ {
		ops = append(ops, op{"add", pointer(path, strconv.Itoa(i)), next[i]})
	}
	return ops, nil
}
