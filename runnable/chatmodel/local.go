package chatmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/schema"
)

// LocalModelName is the model name the built-in local model reports in
// every response's response_metadata, so that nobody mistakes its answers
// for a real language model's.
const LocalModelName = "langserve-go-local-extractive"

// Local returns the built-in local model that serves when no provider is
// configured. It is deterministic and offline, and it is not a language
// model: it answers by rules that are honest about what they can do.
//
//   - With tools bound and a new question, it calls the tool whose name and
//     description share the most words with the question, filling the
//     tool's parameters from the question (the text for string parameters,
//     the numbers in it for numeric ones).
//   - After tool results, it answers with them, naming the tools.
//   - When the prompt carries a "Context:" section, it answers with the
//     context sentences that share the most words with the question
//     (extractive question answering).
//   - Otherwise it says that no language model is configured and repeats
//     the request's text.
//
// Every response carries response_metadata {"model_name":
// LocalModelName, "model_provider": "local"}. It is named "LocalChatModel".
func Local() *Model {
	return New(runnable.Info{Name: "LocalChatModel", Metadata: map[string]any{
		"ls_provider": "local", "ls_model_name": LocalModelName,
	}}, local{})
}

type local struct{}

func (local) SupportsTools() bool { return true }

func (local) StreamChat(ctx context.Context, msgs []schema.Message, opts CallOptions) iter.Seq2[schema.Message, error] {
	return func(yield func(schema.Message, error) bool) {
		reply := localReply(msgs, opts.Tools)
		meta := map[string]any{"model_name": LocalModelName, "model_provider": "local", "finish_reason": "stop"}
		if len(reply.ToolCalls) > 0 {
			meta["finish_reason"] = "tool_calls"
		}
		for _, tok := range splitKeepingSpaces(reply.Content) {
			if ctx.Err() != nil {
				yield(schema.Message{}, context.Cause(ctx))
				return
			}
			if !yield(schema.AIChunk(tok), nil) {
				return
			}
		}
		last := schema.AIChunk("")
		last.ResponseMetadata = meta
		for i, tc := range reply.ToolCalls {
			args, _ := json.Marshal(tc.Args)
			idx := i
			last.ToolCallChunks = append(last.ToolCallChunks, schema.ToolCallChunk{Name: tc.Name, Args: string(args), ID: tc.ID, Index: &idx})
		}
		yield(last, nil)
	}
}

// localReply decides the local model's answer to a conversation.
func localReply(msgs []schema.Message, tools []Tool) schema.Message {
	question, sinceHuman := lastHuman(msgs)
	var results []schema.Message
	for _, m := range sinceHuman {
		if m.Type == schema.ToolType {
			results = append(results, m)
		}
	}
	switch {
	case len(results) > 0:
		var b strings.Builder
		for i, r := range results {
			if i > 0 {
				b.WriteString(" ")
			}
			name := r.Name
			if name == "" {
				name = toolNameFor(sinceHuman, r.ToolCallID)
			}
			fmt.Fprintf(&b, "The %s tool answered: %s.", name, strings.TrimRight(r.Text(), ". "))
		}
		return schema.AI(b.String())
	case len(tools) > 0:
		if t, ok := bestTool(question, tools); ok {
			msg := schema.AI("")
			msg.ToolCalls = []schema.ToolCall{{Name: t.Name, Args: argsFor(question, t), ID: "call_local_" + t.Name}}
			return msg
		}
	}
	if ctx, q, ok := contextAndQuestion(msgs, question); ok {
		if answer := extract(ctx, q, 2); answer != "" {
			return schema.AI(answer)
		}
		return schema.AI("The context does not answer this question.")
	}
	return schema.AI("No language model is configured (the built-in local model answered), so here is your text unchanged: " + question)
}

func lastHuman(msgs []schema.Message) (string, []schema.Message) {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Type == schema.HumanType {
			return msgs[i].Text(), msgs[i+1:]
		}
	}
	return "", msgs
}

func toolNameFor(msgs []schema.Message, id string) string {
	for _, m := range msgs {
		for _, tc := range m.ToolCalls {
			if tc.ID == id {
				return tc.Name
			}
		}
	}
	return "requested"
}

var stopwords = map[string]bool{
	"the": true, "and": true, "for": true, "are": true, "but": true, "not": true, "you": true,
	"all": true, "can": true, "her": true, "was": true, "one": true, "our": true, "out": true,
	"what": true, "how": true, "does": true, "this": true, "that": true, "with": true, "from": true,
	"which": true, "when": true, "who": true, "why": true, "into": true, "its": true, "use": true,
	"about": true, "have": true, "has": true, "will": true, "your": true, "there": true, "their": true,
}

// words returns the distinctive lower-case words of s, crudely stemmed so
// that "streams" and "streaming" meet.
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len(w) < 3 || stopwords[w] {
			continue
		}
		for _, suf := range []string{"ing", "ies", "es", "ed", "s"} {
			if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
				w = strings.TrimSuffix(w, suf)
				break
			}
		}
		out[w] = true
	}
	return out
}

func overlap(a, b map[string]bool) int {
	n := 0
	for w := range a {
		if b[w] {
			n++
		}
	}
	return n
}

func bestTool(question string, tools []Tool) (Tool, bool) {
	q := words(question)
	best, score := Tool{}, 0
	for _, t := range tools {
		s := overlap(q, words(strings.ReplaceAll(t.Name, "_", " ")+" "+t.Description))
		if s > score {
			best, score = t, s
		}
	}
	return best, score > 0
}

var numberPattern = regexp.MustCompile(`-?\d+(?:\.\d+)?`)

// argsFor fills a tool's parameters from the question: numbers in the
// order they appear for numeric parameters, the question for text ones.
func argsFor(question string, t Tool) map[string]any {
	args := map[string]any{}
	props, _ := t.Parameters["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	numbers := numberPattern.FindAllString(question, -1)
	for _, name := range names {
		p, _ := props[name].(map[string]any)
		switch p["type"] {
		case "number", "integer":
			if len(numbers) == 0 {
				continue
			}
			f, err := strconv.ParseFloat(numbers[0], 64)
			numbers = numbers[1:]
			if err == nil {
				args[name] = f
			}
		case "string":
			args[name] = question
		}
	}
	return args
}

// contextAndQuestion finds a "Context:" section in the prompt, and the
// question: a "Question:" line if there is one, else the last human text.
func contextAndQuestion(msgs []schema.Message, lastHuman string) (context, question string, ok bool) {
	for _, m := range msgs {
		text := m.Text()
		i := strings.Index(text, "Context:")
		if i < 0 {
			continue
		}
		context = text[i+len("Context:"):]
		question = lastHuman
		if j := strings.Index(context, "Question:"); j >= 0 {
			question = strings.TrimSpace(context[j+len("Question:"):])
			context = context[:j]
		}
		return context, question, true
	}
	return "", "", false
}

var sentenceEnd = regexp.MustCompile(`(?m)[.!?](\s+|$)|\n\s*\n`)

// extract returns the n sentences of text that share the most words with
// question, in their original order.
func extract(text, question string, n int) string {
	q := words(question)
	type sentence struct {
		text  string
		score int
		pos   int
	}
	var ss []sentence
	start := 0
	for _, loc := range sentenceEnd.FindAllStringIndex(text+"\n\n", -1) {
		s := strings.TrimSpace(text[start:min(loc[1], len(text))])
		start = loc[1]
		if s == "" || strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			continue
		}
		ss = append(ss, sentence{text: strings.Join(strings.Fields(s), " "), score: overlap(q, words(s)), pos: len(ss)})
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].score > ss[j].score })
	var picked []sentence
	for _, s := range ss {
		if s.score == 0 || len(picked) == n {
			break
		}
		picked = append(picked, s)
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].pos < picked[j].pos })
	parts := make([]string, len(picked))
	for i, s := range picked {
		parts[i] = s.text
	}
	return strings.Join(parts, " ")
}
