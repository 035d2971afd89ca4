package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Document is LangChain's Document: a piece of text with metadata, as
// retrievers return it.
// JSON: {"id":null|"…","metadata":{…},"page_content":"…","type":"Document"}.
type Document struct {
	ID          string // "" serializes as null
	PageContent string
	Metadata    map[string]any // nil serializes as {}
}

// MarshalJSON implements json.Marshaler with LangChain's field order.
func (d Document) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	w := newObject(&buf)
	w.nullable("id", d.ID)
	w.object("metadata", d.Metadata)
	w.field("page_content", d.PageContent)
	w.raw("type", `"Document"`)
	return w.finish()
}

// UnmarshalJSON implements json.Unmarshaler. "page_content" is required and
// must be a string; "type", when present, must be "Document".
func (d *Document) UnmarshalJSON(data []byte) error {
	obj, err := decodeObject(data, "document")
	if err != nil {
		return err
	}
	if err := checkTag(obj, "Document", "document"); err != nil {
		return err
	}
	raw, ok := obj["page_content"]
	if !ok || isNull(raw) {
		return fmt.Errorf(`document: missing "page_content"`)
	}
	var out Document
	if err := json.Unmarshal(raw, &out.PageContent); err != nil {
		return fmt.Errorf("document: page_content must be a string, got %s", describeJSON(raw))
	}
	if out.Metadata, err = optObject(obj, "metadata", "document"); err != nil {
		return err
	}
	if out.ID, err = optStringOrNumber(obj, "id", "document"); err != nil {
		return err
	}
	*d = out
	return nil
}
