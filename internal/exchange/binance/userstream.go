package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

// The user data stream's WebSocket API endpoints ([BN] web-socket-api.md,
// "User Data Stream requests"); the listenKey endpoints it replaces are
// discontinued for Spot (see the package doc).
const (
	ProductionWSAPIURL = "wss://ws-api.binance.com:443/ws-api/v3"
	TestnetWSAPIURL    = "wss://ws-api.testnet.binance.vision/ws-api/v3"
	// KeyWSAPIURL overrides the WebSocket API endpoint (tests, proxies).
	KeyWSAPIURL = "ws_api_url"
)

// userStreamIdle is how long a ping may go unanswered before the
// connection is renewed: an idle account sends no events, so silence
// alone says nothing; renewing costs one subscription and one REST
// reconciliation by the caller.
const userStreamIdle = 5 * time.Minute

// userStreamPing is how often the quiet user data stream is checked by a
// WebSocket ping; a pong missing for userStreamIdle renews it.
const userStreamPing = 30 * time.Second

// refusedCredentials are the WebSocket API error codes that say the key or
// its signature was refused (as the REST ones map to ErrAuth): a
// reconnect would only be refused again.
var refusedCredentials = map[int]bool{-1002: true, -1022: true, -2014: true, -2015: true}

var _ exchange.OrderEventStreamer = (*Exchange)(nil)

// StreamOrderEvents implements exchange.OrderEventStreamer with the user
// data stream of Binance's WebSocket API: userDataStream.subscribe.signature
// on every connection, then executionReport events. It runs on the shared
// stream core (venuews.StreamEvents): reconnects with backoff, an
// EventConnected after every subscription for the caller's REST
// reconciliation, and a refused key ends the stream with ErrAuth.
func (e *Exchange) StreamOrderEvents(ctx context.Context, fn func(exchange.OrderEvent) error) error {
	// Missing or unreadable credentials are a setup error, not something a
	// reconnect cures.
	if _, err := e.credentialsFor(ctx); err != nil {
		return err
	}
	return venuews.StreamEvents(ctx, venuews.EventFeed{
		Endpoint: e.Endpoint(e.wsAPIURL),
		Subscribe: func(ctx context.Context) ([][]byte, error) {
			msg, err := e.subscribeMessage(ctx)
			return [][]byte{msg}, err
		},
		NewDecoder: func() venuews.EventDecoder {
			return (&userDecoder{e: e, ctx: ctx}).decode
		},
		Timing: venuews.Timing{
			BackoffMin:  e.wsBackoffMin,
			BackoffMax:  e.wsBackoffMax,
			IdleTimeout: userStreamIdle,
			// A quiet account sends nothing for hours: the connection is
			// checked by ping instead.
			PingInterval: userStreamPing,
		},
	}, fn)
}

// subscribeMessage is a signed userDataStream.subscribe.signature request.
// WebSocket API signatures cover the parameters sorted by name.
func (e *Exchange) subscribeMessage(ctx context.Context) ([]byte, error) {
	creds, err := e.credentialsFor(ctx)
	if err != nil {
		return nil, err
	}
	ts := e.venueNow().UnixMilli()
	payload := newQuery().add("apiKey", creds.apiKey).add("recvWindow", strconv.Itoa(e.recvWindow)).
		add("timestamp", strconv.FormatInt(ts, 10)).String()
	return json.Marshal(map[string]any{
		"id":     "tradectl-user-stream",
		"method": "userDataStream.subscribe.signature",
		"params": map[string]any{
			"apiKey": creds.apiKey, "recvWindow": e.recvWindow, "timestamp": ts,
			"signature": creds.signer.sign([]byte(payload)),
		},
	})
}

// userDecoder reads one connection's messages.
type userDecoder struct {
	e          *Exchange
	ctx        context.Context
	subscribed bool
}

// wsResponse is a WebSocket API answer.
type wsResponse struct {
	ID     string          `json:"id"`
	Status int             `json:"status"`
	Error  *apiErrorWire   `json:"error"`
	Result json.RawMessage `json:"result"`
}

type apiErrorWire struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

func (d *userDecoder) decode(msg []byte) ([]exchange.OrderEvent, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(msg, &m); err != nil {
		return nil, err
	}
	if raw, ok := m["event"]; ok {
		if !d.subscribed {
			return nil, nil
		}
		return d.event(raw)
	}
	if _, ok := m["status"]; !ok {
		return nil, fmt.Errorf("neither an event nor an answer")
	}
	var r wsResponse
	if err := json.Unmarshal(msg, &r); err != nil {
		return nil, err
	}
	if r.Status != 200 {
		reason := fmt.Sprintf("status %d", r.Status)
		if r.Error != nil {
			reason = fmt.Sprintf("%d %s", r.Error.Code, r.Error.Msg)
		}
		// A refused key or signature is not cured by reconnecting.
		if r.Error != nil && (r.Status == 401 || r.Status == 403 || refusedCredentials[r.Error.Code]) {
			return nil, venuews.Fatal(&exchange.Error{Kind: exchange.ErrAuth, Venue: venueName,
				Code: strconv.Itoa(r.Error.Code), Message: "user data stream subscription refused: " + reason})
		}
		return nil, venuews.Resync("user data stream subscription refused: %s", reason)
	}
	d.subscribed = true
	return []exchange.OrderEvent{{Kind: exchange.EventConnected, Time: d.e.Now().UTC()}}, nil
}

// event reads one user data stream event; only executionReport concerns
// orders and fills. eventStreamTerminated ends the session.
func (d *userDecoder) event(raw json.RawMessage) ([]exchange.OrderEvent, error) {
	// Binance's keys differ only in case ("s" symbol, "S" side); a map
	// keeps them apart where encoding/json's field matching would not.
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	var kind string
	if err := json.Unmarshal(ev["e"], &kind); err != nil {
		return nil, fmt.Errorf("event without a type: %w", err)
	}
	switch kind {
	case "executionReport":
		return d.executionReport(ev)
	case "eventStreamTerminated":
		return nil, venuews.Resync("the venue ended the user data stream")
	}
	return nil, nil // balances and list statuses: not order events
}

func (d *userDecoder) executionReport(ev map[string]json.RawMessage) ([]exchange.OrderEvent, error) {
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(ev[k], &s)
		return s
	}
	num := func(k string) int64 {
		var n int64
		_ = json.Unmarshal(ev[k], &n)
		return n
	}
	var maker bool
	_ = json.Unmarshal(ev["m"], &maker)
	listID := num("g")
	w := orderWire{
		Symbol: str("s"), OrderID: num("i"), ClientOrderID: str("c"), Price: str("p"), OrigQty: str("q"),
		ExecutedQty: str("z"), CummulativeQuoteQty: str("Z"), StopPrice: str("P"), TrailingDelta: num("d"),
		Status: str("X"), TimeInForce: str("f"), Type: str("o"), Side: str("S"),
		Time: num("O"), UpdateTime: num("T"), OrderListID: &listID,
	}
	if w.Symbol == "" || w.OrderID <= 0 {
		return nil, errors.New("executionReport without symbol or order id")
	}
	execType := str("x")
	if execType == "CANCELED" && str("C") != "" {
		w.OrigClientOrderID = str("C") // c names the cancel request
	}
	sym, err := d.e.symbolOf(d.ctx, w.Symbol, trade.Symbol{})
	if err != nil {
		return nil, err
	}
	o, err := d.e.mapOrder(w, sym)
	if err != nil {
		return nil, err
	}
	at := time.UnixMilli(num("E")).UTC()
	if execType != "TRADE" {
		return []exchange.OrderEvent{{Kind: exchange.EventOrder, Order: &o, Time: at}}, nil
	}
	f, err := mapFill(tradeWire{
		Symbol: w.Symbol, ID: num("t"), OrderID: w.OrderID, Price: str("L"), Qty: str("l"),
		Commission: str("n"), CommissionAsset: str("N"), Time: num("T"), IsBuyer: w.Side == "BUY", IsMaker: maker,
	}, sym)
	if err != nil {
		return nil, err
	}
	// The commission of this execution is all the report says of fees.
	o.Fee, o.FeeAsset = f.Fee, f.FeeAsset
	if _, err := venueorder.Decimal("l", str("l")); err != nil {
		return nil, err
	}
	return []exchange.OrderEvent{{Kind: exchange.EventFill, Fill: &f, Order: &o, Time: at}}, nil
}
