package splitter_test

import (
	"fmt"

	"github.com/langserve-go/langserve/chains/rag/splitter"
)

// Chunks are cut at sentence ends here, and the last one repeats the end of
// the previous chunk (up to ChunkOverlap characters, starting at a word).
func ExampleSplitter_Split() {
	s, err := splitter.New(&splitter.Options{ChunkSize: 40, ChunkOverlap: 12})
	if err != nil {
		panic(err)
	}
	text := "Runnables stream chunks. The server sends them as events.\n\nA new paragraph starts here."
	for _, c := range s.Split(text) {
		fmt.Printf("%q\n", c)
	}
	// Output:
	// "Runnables stream chunks."
	// "The server sends them as events."
	// "as events.\n\nA new paragraph starts here."
}
