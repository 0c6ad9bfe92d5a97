package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/tradectl/tradectl/internal/build"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange"
)

// server serves one profile's tools to one client.
type server struct {
	opts      *MCPOptions
	profile   string
	allowLive bool
	// one runs the calls one at a time. The commands were written to be
	// the only one in their process (the factory's lazy state, the
	// terminal settings), and an agent gains little from two orders
	// racing for the profile's lock.
	one sync.Mutex
}

// Tool names, as clients see them.
const (
	ToolQuote       = "quote"
	ToolBalance     = "balance"
	ToolPositions   = "positions"
	ToolOrderList   = "order_list"
	ToolOrderGet    = "order_get"
	ToolDashboard   = "dashboard"
	ToolOrderCreate = "order_create"
	ToolOrderCancel = "order_cancel"
)

// The tools' arguments. Decimals are strings, as on the command line:
// an amount never passes through a float. A field without omitempty is
// required by the tool's input schema.

type quoteArgs struct {
	Symbols []string `json:"symbols" jsonschema:"symbols to quote, e.g. BTC-USD, ETH/USD, AAPL"`
}

type noArgs struct{}

type positionsArgs struct {
	Symbol string `json:"symbol,omitempty" jsonschema:"only this symbol"`
}

type orderListArgs struct {
	Status string `json:"status,omitempty" jsonschema:"open (default), filled, canceled, rejected, expired or all"`
	Symbol string `json:"symbol,omitempty" jsonschema:"only this symbol"`
	Limit  *int   `json:"limit,omitempty" jsonschema:"at most this many orders, newest first (default 100; 0: no limit)"`
}

type orderRefArgs struct {
	ID       string `json:"id,omitempty" jsonschema:"the venue's order id (give id or client_id)"`
	ClientID string `json:"client_id,omitempty" jsonschema:"the order's client id (give id or client_id)"`
}

type orderCancelArgs struct {
	orderRefArgs
	Symbol string `json:"symbol,omitempty" jsonschema:"the order's symbol, for venues that need it to cancel"`
}

type dashboardArgs struct {
	In string `json:"in,omitempty" jsonschema:"value holdings in this asset (default USD)"`
}

type orderCreateArgs struct {
	Symbol         string `json:"symbol" jsonschema:"the instrument, e.g. BTC-USD or AAPL"`
	Side           string `json:"side" jsonschema:"buy or sell"`
	Qty            string `json:"qty,omitempty" jsonschema:"quantity in the base asset as a decimal string, or all, or N% of the free balance (give qty or quote_qty)"`
	QuoteQty       string `json:"quote_qty,omitempty" jsonschema:"market orders: amount of the quote asset to spend (buy) or receive (sell), as a decimal string"`
	Type           string `json:"type,omitempty" jsonschema:"market, limit, stop or stop-limit (default: inferred from price and stop_price)"`
	Price          string `json:"price,omitempty" jsonschema:"limit price, as a decimal string"`
	StopPrice      string `json:"stop_price,omitempty" jsonschema:"trigger price, as a decimal string"`
	TIF            string `json:"tif,omitempty" jsonschema:"time in force: gtc (default), ioc, fok or day"`
	PostOnly       bool   `json:"post_only,omitempty" jsonschema:"refuse the order if it would take liquidity (limit orders only)"`
	ClientID       string `json:"client_id,omitempty" jsonschema:"your own id for the order"`
	IdempotencyKey string `json:"idempotency_key,omitempty" jsonschema:"derive the client id from this key and the profile: calling again returns the existing order instead of placing another"`
	DryRun         bool   `json:"dry_run,omitempty" jsonschema:"run every check and return what would be sent, sending nothing"`
	Confirm        bool   `json:"confirm,omitempty" jsonschema:"live profiles only: confirm the order (the CLI's --yes); ignored on paper"`
}

func (s *server) build() *sdk.Server {
	srv := sdk.NewServer(&sdk.Implementation{Name: "tradectl", Version: build.Current().Version}, &sdk.ServerOptions{
		Instructions: fmt.Sprintf("tradectl on profile %q. Results are tradectl's -o json output; failures carry exit_code and error.code. Amounts are decimal strings.", s.profile),
	})
	readOnly := &sdk.ToolAnnotations{ReadOnlyHint: true}
	destructive := true
	sdk.AddTool(srv, &sdk.Tool{Name: ToolQuote, Annotations: readOnly,
		Description: "Best bid, ask, last price and spread of symbols (tradectl quote)."},
		readTool(s, func(a quoteArgs) ([]string, error) {
			if len(a.Symbols) == 0 {
				return nil, cmdutil.Usagef("symbols: give at least one symbol")
			}
			return append([]string{"quote", "--"}, a.Symbols...), nil
		}))
	sdk.AddTool(srv, &sdk.Tool{Name: ToolBalance, Annotations: readOnly,
		Description: "Free and locked balance per asset (tradectl balance)."},
		readTool(s, func(noArgs) ([]string, error) { return []string{"balance"}, nil }))
	sdk.AddTool(srv, &sdk.Tool{Name: ToolPositions, Annotations: readOnly,
		Description: "Open positions with average cost and P&L (tradectl positions)."},
		readTool(s, func(a positionsArgs) ([]string, error) {
			return withFlag([]string{"positions"}, "symbol", a.Symbol), nil
		}))
	sdk.AddTool(srv, &sdk.Tool{Name: ToolOrderList, Annotations: readOnly,
		Description: "Orders, newest first (tradectl order list)."},
		readTool(s, func(a orderListArgs) ([]string, error) {
			args := withFlag(withFlag([]string{"order", "list"}, "status", a.Status), "symbol", a.Symbol)
			if a.Limit != nil {
				args = append(args, "--limit="+strconv.Itoa(*a.Limit))
			}
			return args, nil
		}))
	sdk.AddTool(srv, &sdk.Tool{Name: ToolOrderGet, Annotations: readOnly,
		Description: "One order by id or client id, with its fills (tradectl order get)."},
		readTool(s, func(a orderRefArgs) ([]string, error) { return a.args("get") }))
	sdk.AddTool(srv, &sdk.Tool{Name: ToolDashboard, Annotations: readOnly,
		Description: "Balances, positions, open orders and P&L of the profile in one snapshot (tradectl dashboard)."},
		readTool(s, func(a dashboardArgs) ([]string, error) {
			return withFlag([]string{"dashboard"}, "in", a.In), nil
		}))
	sdk.AddTool(srv, &sdk.Tool{Name: ToolOrderCreate,
		Annotations: &sdk.ToolAnnotations{DestructiveHint: &destructive},
		Description: "Place an order (tradectl order create) through the same checks, risk limits and journal as the CLI. " +
			"Live profiles need mcp: {allow_live_orders: true} in the config and confirm: true; dry_run is always allowed."},
		writeTool(s, func(a orderCreateArgs) ([]string, bool, bool, error) {
			args := []string{"order", "create", "--side=" + a.Side}
			for _, fl := range [][2]string{{"qty", a.Qty}, {"quote-qty", a.QuoteQty}, {"type", a.Type}, {"price", a.Price},
				{"stop-price", a.StopPrice}, {"tif", a.TIF}, {"client-id", a.ClientID}, {"idempotency-key", a.IdempotencyKey}} {
				args = withFlag(args, fl[0], fl[1])
			}
			if a.PostOnly {
				args = append(args, "--post-only")
			}
			if a.DryRun {
				args = append(args, "--dry-run")
			}
			return append(args, "--", a.Symbol), !a.DryRun, a.Confirm, nil
		}))
	sdk.AddTool(srv, &sdk.Tool{Name: ToolOrderCancel,
		Annotations: &sdk.ToolAnnotations{DestructiveHint: &destructive, IdempotentHint: true},
		Description: "Cancel one order by id or client id (tradectl order cancel). Live profiles need mcp: {allow_live_orders: true}."},
		writeTool(s, func(a orderCancelArgs) ([]string, bool, bool, error) {
			args, err := a.cancelArgs()
			// A cancel asks no confirmation on the command line either.
			return args, true, true, err
		}))
	return srv
}

// args is `order VERB` for one order: the id as the argument, or
// --client-id.
func (a orderRefArgs) args(verb string) ([]string, error) {
	switch {
	case (a.ID == "") == (a.ClientID == ""):
		return nil, cmdutil.Usagef("give id or client_id (one of them)")
	case a.ClientID != "":
		return []string{"order", verb, "--client-id=" + a.ClientID}, nil
	}
	return []string{"order", verb, "--", a.ID}, nil
}

// cancelArgs is `order cancel` for one order, with the symbol for the
// venues that need it.
func (a orderCancelArgs) cancelArgs() ([]string, error) {
	ref, err := a.args("cancel")
	if err != nil {
		return nil, err
	}
	// The symbol flag goes before the "--" that ends the flags.
	args := withFlag(slices.Clone(ref[:2]), "symbol", a.Symbol)
	return append(args, ref[2:]...), nil
}

// withFlag adds --name=value when value is set. The = form keeps a value
// that starts with "-" a value; positional arguments follow a "--" for
// the same reason, so no argument can smuggle in a flag such as --yes.
func withFlag(args []string, name, value string) []string {
	if value == "" {
		return args
	}
	return append(args, "--"+name+"="+value)
}

// readTool is a tool that changes nothing: its arguments become a
// command line, run on the session's profile.
func readTool[In any](s *server, argv func(In) ([]string, error)) sdk.ToolHandlerFor[In, any] {
	return func(ctx context.Context, _ *sdk.CallToolRequest, in In) (*sdk.CallToolResult, any, error) {
		s.one.Lock()
		defer s.one.Unlock()
		args, err := argv(in)
		if err != nil {
			return s.failure(ctx, nil, err), nil, nil
		}
		return s.run(ctx, args), nil, nil
	}
}

// writeTool is a tool that may change an account. argv also says whether
// this call changes one (a dry run does not) and whether it is confirmed;
// a change on a live profile needs the config's allowance and the
// confirmation before its command line runs.
func writeTool[In any](s *server, argv func(In) (args []string, changes, confirmed bool, err error)) sdk.ToolHandlerFor[In, any] {
	return func(ctx context.Context, req *sdk.CallToolRequest, in In) (*sdk.CallToolResult, any, error) {
		s.one.Lock()
		defer s.one.Unlock()
		args, changes, confirmed, err := argv(in)
		if err != nil {
			return s.failure(ctx, nil, err), nil, nil
		}
		if changes {
			live, err := s.live(ctx, req.Params.Name, confirmed)
			if err != nil {
				return s.failure(ctx, nil, err), nil, nil
			}
			if live {
				// The confirmation the CLI would ask for was given by the
				// call itself.
				args = append([]string{"--yes"}, args...)
			}
		}
		return s.run(ctx, args), nil, nil
	}
}

// live reports whether the session's profile trades on a real venue,
// refusing the call when live changes are not allowed or not confirmed.
// Opening the exchange sends nothing.
func (s *server) live(ctx context.Context, tool string, confirmed bool) (bool, error) {
	ex, prof, err := s.opts.OpenExchange(ctx, s.profile)
	if err != nil {
		return false, err
	}
	simulated := exchange.IsSimulated(ex)
	venue := ex.Name()
	ex.Close()
	switch {
	case simulated:
		return false, nil
	case !s.allowLive:
		return true, cmdutil.Usagef("%s refused: profile %q trades on %s, a live venue, and MCP clients may not "+
			"change live accounts unless the config sets mcp: {allow_live_orders: true}; nothing was sent", tool, prof.Name, venue)
	case !confirmed:
		return true, cmdutil.Usagef("%s refused: profile %q trades on %s, a live venue: the call needs "+
			"\"confirm\": true (there is no terminal to ask on); nothing was sent", tool, prof.Name, venue)
	}
	return true, nil
}

// run executes one command line with JSON output on the session's
// profile and turns what it printed, or its error, into the tool result.
func (s *server) run(ctx context.Context, args []string) *sdk.CallToolResult {
	argv := append([]string{"--profile=" + s.profile, "--output=json"}, s.opts.GlobalArgs...)
	argv = append(argv, args...)
	s.opts.Logger().Debug("mcp tool call", slog.Any("args", args))
	out, err := s.opts.Exec(ctx, argv)
	if err != nil {
		return s.failure(ctx, out, err)
	}
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: string(bytes.TrimSpace(out))}}}
}

// Failure is a failed call's result: the CLI's -o json error envelope,
// with the exit code the command line would have ended with at the top
// and what the command printed before it failed (a partial result).
type Failure struct {
	ExitCode int             `json:"exit_code"`
	Error    ErrorBody       `json:"error"`
	Output   json.RawMessage `json:"output,omitempty"`
}

// ErrorBody is the error as `-o json` prints it.
type ErrorBody struct {
	Code       string  `json:"code"`
	ExitCode   int     `json:"exit_code"`
	Message    string  `json:"message"`
	Retryable  bool    `json:"retryable"`
	RetryAfter float64 `json:"retry_after_seconds,omitempty"`
	ClientID   string  `json:"client_id,omitempty"`
}

// failure classifies err as app.Run would and makes it a tool error: the
// client sees it as the call's outcome, not as a protocol failure.
func (s *server) failure(ctx context.Context, out []byte, err error) *sdk.CallToolResult {
	c := cmdutil.Classify(ctx, err)
	f := Failure{ExitCode: c.Exit, Error: ErrorBody{Code: c.Code, ExitCode: c.Exit, Message: err.Error(), Retryable: c.Retryable}}
	if d, ok := exchange.RetryAfter(err); ok {
		f.Error.RetryAfter = d.Seconds()
	}
	var xe *exchange.Error
	if errors.As(err, &xe) {
		f.Error.ClientID = xe.ClientID
	}
	if out = bytes.TrimSpace(out); json.Valid(out) && len(out) > 0 {
		f.Output = out
	}
	s.opts.Logger().Debug("mcp tool failed", slog.String("code", c.Code), slog.Int("exit_code", c.Exit))
	b, _ := json.Marshal(f)
	return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: string(b)}}}
}
