package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// hookReceiver is a script's webhook receiver: a real HTTP server that
// answers its first request with 500 (so every script sees a retry) and
// then with its current status, and records what it was sent.
type hookReceiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	status   int
	requests []hookRequest
}

type hookRequest struct {
	status int
	body   string
}

var runningHooks sync.Map // *testscript.TestScript → *hookReceiver

// cmdWebhook starts and inspects a script's webhook receiver.
//
//	webhook               start it; WEBHOOK_URL is its URL, whose path
//	                      carries a random WEBHOOK_TOKEN (a secret: the
//	                      leak check fails the script if tradectl shows it)
//	webhook status CODE   answer CODE from now on (default 200)
//	webhook dump FILE     write every request so far, one per line, as
//	                      "STATUS BODY", to FILE
func cmdWebhook(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: webhook [status CODE | dump FILE]"
	if neg {
		ts.Fatalf("%s", usage)
	}
	if len(args) == 0 {
		h := &hookReceiver{status: http.StatusOK}
		h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
		runningHooks.Store(ts, h)
		ts.Defer(func() { runningHooks.Delete(ts); h.srv.Close() })
		token := randomHex(ts, 32)
		ts.Setenv("WEBHOOK_TOKEN", token)
		ts.Setenv("WEBHOOK_URL", h.srv.URL+"/hooks/"+token+"?sig="+token)
		return
	}
	v, ok := runningHooks.Load(ts)
	if !ok {
		ts.Fatalf("webhook %s: start it first", args[0])
	}
	h := v.(*hookReceiver)
	switch {
	case args[0] == "status" && len(args) == 2:
		code, err := strconv.Atoi(args[1])
		if err != nil || code < 100 || code > 599 {
			ts.Fatalf("webhook status: %q is not an HTTP status", args[1])
		}
		h.mu.Lock()
		h.status = code
		h.mu.Unlock()
	case args[0] == "dump" && len(args) == 2:
		h.mu.Lock()
		var b strings.Builder
		for _, r := range h.requests {
			fmt.Fprintf(&b, "%d %s\n", r.status, r.body)
		}
		h.mu.Unlock()
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o600))
	default:
		ts.Fatalf("%s", usage)
	}
}

func (h *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	h.mu.Lock()
	status := h.status
	if len(h.requests) == 0 {
		status = http.StatusInternalServerError
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		status = http.StatusMethodNotAllowed
	}
	h.requests = append(h.requests, hookRequest{status: status, body: strings.TrimSpace(string(body))})
	h.mu.Unlock()
	w.WriteHeader(status)
}
