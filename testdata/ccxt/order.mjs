// One market order through ccxt, the way a ccxt user places it from a cron
// job: a fresh node process builds the exchange, loads the markets, sends
// the order, prints the order id and exits. BenchmarkVsCCXT in
// cmd/tradectl runs it against the in-process fake Binance and times it
// next to `tradectl order create`.
//
// Environment (credentials stay out of argv, where ps would show them):
//   CCXT_BENCH_URL     the fake Binance's base URL, e.g. http://127.0.0.1:41234
//   CCXT_BENCH_KEY     API key
//   CCXT_BENCH_SECRET  API secret (HMAC-SHA256)
//   CCXT_BENCH_PHASES  when 1, also print to stderr where the time went:
//                      node start with ccxt imported, loadMarkets, createOrder
import ccxt from 'ccxt';

// Static imports are evaluated before this line runs, so this is the time
// from process start through loading ccxt.
const started = performance.now();

const base = process.env.CCXT_BENCH_URL;
if (!base) {
    console.error('CCXT_BENCH_URL is not set');
    process.exit(2);
}

const exchange = new ccxt.binance({
    apiKey: process.env.CCXT_BENCH_KEY,
    secret: process.env.CCXT_BENCH_SECRET,
    options: {
        // Spot only. The default list also loads USDⓈ-M and COIN-M futures
        // (fapi/dapi exchangeInfo, two more hosts) that a spot order does
        // not need and the fake does not serve.
        fetchMarkets: { types: ['spot'] },
        // loadMarkets otherwise calls sapi /capital/config/getall (signed)
        // for the currency list when keys are set; without it ccxt derives
        // the currencies from the markets, which is all createOrder needs.
        fetchCurrencies: false,
        // With keys set, spot market loading otherwise adds sapi
        // /margin/allPairs and /margin/isolated/allPairs to mark margin
        // markets: margin data a spot order does not use.
        fetchMargins: false,
    },
    // Left at their defaults on purpose, as a ccxt user leaves them:
    // enableRateLimit (ccxt's client-side throttle), recvWindow (10 s),
    // adjustForTimeDifference (off: no /api/v3/time call), and the broker
    // client order id prefix.
});

// Every spot REST path ccxt uses for this order lives under api/v3 on one
// host; the fake serves them at the same paths.
exchange.urls.api.public = base + '/api/v3';
exchange.urls.api.private = base + '/api/v3';
exchange.urls.api.v1 = base + '/api/v1';

await exchange.loadMarkets();
const marketsLoaded = performance.now();
const order = await exchange.createOrder('BTC/USDT', 'market', 'buy', 0.001);
const placed = performance.now();
console.log(order.id);
if (process.env.CCXT_BENCH_PHASES === '1') {
    const ms = (t) => t.toFixed(1);
    console.error(`start+import ${ms(started)} ms, loadMarkets ${ms(marketsLoaded - started)} ms, createOrder ${ms(placed - marketsLoaded)} ms`);
}
