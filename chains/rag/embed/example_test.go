package embed_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/langserve-go/langserve/chains/rag/embed"
)

// The local embedder needs no model or network, and similar texts get
// similar vectors.
func ExampleNewLocal() {
	ctx := context.Background()
	e := embed.NewLocal(&embed.LocalOptions{Dimensions: 256})
	q, _ := e.EmbedQuery(ctx, "How do retries back off?")
	docs, _ := e.EmbedDocuments(ctx, []string{
		"Retries back off exponentially between attempts.",
		"The playground is embedded in the binary.",
	})
	fmt.Printf("retry doc: %.2f\n", cos(q, docs[0]))
	fmt.Printf("playground doc: %.2f\n", cos(q, docs[1]))
	// Output:
	// retry doc: 0.69
	// playground doc: 0.00
}

// counting records how many calls reach the provider.
type counting struct {
	embed.Embedder
	mu    sync.Mutex
	calls int
}

func (c *counting) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.Embedder.EmbedDocuments(ctx, texts)
}

// A Batcher merges concurrent queries into one provider call. (The long
// MaxWait makes the example deterministic: the batch goes out when the
// eighth query fills it. Real settings wait milliseconds.)
func ExampleNewBatcher() {
	provider := &counting{Embedder: embed.NewLocal(nil)}
	b := embed.NewBatcher(provider, &embed.BatcherOptions{MaxBatch: 8, MaxWait: time.Hour})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := b.EmbedQuery(context.Background(), fmt.Sprint("question ", i)); err != nil {
				panic(err)
			}
		})
	}
	wg.Wait()
	fmt.Println("provider calls:", provider.calls)
	// Output: provider calls: 1
}
