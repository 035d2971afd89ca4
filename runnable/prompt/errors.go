package prompt

import (
	"errors"
	"fmt"
	"strings"
)

// ErrMissingVariables matches (with errors.Is) every [*MissingVariablesError].
var ErrMissingVariables = errors.New("prompt: missing variables")

// ErrInvalidVariable is wrapped by the errors for a variable whose value
// has the wrong shape, such as a messages placeholder that is not a list of
// messages.
var ErrInvalidVariable = errors.New("prompt: invalid variable")

// MissingVariablesError is returned when a prompt is called without some of
// its input variables. A server answers it as a client error (LangServe
// reports it as a 422), so the message names what is missing and what was
// expected.
type MissingVariablesError struct {
	// Prompt is the name of the prompt ("PromptTemplate", "ChatPromptTemplate").
	Prompt string
	// Missing, Expected and Received are sorted variable names: the absent
	// ones, all the required ones, and the ones the input had.
	Missing, Expected, Received []string
}

func (e *MissingVariablesError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "prompt: input to %s is missing variables [%s]; expected [%s], received [%s]",
		e.Prompt, strings.Join(e.Missing, " "), strings.Join(e.Expected, " "), strings.Join(e.Received, " "))
	if len(e.Missing) > 0 {
		// The usual cause is a literal brace in the template (a JSON example
		// in a system prompt), so say how to escape it, as LangChain does.
		m := e.Missing[0]
		fmt.Fprintf(&b, " (if {%s} is meant as literal text, escape it in the template as {{%s}})", m, m)
	}
	return b.String()
}

// Is reports whether target is [ErrMissingVariables].
func (e *MissingVariablesError) Is(target error) bool { return target == ErrMissingVariables }
