package fakevenue

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// WSHub is a fake venue's market-data WebSocket host: it accepts
// connections, hands each to the venue's serve function and lets a test
// refuse new connections, drop the open ones, or silence them (kept open,
// nothing sent — a feed that died without closing). It runs on its own
// listener, outside the request log and the injected failures, so a
// failure meant for the REST API never lands on the stream's handshake.
type WSHub struct {
	serve   func(ctx context.Context, c *WSConn)
	closing <-chan struct{}

	start sync.Once
	url   string

	mu       sync.Mutex
	conns    map[*websocket.Conn]struct{}
	accepted int
	off      bool
	silent   bool
}

// WSConn is one accepted connection; N counts connections from 1, and
// Path is the handshake's URL path (a venue with several endpoints on one
// host tells them apart by it).
type WSConn struct {
	*websocket.Conn
	N    int
	Path string
	hub  *WSHub
}

// NewWSHub returns a hub whose connections serve runs until it returns or
// ctx ends (the client left, or the venue closes). The listener starts on
// the first URL call and stops when closing is closed.
func NewWSHub(closing <-chan struct{}, serve func(ctx context.Context, c *WSConn)) *WSHub {
	return &WSHub{serve: serve, closing: closing, conns: map[*websocket.Conn]struct{}{}}
}

// URL is the hub's base URL, ws://127.0.0.1:port.
func (h *WSHub) URL() string {
	h.start.Do(func() {
		ts := httptest.NewServer(http.HandlerFunc(h.accept))
		h.url = "ws" + strings.TrimPrefix(ts.URL, "http")
		go func() {
			<-h.closing
			h.Drop()
			ts.Close()
		}()
	})
	return h.url
}

func (h *WSHub) accept(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	off := h.off
	h.mu.Unlock()
	if off {
		http.Error(w, "market streams are disabled", http.StatusServiceUnavailable)
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	c.SetReadLimit(1 << 20)
	h.mu.Lock()
	select {
	case <-h.closing:
		h.mu.Unlock()
		c.CloseNow()
		return
	default:
	}
	h.conns[c] = struct{}{}
	h.accepted++
	n := h.accepted
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.conns, c)
		h.mu.Unlock()
		c.CloseNow()
	}()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-h.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	h.serve(ctx, &WSConn{Conn: c, N: n, Path: r.URL.Path, hub: h})
}

// Send writes one text message, or nothing while the hub is silenced.
func (c *WSConn) Send(ctx context.Context, msg []byte) error {
	if c.hub.Silent() {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.Write(wctx, websocket.MessageText, msg)
}

// Disable makes new connections fail with HTTP 503 (off) or succeed again.
func (h *WSHub) Disable(off bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.off = off
}

// Drop closes every open connection abruptly.
func (h *WSHub) Drop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		c.CloseNow()
	}
}

// Silence stops (on) or resumes every connection's messages, heartbeats
// included, without closing anything.
func (h *WSHub) Silence(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.silent = on
}

// Silent says whether the hub is silenced.
func (h *WSHub) Silent() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.silent
}

// Connections counts connections accepted so far.
func (h *WSHub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.accepted
}
