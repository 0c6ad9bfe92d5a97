// Package alpaca is the Alpaca adapter for US stocks and crypto: the
// Trading API (orders, account, positions, assets) and the Market Data API
// (latest quotes and trades), both over REST through internal/exchange/venuehttp.
//
// # Profile keys
//
//	base_url         Trading API; default https://paper-api.alpaca.markets
//	                 (paper: true) or https://api.alpaca.markets (paper: false)
//	data_url         Market Data API; default https://data.alpaca.markets
//	paper            true (default): paper trading, which has its own keys
//	feed             iex (default, free) or sip (needs a data subscription)
//	extended_hours   false (default); true sends extended_hours on limit day
//	                 stock orders, the only ones Alpaca accepts it on
//	instruments_ttl  how long the asset list is cached on disk; default 1h,
//	                 0 keeps it in memory only
//	stream_url       the trading stream; default /stream on base_url's host
//	data_stream_url  the market data stream's host; default
//	                 wss://stream.data.alpaca.markets, or none (quotes are
//	                 polled) when data_url is set and this is not
//
// Credentials api_key and api_secret go out as the APCA-API-KEY-ID and
// APCA-API-SECRET-KEY headers. They are resolved on the first request and
// every request needs them, market data included. Redirects are refused
// rather than followed, because Go would forward those custom headers to
// wherever a redirect points.
//
// # Symbols and instruments
//
// Stocks are tickers (AAPL, BRK.B); crypto pairs are BTC/USD on Alpaca and
// BTC-USD in tradectl. Positions name crypto without the slash (BTCUSD);
// the asset list, else a quote-suffix guess (USDT, USDC, USD, BTC), turns
// that back into a pair.
//
// Instruments come from GET /v2/assets?status=active, tradable ones only,
// and are cached on disk (CacheDir/alpaca-<hash of base_url>-assets.json,
// written atomically; a corrupt, stale or foreign cache is refetched).
// Crypto takes Alpaca's own price_increment (tick), min_trade_increment
// (step) and min_order_size (minimum quantity). Stocks follow Alpaca's
// stated rules: the tick is 0.01; a fractionable stock has step 0.000000001
// and a minimum order value of $1, any other stock whole shares. Alpaca
// also accepts 4 decimals below $1, but an instrument has one tick, so
// tradectl refuses sub-cent prices for every stock: the cent tick is the
// rule for almost every order, and a sub-penny price on a stock above $1 —
// the common mistake — is caught before anything is sent. A stock is quoted
// in USD (QuoteAsset) though its symbol has no quote.
//
// # Orders
//
// Every order is checked locally first (OrderRequest.Validate, the
// instrument's rules with RoundReject, then Alpaca's own restrictions), so
// a refused order never reaches Alpaca; Alpaca has no validate endpoint,
// so the adapter implements no OrderValidator and --dry-run is local.
// Refused locally with ErrInvalidOrder: post-only (not an Alpaca feature);
// FOK or day on crypto (crypto is gtc or ioc); plain stops on crypto
// (market, limit and stop-limit only); fractional stock quantities on
// non-fractionable assets or outside day orders. A fractional market order
// asked as gtc (tradectl's default) is sent as day, since Alpaca takes
// fractional orders only as day orders and for a market order the two do
// not differ.
//
// Types map market, limit, stop, stop-limit to market, limit, stop,
// stop_limit; a trailing_stop placed elsewhere reads back as a stop. Time in
// force maps gtc, ioc, fok, day one to one. Alpaca's opg and cls (auction
// orders) cannot be placed because the domain has no name for them; placed
// elsewhere they read back as day. Notional (dollar-amount) orders cannot
// be expressed in trade.OrderRequest and are not supported; one placed
// elsewhere reads back with its filled quantity as its quantity.
//
// A client_order_id is always sent (tctl-<24 hex> when the request has
// none), so that ErrUnknownOutcome — a 5xx, a timeout or a dropped
// connection after the request was written — always names the id to look
// the order up by. Alpaca keeps client ids unique across all orders, open
// or finished; reusing one is ErrDuplicateClientID.
//
// Placement is asynchronous on Alpaca: the answer is usually pending_new
// with nothing filled, even for a market order, and PlaceOrder returns it
// as answered (status open). `tradectl order get` (or --wait) shows later
// fills. Statuses map as: new, accepted, pending_new, accepted_for_bidding,
// held, suspended, stopped, pending_cancel, pending_replace, done_for_day →
// open, or partially_filled once something filled; partially_filled;
// filled; calculated → filled when fully filled, else as a working order;
// canceled and replaced → canceled; expired; rejected. Alpaca's order
// object has no fees, so Fee is zero with no asset.
//
// Orders are found by id (GET /v2/orders/{id}; ids are UUIDs, anything
// else is ErrNotFound without a request, as Alpaca would answer 422) or by
// client id (GET /v2/orders:by_client_order_id), open or finished. A symbol
// given with the reference must match the order's. Cancel is DELETE
// /v2/orders/{id}, which answers 204 without a body; the order is read back,
// for up to two seconds while Alpaca reports pending_cancel, and returned
// as it then stands. CancelAll without a symbol is DELETE /v2/orders (207,
// one entry per order, failures reported with the orders that were
// canceled); with a symbol, Alpaca has no filter, so the symbol's open
// orders are listed and canceled one by one. ListOrders is one page of up
// to 500 orders, newest first (status open, closed or all chosen from the
// filter; finer status filters and limits under them apply locally).
//
// # Balances and positions
//
// Alpaca reports cash and buying power, not free and locked. The account
// currency's balance is: total = cash; free = non_marginable_buying_power
// (else buying_power) clamped to [0, cash]; locked = the rest, which on a
// cash account is what open buy orders hold. Margin beyond cash is never
// shown as free money; negative cash (a margin loan) is all free.
//
// Positions (exchange.PositionLister) come from GET /v2/positions with qty
// and avg_entry_price; shorts are negative. Every position is also a
// balance of its asset (AAPL, BTC) — free is qty_available, locked what
// open sell orders hold — so balances list holdings as on a spot venue and
// the dashboard values them; it counts a position only when its asset has
// no balance, so nothing is counted twice.
//
// # Quotes
//
// Quotes come from the Market Data API: pairs from
// /v1beta3/crypto/us/latest/quotes and .../latest/trades, tickers from
// /v2/stocks/quotes/latest and /v2/stocks/trades/latest with the profile's
// feed. Bid and ask are the latest quote, Last the latest trade, Time the
// quote's timestamp. Prices arrive as JSON numbers and are read from their
// text, never through a float. A symbol Alpaca has no quote for is
// ErrNotFound.
//
// # Errors and rate limits
//
// Alpaca's {"code","message"} answers map to: 401 → ErrAuth; 403 with
// "insufficient" (buying power, qty available, crypto balance) →
// ErrInsufficientFunds; other 403s on a placement that are not about the
// key (wash trade, pattern day trader) → ErrInvalidOrder, else ErrAuth;
// 404 with Alpaca's body → ErrNotFound, without it (a wrong URL) →
// ErrUnavailable; 422/400 → ErrInvalidOrder, except "client_order_id must
// be unique" → ErrDuplicateClientID and a bad symbol on market data →
// ErrNotFound; 429 → ErrRateLimited with Retry-After, else
// X-RateLimit-Reset; 5xx → ErrUnavailable, or ErrUnknownOutcome with the
// client id on a placement.
//
// Alpaca allows 200 requests a minute per account. A token bucket per API
// (trading and data count separately) admits that many at once and then
// one every 300ms, waiting on ctx. The venue's X-RateLimit-Remaining
// outranks the local count when lower (other processes share the account),
// a Remaining of 0 holds requests until X-RateLimit-Reset, and after a 429
// nothing is sent until Retry-After has passed (calls fail at once with
// ErrRateLimited). Nothing is retried automatically. Every request has a
// deadline (15s, or the caller's sooner one).
//
// # Fill history
//
// Executions are account activities of type FILL: GET
// /v2/account/activities/FILL (Alpaca Trading API reference, "Retrieve
// Account Activities of Specific Type"; alpaca-trade-api-go rest.go
// GetAccountActivities). The query takes date, after and until ("after"
// and "before" that time, RFC 3339), direction (asc or desc, desc by
// default), page_size and page_token; the reference: "page_token
// represents the ID of the end of your current page of results … If
// specified with a direction of desc … the results will end before the
// activity with the specified ID. If specified with a direction of asc,
// results will begin with the activity immediately after the one
// specified", and "If date is not specified, the default and maximum
// value [of page_size] is 100". The answer is a bare array. A FILL
// activity carries id ("<time>::<uuid>", "can be sent as page_token"),
// activity_type, transaction_time, type (fill or partial_fill), price,
// qty, side (buy, sell or sell_short), symbol, leaves_qty, order_id and
// cum_qty (alpaca-trade-api Ruby TradeActivity; Finance::Alpaca
// TradeActivity). There is no symbol filter and no fee field.
//
// exchange.FillHistorian reads one page per call, for the whole account
// (FillsPerAccount), oldest first (direction=asc), so a resumed read goes
// on forward: Cursor is the page_token, and Next is the id of the last
// activity of a full page — a shorter page is the last, and a full last
// page is followed by an empty one. Limit is page_size, 0 (or more than
// 100) asks for 100. Since is inclusive and Until exclusive in tradectl,
// while Alpaca's words say "after" and "before", and the reference shows
// times to the second ("YYYY-MM-DD and YYYY-MM-DDTHH:MM:SSZ are
// supported"): after is sent a whole second before Since, until at Until
// rounded up to the second, and fills outside [Since, Until) are dropped
// here, whichever way the venue reads its bounds. A Symbol is applied here, to what each page holds (pages thin
// out accordingly; the read still ends where the account's history
// does). AfterID is not used: ids order by time, and Since does the same
// job with the documented parameter.
//
// A fill reads as: ID the activity id, OrderID order_id, Symbol symbol (a
// ticker, a pair with its slash, or a pair written without it as
// positions name crypto — told apart by the asset list, read only for
// symbols ending in USD, USDT, USDC or BTC), Side buy, or sell for sell
// and sell_short, Qty qty, Price price, Time transaction_time. ClientID
// stays empty: activities do not carry the order's client id. Liquidity
// stays empty: Alpaca does not say maker or taker. Fee is zero, in USD
// for stocks (FeeAsset; Alpaca charges no commission on stock trades)
// and in the quote currency for crypto pairs. Crypto trades do pay a fee,
// which Alpaca books as separate CFEE activities, not on the fill; those
// are not read, so crypto P&L from Alpaca's fills is before fees. An
// activity that does not read (another activity type, an unknown fill
// type or side, a bad number or time, no id) fails the page with
// ErrUnavailable.
//
// exchange.FillLister (the dashboard, the daily-loss check) is the same
// pager read newest first (direction=desc): at most Limit fills, reading
// no more than ten pages (1000 fills) when Limit is 0 — Alpaca allows 200
// requests a minute, and the full history is the fill cache's job.
//
// # Not supported
//
// Crypto fees (CFEE activities, see Fill history), OTO
// orders (brackets and OCO are, below), and paging beyond 500 orders.
//
// Orders with an expiry (OrderRequest.ExpiresAt, --cancel-after): Alpaca
// has no good-till-date order — its time_in_force values are day, gtc,
// opg, cls, ioc and fok (Alpaca Trading API, order entity, time_in_force).
// The adapter is no exchange.Expirer, and such a request that reaches it
// is refused before anything is sent.
//
// # Streaming quotes
//
// StreamQuotes (exchange.QuoteStreamer, what `tradectl watch` uses) reads
// the Market Data stream on the shared core (venuews.Stream), and polls the
// latest-quotes endpoints when it cannot. What Alpaca documents ("WebSocket
// Stream", docs.alpaca.markets/docs/streaming-market-data; "Real-time
// Stock Data", docs.alpaca.markets/docs/real-time-stock-pricing-data;
// "Real-time Crypto Data", docs.alpaca.markets/docs/real-time-crypto-pricing-data):
//
//   - URLs: wss://stream.data.alpaca.markets/{version}/{feed}; stocks on
//     v2/iex or v2/sip (the profile's feed), crypto on v1beta3/crypto/us
//     (sandbox: stream.data.sandbox.alpaca.markets). data_stream_url
//     names the host; the path follows the symbol's class, so a watch of
//     stocks and pairs holds two connections.
//   - "Every message you receive from the server will be in the format
//     [{"T": "{message_type}", {contents}},...]"; control messages (T
//     success, error, subscription) come alone, data points may be
//     batched. Every element of an array is read.
//   - On connect [{"T":"success","msg":"connected"}]; then
//     {"action":"auth","key":…,"secret":…} (within 10 seconds) is answered
//     [{"T":"success","msg":"authenticated"}]. The auth goes out once the
//     welcome is read and the subscribe once authenticated is (a decoder
//     dialogue, venuews.Feed.NewDialogue). The key and secret go in the
//     auth message and nowhere else.
//   - {"action":"subscribe","trades":[…],"quotes":[…]} is answered with
//     the whole subscription list ({"T":"subscription",…}). Quotes are
//     {"T":"q","S":symbol,"bp","bs","ap","as","t",…} (stocks add bx, ax,
//     c, z), trades {"T":"t","S","p","s","t","i",…}; prices are JSON
//     numbers, read from their text, never through a float (see Quotes).
//     Bid and ask come from this connection's quotes; Last is the latest
//     trade, from the stream or, before the first one, the REST read that
//     checks the symbols (a trade stays the last one until the next);
//     Time is the point's t. A symbol's quote is delivered once both
//     sides of its book are known.
//   - Errors are [{"T":"error","code":…,"msg":…}], each a
//     DataStreamError inside an *exchange.Error: 402 auth failed and 409
//     insufficient subscription (sip without a data plan) end the stream
//     with ErrAuth; 410 invalid subscribe action with ErrUnavailable;
//     406 connection limit exceeded and 405 symbol limit exceeded make it
//     poll at once (venuews.PollNow) and try the stream again after the
//     polling period; 400, 401, 403, 404 (auth timeout), 407 (slow
//     client) and 500 reconnect afresh.
//   - "The number of connections to a single endpoint from a user is
//     limited based on the user's subscription, but in most subscriptions
//     (including Algo Trader Plus) this limit is 1": an Exchange opens at
//     most one connection per endpoint; a second StreamQuotes on the same
//     endpoint while the first runs polls instead of drawing a 406.
//   - The stream has no heartbeat, and a stock is silent outside market
//     hours, so liveness is checked by WebSocket pings every 20 s; a pong
//     missing for 15 s ends the connection. A lost connection reconnects
//     with backoff and subscribes again; three failed sessions in a row,
//     or a 406/405, switch to polling for two minutes.
//   - Bars, daily bars, statuses and other data points are not asked for
//     and skipped if sent. Alpaca's stream carries no rolling 24-hour
//     figures, so its quotes have none.
//
// # Order and fill events
//
// StreamOrderEvents (exchange.OrderEventStreamer) reads trade_updates on
// the trading stream, on the shared core (venuews.StreamEvents; no
// polling — after every (re)connection the caller reconciles over REST).
// What Alpaca documents ("Websocket Streaming",
// docs.alpaca.markets/docs/websocket-streaming):
//
//   - The stream is wss://paper-api.alpaca.markets/stream or
//     wss://api.alpaca.markets/stream: the trading host's, so by default
//     /stream on base_url's host (stream_url names another).
//   - {"action":"auth","key":…,"secret":…} is answered on the
//     authorization stream, status authorized or unauthorized; then
//     {"action":"listen","data":{"streams":["trade_updates"]}} is answered
//     on the listening stream, which omits a stream it will not serve. The
//     listen is sent only after authorized (a decoder dialogue,
//     venuews.EventFeed.NewDialogue). The key and secret go in the auth
//     message and nowhere else. unauthorized ends the stream with ErrAuth;
//     a listening answer without trade_updates with ErrUnavailable. The
//     listening answer is the connection's exchange.EventConnected.
//   - "The trade_updates stream coming from wss://paper-api.alpaca.markets/stream
//     uses binary frames": messages are read the same whatever the frame
//     type, as JSON (the MessagePack codec is not asked for).
//   - {"stream":"trade_updates","data":{"event",…,"timestamp","order":{…}}}:
//     order is the order entity REST returns and is mapped the same way.
//     Events new, fill, partial_fill, canceled, expired, done_for_day,
//     replaced, rejected, pending_new, stopped, pending_cancel,
//     pending_replace, calculated, suspended, order_replace_rejected and
//     order_cancel_rejected are order events; fill and partial_fill also
//     carry execution_id, price and qty (the execution's, not the
//     order's), which make the fill event, followed by the order event.
//     Fees are not in the message (stock trades have none; crypto fees are
//     CFEE activities, not read here).
//   - The stream has no heartbeat and an account may rightly be silent for
//     hours, so liveness is checked by WebSocket pings every 20 s
//     (venuews.Timing.PingInterval): a pong missing for 15 s ends the
//     connection and a new one starts.
//
// # Notional orders
//
// A quote-sized market order (OrderRequest.QuoteQty) goes out as notional
// without qty: "Dollar amount; not combinable with qty; market + day only"
// (Alpaca's POST /v2/orders reference and alpaca-trade-api-go rest.go
// L545-563). A market gtc is sent as day, as for fractional quantities.
// Crypto orders take gtc or ioc only, never day, so a notional crypto order
// is refused locally rather than sent against the documented rule.
//
// # Brackets and OCO
//
// Linked exits go out as one POST /v2/orders with order_class and
// "take_profit{limit_price}" and "stop_loss{stop_price, limit_price}"
// (Alpaca's POST /v2/orders reference; alpaca.markets/blog/oco-oto for the
// OCO body: a "type": "limit" order of "order_class": "oco" whose
// take_profit.limit_price is its limit). A bracket's entry is a market or
// limit order, day or gtc; its legs are held until the entry fills. Alpaca
// takes advanced order classes on equities only, so crypto symbols are
// refused before any request. The answer nests the legs under the parent
// ("legs"); the list id here is the parent's id, each leg's role follows
// from its type (a limit is the take-profit, a stop or stop-limit the
// stop-loss). Legs get Alpaca's own client ids: the parent carries the
// request's, so a lost answer is settled by looking the parent up.
// Canceling the parent cancels its legs. A leg fetched by its own id
// carries no link to its parent in Alpaca's order object and shows alone.
//
// # Replacing orders
//
// `order amend` uses Alpaca's replace, PATCH /v2/orders/{id} (Alpaca
// Trading API reference, "Replace an Order"; the reference's Replace row,
// and the order object's replaces / replaced_by fields): the body carries
// only what changes — qty, limit_price, stop_price, as strings — and
// client_order_id for the new order, which tradectl mints so a lost answer
// is settled by looking the new order up by it. Alpaca answers with the new
// order (a new id); the old one ends "replaced", which tradectl shows as
// canceled. The place in the queue is lost. The reference warns that a
// success answer does not guarantee the replacement: if the old order
// fills first the new one is rejected, which `order get` then shows. A
// partially filled order is refused before sending (the new order's qty
// would count from zero, where tradectl's --qty is the total), and
// notional orders cannot be replaced (reference).
//
// # Trailing stops
//
// A trailing stop (trade.TrailingStop) goes out as type trailing_stop with
// trail_percent (OrderRequest.TrailPct) or trail_price (TrailAmount, in
// dollars) and neither limit_price nor stop_price: "trail_price /
// trail_percent: for trailing_stop" (POST /v2/orders reference). The order
// object reports them back with hwm, the high-water mark, and stop_price,
// the current trigger, which tradectl shows as the order's stop price
// (entities/order-v2.yaml). Stocks only: "Crypto supports only market,
// limit, stop_limit", so a crypto trailing stop is refused locally and
// exchange.Trailer claims none for a crypto pair.
//
// # Order book and candles
//
// OrderBook of a crypto pair is one GET
// /v1beta3/crypto/us/latest/orderbooks?symbols=BTC/USD on the data host
// (docs.alpaca.markets/docs/crypto-pricing-data): {"orderbooks":
// {"BTC/USD": {"a": [{"p", "s"}], "b": […], "t"}}}, prices and sizes as
// JSON numbers (read through json.Number, never a float). It is the whole
// book; the adapter keeps depth levels a side. Alpaca publishes no depth
// for stocks: a stock's book is the one level of its latest quote (GET
// /v2/stocks/quotes/latest on the profile's feed: bp, bs, ap, as), marked
// trade.Book.TopOnly so the slippage guard and the paper engine treat it
// as a quote. Either is one request, where the guard's top-of-book read
// was latest quotes and latest trades, two.
//
// Candles are the historical bars: GET /v1beta3/crypto/us/bars for pairs,
// GET /v2/stocks/bars for stocks (feed and adjustment=raw), with symbols,
// timeframe (1Min, 5Min, 15Min, 1Hour, 4Hour, 1Day here), start and end
// (RFC 3339, inclusive), limit (1 to 10000, default 1000) and sort=asc;
// the answer is {"bars": {symbol: [{t, o, h, l, c, v, n, vw}]},
// "next_page_token"}, and a non-null token is followed until the window
// is read (at most 100 pages). One read of tradectl's at most 5000
// candles is one window, normally one request.
package alpaca
