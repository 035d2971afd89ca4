package loader_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/langserve-go/langserve/chains/rag/loader"
	"github.com/langserve-go/langserve/runnable/schema"
)

func TestMarkdown(t *testing.T) {
	src := "Intro before any heading.\n\n" +
		"# Guide\n\nWelcome.\n\n" +
		"## Install ##\n\nRun go get.\n\n" +
		"```sh\n# not a heading\n```\n\n" +
		"### Details\n\nMore.\n\n" +
		"## Use\n\n#hashtag is text\n\n" +
		"#### Deep\n\nskipped level\n\n" +
		"~~~~\n## still code\n~~~\n~~~~\n" +
		"# Second top\n"
	got, err := loader.Markdown("guide.md", src)
	if err != nil {
		t.Fatal(err)
	}
	type sec struct {
		id, section string
		starts      string
	}
	want := []sec{
		{"guide.md#0", "", "Intro before any heading."},
		{"guide.md#1", "Guide", "# Guide\n\nWelcome."},
		{"guide.md#2", "Guide > Install", "## Install ##\n\nRun go get.\n\n```sh\n# not a heading\n```"},
		{"guide.md#3", "Guide > Install > Details", "### Details"},
		{"guide.md#4", "Guide > Use", "## Use\n\n#hashtag is text"},
		{"guide.md#5", "Guide > Use > Deep", "#### Deep\n\nskipped level\n\n~~~~\n## still code\n~~~\n~~~~"},
		{"guide.md#6", "Second top", "# Second top"},
	}
	if len(got) != len(want) {
		for _, d := range got {
			t.Logf("%s %v %q", d.ID, d.Metadata["section"], d.PageContent)
		}
		t.Fatalf("%d sections, want %d", len(got), len(want))
	}
	for i, w := range want {
		d := got[i]
		if d.ID != w.id || !strings.HasPrefix(d.PageContent, w.starts) {
			t.Errorf("section %d = %s %q, want %s starting %q", i, d.ID, d.PageContent, w.id, w.starts)
		}
		if s, _ := d.Metadata["section"].(string); s != w.section {
			t.Errorf("section %d: section metadata %q, want %q", i, s, w.section)
		}
		if d.Metadata["source"] != "guide.md" || d.Metadata["format"] != "markdown" || d.Metadata["title"] != "Guide" {
			t.Errorf("section %d: metadata %v", i, d.Metadata)
		}
	}
	if h := got[3].Metadata["headings"]; !reflect.DeepEqual(h, []any{"Guide", "Install", "Details"}) {
		t.Errorf("headings = %#v", h)
	}
	if _, ok := got[0].Metadata["headings"]; ok {
		t.Error("the intro section has headings metadata")
	}
}

func TestMarkdownEmpty(t *testing.T) {
	docs, err := loader.Markdown("e.md", "  \n\n")
	if err != nil || len(docs) != 0 {
		t.Fatalf("Markdown(blank) = %v, %v", docs, err)
	}
}

func TestHTML(t *testing.T) {
	page := `<!DOCTYPE html>
<html><head><title>  The   Guide </title>
<style>body { color: red }</style><script>var secret = "do not index";</script>
<meta name="description" content="meta text"></head>
<body>
<nav><a href="/">Home</a></nav>
<h1>Heading   One</h1>
<p>First
   paragraph with <b>bold</b> and <a href="#">a link</a>.</p>
<ul><li>item one</li><li>item two</li></ul>
<pre>  keep   this
  spacing</pre>
<table><tr><td>cell a</td><td>cell b</td></tr></table>
<noscript>enable js</noscript><template><p>hidden</p></template>
<svg><text>vector text</text></svg>
<!-- a comment -->
<p>Last &amp; final.</p>
</body></html>`
	d, err := loader.HTML("page.html", strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	want := "Home\n\nHeading One\n\nFirst paragraph with bold and a link.\n\nitem one\nitem two\n\nkeep   this\nspacing\n\ncell a cell b\n\nLast & final."
	if d.PageContent != want {
		t.Fatalf("content:\n%q\nwant\n%q", d.PageContent, want)
	}
	if d.ID != "page.html" || !reflect.DeepEqual(d.Metadata, map[string]any{"source": "page.html", "format": "html", "title": "The Guide"}) {
		t.Fatalf("document %q %v", d.ID, d.Metadata)
	}
	for _, hidden := range []string{"secret", "color", "enable js", "hidden", "vector text", "comment", "meta text"} {
		if strings.Contains(d.PageContent, hidden) {
			t.Errorf("content contains invisible text %q", hidden)
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	bad := "ok \xff\xfe bad"
	if _, err := loader.Text("t.txt", bad); !errors.Is(err, loader.ErrNotUTF8) {
		t.Errorf("Text: %v", err)
	}
	if _, err := loader.Markdown("t.md", bad); !errors.Is(err, loader.ErrNotUTF8) {
		t.Errorf("Markdown: %v", err)
	}
	if _, err := loader.HTML("t.html", strings.NewReader(bad)); !errors.Is(err, loader.ErrNotUTF8) {
		t.Errorf("HTML: %v", err)
	}
}

func TestDir(t *testing.T) {
	fsys := fstest.MapFS{
		"docs/b.md":         {Data: []byte("# B\n\nbee")},
		"docs/a.txt":        {Data: []byte("plain a")},
		"docs/sub/c.HTML":   {Data: []byte("<p>see</p>")},
		"docs/image.png":    {Data: []byte{0x89, 'P', 'N', 'G'}},
		"docs/notes.json":   {Data: []byte("{}")},
		"other/ignored.txt": {Data: []byte("outside root")},
	}
	docs, err := loader.Dir(fsys, "docs")
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.Document{
		{ID: "docs/a.txt", PageContent: "plain a", Metadata: map[string]any{"source": "docs/a.txt", "format": "text"}},
		{ID: "docs/b.md#0", PageContent: "# B\n\nbee", Metadata: map[string]any{"source": "docs/b.md", "format": "markdown", "title": "B", "section": "B", "headings": []any{"B"}}},
		{ID: "docs/sub/c.HTML", PageContent: "see", Metadata: map[string]any{"source": "docs/sub/c.HTML", "format": "html"}},
	}
	if !reflect.DeepEqual(docs, want) {
		t.Fatalf("Dir:\n got %#v\nwant %#v", docs, want)
	}
	if _, err := loader.Dir(fsys, "missing"); err == nil {
		t.Error("Dir of a missing directory succeeded")
	}
	if _, err := loader.File(fsys, "docs/missing.md"); err == nil {
		t.Error("File of a missing file succeeded")
	}
}
