package wire

import "fmt"

// Marshal encodes v as LangServe does (orjson): compact, UTF-8 kept raw, no
// HTML escaping of <, > and &, U+2028 and U+2029 raw, NaN and infinite
// floats in maps and slices written as null. LangChain objects (messages,
// documents, prompt values, generations) use their MarshalJSON methods;
// other Go values follow encoding/json rules. A value that cannot be
// encoded (a channel, a func, a cyclic structure, a NaN inside a struct) is
// an error, which serve turns into a 500 answer or an SSE error event, as
// LangServe does for non-serializable output.
func Marshal(v any) ([]byte, error) {
	b, err := appendValue(nil, v)
	if err != nil {
		return nil, fmt.Errorf("wire: cannot serialize %T: %w", v, err)
	}
	return b, nil
}
