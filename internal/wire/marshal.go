package wire

import (
	"fmt"

	"github.com/langserve-go/langserve/runnable/schema"
)

// Marshal encodes v as LangServe does (orjson): compact, UTF-8 kept raw, no
// HTML escaping of <, > and &. LangChain objects (messages, documents, prompt
// values, generations) use their MarshalJSON methods; other Go values use
// encoding/json rules. A value that cannot be encoded (a channel, a func, a
// NaN float, a cyclic structure) is an error, which serve turns into a 500
// answer or an SSE error event, as LangServe does for non-serializable
// output.
func Marshal(v any) ([]byte, error) {
	b, err := schema.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("wire: cannot serialize %T: %w", v, err)
	}
	return b, nil
}
