// Package kraken is the Kraken Spot adapter: REST (https://api.kraken.com,
// /0/public and /0/private) for trading, balances, executions, quotes and
// instrument rules, and the public WebSocket v2 ticker and book channels
// for live quotes and a live order book.
//
// # Profile keys
//
//	base_url         API root (default https://api.kraken.com; a trailing /0 is dropped)
//	nonce_file       absolute path of the file keeping the key's last nonce (default:
//	                 kraken-<key hash>.nonce in the data directory)
//	instruments_ttl  how long AssetPairs rules are cached (default 1h; 0: no disk cache)
//	rate_tier        starter (default), intermediate or pro: the call-counter limits
//	nonce_window     the key's nonce window as set at Kraken, in nonce units (tradectl's
//	                 nonces count microseconds: 10000000 is ten seconds); default 0, none
//	ws_url           WebSocket v2 endpoint for StreamQuotes and StreamBook (default
//	                 wss://ws.kraken.com/v2; when base_url is set and ws_url is not, quotes
//	                 are polled from base_url and `book --watch` reads Depth)
//
// Credentials are api_key and api_secret (Kraken's base64 private key),
// resolved on the first private call only: quotes and instruments need no
// keys. Kraken has no public Spot sandbox; dry runs (exchange.OrderValidator)
// send AddOrder with validate=true, which Kraken checks without trading.
//
// # Requests and nonces
//
// Private calls are form-encoded POSTs whose body is built in a fixed order
// and signed over the exact bytes sent: API-Sign = base64(HMAC-SHA512(secret,
// path + SHA256(nonce + body))). Kraken requires each nonce of a key to be
// larger than every nonce the key used before. Nonces are microseconds since
// the epoch, raised to last+1 when the clock has not moved on, and the last
// one is kept in a state file under the data directory, guarded by an
// exclusive file lock, so goroutines, Exchange values and overlapping
// tradectl processes on one key never reuse or reorder one. Within an
// Exchange, private calls are also sent one at a time, from nonce to answer,
// because two requests in flight can reach Kraken in either order — unless
// the profile declares the key's nonce window (nonce_window). Kraken lets a
// key be given one: "if a nonce is received with a count lower than a nonce
// used within the calculated time [the window], it will not count against
// you" (Kraken Support, "What is a nonce window?",
// support.kraken.com/hc/en-us/articles/360001148023). With a window, up to
// four signed calls of an Exchange go at once (the dashboard's balances,
// open orders and fills in one round trip instead of three); their nonces
// are taken moments apart, well within any window worth setting. A window
// declared for a key that has none only makes Kraken refuse a late nonce,
// which is retried once, as below, at the cost of a round trip. Two
// processes sending at the same instant can still be reordered on the wire;
// an "EAPI:Invalid nonce" is therefore retried once with a fresh nonce
// (Kraken refused the request before acting on it, so this is safe even for
// AddOrder). Keys shared with other software that uses larger nonces fail
// with ErrAuth saying so; give tradectl its own key.
//
// # Rate limits
//
// The client mirrors Kraken's decaying call counter (starter: at most 15,
// decaying 0.33 a second; intermediate 20 and 0.5; pro 20 and 1). Queries
// cost 1, ClosedOrders 2 (counted as history), AddOrder and CancelOrder
// nothing (they have Kraken's separate trading limiter). A call that would
// take the counter over the limit waits, as long as its context allows.
// "EAPI:Rate limit exceeded" fills the counter and is ErrRateLimited with
// the time one call takes to decay; "EService:Throttled: <unix time>" stops
// all private calls until that time and reports it as RetryAfter;
// "EGeneral:Temporary lockout", which names no time, reports 15 minutes.
//
// # Order ids and client ids
//
// trade.Order.ID is Kraken's txid (OU22CG-KLAF2-FWUDD7), which is global:
// no symbol is needed to find an order. Every AddOrder carries a cl_ord_id,
// generated ("tctl-" and 13 hex digits) when the request has none, so an
// ErrUnknownOutcome always names the id to look the order up by.
//
// Kraken accepts cl_ord_id as a UUID (long or 32-hex short) or as free ASCII
// text of at most 18 characters; tradectl allows 36 characters. A longer id
// is sent as a short UUID derived from it (the first 32 hex digits of
// SHA-256 over a fixed prefix and the id): looking it up derives the same
// wire id, so no state is needed to find the order, and a small map under
// the data directory turns the wire id back into the id the user chose
// when orders are listed, also by another process. Without that map (other
// machine, no data directory) such orders show the derived id, which works
// for lookups too.
//
// GetOrder by client id searches working orders (OpenOrders with the
// cl_ord_id filter, where Kraken keeps the id unique), then the most recent
// closed orders with that id (ClosedOrders, cl_ord_id filter); a symbol,
// when given, narrows closed orders, since a finished order's id can be
// reused.
//
// CancelOrder answers with a count of canceled orders and whether the
// cancel is still pending (Kraken Spot REST, CancelOrder,
// schemas/responses/trading/orders/cancel.yaml). A txid canceled outright
// (count 1, not pending) is read back with QueryOrders: the answer says
// nothing of what filled before the cancel, which a caller re-placing the
// rest needs. A client id is canceled by sending cl_ord_id to CancelOrder
// directly; the answer does not name the txid, so the order is then read
// from the closed orders with that cl_ord_id (two requests).
// A pending cancel is read back, a few times, until it completes.
//
// A duplicate cl_ord_id among open orders is ErrDuplicateClientID; the
// reference gives no exact string for that answer, so any EOrder message
// about a duplicate is treated as one ("EOrder:Duplicate order" in the
// fake).
//
// # Placement
//
// Requests are checked locally first (OrderRequest.Validate, then the
// pair's tick_size, lot_decimals, ordermin and costmin with RoundReject, and
// its status: cancel_only refuses, post_only and limit_only admit only
// those orders), so a malformed order never reaches Kraken. Types map as
// market → market, limit → limit, stop → stop-loss (price = trigger),
// stop-limit → stop-loss-limit (price = trigger, price2 = limit); post-only
// is oflags=post. Time in force: gtc is Kraken's default, ioc is
// timeinforce=IOC (on limit and stop-limit orders; market and stop-loss
// orders execute immediately anyway). Kraken Spot has no fill-or-kill and no
// day orders: fok and day are refused with ErrInvalidOrder rather than
// approximated (GTD would need an expiry tradectl cannot derive from "day"
// for a market that never closes). Kraken does not report an order's time
// in force, so orders read back show gtc unless this call placed them.
//
// A trailing stop (trade.TrailingStop) goes out as ordertype=trailing-stop
// with its trail as price, relative to the reference price: "+250" for an
// amount in the quote currency, "+1.5%" for a percentage — trailing-stop
// prices must use the + prefix (Kraken REST AddOrder, price; ordertype
// values in partials/properties/ordertype.yaml). trigger is left at its
// default, last (the last traded price). descr.price reads back the same
// relative price, parsed into TrailPct or TrailAmount; Kraken's descr
// carries no current trigger, so StopPrice stays unset.
//
// AddOrder's answer is the order's txid and a text description ("buy 1.45
// XBTUSD @ limit 27500.0"), nothing more (Kraken Spot REST OpenAPI spec,
// AddOrder response, schemas/responses/trading/orders/add.yaml): it says
// the order was accepted, not what became of it. A limit or stop order is
// therefore reported as sent, one request: under that txid and the client
// id, status open, FilledQty 0, no AvgFillPrice, no fee, CreatedAt this
// machine's clock when the answer came (a limit order that crossed shows
// its fill at the next order get or --wait). A market order fills at once
// and the trader is owed its fill, so it is read back with QueryOrders
// (two requests) rather than shown open with nothing filled.
// So is a post-only order: Kraken accepts one that would have
// taken liquidity and then cancels it with reason "Post only order", which
// the answer cannot say, so a post-only placement is read back with
// QueryOrders (two requests); PlaceOrder reports that case as
// ErrInvalidOrder, like the other venues, and listings show it as
// rejected. If that read fails the order is reported as sent rather than
// as an error that would invite a second placement. HTTP 5xx, a dropped
// connection, a timeout or an undecodable answer after an AddOrder was
// written is ErrUnknownOutcome carrying the client id.
//
// Status: pending and open are open (partially_filled once vol_exec > 0);
// closed is filled when vol_exec reaches vol, else canceled (an IOC or
// market order that ran out of book); canceled and expired map to
// themselves.
//
// # Balances, listing, cancel-all
//
// Balances come from BalanceEx: free is balance − hold_trade, locked is
// hold_trade (what open orders hold). Asset ids are shown canonically: XXBT
// and XBT → BTC, XXDG → DOGE, ZUSD → USD; balance suffixes such as .M or .S
// are kept (BTC.M).
//
// ListOrders reads OpenOrders and, for all orders, up to five pages (250) of
// ClosedOrders, newest first. Fills (exchange.FillLister) reads up to five
// pages of the fill history below and filters by symbol here, since Kraken
// cannot; fees are taken to be in the quote asset, Kraken's default.
// CancelAll without a symbol lists the open
// orders, sends Kraken's CancelAll and reads those orders back; with a
// symbol it cancels that symbol's open orders one by one, since CancelAll
// has no pair filter. Orders that finish in between are skipped.
//
// # Fill history
//
// FillHistory (exchange.FillHistorian, FillsPerAccount) reads
// POST /0/private/TradesHistory (2 on the call counter), relying on these
// facts of the Kraken API docs (Get Trades History, docs.kraken.com
// api-reference/account-data/get-trades-history): "50 results are returned
// at a time, the most recent by default"; start is the "starting unix
// timestamp or trade tx ID of results (exclusive)", end the "ending unix
// timestamp or trade tx ID of results (inclusive)", ofs the "result offset
// for pagination"; the result holds trades (an object keyed by trade id)
// and count, the "amount of available trades matching criteria". type=all
// is sent; consolidate_taker keeps its default (true).
//
// Pages are read newest first by offset. The cursor is "<ofs>@<end>": the
// next offset and the end the read's first page fixed, Until (rounded up
// to the second) when set, else the newest trade of the first page. Trades
// made during a read are then outside it and shift no offset (one made in
// the very second of the newest could shift them by one: a repeated fill,
// never a skipped one). Since is sent as start a second earlier, start
// being exclusive; [Since, Until) and the symbol are applied here, as
// TradesHistory has no pair filter. A page with no trades or whose offset
// reaches count is the last. Query.Limit is ignored: Kraken's pages are
// fixed. A trade missing its order, time or amounts, or a page without
// trades or count, is an error, never skipped. TradesHistory does not
// carry the order's client id, so Fill.ClientID stays empty.
//
// Instrument rules come from AssetPairs (tick_size, lot_decimals as the
// step, ordermin as the minimum quantity, costmin as the minimum notional)
// and are cached on disk (CacheDir/kraken-<hash of base_url>-assetpairs.json)
// for instruments_ttl; a corrupt or stale cache is refetched. Pair names map
// both ways: XXBTZUSD and XBTUSD are BTC-USD, XDGUSD is DOGE-USD.
//
// Quote-sized market orders (--quote-qty) are sized by tradectl, openly:
// the AddOrder reference lists viqc ("volume in quote currency") among the
// oflags (Kraken Spot REST OpenAPI spec, AddOrder,
// schemas/requests/trading/orders/add.yaml) but says nothing of what it
// does or on which orders Kraken honours it, so it is never sent. The
// adapter is an exchange.ClientQuoteSizer instead: the order plan reads
// the quote (one Ticker request), divides the amount by the ask (a buy)
// or the bid (a sell), rounds down to the pair's lot step and sends a
// plain base-quantity market order; the dry run (quote_sizing), the
// confirmation and a note on stderr say so. A quote-sized request that
// reaches the adapter itself is still refused before anything is sent.
//
// An order with an expiry (OrderRequest.ExpiresAt, --cancel-after) is
// Kraken's own good-till-date order: AddOrder takes "timeinforce
// (GTC/IOC/GTD)" and "expiretm", which is "+<n>" seconds from now or a
// unix timestamp (Kraken Spot REST OpenAPI spec, AddOrder,
// schemas/requests/trading/orders/add.yaml). The adapter sends
// timeinforce=GTD with expiretm as the absolute unix time in whole
// seconds, never the relative form, so an order sent again under its
// client id after an unknown outcome keeps the deadline it was shown. It
// does so on limit and stop-loss-limit orders, the ones it sends a time in
// force with; an expiry on a stop-loss (a market order once triggered) is
// refused. Orders read back carry their expiretm as ExpiresAt (0: none).
//
// A single exit on an entry is Kraken's conditional close
// (exchange.ExitAttacher). What the sources say:
//
//   - Spot WebSocket v2 add_order, Kraken's own reference
//     (docs.kraken.com/exchange/api-reference/spot-websocket-v2/add_order):
//     "For One-Triggers-Other (OTO) orders, the conditional section
//     contains the parameters to add a secondary close order to the
//     primary order", with conditional.order_type one of limit, stop-loss,
//     stop-loss-limit, take-profit, take-profit-limit, trailing-stop,
//     trailing-stop-limit.
//   - REST AddOrder carries the same close order as close[ordertype],
//     close[price] and close[price2] (Kraken Spot REST, Add Order,
//     docs.kraken.com/api/docs/rest-api/add-order; the REST clients
//     yeikiu/ts-kraken src/types/shared/add_order.ts type close.ordertype
//     as limit, stop-loss, take-profit, stop-loss-limit or
//     take-profit-limit). veox/python3-krakenex's
//     examples/order-conditional-close.py notes that only ordertype,
//     price and price2 are read; pair, side and volume come from the
//     entry, the close being the entry's volume on the other side once
//     the entry has filled.
//   - Order objects (Query Orders Info, Get Open/Closed Orders) carry
//     descr.close, describing an entry's conditional close, and refid,
//     the order that created this one. That a close order names its entry
//     in refid is how the adapter and the fake read the link; it has not
//     been checked against the live venue.
//
// So the adapter attaches --take-profit alone as a limit close at that
// price, --stop-loss alone as a stop-loss close (price the trigger), and
// --stop-loss with --stop-loss-limit as a stop-loss-limit close (price the
// trigger, price2 the limit), on market and limit entries. It reads an
// entry with descr.close as the entry of a list named by its txid, and an
// order with a refid as that list's take-profit (a limit or take-profit
// close) or stop-loss; GetOrder adds the other order of the list (an
// entry's close order exists once the entry has filled) and ListOrders
// links the two when both are listed. Canceling the entry before it fills
// cancels its close, which does not exist yet; once the entry has filled,
// the close order is independent and is canceled by its own id.
//
// A take-profit and a stop-loss together are refused before anything is
// sent: Kraken attaches one close order, not a pair that cancels each
// other, and tradectl does not emulate the pair. So are OCO pairs (the
// adapter is neither an exchange.Bracketer nor an exchange.OCOPlacer) and
// a close on a stop or trailing entry.
//
// # Streaming
//
// StreamQuotes (exchange.QuoteStreamer) runs on the shared stream core
// (internal/exchange/venuews): reconnects with capped, jittered backoff,
// a connection given up after 15 s without a readable message, polling
// of Quotes every 3 s after three failed connections in a row, and the
// stream tried again after two minutes of polling. What Kraken documents
// (Spot WebSocket v2 reference: ticker, heartbeat, status, ping;
// docs.kraken.com/exchange/api-reference/spot-websocket-v2/…):
//
//   - Public data is at wss://ws.kraken.com/v2; no token is needed.
//   - Subscribe with {"method":"subscribe","params":{"channel":"ticker",
//     "symbol":["BTC/USD"],"event_trigger":"bbo","snapshot":true}}.
//     event_trigger bbo publishes on every best-bid-offer change (the
//     default, trades, only on trades), which is what a quote needs.
//   - v2 writes symbols as BTC/USD, where v1 and REST write XBT/USD
//     (AssetPairs' wsname is the v1 form), so the adapter sends tradectl's
//     own names joined by a slash, after checking them against AssetPairs.
//   - Each symbol is acknowledged {"method":"subscribe","result":{…},
//     "success":true,…}; a refusal has "success":false and "error" and
//     ends the connection.
//   - Snapshot and update messages share one schema: {"channel":"ticker",
//     "type":"snapshot"|"update","data":[{"symbol","bid","bid_qty","ask",
//     "ask_qty","last","volume","vwap","low","high","change","change_pct",
//     "timestamp"}]}. Prices are JSON numbers; they are read as decimals
//     from their text, never through a float. Updates are folded over the
//     symbol's snapshot; updates before it are skipped.
//   - The 24-hour figures (trade.Stats24h) are the ticker's own: change
//     and change_pct ("24-hour price change" and its percentage), high,
//     low and volume ("24-hour" high, low and base-asset volume), dated by
//     the message's timestamp. A partial update keeps the last figures.
//     REST's Ticker gives h, l and v as [today, last 24 hours]: `quote`
//     takes the second of each and has no 24-hour change (o is today's
//     opening, not the price 24 hours ago).
//   - {"channel":"heartbeat"} comes about once a second when nothing else
//     is sent, and {"channel":"status",…} on connecting: both prove the
//     connection alive without carrying prices.
//
// # Order book stream
//
// StreamBook (exchange.BookStreamer) reads the WebSocket v2 book channel
// on the same core (venuews.StreamBooks: reconnect with backoff, a
// connection given up after 15 s without a readable message), without
// polling: after three failed connections in a row it returns
// venuews.ErrBookStreamDown and `book --watch` reads Depth instead. What
// Kraken documents (Spot WebSocket v2 reference, "Book (Level 2)",
// https://docs.kraken.com/exchange/api-reference/spot-websocket-v2/book.md,
// and the guide "Spot Websockets (v2) Book Checksum",
// https://docs.kraken.com/api/docs/guides/spot-ws-book-v2, also at
// https://docs.kraken.com/exchange/guides/websockets/book-checksum-v2.md):
//
//   - Subscribe with {"method":"subscribe","params":{"channel":"book",
//     "symbol":["BTC/USD"],"depth":N,"snapshot":true}}; depth is one of
//     10, 25, 100, 500, 1000 (default 10), snapshot defaults to true. The
//     adapter asks for the smallest depth that holds the book shown (100,
//     REST's default, when none is given; 1000 at most) and cuts to it.
//     Unsubscribe takes the same params with "method":"unsubscribe".
//   - A snapshot, then updates: {"channel":"book","type":"snapshot"|
//     "update","data":[{"symbol","bids":[{"price","qty"}],"asks":[…],
//     "checksum","timestamp"}]} (timestamp on updates, RFC 3339). Unlike
//     v1, v2 sends the checksum with the snapshot too.
//   - Price and qty are JSON numbers written with the pair's full
//     precision, trailing zeros kept ("qty": 0.00100000); the guide asks
//     for a decimal or string decoder. The adapter keeps each number's
//     text (and accepts only plain digits with one point) for the
//     checksum, and reads the decimal from the same text, never a float.
//   - "qty": 0 removes the level. All the levels of a message are applied
//     before the checksum is computed. After each update the book is cut
//     to the subscribed depth: Kraken sends no qty 0 for a level pushed
//     out of scope.
//   - The checksum is over the top 10 levels a side whatever the depth:
//     for each of the 10 best asks, low to high, the price with its "."
//     removed and then its leading zeros removed ("45285.2" → "452852"),
//     followed by the qty treated the same way ("0.00100000" →
//     "100000"); then the 10 best bids, high to low, the same way; the
//     asks string and the bids string concatenated and passed to CRC32
//     (IEEE), compared as an unsigned 32-bit integer with "checksum". The
//     guide's worked example (a BTC/USD snapshot, checksum 3310070434) is
//     reproduced in the tests.
//   - Checksum verification is optional for Kraken; tradectl verifies
//     every message. On a mismatch the book is dropped, the adapter
//     unsubscribes and subscribes again on the same connection, and
//     updates are ignored until the fresh snapshot; four mismatches in a
//     row (the first and three fresh snapshots) end the stream, so the
//     caller reads over REST rather than show a book it cannot verify. A
//     new connection's snapshot replaces the book too.
//
// # Order and fill events
//
// StreamOrderEvents (exchange.OrderEventStreamer) reads the WebSocket v2
// executions channel on the same core (venuews.StreamEvents: reconnect
// with backoff, a connection given up after 15 s without a readable
// message, no polling — after every (re)connection the caller reconciles
// over REST). What Kraken documents (Spot WebSocket v2 reference,
// "executions", docs.kraken.com/api/docs/websocket-v2/executions, and the
// Spot WebSocket overview, docs.kraken.com/exchange/api-reference/spot-websocket):
//
//   - Private channels are at wss://ws-auth.kraken.com/v2 (ws_auth_url)
//     and need a token from the REST call GetWebSocketsToken (signed as
//     every private call); "obtain a fresh token on each connection", so
//     every connection fetches one. The token goes into the subscribe
//     request and is never logged. A key refused by GetWebSocketsToken
//     ends the stream with ErrAuth; so does a refused subscription unless
//     its error is a service one (EService:…, retried), since a bad token
//     or a key without the permission would be refused again (the wording
//     of that error is not documented; the fake says
//     "EAccount:Invalid permissions").
//   - Subscribe with {"method":"subscribe","params":{"channel":"executions",
//     "token":…,"snap_orders":true,"snap_trades":false,"order_status":true}}:
//     the snapshot lists open orders (snap_orders defaults to true, the
//     last 50 fills only with snap_trades), and order_status true sends
//     every status transition. The acknowledgement is the connection's
//     exchange.EventConnected.
//   - {"channel":"executions","type":"snapshot"|"update","data":[…]}: each
//     entry has exec_type and order_id; updates carry only what changed,
//     so the decoder folds them over what the connection has seen of the
//     order (symbol, side, order_type, order_qty, limit_price, stop_price,
//     time_in_force, post_only, cl_ord_id, order_status, cum_qty,
//     avg_price, reason, timestamp).
//   - exec_type "trade" is a fill: exec_id, last_qty, last_price,
//     liquidity_ind ("m" maker, "t" taker) and fees [{asset, qty}]; the
//     event carries the order as it stands after it. Other exec types
//     (pending_new, new, filled, canceled, expired, amended, restated,
//     status) are order events. order_status pending_new and new are open,
//     partially_filled, filled, canceled and expired map by name; a
//     canceled post-only order whose reason is "Post only order" is
//     rejected, as over REST.
//   - cl_ord_id is the wire form of tradectl's client id and is mapped back
//     as REST answers are (clientids.go). Numbers are JSON numbers, read as
//     decimals from their text.
//
// # Amending orders
//
// Orders are amended with POST /0/private/AmendOrder (exchange.Amender):
// txid names the order, order_qty is the new total quantity in the base
// asset, limit_price the new limit (a stop-loss-limit's limit, AddOrder's
// price2) and trigger_price the new stop. Kraken amends in place: the txid
// and client id stay, and queue priority is kept where possible — on a
// quantity cut, not on a price change or a larger quantity. A quantity
// below what has filled cancels the rest, which tradectl refuses before
// sending. The answer is an amend_id; the order is read back with
// QueryOrders. Source: Kraken Spot REST API, Trading, "Amend Order"
// (docs.kraken.com/api/docs/rest-api/amend-order) and the amend
// transaction guide it links. Kraken answers an amendment of a finished
// order "EOrder:Unknown order"; the adapter reads the order back and
// reports such an order as ErrInvalidOrder ("already canceled"), keeping
// ErrNotFound for a txid Kraken does not know. An answer lost after the
// request was written is ErrUnknownOutcome: the caller looks the order up,
// never amends twice.
//
// # Order book and candles
//
// OrderBook is one public GET /0/public/Depth (docs.kraken.com,
// api-reference/market-data/get-order-book): pair and count, "Maximum
// number of asks/bids", 1 <= count <= 500, default 100; the result is
// keyed by the pair's id, {"asks": [[price, volume, timestamp]], "bids":
// …} with price and volume as strings. The pair's id comes from the cached
// AssetPairs, so the book costs that one request, as Ticker did for the
// slippage guard's top-of-book read.
//
// Candles is public GET /0/public/OHLC (get-ohlc-data): pair, interval in
// minutes (1, 5, 15, 30, 60, 240, 1440, 10080, 21600) and since ("Return
// OHLC entries since the given timestamp"); entries are [time, open,
// high, low, close, vwap, volume, count] next to "last". Kraken "Returns
// up to 720 of the most recent entries (older data cannot be retrieved,
// regardless of the value of since)", and the last entry is the candle
// in progress. So a range starting before the latest 720 candles of its
// interval is refused (ErrInvalidOrder) before anything is sent, and any
// other range is one request: since is sent as the second before the
// range, the entries outside it dropped.
package kraken
