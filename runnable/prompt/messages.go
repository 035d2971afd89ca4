package prompt

import (
	"encoding/json"
	"reflect"
	"slices"

	"github.com/langserve-go/langserve/internal/pyfmt"
	"github.com/langserve-go/langserve/runnable/schema"
)

// toMessages converts the value of the placeholder variable name to
// messages, as LangChain's MessagesPlaceholder does with convert_to_messages.
//
// Lists other than []schema.Message go through their JSON form and
// schema.PromptValue's decoding of a message list, which is the one place
// that knows every message-like shape LangChain accepts (message objects of
// any class, {"role","content"} objects, [role, content] pairs, strings).
// That keeps a list built in Go and the same list received as JSON
// equivalent.
func toMessages(name string, v any) ([]schema.Message, error) {
	switch x := v.(type) {
	case []schema.Message:
		return slices.Clone(x), nil
	case nil:
		return nil, errorf("variable %s should be a list of messages, got None", name)
	}
	t := reflect.TypeOf(v)
	if (t.Kind() != reflect.Slice && t.Kind() != reflect.Array) || t.Elem().Kind() == reflect.Uint8 {
		return nil, errorf("variable %s should be a list of messages, got %s of type %T", name, pyfmt.Str(v), v)
	}
	if t.Kind() == reflect.Slice && reflect.ValueOf(v).IsNil() {
		return []schema.Message{}, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, errorf("variable %s should be a list of messages: %v", name, err)
	}
	var pv schema.PromptValue
	if err := pv.UnmarshalJSON(data); err != nil {
		return nil, errorf("variable %s should be a list of messages: %v", name, err)
	}
	return pv.Messages, nil
}
