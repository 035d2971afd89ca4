package runnable_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/langserve-go/langserve/runnable"
)

// Merge unites tags in order of first appearance, with few tags and with
// as many as a request body can carry.
func TestMergeUnitesTags(t *testing.T) {
	for _, n := range []int{0, 3, 20, 2000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var base, over, want []string
			for i := range n {
				base = append(base, "b"+strconv.Itoa(i))
				// over repeats each of its tags and shares half of base.
				over = append(over, "o"+strconv.Itoa(i), "o"+strconv.Itoa(i), "b"+strconv.Itoa(2*i))
			}
			want = slices.Clone(base)
			for _, tag := range over {
				if !slices.Contains(want, tag) {
					want = append(want, tag)
				}
			}
			got := runnable.Merge(runnable.Config{Tags: base}, runnable.Config{Tags: over}).Tags
			if !slices.Equal(got, want) {
				t.Errorf("Merge tags: got %d tags %v…, want %d tags %v…", len(got), got[:min(6, len(got))], len(want), want[:min(6, len(want))])
			}
		})
	}
}

// BenchmarkMergeManyTags reports the cost of a config whose request sets
// many distinct tags (it was quadratic: 7 s for 50,000 tags).
func BenchmarkMergeManyTags(b *testing.B) {
	for _, n := range []int{4, 50000} {
		tags := make([]string, n)
		for i := range tags {
			tags[i] = fmt.Sprint("tag-", i)
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				runnable.Merge(runnable.Config{Tags: []string{"base"}}, runnable.Config{Tags: tags})
			}
		})
	}
}
