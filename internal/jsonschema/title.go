package jsonschema

import (
	"strings"
	"unicode"
)

// Title converts a field name into the title pydantic gives it:
// "page_content" -> "Page Content", "times" -> "Times", "run_id" -> "Run Id".
//
// pydantic computes name.title().replace("_", " ").strip(), and Python's
// str.title upper-cases a letter that follows a non-letter and lower-cases
// every other letter, so "userID" becomes "Userid" and "v2beta" becomes
// "V2Beta". The same rules are applied here so that titles match exactly.
func Title(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	prevCased := false
	for _, r := range name {
		cased := unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
		switch {
		case cased && prevCased:
			r = unicode.ToLower(r)
		case cased:
			r = unicode.ToTitle(r)
		case r == '_':
			r = ' '
		}
		prevCased = cased
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
