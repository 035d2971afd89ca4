package lzstring_test

import (
	"encoding/json"
	"fmt"

	"github.com/langserve-go/langserve/internal/lzstring"
)

func ExampleCompressToEncodedURIComponent() {
	fmt.Println(lzstring.CompressToEncodedURIComponent(`{"tags": ["test"]}`))
	// Output: N4IgLghg5gziBcACA2uApjMIC6BfIA
}

// A /c/{config_hash}/ handler decodes the hash and insists on a JSON object.
func ExampleDecompressFromEncodedURIComponent() {
	for _, hash := range []string{"N4IgLghg5gziBcACA2uApjMIC6BfIA", "abc", "1234"} {
		text, err := lzstring.DecompressFromEncodedURIComponent(hash)
		var config map[string]any
		if err == nil {
			err = json.Unmarshal([]byte(text), &config)
		}
		if err != nil || config == nil {
			fmt.Printf("%s: 400 Invalid config hash\n", hash)
			continue
		}
		fmt.Printf("%s: %v\n", hash, config)
	}
	// Output:
	// N4IgLghg5gziBcACA2uApjMIC6BfIA: map[tags:[test]]
	// abc: 400 Invalid config hash
	// 1234: 400 Invalid config hash
}
