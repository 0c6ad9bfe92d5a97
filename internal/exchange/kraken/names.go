package kraken

import (
	"strings"

	"github.com/tradectl/tradectl/internal/trade"
)

// legacyAssets are Kraken's four-letter asset ids from before it stopped
// prefixing them with an asset class (X crypto, Z fiat). Newer assets
// (SOL, USDT, DOT …) have no prefix, and a leading X or Z is not always a
// prefix (XRP's id is XXRP, but ZEC's is XZEC and ZRX is ZRX), so only
// these are stripped.
var legacyAssets = map[string]string{
	"XXBT": "XBT", "XETH": "ETH", "XLTC": "LTC", "XXRP": "XRP", "XXLM": "XLM", "XXDG": "XDG",
	"XETC": "ETC", "XZEC": "ZEC", "XMLN": "MLN", "XREP": "REP", "XXMR": "XMR", "XNMC": "NMC",
	"XICN": "ICN", "XXVN": "XVN", "XDAO": "DAO",
	"ZUSD": "USD", "ZEUR": "EUR", "ZGBP": "GBP", "ZJPY": "JPY", "ZCAD": "CAD", "ZAUD": "AUD", "ZKRW": "KRW",
}

// krakenToCanonical are the assets Kraken names differently from everyone
// else; canonicalToKraken is the reverse.
var (
	krakenToCanonical = map[string]string{"XBT": "BTC", "XDG": "DOGE"}
	canonicalToKraken = map[string]string{"BTC": "XBT", "DOGE": "XDG"}
)

// canonicalAsset turns a Kraken asset id or altname into tradectl's name:
// XXBT and XBT → BTC, XXDG → DOGE, ZUSD → USD, SOL → SOL. A balance
// suffix (XBT.M, ETH2.S, USD.HOLD) is kept after the mapped name.
func canonicalAsset(id string) string {
	name, suffix, dotted := strings.Cut(strings.ToUpper(strings.TrimSpace(id)), ".")
	if alt, ok := legacyAssets[name]; ok {
		name = alt
	}
	if c, ok := krakenToCanonical[name]; ok {
		name = c
	}
	if dotted {
		return name + "." + suffix
	}
	return name
}

// krakenAltAsset is Kraken's altname for a canonical asset: BTC → XBT.
func krakenAltAsset(asset string) string {
	if k, ok := canonicalToKraken[asset]; ok {
		return k
	}
	return asset
}

// altPairName is Kraken's altname for a pair (BTC-USD → XBTUSD), the form
// order descriptions use.
func altPairName(sym trade.Symbol) string {
	return krakenAltAsset(sym.Base) + krakenAltAsset(sym.Quote)
}

// knownQuotes split pair names that AssetPairs does not list (delisted
// pairs in old orders); longest first so USDT beats USD.
var knownQuotes = []string{
	"ZUSD", "ZEUR", "ZGBP", "ZJPY", "ZCAD", "ZAUD", "XXBT", "XETH",
	"PYUSD", "USDT", "USDC", "EURT",
	"DAI", "USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "XBT", "ETH", "DOT", "SOL",
}

// guessPair splits a pair id or altname without AssetPairs: XXBTZUSD and
// XBTUSD → BTC-USD, ETHXBT → ETH-BTC, SOLUSDT → SOL-USDT.
func guessPair(name string) (trade.Symbol, bool) {
	n := strings.ToUpper(strings.TrimSpace(name))
	if len(n) == 8 {
		if b, ok := legacyAssets[n[:4]]; ok {
			if q, ok := legacyAssets[n[4:]]; ok {
				return trade.Symbol{Base: canonicalAsset(b), Quote: canonicalAsset(q)}, true
			}
		}
	}
	for _, q := range knownQuotes {
		if base, ok := strings.CutSuffix(n, q); ok && base != "" {
			sym := trade.Symbol{Base: canonicalAsset(base), Quote: canonicalAsset(q)}
			if _, err := trade.ParseSymbol(sym.String()); err == nil {
				return sym, true
			}
		}
	}
	return trade.Symbol{}, false
}
