// Package binance is the Binance Spot adapter: REST (api/v3) for trading,
// balances, quotes and instrument rules, and the combined market stream
// for live quotes.
//
// # Order ids
//
// Binance finds an order only together with its symbol. So that an id on
// its own is enough (tradectl order get/cancel ID), the adapter's
// trade.Order.ID is self-describing: "<VENUESYMBOL>:<orderId>", e.g.
// "BTCUSDT:28". A bare numeric id ("28") works when OrderRef.Symbol is
// given and is otherwise refused with ErrInvalidOrder naming both remedies.
//
// A client id is looked up with origClientOrderId when the symbol is
// known. Without a symbol the adapter searches the open orders of every
// symbol (one call, weight 80); a finished order cannot be found that way,
// and the error (ErrNotFound) says to pass the symbol.
//
// # Listing
//
// Open orders are listed across all symbols in one call. Order history
// (ListAll) exists on Binance only per symbol, so ListAll without a symbol
// is ErrInvalidOrder asking for one, rather than fanning out over every
// symbol with a balance, which would be slow, expensive in request weight
// and still incomplete (sold-out assets have no balance). A ListAll whose
// status filter asks only for working statuses is served from open orders.
//
// Executions (FillLister, /api/v3/myTrades) are likewise per symbol; Fills
// without a symbol is ErrInvalidOrder. Fill ids are Binance trade ids,
// their OrderID the self-describing order id. myTrades does not report the
// order's client id, so Fill.ClientID stays empty.
//
// # Fill history
//
// FillHistory (exchange.FillHistorian, FillsPerSymbol) reads one symbol's
// executions with GET /api/v3/myTrades (weight 20, through the weight
// limiter), relying on these facts of the Binance Spot API docs
// (rest-api.md, "Account trade list (USER_DATA)"; errors.md):
//
//   - "If fromId is set, it will get id >= that fromId. Otherwise most
//     recent trades are returned"; limit is "Default 500; max 1000"; data
//     is returned "in ascending order. Oldest first, newest last" (General
//     API Information), and trade ids grow with time.
//   - "The time between startTime and endTime can't be longer than 24
//     hours" (-1127 "More than %s hours between startTime and endTime"),
//     and the supported combinations are symbol alone or with orderId,
//     startTime, endTime, fromId, startTime and endTime, or orderId and
//     fromId (-1128 "Combination of optional parameters invalid"
//     otherwise): fromId cannot be sent with a time.
//
// So the history is paged by fromId: a page is limit trades (1000 unless
// the query asks for fewer) from an id on, the cursor is the id after the
// page's last trade, AfterID reads from the id after it, and a full page
// may have more after it (a short one is the last). A start time is turned
// into a first id once: a request for the 24 hours from Since (startTime
// and endTime, limit 1) finds it when the account traded that day;
// otherwise the most recent trade says whether anything follows Since at
// all, and a binary search over fromId with limit 1 finds the first trade
// at or after Since (about 33 requests for today's largest trade ids, once
// per read). startTime alone is not used: the docs do not say how far past
// it Binance answers. Fills outside [Since, Until) are dropped, and a fill
// at or after Until ends the read. Fills without a time range is one
// request for the latest thousand; with one, and FillsFor, read through
// the same pager.
//
// # Placement
//
// Requests are checked locally first (OrderRequest.Validate and the
// instrument's tick, step, minimum and notional rules with RoundReject), so
// a malformed price never reaches the venue. Every order carries a
// newClientOrderId (generated when the request has none) so that an
// ErrUnknownOutcome — a 5xx, a timeout or a dropped connection after the
// request was written — always names the id to look the order up by.
// Binance's own time in force has no "day"; such orders are refused.
//
// Binance Spot has no good-till-date order: its time in force values are
// GTC, IOC and FOK (Binance Spot API docs, enums.md, "Time in force"). The
// adapter is no exchange.Expirer, and a request with an expiry
// (OrderRequest.ExpiresAt) that reaches it is refused before anything is
// sent, rather than placed without it.
//
// A quote-sized market order (OrderRequest.QuoteQty) goes out as
// quoteOrderQty in place of quantity, on either side: "MARKET needs
// quantity or quoteOrderQty" (Binance Spot API docs, rest-api.md, New order
// L2128-2185). Binance works out the quantity as it fills and reports it as
// origQty/executedQty; the request is checked locally against the minimum
// notional only, since the step applies to a quantity not yet known.
//
// Linked exits go out as order lists (Binance Spot API docs, "New Order
// list - OCO" and "New Order list - OTOCO"; the deprecated
// /api/v3/order/oco is not used):
//
//   - an OCO (OrderRequest.Exits.OCO) is POST /api/v3/orderList/oco with
//     listClientOrderId, side, quantity and two legs, above* and below*
//     (Type, Price, StopPrice, TimeInForce, ClientOrderId). "One of the
//     orders must be a LIMIT_MAKER/TAKE_PROFIT/TAKE_PROFIT_LIMIT order and
//     the other must be STOP_LOSS or STOP_LOSS_LIMIT"; on a SELL the limit
//     is above the last price and the stop below, on a BUY the reverse. The
//     take-profit is sent as LIMIT_MAKER, the stop-loss as STOP_LOSS, or
//     STOP_LOSS_LIMIT (with belowPrice/abovePrice and GTC) given a limit.
//   - a bracket is POST /api/v3/orderList/otoco: a working order
//     (workingType, workingSide, workingClientOrderId, workingPrice,
//     workingQuantity, workingTimeInForce) and an OCO pair pendingAbove*
//     and pendingBelow* on pendingSide for pendingQuantity. "The first
//     order is called the working order and must be LIMIT or LIMIT_MAKER"
//     and "the pending orders are only placed on the order book when the
//     working order gets fully filled": a market entry cannot take exits
//     here and is refused before any request.
//
// The list's client id (listClientOrderId) is the request's; the entry (an
// OCO's take-profit) carries it as its own clientOrderId, so a lost answer
// is settled by looking that order up; the other legs' ids are it cut to
// 33 characters with -tp and -sl. Every order of a list reports its
// orderListId (-1 for a lone order), which is the order's list_id here;
// order get reads the list (GET /api/v3/orderList) and its other orders.
// "Canceling an individual order from an order list will cancel the
// entire order list" (Cancel order): order cancel of any leg cancels the
// list. There is no test endpoint for order lists: --dry-run checks every
// leg locally and the entry (an OCO's take-profit, as LIMIT_MAKER) at
// order/test.
//
// A trailing stop (trade.TrailingStop) goes out as type STOP_LOSS with
// trailingDelta, the trail in basis points (BIPS: 100 = 1%), and no
// stopPrice: "a STOP_LOSS SELL order with a trailingDelta of 100 is a
// trailing stop order which will be triggered after a price decrease of 1%
// from the highest price after placing the order" (Binance Spot API docs,
// faqs/trailing-stop-faq.md; trailingDelta among New order's parameters,
// rest-api.md L2128-2170). Without stopPrice the trail starts at once;
// with one, stopPrice is an activation price, which tradectl does not
// send. Binance has no trail as a price amount, so trail_amount is
// refused; trail_pct must be a whole number of BIPS within the
// TRAILING_DELTA filter's usual 10–2000 (0.1%–20%, filters.md). Order
// answers carry trailingDelta on trailing orders, read back as TrailPct;
// the trigger itself is not reported while the order trails, so StopPrice
// stays null until Binance reports one.
//
// # Requests
//
// Signed payloads are built in a fixed parameter order and signed over the
// exact bytes sent (HMAC-SHA256 hex, or Ed25519 base64 with key_type
// ed25519). Credentials are resolved on the first signed call only, so
// quotes and instruments work without keys. A -1021 (timestamp outside
// recvWindow) triggers one clock sync against /api/v3/time and one retry:
// Binance rejected the first request before acting on it. The client
// follows X-MBX-USED-WEIGHT-1M and waits for the next minute rather than
// crossing 90% of the weight limit; after a 429/418 it sends nothing until
// Retry-After has passed.
//
// Instrument rules come from /api/v3/exchangeInfo and are cached on disk
// (CacheDir/binance-<hash of base_url>-exchangeinfo.json) for
// instruments_ttl. Market orders are checked against MARKET_LOT_SIZE
// merged with LOT_SIZE; trade.Instrument reports LOT_SIZE.
//
// # Streaming
//
// StreamQuotes subscribes to <symbol>@bookTicker for bid/ask and
// <symbol>@miniTicker for the last price (seeded once from ticker/price),
// so a quote's Last is the most recent known close, which may lag the book
// by up to a second. The miniTicker is the rolling 24-hour window ("c"
// close, "o" open, "h" high, "l" low, "v" base-asset volume; Binance's
// "Individual Symbol Mini Ticker Stream"): High24h, Low24h and Volume24h
// are read from it, Change24h is c−o and Change24hPct (c−o)/o×100 to 3
// places, as the 24hr ticker's priceChange and priceChangePercent are
// computed and written. REST quotes use bookTicker and ticker/price and
// carry no 24-hour figures (see "24-hour figures" for `quote`'s). It runs on the shared stream core
// (internal/exchange/venuews): dropped connections are redialed with
// exponential backoff and jitter; a connection with no readable message
// for three minutes is given up; every connection starts from an empty
// book, so no bid or ask outlives the connection that brought it. After
// three connections in a row that delivered nothing, it polls the REST
// tickers every few seconds and tries the stream again two minutes later.
//
// # Order events
//
// StreamOrderEvents uses the user data stream of the WebSocket API, not a
// listenKey: Binance discontinued the Spot listenKey mechanism
// (POST/PUT/DELETE /api/v3/userDataStream and stream.binance.com/ws/<key>)
// on 2026-02-20 07:00 UTC and asks clients to move to the WebSocket API.
// Sources: Binance announcement "listenKey for Spot discontinued" as
// relayed in the sieblyio/binance v3.3.1 release notes; Binance Spot API
// docs, WebSocket API "User Data Stream requests" and "Event format"
// (developers.binance.com/docs/binance-spot-api-docs/websocket-api/…).
// What the adapter relies on:
//
//   - Endpoint wss://ws-api.binance.com:443/ws-api/v3 (testnet
//     wss://ws-api.testnet.binance.vision/ws-api/v3); option ws_api_url.
//   - userDataStream.subscribe.signature works on any session,
//     authenticated or not, with an API key signature of any key type
//     (HMAC, Ed25519): params apiKey, timestamp (recvWindow optional) and
//     signature over the parameters sorted by name ("apiKey=…&recvWindow=…
//     &timestamp=…"), signed as REST payloads are. The answer is
//     {"id":…,"status":200,"result":{"subscriptionId":N}}; an error answer
//     carries {"error":{"code":…,"msg":…}} and a non-200 status. Nothing
//     needs keeping alive (no listenKey); the server sends ping frames,
//     which the WebSocket library answers.
//   - Events arrive one per text frame as {"subscriptionId":N,"event":{…}}.
//     executionReport ("e") carries s symbol, c client order id (for a
//     cancel, the cancel's own id, with the order's in C), S side, o type,
//     f time in force, q quantity, p price, P stop price, x execution type
//     (NEW, CANCELED, REPLACED, REJECTED, TRADE, EXPIRED, TRADE_PREVENTION),
//     X order status, i order id, l/L last executed quantity and price, z
//     cumulative filled quantity, Z cumulative quote quantity, n/N
//     commission and its asset, T transaction time, t trade id (-1 unless
//     TRADE), m maker side, O creation time, g order list id, E event
//     time. Keys differ only in case, so the adapter reads them from a map
//     (encoding/json would match "s" and "S" to one field). x = TRADE
//     becomes a fill event (id t, as myTrades numbers trades, so REST
//     reconciliation recognises it) carrying the order as well; any other
//     x an order event. eventStreamTerminated ends the session.
//
// The stream runs on venuews like the quote stream. A connection with no
// event for five minutes is renewed (an idle account sends none, and
// ping frames are not messages); every connection delivers EventConnected
// once subscribed, and while the stream keeps failing the polling
// fallback delivers EventConnected every few seconds instead, so the
// caller reconciles over REST (open orders, myTrades, GET /api/v3/order).
//
// # Amending orders
//
// `order amend` lowers a lone quantity with Order Amend Keep Priority,
// PUT /api/v3/order/amend/keepPriority (weight 4): symbol, orderId (or
// origClientOrderId), newQty — above 0 and below the order's quantity —
// and newClientOrderId, which tradectl sets to the order's own client id
// because Binance otherwise gives the amended order a random one. The
// orderId and the place in the queue stay. The answer carries the order
// under amendedOrder, with its quantity as "qty" and the correctly spelt
// cumulativeQuoteQty. Source: Binance Spot API docs, "Order Amend Keep
// Priority" FAQ (faqs/order_amend_keep_priority) and the REST trading
// endpoint reference.
//
// Any other change (price, stop price, a larger quantity) is a
// cancel-replace, POST /api/v3/order/cancelReplace: the new order's
// parameters as for POST /api/v3/order, checked locally the same way,
// plus cancelReplaceMode=STOP_ON_FAILURE and cancelOrderId; the new order
// gets the client id tradectl minted for it, so a lost answer is settled
// by looking it up. The answer holds cancelResult, newOrderResult and
// both responses; the new order has a new orderId and the old one reads
// back canceled. Failures say which half happened, under data: -2022
// (HTTP 400) the cancel was refused and nothing was placed; -2021 (HTTP
// 409, "cancel-replace partially succeeded" in the reference's status
// table) the order was canceled and the new one refused — reported as
// such, so the trader knows nothing of it is working. A partially filled
// order is not cancel-replaced (the new quantity would count from zero).
// Binance answers an amendment of a finished order -2013 or -2011; the
// adapter looks the order up and reports it as ErrInvalidOrder ("already
// canceled").
//
// # Order book and candles
//
// OrderBook is one GET /api/v3/depth (Binance Spot API docs, rest-api.md,
// "Order book"): symbol and limit, "Default: 100; Maximum: 5000. If limit
// > 5000, only 5000 entries will be returned"; the weight grows with the
// limit, 5 for 1-100, 25 for 101-500, 50 for 501-1000, 250 for 1001-5000,
// and the answer is {"lastUpdateId", "bids": [[price, qty]], "asks": …}
// with numbers as strings. The slippage guard asks for 50 levels: one
// request of weight 5, where its top-of-book read was bookTicker and
// ticker/price, two requests of weight 2 each.
//
// Candles is GET /api/v3/klines ("Kline/Candlestick data", weight 2):
// symbol, interval (1s, 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h,
// 1d, 3d, 1w, 1M — every tradectl interval is among them), startTime,
// endTime, limit ("Default: 500; Maximum: 1000"); "Klines are uniquely
// identified by their open time", and each is an array [open time,
// open, high, low, close, volume, close time, quote volume, trades, taker
// buy base volume, taker buy quote volume, ignore]. startTime and endTime
// are inclusive milliseconds, so a page asks [from, to−1ms] with limit the
// window's slot count, and a range needs ceil(slots/1000) requests.
//
// # 24-hour figures
//
// DayStats (exchange.DayStatsReader, read by `quote` only, alongside
// Quotes, so the order path's pre-trade quotes cost what they did) is one
// GET /api/v3/ticker/24hr (Binance Spot API docs, rest-api.md, "24hr
// ticker price change statistics"): "24 hour rolling window price change
// statistics", with symbol or symbols (a JSON array, as for the other
// tickers) and type FULL or MINI ("If none provided, the default is
// FULL"; MINI leaves out priceChange and priceChangePercent, so FULL is
// sent). The weight goes by the symbols named: symbol 2; symbols 1-20: 2,
// 21-100: 40, 101 or more: 80; omitted: 80 — the adapter charges its
// limiter the same (ticker24hWeight). A FULL entry has "symbol",
// "priceChange", "priceChangePercent", "weightedAvgPrice",
// "prevClosePrice", "lastPrice", "lastQty", "bidPrice", "bidQty",
// "askPrice", "askQty", "openPrice", "highPrice", "lowPrice", "volume"
// (base asset), "quoteVolume", "openTime", "closeTime", "firstId",
// "lastId", "count"; prices as strings, times as millisecond numbers; an
// object for symbol=, an array for symbols=. Change24h is priceChange,
// Change24hPct priceChangePercent (as written, 3 places), High24h,
// Low24h and Volume24h highPrice, lowPrice and volume, StatsTime
// closeTime. Values are read as decimals from their text; a negative
// high, low or volume, or a low above the high, is an unreadable answer.
// An unknown symbol answers -1121 like the other tickers.
package binance
