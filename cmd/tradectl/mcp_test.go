package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/journal"
	"github.com/tradectl/tradectl/internal/xdg"
)

// mcpHome is a tradectl home with a paper profile and a "binance" profile
// on a fake Binance, for driving `tradectl mcp` with the MCP SDK's own
// client over the real binary's stdin and stdout.
type mcpHome struct {
	bin     string
	dir     string
	env     map[string]string
	venue   *fakebinance.Server
	secrets []string
}

func newMCPHome(t *testing.T) *mcpHome {
	t.Helper()
	bin, err := exec.LookPath("tradectl")
	if err != nil {
		t.Fatalf("TestMain installs tradectl in PATH: %v", err)
	}
	dir := t.TempDir()
	key, secret := randHex(t, 32), randHex(t, 32)
	venue := fakebinance.New(key, secret)
	t.Cleanup(venue.Close)
	h := &mcpHome{bin: bin, dir: dir, venue: venue, secrets: []string{key, secret}, env: map[string]string{
		"HOME":            dir,
		"XDG_CONFIG_HOME": filepath.Join(dir, ".config"),
		"XDG_DATA_HOME":   filepath.Join(dir, ".local", "share"),
		"XDG_STATE_HOME":  filepath.Join(dir, ".local", "state"),
		"XDG_CACHE_HOME":  filepath.Join(dir, ".cache"),
		"NO_COLOR":        "1",
		"GORACE":          "atexit_sleep_ms=0",
		"BINANCE_KEY":     key,
		"BINANCE_SECRET":  secret,
	}}
	h.writeConfig(t, "")
	return h
}

// writeConfig writes the home's config with extra appended at the top level.
func (h *mcpHome) writeConfig(t *testing.T, extra string) {
	t.Helper()
	cfg := fmt.Sprintf(`default_profile: paper
profiles:
  paper:
    exchange: paper
  binance:
    exchange: binance
    base_url: %s
    ws_url: %s
    api_key_env: BINANCE_KEY
    api_secret_env: BINANCE_SECRET
%s`, h.venue.URL(), h.venue.WSURL(), extra)
	dir := filepath.Join(h.env["XDG_CONFIG_HOME"], "tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// connect starts `tradectl mcp --profile PROFILE` and initializes a client
// session with it; the session and the process end with the test, and
// the server's stderr is checked for the venue's credentials then.
func (h *mcpHome) connect(t *testing.T, profile string) *sdk.ClientSession {
	t.Helper()
	cmd := exec.Command(h.bin, "mcp", "--profile", profile)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range h.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	client := sdk.NewClient(&sdk.Implementation{Name: "tradectl-test", Version: "1"}, nil)
	cs, err := client.Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect to tradectl mcp: %v (stderr: %s)", err, stderr.String())
	}
	t.Cleanup(func() {
		if err := cs.Close(); err != nil {
			t.Errorf("close session: %v", err)
		}
		for _, s := range h.secrets {
			if strings.Contains(stderr.String(), s) {
				t.Errorf("a venue credential appears on tradectl mcp's stderr")
			}
		}
	})
	return cs
}

// toolResult is a tool call's outcome as a client reads it: the text
// the tool returned and whether it is a tool error.
type toolResult struct {
	text    string
	isError bool
}

func callTool(t *testing.T, cs *sdk.ClientSession, name string, args map[string]any) toolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: protocol error %v; failures must be tool results", name, err)
	}
	if len(res.Content) != 1 {
		t.Fatalf("call %s: %d content items, want 1", name, len(res.Content))
	}
	text, ok := res.Content[0].(*sdk.TextContent)
	if !ok {
		t.Fatalf("call %s: content is %T, want text", name, res.Content[0])
	}
	return toolResult{text: text.Text, isError: res.IsError}
}

// toolFailure is the part of a failed call's result every client relies on.
type toolFailure struct {
	ExitCode int `json:"exit_code"`
	Error    struct {
		Code     string `json:"code"`
		ExitCode int    `json:"exit_code"`
		Message  string `json:"message"`
	} `json:"error"`
}

func failureOf(t *testing.T, r toolResult) toolFailure {
	t.Helper()
	if !r.isError {
		t.Fatalf("want a tool error, got a result: %s", r.text)
	}
	var f toolFailure
	if err := json.Unmarshal([]byte(r.text), &f); err != nil {
		t.Fatalf("tool error is not JSON: %v\n%s", err, r.text)
	}
	if f.ExitCode != f.Error.ExitCode {
		t.Errorf("exit_code %d at the top, %d in error", f.ExitCode, f.Error.ExitCode)
	}
	return f
}

// orderJSON is what the tests read of an order as `-o json` prints it.
type orderJSON struct {
	ID       string `json:"id"`
	ClientID string `json:"client_id"`
	Symbol   string `json:"symbol"`
	Side     string `json:"side"`
	Status   string `json:"status"`
	Qty      string `json:"qty"`
	Profile  string `json:"profile"`
	Existing bool   `json:"existing"`
}

func decodeResult[T any](t *testing.T, r toolResult) T {
	t.Helper()
	if r.isError {
		t.Fatalf("tool error: %s", r.text)
	}
	var v T
	if err := json.Unmarshal([]byte(r.text), &v); err != nil {
		t.Fatalf("result is not the JSON expected: %v\n%s", err, r.text)
	}
	return v
}

func TestMCPListsTools(t *testing.T) {
	h := newMCPHome(t)
	cs := h.connect(t, "paper")
	if got := cs.InitializeResult().ServerInfo.Name; got != "tradectl" {
		t.Errorf("server name %q, want tradectl", got)
	}
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, tool := range res.Tools {
		schema, _ := tool.InputSchema.(map[string]any)
		var required []string
		if r, ok := schema["required"].([]any); ok {
			for _, name := range r {
				required = append(required, name.(string))
			}
		}
		slices.Sort(required)
		got[tool.Name] = required
	}
	want := map[string][]string{
		"balance": nil, "dashboard": nil, "order_cancel": nil, "order_get": nil, "order_list": nil,
		"positions": nil, "quote": {"symbols"}, "order_create": {"side", "symbol"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tools and their required arguments (-want +got):\n%s", diff)
	}
}

func TestMCPPaperSession(t *testing.T) {
	h := newMCPHome(t)
	cs := h.connect(t, "paper")

	quotes := decodeResult[[]struct {
		Symbol string `json:"symbol"`
		Bid    string `json:"bid"`
		Ask    string `json:"ask"`
	}](t, callTool(t, cs, "quote", map[string]any{"symbols": []string{"BTC-USD"}}))
	if len(quotes) != 1 || quotes[0].Symbol != "BTC-USD" || quotes[0].Bid == "" || quotes[0].Ask == "" {
		t.Errorf("quote BTC-USD: got %+v", quotes)
	}

	placed := decodeResult[orderJSON](t, callTool(t, cs, "order_create", map[string]any{
		"symbol": "BTC-USD", "side": "buy", "qty": "0.01", "idempotency_key": "mcp-test-1",
	}))
	if placed.ID == "" || placed.Status != "filled" || placed.Qty != "0.01" || placed.Profile != "paper" || placed.Existing {
		t.Errorf("order_create on paper: got %+v, want a new filled order of 0.01", placed)
	}

	// The same idempotency key finds the order instead of placing another.
	again := decodeResult[orderJSON](t, callTool(t, cs, "order_create", map[string]any{
		"symbol": "BTC-USD", "side": "buy", "qty": "0.01", "idempotency_key": "mcp-test-1",
	}))
	if again.ID != placed.ID || !again.Existing {
		t.Errorf("order_create again with the same key: got %+v, want order %s with existing: true", again, placed.ID)
	}

	for _, ref := range []map[string]any{{"id": placed.ID}, {"client_id": placed.ClientID}} {
		got := decodeResult[orderJSON](t, callTool(t, cs, "order_get", ref))
		if got.ID != placed.ID || got.ClientID != placed.ClientID {
			t.Errorf("order_get %v: got %+v, want order %s", ref, got, placed.ID)
		}
	}

	listed := decodeResult[[]orderJSON](t, callTool(t, cs, "order_list", map[string]any{"status": "all"}))
	if len(listed) != 1 || listed[0].ID != placed.ID {
		t.Errorf("order_list status all: got %+v, want only order %s", listed, placed.ID)
	}

	// The read-only tools answer with the command's JSON document.
	for _, tool := range []struct {
		name string
		args map[string]any
	}{
		{"balance", nil}, {"positions", map[string]any{"symbol": "BTC-USD"}}, {"dashboard", nil},
	} {
		r := callTool(t, cs, tool.name, tool.args)
		if r.isError || !json.Valid([]byte(r.text)) || !strings.Contains(r.text, "BTC") {
			t.Errorf("%s: got error %v, %s; want a JSON document naming BTC", tool.name, r.isError, r.text)
		}
	}

	dirs, err := xdg.FromEnv(func(k string) string { return h.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(context.Background(), filepath.Join(dirs.StateDir(), journal.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	in, ok, err := j.Intent(context.Background(), "paper", placed.ClientID)
	if err != nil || !ok {
		t.Fatalf("journal intent for %s: found %v, %v", placed.ClientID, ok, err)
	}
	if in.Status != journal.Placed || in.IdempotencyKey != "mcp-test-1" || in.Request.Qty.String() != "0.01" {
		t.Errorf("journal intent: status %s, key %q, qty %s; want placed, mcp-test-1, 0.01", in.Status, in.IdempotencyKey, in.Request.Qty)
	}

	// Failures are tool errors with the exit classification.
	for _, tc := range []struct {
		name     string
		tool     string
		args     map[string]any
		exitCode int
		code     string
	}{
		{"unknown order", "order_get", map[string]any{"id": "no-such-order"}, 3, "not_found"},
		{"bad side", "order_create", map[string]any{"symbol": "BTC-USD", "side": "hold", "qty": "1"}, 2, "usage"},
		// A symbol that looks like a flag stays an argument: it cannot
		// turn into --yes or anything else.
		{"flag as symbol", "order_create", map[string]any{"symbol": "--yes", "side": "buy", "qty": "1"}, 2, "usage"},
		{"neither id", "order_get", map[string]any{}, 2, "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := failureOf(t, callTool(t, cs, tc.tool, tc.args))
			if f.ExitCode != tc.exitCode || f.Error.Code != tc.code {
				t.Errorf("got exit %d code %q (%s), want exit %d code %q", f.ExitCode, f.Error.Code, f.Error.Message, tc.exitCode, tc.code)
			}
		})
	}
}

func TestMCPLiveOrders(t *testing.T) {
	h := newMCPHome(t)
	order := map[string]any{"symbol": "BTC-USDT", "side": "buy", "qty": "0.001", "price": "50000"}

	t.Run("refused by default, nothing sent", func(t *testing.T) {
		cs := h.connect(t, "binance")
		f := failureOf(t, callTool(t, cs, "order_create", order))
		if f.ExitCode != 2 || f.Error.Code != "usage" || !strings.Contains(f.Error.Message, "allow_live_orders: true") {
			t.Errorf("got exit %d code %q: %s; want exit 2, usage, naming allow_live_orders", f.ExitCode, f.Error.Code, f.Error.Message)
		}
		cancel := failureOf(t, callTool(t, cs, "order_cancel", map[string]any{"id": "1", "symbol": "BTC-USDT"}))
		if cancel.ExitCode != 2 || !strings.Contains(cancel.Error.Message, "allow_live_orders") {
			t.Errorf("order_cancel: got exit %d: %s; want exit 2 naming allow_live_orders", cancel.ExitCode, cancel.Error.Message)
		}
		if reqs := h.venue.Requests(); len(reqs) != 0 {
			t.Errorf("the venue got %d requests, want none; first: %s %s", len(reqs), reqs[0].Method, reqs[0].Path)
		}
	})

	h.writeConfig(t, "mcp:\n  allow_live_orders: true\n")
	cs := h.connect(t, "binance")

	t.Run("allowed but unconfirmed", func(t *testing.T) {
		f := failureOf(t, callTool(t, cs, "order_create", order))
		if f.ExitCode != 2 || !strings.Contains(f.Error.Message, `"confirm": true`) {
			t.Errorf("got exit %d: %s; want exit 2 asking for confirm", f.ExitCode, f.Error.Message)
		}
		if n := h.venue.OrdersPlaced(); n != 0 {
			t.Errorf("the venue placed %d orders, want none", n)
		}
	})

	t.Run("allowed and confirmed", func(t *testing.T) {
		confirmed := map[string]any{"confirm": true}
		for k, v := range order {
			confirmed[k] = v
		}
		placed := decodeResult[orderJSON](t, callTool(t, cs, "order_create", confirmed))
		if placed.ID == "" || placed.Symbol != "BTC-USDT" || placed.Profile != "binance" {
			t.Errorf("order_create confirmed: got %+v", placed)
		}
		if n := h.venue.OrdersPlaced(); n != 1 {
			t.Errorf("the venue placed %d orders, want 1", n)
		}
		canceled := decodeResult[[]orderJSON](t, callTool(t, cs, "order_cancel", map[string]any{"id": placed.ID, "symbol": "BTC-USDT"}))
		if len(canceled) != 1 || canceled[0].ID != placed.ID || canceled[0].Status != "canceled" {
			t.Errorf("order_cancel: got %+v, want order %s canceled", canceled, placed.ID)
		}
	})
}
