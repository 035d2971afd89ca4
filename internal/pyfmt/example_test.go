package pyfmt_test

import (
	"encoding/json"
	"fmt"

	"github.com/langserve-go/langserve/internal/pyfmt"
)

func Example() {
	var v any
	if err := json.Unmarshal([]byte(`{"city": "Zürich", "days": 3, "hot": false, "temps": [21.5, null]}`), &v); err != nil {
		panic(err)
	}
	fmt.Println(pyfmt.Str("plain"))
	fmt.Println(pyfmt.Repr(v))
	fmt.Println(pyfmt.Dumps(v))
	// Output:
	// plain
	// {'city': 'Zürich', 'days': 3, 'hot': False, 'temps': [21.5, None]}
	// {"city": "Z\u00fcrich", "days": 3, "hot": false, "temps": [21.5, null]}
}
