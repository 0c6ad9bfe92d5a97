// Package coinbase is the Coinbase Advanced Trade adapter: REST
// (/api/v3/brokerage) for orders, balances, quotes and product rules, and
// the market-data WebSocket for live quotes and the order book.
//
// # Profile
//
// Keys: base_url (default https://api.coinbase.com; a trailing
// /api/v3/brokerage is accepted and dropped), sandbox (true: the static
// sandbox https://api-sandbox.coinbase.com), instruments_ttl (default
// 1h; 0 disables the disk cache) and ws_url (the market-data WebSocket,
// default wss://advanced-trade-ws.coinbase.com, in sandbox mode too: the
// sandbox has no market data; when base_url is set and ws_url is not,
// StreamQuotes polls base_url instead of streaming from production).
// Credentials: api_key is the CDP key
// name ("organizations/{org_id}/apiKeys/{key_id}"), api_secret its EC
// private key as PEM, SEC1 ("EC PRIVATE KEY", as Coinbase issues it) or
// PKCS#8 ("PRIVATE KEY"), on curve P-256. A secret pasted from the key's
// JSON file with literal \n escapes is accepted. Ed25519 keys are refused:
// Coinbase itself recommends ECDSA keys for the Advanced Trade API.
//
// # Authentication
//
// Every private request carries a fresh JWT (Authorization: Bearer),
// built with the standard library only: header {alg ES256, kid key name,
// nonce 16 random bytes in hex, typ JWT}, claims {iss "cdp", sub key name,
// nbf now, exp now+120s, uri "METHOD host/path"} — no scheme and no query
// in uri, the query travels separately. The signature is the raw 64-byte
// r‖s of RFC 7518, not the ASN.1 DER crypto/ecdsa produces by default. The
// key is resolved on the first private call, so instruments and quotes
// work without one. The clock is the injected one (exchange.Params.Now):
// a pinned clock makes tokens the venue refuses.
//
// Public data uses the unauthenticated /market endpoints: products
// (/market/products) always, and quotes from the public ticker
// (/market/products/{id}/ticker, one call per symbol) when the profile has
// no key. With a key, quotes come from best_bid_ask (one call for every
// symbol) plus the last trade price from /products.
//
// The sandbox needs no authentication and mocks only accounts and orders:
// with sandbox: true and no keys, private requests go unsigned, and
// products and quotes are read from production's public endpoints (unless
// base_url is set, which then serves everything).
//
// # Placement
//
// Requests are checked locally first (OrderRequest.Validate, what Coinbase
// can express, then the product's price_increment — or quote_increment —,
// base_increment, base_min_size, base_max_size and quote_min_size as the
// minimum order value), so an order off the tick never reaches Coinbase.
// Product rules come from /market/products and are cached on disk
// (CacheDir/coinbase-<hash of the market URL>-products.json, written
// atomically, refetched when stale or unreadable).
//
// The domain maps to order_configuration as follows:
//
//	market (gtc, ioc)       market_market_ioc {base_size}; fok is refused
//	limit gtc               limit_limit_gtc {base_size, limit_price, post_only}
//	limit day               limit_limit_gtd {…, end_time: next 00:00 UTC, post_only}
//	limit ioc               sor_limit_ioc {base_size, limit_price}
//	limit fok               limit_limit_fok {base_size, limit_price}
//	stop-limit gtc / day    stop_limit_stop_limit_gtc / _gtd {…, stop_price, stop_direction}
//	stop (stop-market)      refused with ErrInvalidOrder: Coinbase has none
//
// Coinbase has no "day" time in force: a day order is good-till-date until
// the end of the current UTC day. stop_direction comes from comparing the
// stop price with the current price (last trade, else the mid): above it
// STOP_UP, below it STOP_DOWN, equal to it by side (buy up, sell down).
// Reading orders back, a good-till-date order whose end_time is 00:00 UTC
// shows as "day"; any other end_time is an expiry the trader gave
// (OrderRequest.ExpiresAt, --cancel-after) and shows as gtc with that
// expires_at. Brackets placed elsewhere read as stop-limit orders (limit
// price, stop trigger price).
//
// An order with an expiry goes out as limit_limit_gtd or
// stop_limit_stop_limit_gtd with end_time the expiry in RFC 3339
// (order_configuration variants, coinbase-advanced-py orders.py
// limit_order_gtc/gtd and stop_limit_order_gtd; the API's
// GOOD_UNTIL_DATE_TIME time in force). Coinbase ends it EXPIRED.
//
// # Client ids and duplicates
//
// Every create carries a client_order_id: the request's, or a generated
// UUID v4 (36 characters, within tradectl's client id alphabet). Coinbase
// does not refuse a repeated client_order_id: "If the ID provided is not
// unique, the order will not be created and the order corresponding with
// that ID will be returned instead" (Advanced Trade API, Create Order,
// client_order_id). The create answer names the order it is for —
// success_response carries order_id, product_id, side and client_order_id
// — and carries an order_configuration (coinbase-advanced-py
// types/orders_types.py, CreateOrderResponse). The adapter compares that
// answer with the request: a product or side that differs, or a
// configuration that reads as another type, size or price, is an earlier
// order under the same id, and PlaceOrder returns ErrDuplicateClientID
// naming it; otherwise the answer is the order asked for — so resending
// after ErrUnknownOutcome under the same client id is safe and yields the
// original order. The reference does not say whether the configuration
// answered for a repeated id is the earlier order's or the request's
// (the fake answers the earlier order's): if Coinbase echoes the request,
// a reused id on the same product and side is reported as the order asked
// for, under the earlier order's id. order create looks a --client-id its
// journal does not know up before sending it, which leaves this to ids
// older than that lookup reaches and to an --idempotency-key reused with
// another order from another machine.
//
// # One request per limit or stop order
//
// The create answer says the order was accepted and names it, nothing of
// its execution. A limit or stop order is reported from it as sent — read
// the way orders/historical would read it — under Coinbase's order_id,
// with status open, nothing filled and CreatedAt this machine's clock when
// the answer came: one request. A market order (IOC on Coinbase) has
// usually filled by then, so it is read back (orders/historical/{id}) and
// the trader sees its fill; reporting it open with nothing filled would
// misstate it. If that read fails the order is reported as sent (it
// exists; failing would invite a second placement). Since this adapter
// lists no fills through FillLister's bounded listing elsewhere, a
// max_daily_loss limit on a Coinbase profile counts the fills tradectl's
// journal saw.
//
// A failure after the create was written (5xx, 408, a dropped connection,
// a timeout, an unreadable answer) is ErrUnknownOutcome carrying the client
// id. Coinbase cannot filter orders by client id, so a lookup by client id
// scans: every open order first (order_status=OPEN, all pages), then the
// 1000 most recent orders; an older finished order is reported not found.
//
// # Orders
//
// GetOrder reads orders/historical/{id}; ids are UUIDs, and anything that
// does not look like one is not found without a request. CancelOrder is a
// batch_cancel of one ({success, failure_reason, order_id} per id;
// Advanced Trade API, Cancel Orders: "initiate cancel requests for one or
// more orders"), then the order read back: the answer says nothing of
// what filled before the cancel, which a caller re-placing the rest needs.
// By client id the order is first found (the scan below; batch_cancel
// takes order ids only). Coinbase answers
// UNKNOWN_CANCEL_ORDER for finished orders as for missing ones, so a failed
// cancel reads the order to say "already filled" (ErrInvalidOrder) rather
// than not found. CancelAll lists the open orders (of one product or all)
// and cancels them in batches of 100; it returns the listed orders marked
// canceled rather than reading each back. ListOrders uses
// orders/historical/batch with product_ids, start_date, order_status
// (OPEN alone for working orders — Coinbase refuses OPEN combined with
// other statuses — or the finished statuses asked for), follows the cursor,
// stops once Limit matching orders are found, and filters the rest locally.
//
// Statuses: PENDING, QUEUED, OPEN, EDIT_QUEUED and CANCEL_QUEUED are
// working (partially_filled once filled_size > 0: a queued cancel can still
// be overtaken by a fill), FILLED is filled, CANCELLED canceled, EXPIRED
// expired and FAILED rejected. Fees are total_fees, in the quote currency.
//
// Balances sum available_balance (free) and hold (locked) per currency over
// every page of accounts.
//
// # Errors
//
// Non-2xx answers carry grpc-gateway's {"error","code","message","details"}
// or {"error","message","error_details"}; a create refused on business
// grounds answers 200 with success=false and error_response {error,
// message, error_details, preview_failure_reason, new_order_failure_reason};
// a preview lists its reasons in errs. 401 and 403 are ErrAuth, 404 with a
// JSON body ErrNotFound (a bare 404 page means a wrong base_url:
// ErrUnavailable), 429 ErrRateLimited with Retry-After (or
// x-ratelimit-reset), 5xx ErrUnavailable — ErrUnknownOutcome for a create.
// Reasons naming insufficient funds are ErrInsufficientFunds, an unknown
// product ErrNotFound, and every other refusal (precision, size, post-only
// crossing, UNKNOWN_FAILURE_REASON) ErrInvalidOrder, with the venue's
// reason as the error code. Messages quote Coinbase's words only, never a
// request, a token or a key.
//
// # Rate limits
//
// Coinbase publishes 30 requests/s per key for private endpoints and 10/s
// per IP for public ones (reference: unverified third-party summaries). Two
// token buckets, one per class, keep the client under them: each refills at
// 80% of the limit with a burst of 20%, so no one-second window can exceed
// the limit however the venue aligns its windows; a request waits for its
// turn on its context. After a 429 the bucket sends nothing until
// Retry-After (at least a second) has passed and fails at once with
// ErrRateLimited instead.
//
// # Fill history
//
// Fills come from List Fills, GET /api/v3/brokerage/orders/historical/fills
// (Coinbase Advanced Trade API reference, Orders, "List Fills",
// docs.cdp.coinbase.com; coinbase-advanced-py rest/orders.py get_fills).
// Its query takes order_ids, trade_ids and product_ids (repeated),
// start_sequence_timestamp ("only fills with a trade time after the
// specified start date") and end_sequence_timestamp ("… before the
// specified end date"), both RFC 3339, limit, cursor and sort_by. The
// answer is {fills, cursor}: no has_next, an empty cursor ends the read.
// Each fill carries entry_id, trade_id, order_id, trade_time, trade_type,
// price, size, commission, product_id, sequence_timestamp,
// liquidity_indicator (MAKER, TAKER, UNKNOWN_LIQUIDITY_INDICATOR),
// size_in_quote and side (the reference's example answer).
//
// exchange.FillHistorian reads one page per call, for the whole account
// (FillsPerAccount): Cursor and Next are Coinbase's cursor; a Symbol is
// sent as product_ids; Limit is sent as limit, and 0 (or more than 1000)
// asks for 1000. The reference excerpt at hand states no maximum: 1000 is
// the default of a published client (coinbase_cloud_advanced_trade_client
// getFills, pub.dev), and a smaller page from the venue costs only more
// pages. Since is inclusive and Until exclusive in tradectl, while
// Coinbase's words say "after" and "before": start_sequence_timestamp is
// sent a millisecond before Since (trade times carry microseconds) and
// end_sequence_timestamp at Until, and every fill outside [Since, Until)
// or of another product is dropped here too, whichever way the venue
// reads its bounds. The order is Coinbase's, newest first (the reference
// does not say; clients that stop paging "once 30 days back" rely on it);
// should a fill arrive during a read, a page may repeat a fill of the
// page before — callers de-duplicate by id — but leaves no gap. AfterID is
// not used: fill ids are UUIDs, not a sequence.
//
// A fill reads as: ID entry_id (unique per fill; trade_id, shared by the
// two sides of a trade, when entry_id is missing), OrderID order_id,
// Symbol product_id, Side side, Price price, Qty size — or size ÷ price,
// rounded to 16 decimals, when size_in_quote says the size is a quote
// amount (ccxt's coinbase parseTrade reads it so) —, Fee commission in the
// quote currency (FeeAsset), Liquidity maker or taker (empty when
// unknown), Time trade_time. List Fills carries no client order id, so
// ClientID stays empty. Entries whose trade_type is not FILL (REVERSAL,
// CORRECTION, SYNTHETIC) amend an earlier fill in ways the reference does
// not describe; they are left out and logged rather than counted as
// trades. An entry that does not read (a bad number, time, side, product
// or liquidity) fails the page with ErrUnavailable.
//
// exchange.FillLister (the dashboard, the daily-loss check) is the same
// pager: the newest fills first, at most Limit of them, reading no more
// than five pages (5000 fills) when Limit is 0.
//
// # Not supported
//
// Positions are not reported. Quote-sized market orders are
// buys only at the venue: market_market_ioc takes quote_size or base_size
// (Coinbase Advanced Trade Python SDK, coinbase/rest/orders.py L74-126),
// and Coinbase's order guide says "To buy a product, provide a quote_size
// or base_size; to sell, provide a base_size" (Advanced Trade API, guides,
// Order Management, Market Orders). A quote-sized sell is therefore never
// sent as one: the adapter is an exchange.ClientQuoteSizer for sells, and
// tradectl sizes the order from the bid, rounded down to the step, openly
// (the dry run's quote_sizing, the confirmation, a note on stderr).
//
// OCO exits (--oco) are a trigger bracket (exchange.OCOPlacer). What the
// sources say:
//
//   - order_configuration takes trigger_bracket_gtc {base_size,
//     limit_price, stop_trigger_price} and trigger_bracket_gtd, the same
//     with end_time (Advanced Trade API reference, List Orders and Get
//     Order, order_configuration schema,
//     docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/orders/list-orders;
//     the Coinbase Advanced API Python SDK lists trigger_bracket_order_gtc
//     and trigger_bracket_order_gtd among its order calls,
//     coinbase.github.io/coinbase-advanced-py). Such an order reads back
//     with order_type BRACKET and trigger_status STOP_PENDING or
//     STOP_TRIGGERED (List Orders: order_types, trigger_status).
//   - limit_price is "the specified price, or better, that the Order
//     should be executed at"; stop_trigger_price is "the price level (in
//     quote currency) where the position will be exited. When triggered, a
//     stop limit order is automatically placed with a limit price 5%
//     higher for BUYS and 5% lower for SELLS" (the field descriptions of
//     Create Order's trigger bracket, as the rCoinbase reference
//     cb_trig_gtc_order/cb_trig_gtd_order reproduces them; the stored
//     Coinbase pages give the schema without the wording).
//   - A bracket is one order with one order_id: there are no separate
//     legs on the venue, and canceling it (batch_cancel) ends both.
//
// So --oco on Coinbase sends one create with trigger_bracket_gtc (gtd
// with --cancel-after): side the exits' side, base_size the quantity,
// limit_price the take-profit, stop_trigger_price the stop-loss. It is a
// pair of exits on a position already held, with no entry. Coinbase, not
// the trader, chooses the stop's limit (about 5% beyond the trigger), so
// --stop-loss-limit is refused before anything is sent (exit 2): tradectl
// does not change what the trader asked. The order reads back as the
// take-profit (a limit at limit_price) with its stop as a stop-loss leg
// carrying the same order id, the trigger as its stop price and the
// order's status; the fills are the order's. Orders placed elsewhere with
// a trigger bracket read the same way.
//
// Take-profit and stop-loss attached to an entry (--take-profit with
// --stop-loss, without --oco) are Create Order's attached order
// (exchange.Bracketer). What the sources say:
//
//   - Preview Orders takes Create Order's body, and its reference
//     (docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/orders/preview-orders,
//     request body) describes the attached order: "The configuration of
//     the attached order. Only TriggerBracketGtc is eligible. Size field
//     must be omitted as the size of the attached order is the same as that
//     of the parent order." The field is attached_order_configuration
//     (List Orders and Get Order show attached_order_id,
//     originating_order_id and attached_order_configuration on an order).
//   - Create Order's answer carries success_response.attached_order_id
//     (the Python SDK's types/orders_types.py).
//   - Nothing says whether the attached order exists before its entry
//     fills, nor what canceling the entry does to it.
//
// So an entry with exits is its own order_configuration (market_market_ioc
// or limit_*, as without exits) plus attached_order_configuration
// {"trigger_bracket_gtc": {"limit_price": take-profit,
// "stop_trigger_price": stop-loss}} with no base_size, in the preview as
// in the create. The stop is Coinbase's stop-limit about 5% beyond the
// trigger, so --stop-loss-limit is refused (exit 2), as for --oco; a
// single exit is refused too, since only a trigger bracket, which has
// both, may be attached; and a --quote-qty entry, whose size (the exits')
// is only known once it fills. The attached order is gtc even on a
// good-till-date entry (--cancel-after, day): trigger_bracket_gtc is the
// only eligible variant, and the dry run and the confirmation say so.
//
// Read back, the entry is the list's first order (leg entry, list id its
// own order id) and its exits are its legs: the take-profit and the
// stop-loss of the attached trigger bracket, read by attached_order_id
// as the OCO is (one order, its stop a leg of it), their parent the
// entry. Until Coinbase knows that order they are shown as asked for,
// working while the entry may fill and canceled once it ended unfilled.
// order list shows the entry with its exits, not the bracket again on its
// own line; a bracket listed without its entry (the working orders, once
// the entry filled) carries the entry's id as list and parent. Canceling
// the entry cancels it, then — since the reference does not say what
// Coinbase does — whatever of the attached bracket is still working, and
// shows both; canceling the bracket by its own id ends both exits and
// leaves the entry as it is.
//
// # Streaming
//
// StreamQuotes (exchange.QuoteStreamer) runs on the shared stream core
// (internal/exchange/venuews): reconnects with capped, jittered backoff,
// a connection given up after 15 s without a readable message, polling
// of Quotes every 3 s after three failed connections in a row, and the
// stream tried again after two minutes of polling. What Coinbase documents
// (Advanced Trade WebSocket overview, channels, authentication and the
// ticker AsyncAPI page, docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/…
// and api-reference/advanced-trade-api/websocket/ticker):
//
//   - Market data is at wss://advanced-trade-ws.coinbase.com. A subscribe
//     message must arrive within 5 s of connecting, and each channel takes
//     its own: {"type":"subscribe","product_ids":[…],"channel":"ticker"}.
//     The adapter subscribes to heartbeats and to ticker.
//   - ticker and heartbeats need no authentication, but "for the most
//     reliable connection, authenticate with a CDP API key when subscribing
//     to any channel". With a usable key each subscribe message carries a
//     "jwt": the REST token without the uri claim ("WebSocket JWTs … are
//     not built with a request method or request path"), valid two
//     minutes, made anew for every connection. It is never logged. Without
//     a key (or with one that cannot be read) the subscriptions go unsigned.
//   - Most channels close within 60-90 s without updates; heartbeats
//     arrive every second and keep the connection open, so a quiet market
//     is told from a dead feed.
//   - Messages are {"channel","client_id","timestamp","sequence_num",
//     "events":[…]}; ticker events are {"type":"snapshot"|"update",
//     "tickers":[{"product_id","price","best_bid","best_ask",…}]} with
//     prices as strings. A quote is best_bid/best_ask with price as Last,
//     stamped with the message's timestamp; updates before a product's
//     snapshot are skipped. Errors are {"type":"error","message":…} and
//     end the connection.
//   - The ticker's 24-hour figures fill trade.Stats24h: volume_24_h,
//     low_24_h, high_24_h and price_percent_chg_24_h (a percentage);
//     Coinbase sends no absolute 24-hour change, so Change24h stays nil
//     rather than being derived. `quote` (REST) reads its figures from the
//     product instead (see "24-hour figures").
//   - "Sequence numbers that are greater than one integer value from the
//     previous number indicate that a message has been dropped"; lower ones
//     are late and can be ignored. The page says the numbers increase "for
//     each product", but Advanced Trade numbers every message of a
//     connection, heartbeats included, so the adapter checks them per
//     connection: a gap ends the connection and the next one starts from a
//     fresh snapshot (an assumption from the message shape, not a
//     documented sentence; if it is wrong, the cost is extra reconnects).
//
// # Order book stream
//
// StreamBook (exchange.BookStreamer, `book --watch`) subscribes to
// heartbeats and level2 for one product on the same connection plumbing
// (venuews.StreamBooks; the same subscribe messages, signed the same way
// when keyed). What Coinbase documents, and what the adapter does with it:
//
//   - One subscribes with channel "level2" and receives messages on
//     channel "l2_data" (Level 2 order book AsyncAPI page,
//     https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/websocket/level2.md:
//     "Subscribe with channel level2; received messages carry channel
//     l2_data"). level2 needs no authentication (channel table,
//     https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels);
//     a usable key still signs it, as above.
//   - Events are {"type":"snapshot"|"update","product_id","updates":[…]}
//     and each update is {side, event_time, price_level, new_quantity}
//     (field names also in Coinbase's Python SDK,
//     coinbase-advanced-py coinbase/websocket/types/misc_types.py,
//     L2Update). side is "bid" or "offer": the level2 page's text does not
//     list the values, and these are the ones clients of the channel
//     parse; any other side ends the connection (ErrResync), so a renamed
//     value shows as a stream that keeps resubscribing and then falls
//     back to REST, never as a one-sided book.
//   - "new_quantity is the updated size at a price level (not a delta); a
//     value of "0" means the level can be removed" (level2 page). The
//     adapter keeps the whole book in decimals keyed by price, applies a
//     message's updates together (one unreadable level and none of the
//     message is applied), and calls fn once per message with the best
//     depth levels (default 100, as OrderBook) built by trade.NewBook.
//   - level2 "guarantees delivery of all updates" (level2 page), so a
//     sequence_num gap on the connection means the book cannot be trusted:
//     the connection is given up and the next one subscribes again and
//     starts from its fresh snapshot, which replaces the book. So do an
//     update before any snapshot, an unreadable update, a crossed book and
//     an error message. No book from a lost connection is shown again.
//   - Heartbeats every second keep a quiet book's connection open and
//     prove it alive (heartbeats page,
//     https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/websocket/heartbeats.md;
//     channels page: "most channels close within 60-90 seconds if no
//     updates are sent"); 15 s without a readable message ends it.
//   - Reconnects back off as for quotes; after three connections in a row
//     that deliver no book StreamBook returns the last error, and
//     `book --watch` reads product_book every --interval instead. A profile
//     with no stream (base_url set, ws_url not) fails at once the same way.
//     Coinbase publishes no checksum for level2, so nothing beyond the
//     sequence numbers and an uncrossed book is verified.
//
// # Order and fill events
//
// StreamOrderEvents (exchange.OrderEventStreamer) reads the user channel on
// the shared core (venuews.StreamEvents; no polling — after every
// (re)connection the caller reconciles over REST). What Coinbase documents
// (Advanced Trade WebSocket channels, "User channel", and the AsyncAPI
// description, docs.cdp.coinbase.com/api-reference/advanced-trade-api/advanced-trade-asyncapi.json;
// constants of the official Python SDK for the host):
//
//   - The user channel is at wss://advanced-trade-ws-user.coinbase.com
//     (ws_user_url) and needs a JWT on subscribe, made as for the market
//     feed, fresh per connection, never logged. heartbeats is subscribed
//     alongside: "Most channels close within 60-90 seconds if no updates
//     are sent", and a quiet account would otherwise look dead.
//   - The subscriptions answer listing "user" is the connection's
//     exchange.EventConnected. An error message naming authentication, the
//     JWT or a token ends the stream with ErrAuth; other errors and a
//     sequence_num gap (numbered per connection, as the market feed) start
//     a new connection, whose EventConnected tells the caller to reconcile.
//   - user events are {"type":"snapshot"|"update","orders":[{order_id,
//     client_order_id, cumulative_quantity, leaves_quantity, avg_price,
//     total_fees, status, product_id, creation_time, order_side,
//     order_type, limit_price, stop_price, cancel_reason, reject_reason,
//     …}]}, quantities and prices as strings. Every entry becomes an order
//     event: quantity is cumulative_quantity + leaves_quantity; status maps
//     as over REST (PENDING, QUEUED, OPEN and the *_QUEUED states are open
//     or partially filled, FILLED, CANCELLED, EXPIRED, FAILED rejected).
//
// The channel reports orders, never single executions, and no fill is
// made up from an order's growth (its price, fee, liquidity and trade id
// would be guesses). When an update shows an order's cumulative_quantity
// larger than this connection last saw it, the order's fills are read over
// REST (List Fills, order_ids) and those not yet delivered on this
// connection go out as fill events, with Coinbase's trade ids, before the
// order event: one request per fill update. The listing can trail the
// channel; until it covers the order's filled quantity it is read again
// (after 50, 150 and 400 ms), and then the connection is resynchronised,
// so the caller's reconciliation after the reconnect finds the fill. A
// snapshot only sets the baseline: what filled before the connection (or
// while it was down) is found by that reconciliation.
//
// # Editing orders
//
// `order amend` uses Edit Order, POST /api/v3/brokerage/orders/edit
// (Coinbase Advanced Trade API reference, Orders, "Edit Order": "Edit an
// order with a specified new size, or new price"): order_id, price and
// size, sent both — the unchanged one at its current value. The order id
// stays. tradectl edits only limit gtc orders (limit_limit_gtc) and never
// a stop price; anything else is refused before sending. The answer is
// success plus errors[].edit_failure_reason (ORDER_NOT_FOUND,
// CANNOT_EDIT_TO_BELOW_FILLED_SIZE, …); a refused edit of a finished order
// is reported as ErrInvalidOrder ("already filled") after reading it back,
// and the edited order is read back with orders/historical. The reference
// does not say when the order keeps its place in the book; tradectl's plan
// assumes it does only on a size cut, as on Kraken and Binance.
//
// # Order book and candles
//
// Both read public market data, so they need no key and work on a keyless
// profile. OrderBook is one GET /market/product_book (docs.cdp.coinbase.com,
// advanced-trade-api/rest-api/public/get-public-product-book): product_id
// and limit ("The number of bid/asks to be returned"; no maximum is
// documented), answered with {"pricebook": {product_id, bids: [{price,
// size}], asks, time}, last, mid_market, spread_bps, spread_absolute}.
// The slippage guard's top-of-book read was best_bid_ask plus the product
// list with a key (two requests), or the public ticker without (one); the
// book is one either way.
//
// Candles is GET /market/products/{product_id}/candles
// (get-public-product-candles): start and end, required, Unix seconds as
// strings; granularity one of ONE_MINUTE, FIVE_MINUTE, FIFTEEN_MINUTE,
// THIRTY_MINUTE, ONE_HOUR, TWO_HOUR, SIX_HOUR, ONE_DAY — the public
// endpoint lists no FOUR_HOUR (the authenticated Get Product Candles does),
// so 4h is not served and is refused before any request; limit "By
// default, returns 350 (max 350)". The answer {"candles": [{start, low,
// high, open, close, volume}]} comes newest first. A page asks [from,
// to−1s] of at most 350 buckets, so a range needs ceil(slots/350)
// requests.
//
// # 24-hour figures
//
// DayStats (exchange.DayStatsReader, read by `quote` only, alongside
// Quotes, so the order path's pre-trade quotes cost what they did) is one
// public GET /market/products/{product_id} per distinct symbol, all sent
// at once (docs.cdp.coinbase.com, advanced-trade-api/rest-api/public/
// get-public-product; the authenticated Get Product,
// /products/{product_id}, answers with the same object). What the
// reference says, and what the adapter does with it:
//
//   - "price_percentage_change_24h": "The amount the price of the product
//     has changed, in percent, in the last 24 hours". The reference's
//     example writes "9.43%"; clients of the live API read a bare decimal
//     string. Both are accepted: one trailing "%" is dropped.
//   - "volume_24h": "The trading volume for the product in the last 24
//     hours". Read as base-currency volume, because
//     "approximate_quote_24h_volume" beside it is the quote-currency
//     figure (an inference from the pair, not a documented sentence).
//   - The product has no absolute change, no 24-hour high or low and no
//     time the figures were computed: Change24h, High24h, Low24h and
//     StatsTime stay nil, never 0 and never derived.
//   - A percent or volume that is not a decimal, a negative volume, or an
//     answer for another product is unreadable. Unknown symbols are named
//     from the cached product list before any request. Public requests
//     count against the public limit (see "Rate limits").
package coinbase
