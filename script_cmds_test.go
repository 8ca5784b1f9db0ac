package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"

	"github.com/rhysd/actionlint"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// cmdGFM renders a Markdown file as GitHub does (GFM tables, raw HTML such
// as <details> kept) into an HTML file: `gfm plan.md plan.html`.
func cmdGFM(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gfm IN.md OUT.html")
	}
	src, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	var out bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	ts.Check(gm.Convert(src, &out))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), out.Bytes(), 0o644))
}

// hookReceivers are the scripts' webhook receivers, by script.
var hookReceivers sync.Map // *testscript.TestScript → *hookReceiver

// hookReceiver is a local webhook endpoint that checks each POST's
// Standard Webhooks signature with the secret it gave the script, and
// answers 204, 500, or not at all ("hang", until the client gives up).
type hookReceiver struct {
	key  []byte
	mode string
	mu   sync.Mutex
	ids  []string
	bad  int
	last []byte
}

func (rc *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, stamp, sig := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	mac := hmac.New(sha256.New, rc.key)
	mac.Write([]byte(id + "." + stamp + "."))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	rc.mu.Lock()
	rc.ids = append(rc.ids, id)
	if !hmac.Equal([]byte(sig), []byte(want)) {
		rc.bad++
	}
	rc.last = body
	rc.mu.Unlock()
	switch rc.mode {
	case "hang":
		<-r.Context().Done()
	case "500":
		w.WriteHeader(http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// cmdReceiver runs a script's webhook receiver:
//
//	receiver start [ok|500|hang]   sets $WEBHOOK_URL and $WEBHOOK_SECRET
//	receiver messages N            N distinct messages, every POST signed
//	receiver body FILE             writes the last body received to FILE
func cmdReceiver(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: receiver start [ok|500|hang] | receiver messages N | receiver body FILE")
	}
	if args[0] == "start" {
		rc := &hookReceiver{key: make([]byte, 24), mode: "ok"}
		if len(args) > 1 {
			rc.mode = args[1]
		}
		_, _ = rand.Read(rc.key)
		srv := httptest.NewServer(rc)
		ts.Defer(srv.Close)
		hookReceivers.Store(ts, rc)
		ts.Setenv("WEBHOOK_URL", srv.URL+"/hooks/ltxform")
		ts.Setenv("WEBHOOK_SECRET", "whsec_"+base64.StdEncoding.EncodeToString(rc.key))
		return
	}
	v, ok := hookReceivers.Load(ts)
	if !ok || len(args) != 2 {
		ts.Fatalf("no receiver started, or bad arguments")
	}
	rc := v.(*hookReceiver)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch args[0] {
	case "messages":
		distinct := map[string]bool{}
		for _, id := range rc.ids {
			distinct[id] = true
		}
		if strconv.Itoa(len(distinct)) != args[1] || rc.bad > 0 {
			ts.Fatalf("%d messages in %d POSTs, %d with a bad signature; want %s, all signed", len(distinct), len(rc.ids), rc.bad, args[1])
		}
	case "body":
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), rc.last, 0o644))
	default:
		ts.Fatalf("unknown receiver command %q", args[0])
	}
}

// cmdActionlint lints a GitHub Actions workflow with actionlint.
func cmdActionlint(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: actionlint FILE")
	}
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	ts.Check(err)
	errs, err := linter.LintFile(ts.MkAbs(args[0]), nil)
	ts.Check(err)
	for _, e := range errs {
		ts.Logf("%s:%d:%d: %s [%s]", args[0], e.Line, e.Column, e.Message, e.Kind)
	}
	if (len(errs) > 0) != neg {
		ts.Fatalf("actionlint: %d problems", len(errs))
	}
}
