package playground_test

// Browser tests: the playgrounds in real Chromium (Debian's /usr/bin/chromium,
// see scripts/install-chromium.sh) against the conformance server, the Go
// versions of the reference routes of the golden transcripts.
//
// Without Chromium the tests skip, except under CI=true, where they fail.
// Screenshots (PNG) go to $ARTIFACTS_DIR, default ./artifacts (git-ignored).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/langserve-go/langserve/examples/conformance/routes"
	"github.com/langserve-go/langserve/playground"
	"github.com/langserve-go/langserve/runnable"
	"github.com/langserve-go/langserve/runnable/chatmodel"
	"github.com/langserve-go/langserve/runnable/parser"
	"github.com/langserve-go/langserve/runnable/prompt"
	"github.com/langserve-go/langserve/serve"
)

// conformance is the server under test.
func conformance() http.Handler { return routes.New() }

const reply = "Bonjour le monde, ceci est une réponse fixe."

func chromium(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium not found at %s (run scripts/install-chromium.sh): %v", p, err)
		}
		t.Skipf("Chromium not found at %s (run scripts/install-chromium.sh)", p)
	}
	return p
}

// page is one browser tab on a test server, with the console watched.
type page struct {
	t   *testing.T
	ctx context.Context
	srv *httptest.Server

	mu      sync.Mutex
	console []string
}

func newPage(t *testing.T, h http.Handler) *page {
	t.Helper()
	exe := chromium(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	// A generous bound so a broken page fails the test instead of hanging
	// it; no assertion depends on time.
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	p := &page{t: t, ctx: ctx, srv: srv}
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatal(err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, m.String())
			p.mu.Unlock()
		}
	}()
	return p
}

func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

func eval[T any](p *page, js string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition; it fails the test with the page's
// status texts when the condition never holds.
func (p *page) waitFor(cond string) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		status := eval[string](p, `[...document.querySelectorAll("[role=status],[role=alert]")].map(e => e.textContent).join(" | ")`)
		p.t.Fatalf("waiting for %s: %v; page says: %s", cond, err, status)
	}
}

func (p *page) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.srv.URL + path))
	p.waitFor(`document.querySelector("main") && !document.querySelector("main > p.muted")`)
}

// byName finds the one element with an accessible role and name, which is
// how a screen reader user finds it, and returns its id.
func (p *page) byName(role, name string) string {
	p.t.Helper()
	doc, err := chromedp.Run(p.ctx, chromedp.Evaluate[*runtime.RemoteObject](`document`))
	if err != nil {
		p.t.Fatal(err)
	}
	res, err := chromedp.Call(p.ctx, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{
		ObjectID: doc.ObjectID, AccessibleName: name, Role: role,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	var found []*accessibility.Node
	for _, n := range res.Nodes {
		if !n.Ignored {
			found = append(found, n)
		}
	}
	if len(found) != 1 {
		p.t.Fatalf("want exactly one %s named %q, found %d", role, name, len(found))
	}
	d, err := chromedp.Call(p.ctx, dom.DescribeNode, dom.DescribeNodeParams{BackendNodeID: found[0].BackendDOMNodeID})
	if err != nil {
		p.t.Fatal(err)
	}
	attrs := d.Node.Attributes
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i] == "id" {
			return attrs[i+1]
		}
	}
	p.t.Fatalf("%s %q has no id", role, name)
	return ""
}

// fill replaces the text of the field labelled name by typing it.
func (p *page) fill(name, text string) {
	p.t.Helper()
	id := p.byName("textbox", name)
	// chromedp.Clear fails on an empty textarea, so empty it from the page.
	p.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = ""`, id)),
		chromedp.SendKeys(chromedp.ID(id), text))
}

func (p *page) click(role, name string) {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.ID(p.byName(role, name))))
}

func (p *page) text(sel string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`document.querySelector(%q)?.textContent ?? ""`, sel))
}

func (p *page) screenshot(name string) {
	p.t.Helper()
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatal(err)
	}
	if !bytes.HasPrefix(buf, []byte("\x89PNG\r\n\x1a\n")) {
		p.t.Fatalf("screenshot %s is not a PNG", name)
	}
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		dir = "artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// checkConsole fails on uncaught exceptions and Content-Security-Policy
// violations; expected HTTP errors of a test are listed in allow.
func (p *page) checkConsole(allow ...string) {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
next:
	for _, m := range p.console {
		for _, a := range allow {
			if strings.Contains(m, a) {
				continue next
			}
		}
		if strings.Contains(m, "Refused to") || strings.Contains(m, "Uncaught") || strings.Contains(m, "error") {
			p.t.Errorf("console: %s", m)
		}
	}
}

func (p *page) run() {
	p.t.Helper()
	p.click("button", "Run")
	p.waitFor(`["Done.", "Failed."].includes(document.getElementById("run-status").textContent)`)
}

func TestBrowserDefaultPlayground(t *testing.T) {
	p := newPage(t, conformance())
	p.open("/chat/playground/")
	if got := eval[string](p, `document.querySelector("meta[name=playground-title]").content`); got != "/chat" {
		t.Errorf("title meta %q", got)
	}
	p.fill("language", "French")
	p.fill("text", "hello")
	p.run()
	if got := p.text("#output"); got != reply {
		t.Errorf("output %q, want %q", got, reply)
	}
	steps := eval[[]string](p, `[...document.querySelectorAll("#steps .step-name")].map(e => e.textContent)`)
	if len(steps) < 2 {
		t.Errorf("intermediate steps %v, want the prompt, model and parser runs", steps)
	}
	meta := eval[[]string](p, `[...document.querySelectorAll("#steps .step-meta")].map(e => e.textContent)`)
	for _, m := range meta {
		if !strings.Contains(m, "ms") && !strings.Contains(m, " s") {
			t.Errorf("step without a duration: %q", m)
		}
	}
	p.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details.step").forEach(d => d.open = true)`))
	p.screenshot("default-chat-run")
	p.checkConsole()
}

func TestBrowserKeyboardAndFocus(t *testing.T) {
	p := newPage(t, conformance())
	p.open("/typed/playground/")
	// Tab from the top of the page to the Run button, as a keyboard user.
	p.do(chromedp.Evaluate[chromedp.Void](`document.activeElement?.blur()`))
	for i := 0; i < 20 && eval[string](p, `document.activeElement?.id ?? ""`) != "run"; i++ {
		p.do(chromedp.KeyEvent("\t"))
	}
	if eval[string](p, `document.activeElement?.id ?? ""`) != "run" {
		t.Fatal("Run is not reachable with Tab")
	}
	if outline := eval[string](p, `getComputedStyle(document.activeElement).outlineStyle`); outline == "none" {
		t.Error("the focused Run button shows no focus outline")
	}
	p.screenshot("keyboard-focus-run")
}

func TestBrowserErrors(t *testing.T) {
	p := newPage(t, conformance())

	// A run that fails mid-stream: the SSE error event.
	p.open("/fail/playground/")
	p.fill("input", `{"x": 1}`) // any JSON: the input is a JSON editor
	p.run()
	if got := p.text("#run-error"); !strings.Contains(got, "500") {
		t.Errorf("run error %q, want the status of the SSE error event", got)
	}
	p.screenshot("error-stream")

	// A request the server rejects: the 422 detail.
	p.open("/typed/playground/")
	p.click("checkbox", "Edit input as JSON")
	p.fill("input as JSON", `{"times": 2}`)
	p.run()
	if got := p.text("#run-error"); !strings.Contains(got, "422") || !strings.Contains(got, "name") {
		t.Errorf("run error %q, want 422 naming the missing field", got)
	}
	p.screenshot("error-422")

	// A value the form itself refuses: no request at all.
	p.open("/typed/playground/")
	p.fill("name", "Ada")
	p.fill("times", "two")
	p.click("button", "Run")
	p.waitFor(`!document.getElementById("input-error").hidden`)
	if got := p.text("#input-error"); !strings.Contains(got, "times: Enter a number") {
		t.Errorf("input error %q", got)
	}
	p.checkConsole("422", "500")
}

func TestBrowserTypedAndRetriever(t *testing.T) {
	p := newPage(t, conformance())
	p.open("/typed/playground/")
	p.fill("name", "Ada")
	p.fill("times", "2")
	p.run()
	out := p.text("#output")
	if !strings.Contains(out, "Hello, Ada! Hello, Ada!") {
		t.Errorf("typed output %q", out)
	}
	p.screenshot("typed")

	p.open("/retriever/playground/")
	p.fill("input", "cats and dogs")
	p.run()
	if n := eval[int](p, `document.querySelectorAll("#output .doc-card").length`); n != 2 {
		t.Errorf("%d document cards, want 2", n)
	}
	p.screenshot("retriever-documents")
	p.checkConsole()
}

func TestBrowserConfigShareAndSnippets(t *testing.T) {
	p := newPage(t, conformance())
	p.open("/conf/playground/")
	p.fill("answers 1", "Hola")
	p.click("button", "Share")
	link := eval[string](p, `document.getElementById("share-url").value`)
	prefix := p.srv.URL + "/conf/c/"
	if !strings.HasPrefix(link, prefix) || !strings.HasSuffix(link, "/playground/") {
		t.Fatalf("share link %q, want %s<hash>/playground/", link, prefix)
	}
	// The curl snippet, run as it is, reaches the server and gets the answer
	// the configuration asks for.
	if _, err := exec.LookPath("curl"); err == nil {
		snippet := p.text("#snippet-curl")
		var input = `"input":{"language":"","text":""}`
		if !strings.Contains(snippet, input) {
			t.Errorf("curl snippet %q lacks %s", snippet, input)
		}
		out, err := exec.CommandContext(t.Context(), "sh", "-c", snippet).Output()
		if err != nil {
			t.Fatalf("running the curl snippet: %v", err)
		}
		var res struct{ Output string }
		if err := json.Unmarshal(out, &res); err != nil || res.Output != "Hola" {
			t.Errorf("curl snippet answered %s (%v), want output Hola", out, err)
		}
	}
	p.screenshot("share-dialog")

	// The link restores the configuration.
	p.do(chromedp.Navigate(link))
	p.waitFor(`!!document.getElementById("run")`)
	if got := eval[string](p, fmt.Sprintf(`document.getElementById(%q).value`, p.byName("textbox", "answers 1"))); got != "Hola" {
		t.Errorf("restored answer %q, want Hola", got)
	}
	p.fill("language", "Spanish")
	p.fill("text", "hello")
	p.run()
	if got := p.text("#output"); got != "Hola" {
		t.Errorf("output under the shared config %q, want Hola", got)
	}
	p.checkConsole()
}

func TestBrowserChatPlaygroundExplains(t *testing.T) {
	// /chat's input is {language, text}: not a conversation.
	mux := http.NewServeMux()
	mux.Handle("/", conformance())
	mux.Handle("GET /chat/playground/", playground.Handler(&playground.Options{Type: playground.Chat, Title: "/chat"}))
	p := newPage(t, mux)
	p.open("/chat/playground/")
	if got := p.text("main"); !strings.Contains(got, "does not fit the chat playground") || !strings.Contains(got, "language, text") {
		t.Errorf("page %q, want an explanation naming the input keys", got)
	}
	p.screenshot("chat-unsupported")
	p.checkConsole()
}

func TestBrowserDarkScheme(t *testing.T) {
	p := newPage(t, conformance())
	if _, err := chromedp.Call(p.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
	}); err != nil {
		t.Fatal(err)
	}
	p.open("/chat/playground/")
	light := "rgb(246, 247, 249)"
	if bg := eval[string](p, `getComputedStyle(document.body).backgroundColor`); bg == light {
		t.Errorf("body background %s is the light one under prefers-color-scheme: dark", bg)
	}
	p.screenshot("dark-scheme")
}

// pressEnter presses and releases Enter in the focused element.
var pressEnter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
		}); err != nil {
			return err
		}
	}
	return nil
})

// recorder keeps the bodies of the stream_log requests the page sends.
type recorder struct {
	next   http.Handler
	mu     sync.Mutex
	bodies []map[string]any
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/stream_log") {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		var v map[string]any
		if json.Unmarshal(b, &v) == nil {
			rc.mu.Lock()
			rc.bodies = append(rc.bodies, v)
			rc.mu.Unlock()
		}
	}
	rc.next.ServeHTTP(w, r)
}

func (rc *recorder) last(t *testing.T) string {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.bodies) == 0 {
		t.Fatal("no stream_log request")
	}
	b, _ := json.Marshal(rc.bodies[len(rc.bodies)-1]["input"])
	return string(b)
}

func TestBrowserChatPlayground(t *testing.T) {
	app := serve.New()
	// {"messages": [...]} -> AI message
	serve.AddRoutes(app, runnable.Pipe(
		prompt.MustChat(prompt.System("Be brief."), prompt.Placeholder("messages", false)),
		chatmodel.Fake(reply)),
		&serve.Options{Path: "/talk", PlaygroundType: playground.Chat})
	// {"history": [...], "question": "..."} -> string
	serve.AddRoutes(app, runnable.Pipe3(
		prompt.MustChat(prompt.Placeholder("history", false), prompt.Human("{question}")),
		chatmodel.Fake(reply), parser.String()),
		&serve.Options{Path: "/qa", PlaygroundType: playground.Chat})
	rec := &recorder{next: app}
	p := newPage(t, rec)

	turns := func() []string {
		return eval[[]string](p, `[...document.querySelectorAll("#chat-log .bubble")].map(b => b.querySelector(".bubble-role").textContent + ": " + b.querySelector(".bubble-text").textContent)`)
	}
	send := func(text string) {
		p.t.Helper()
		// Enter sends, as in any chat box. SendKeys("\n") would also send a
		// char event, which a real browser does not send after the page
		// cancelled the keydown, so press the key itself.
		p.do(chromedp.SendKeys(chromedp.ID(p.byName("textbox", "Message")), text), pressEnter)
		p.waitFor(`document.getElementById("run-status").textContent === "Reply complete."`)
	}

	p.open("/talk/playground/")
	send("hello")
	send("and again")
	want := []string{"You: hello", "Assistant: " + reply, "You: and again", "Assistant: " + reply}
	if got := turns(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("conversation %q, want %q", got, want)
	}
	if got, want := rec.last(t), `{"messages":[{"content":"hello","type":"human"},{"content":"`+reply+`","type":"ai"},{"content":"and again","type":"human"}]}`; got != want {
		t.Errorf("stream_log input %s, want %s", got, want)
	}
	p.click("button", "Regenerate")
	p.waitFor(`document.getElementById("run-status").textContent === "Reply complete."`)
	if got := turns(); len(got) != 4 {
		t.Errorf("after Regenerate the conversation is %q, want the same four turns", got)
	}
	if got := rec.last(t); !strings.HasSuffix(got, `{"content":"and again","type":"human"}]}`) {
		t.Errorf("Regenerate sent %s, want the history up to the last human turn", got)
	}
	p.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details.turn-steps").forEach(d => d.open = true)`))
	if n := eval[int](p, `document.querySelectorAll("details.turn-steps .step").length`); n == 0 {
		t.Error("no intermediate steps under the replies")
	}
	p.screenshot("chat-conversation")
	p.click("button", "Clear")
	if got := turns(); len(got) != 0 {
		t.Errorf("after Clear: %q", got)
	}

	p.open("/qa/playground/")
	send("first")
	send("second")
	if got, want := rec.last(t), `{"history":[{"content":"first","type":"human"},{"content":"`+reply+`","type":"ai"}],"question":"second"}`; got != want {
		t.Errorf("stream_log input %s, want %s", got, want)
	}
	p.screenshot("chat-history-and-question")
	p.checkConsole()
}
