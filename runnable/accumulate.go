package runnable

import "strings"

// sum adds up the chunks of a stream the way [Concat] does, without the
// quadratic cost of adding strings one pair at a time: runs of string
// chunks (a model's tokens) go into a strings.Builder. Other chunks are
// added pairwise with Concat.
type sum[T any] struct {
	v   T
	got bool
	sb  *strings.Builder // holds v while it is a string being extended
}

func (s *sum[T]) add(chunk T) {
	if !s.got {
		s.v, s.got = chunk, true
		return
	}
	if c, ok := any(chunk).(string); ok {
		if s.sb != nil {
			s.sb.WriteString(c)
			return
		}
		if v, ok := any(s.v).(string); ok {
			s.sb = &strings.Builder{}
			s.sb.Grow(2 * (len(v) + len(c)))
			s.sb.WriteString(v)
			s.sb.WriteString(c)
			return
		}
	}
	s.flush()
	s.v, _ = Concat(s.v, chunk)
}

// flush moves the builder's string back into v. T is string or an
// interface type here, since v held a string.
func (s *sum[T]) flush() {
	if s.sb != nil {
		s.v, _ = any(s.sb.String()).(T)
		s.sb = nil
	}
}

// value returns the sum so far and whether any chunk was added.
func (s *sum[T]) value() (T, bool) {
	s.flush()
	return s.v, s.got
}

// output returns the sum as a run's output: nil when no chunk was added
// (the zero T, "" or 0, would claim an output the run never produced).
func (s *sum[T]) output() any {
	if v, got := s.value(); got {
		return v
	}
	return nil
}
