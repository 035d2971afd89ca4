package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/langserve-go/langserve/chains/agent"
	"github.com/langserve-go/langserve/chains/rag"
)

// The agent's tools. Their descriptions list the words people use for what
// they do: a real model reads them, and the local model picks a tool by
// the words it shares with the question.

type calcArgs struct {
	Expression string `json:"expression" jsonschema:"description=An arithmetic expression such as (2 + 3) * 4.5 / 2"`
}

func calculatorTool() agent.Tool {
	return agent.NewTool("calculator",
		"Calculate the value of an arithmetic expression: numbers with + - * / % ^ and parentheses. "+
			"Use it for any math: sums, plus, minus, times, multiply, divide, percentages, powers.",
		func(_ context.Context, in calcArgs) (string, error) {
			expr := arithmetic(in.Expression)
			if expr == "" {
				return "", fmt.Errorf("no arithmetic expression in %q", in.Expression)
			}
			v, err := evaluate(expr)
			if err != nil {
				return "", err
			}
			return expr + " = " + strconv.FormatFloat(v, 'g', 12, 64), nil
		})
}

type searchArgs struct {
	Query string `json:"query" jsonschema:"description=What to look for in the documentation"`
}

// searchTool searches the RAG index: the documentation of langserve-go and
// whatever was indexed through /rag/documents.
func searchTool(idx *rag.Index) agent.Tool {
	return agent.NewTool("search_docs",
		"Search the langserve-go documentation (runnables, streaming, stream_log, stream_events, playground, "+
			"config, batching, retries, fallbacks, pgvector, embeddings, deployment) and return the most relevant passages with their sources.",
		func(ctx context.Context, in searchArgs) (string, error) {
			res, err := idx.Retrieve(ctx, in.Query, 2)
			if err != nil {
				return "", err
			}
			var b strings.Builder
			for _, r := range res {
				if !(r.Score > 0) {
					continue
				}
				if b.Len() > 0 {
					b.WriteString(" ")
				}
				src, _ := r.Document.Metadata["source"].(string)
				fmt.Fprintf(&b, "[%s] %s", src, passage(r.Document.PageContent, 600))
			}
			if b.Len() == 0 {
				return "Nothing in the documentation matches.", nil
			}
			return b.String(), nil
		})
}

// passage is text without its leading Markdown headings, white space
// collapsed, cut after about n bytes at a word boundary.
func passage(text string, n int) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	for len(lines) > 0 && (strings.HasPrefix(lines[0], "# ") || strings.HasPrefix(lines[0], "## ") ||
		strings.HasPrefix(lines[0], "### ") || strings.TrimSpace(lines[0]) == "") {
		lines = lines[1:]
	}
	words := strings.Fields(strings.Join(lines, " "))
	var b strings.Builder
	for _, w := range words {
		if b.Len()+len(w) > n {
			b.WriteString(" …")
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

type noArgs struct{}

func clockTool(now func() time.Time) agent.Tool {
	return agent.NewTool("current_time",
		"The current date and time in UTC: what time, date, day or year it is now.",
		func(context.Context, noArgs) (string, error) {
			return now().UTC().Format("Monday 2 January 2006, 15:04:05 UTC"), nil
		})
}

// arithmetic returns the longest run of s made of characters that can be
// part of an arithmetic expression and holding a digit, trimmed: the
// expression inside a question such as "what is 2 + 3?". A model passes the
// bare expression, which comes back whole.
func arithmetic(s string) string {
	isExpr := func(r rune) bool { return strings.ContainsRune("0123456789.+-*/%^() ", r) }
	best, start := "", -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		run := strings.TrimSpace(s[start:end])
		if strings.ContainsAny(run, "0123456789") && len(run) > len(best) {
			best = run
		}
		start = -1
	}
	for i, r := range s {
		switch {
		case isExpr(r) && start < 0:
			start = i
		case !isExpr(r):
			flush(i)
		}
	}
	flush(len(s))
	return best
}

// maxDepth bounds the nesting of parentheses and unary signs, so that a
// hostile expression cannot exhaust the stack.
const maxDepth = 64

// evaluate computes an arithmetic expression with +, -, *, /, % (remainder),
// ^ (power, right-associative), unary signs, parentheses and decimal
// numbers.
func evaluate(expr string) (float64, error) {
	p := &calc{s: expr}
	v, err := p.sum(0)
	if err != nil {
		return 0, err
	}
	p.space()
	if p.i < len(p.s) {
		return 0, fmt.Errorf("unexpected %q at position %d of %q", p.s[p.i:p.i+1], p.i+1, expr)
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q has no finite value", expr)
	}
	return v, nil
}

type calc struct {
	s string
	i int
}

var errDepth = errors.New("expression nested too deeply")

func (p *calc) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *calc) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *calc) sum(depth int) (float64, error) {
	v, err := p.product(depth)
	for err == nil {
		op := p.peek()
		if op != '+' && op != '-' {
			break
		}
		p.i++
		var w float64
		if w, err = p.product(depth); op == '+' {
			v += w
		} else {
			v -= w
		}
	}
	return v, err
}

func (p *calc) product(depth int) (float64, error) {
	v, err := p.unary(depth)
	for err == nil {
		op := p.peek()
		if op != '*' && op != '/' && op != '%' {
			break
		}
		p.i++
		var w float64
		if w, err = p.unary(depth); err != nil {
			break
		}
		switch {
		case op == '*':
			v *= w
		case w == 0:
			err = errors.New("division by zero")
		case op == '/':
			v /= w
		default:
			v = math.Mod(v, w)
		}
	}
	return v, err
}

// unary is a signed power: -2^2 is -(2^2), as in mathematics and Python.
func (p *calc) unary(depth int) (float64, error) {
	if depth >= maxDepth {
		return 0, errDepth
	}
	switch p.peek() {
	case '-':
		p.i++
		v, err := p.unary(depth + 1)
		return -v, err
	case '+':
		p.i++
		return p.unary(depth + 1)
	}
	return p.power(depth)
}

// power is a primary raised to a signed power, right-associative:
// 2^3^2 is 2^(3^2), and 2^-1 is 0.5.
func (p *calc) power(depth int) (float64, error) {
	base, err := p.primary(depth)
	if err != nil || p.peek() != '^' {
		return base, err
	}
	p.i++
	exp, err := p.unary(depth + 1)
	return math.Pow(base, exp), err
}

func (p *calc) primary(depth int) (float64, error) {
	if p.peek() == '(' {
		p.i++
		v, err := p.sum(depth + 1)
		if err != nil {
			return 0, err
		}
		if p.peek() != ')' {
			return 0, fmt.Errorf("missing ) in %q", p.s)
		}
		p.i++
		return v, nil
	}
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] == '.') {
		p.i++
	}
	if start == p.i {
		if p.i >= len(p.s) {
			return 0, fmt.Errorf("%q ends where a number should be", p.s)
		}
		return 0, fmt.Errorf("expected a number at position %d of %q, found %q", p.i+1, p.s, p.s[p.i:p.i+1])
	}
	v, err := strconv.ParseFloat(p.s[start:p.i], 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", p.s[start:p.i])
	}
	return v, nil
}
