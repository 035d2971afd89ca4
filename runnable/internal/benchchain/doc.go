// Package benchchain holds benchmarks of whole chains built from the
// runnable subpackages (prompt | chat model | parser). They live apart from
// package runnable because those packages import it.
package benchchain
