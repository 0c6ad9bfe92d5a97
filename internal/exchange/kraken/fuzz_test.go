package kraken

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange/rulecache"
	"github.com/tradectl/tradectl/internal/exchange/venuebase"
	"github.com/tradectl/tradectl/internal/trade"
)

// FuzzDecoders feeds arbitrary bytes to every decoder of Kraken answers:
// none may panic, whatever Kraken (or a proxy in between) sends.
func FuzzDecoders(f *testing.F) {
	seeds := []string{
		`{"error":[],"result":{"descr":{"order":"buy 1.25 XBTUSD @ limit 27500.0"},"txid":["OU22CG-KLAF2-FWUDD7"]}}`,
		`{"error":["EOrder:Insufficient funds"]}`,
		`{"error":["EService:Throttled: 1700000000"]}`,
		`{"error":["EService:Throttled: 99999999999999999999"]}`,
		`{"error":["WGeneral:Something"],"result":{}}`,
		`{"refid":null,"userref":0,"cl_ord_id":"x","status":"open","opentm":1688666559.8974,"descr":{"pair":"XBTUSD","type":"buy","ordertype":"limit","price":"30010.0","price2":"0"},"vol":"1.25","vol_exec":"0.3","cost":"1","fee":"0.1","price":"30010.0","oflags":"post,fcib"}`,
		`{"status":"closed","opentm":"1e400","descr":{"type":"sell","ordertype":"trailing-stop-limit","price":"+1%","price2":"#-5"},"vol":"","vol_exec":"1"}`,
		`{"status":"canceled","reason":"Post only order","closetm":-1,"descr":{"type":"buy","ordertype":"stop-loss","price":"."},"vol":"1"}`,
		`{"refid":null,"status":"closed","descr":{"pair":"XBTUSD","type":"buy","ordertype":"limit","price":"50000.0","close":"close position @ limit 65000.0"},"vol":"0.001","vol_exec":"0.001"}`,
		`{"refid":"OU22CG-KLAF2-FWUDD7","status":"open","descr":{"pair":"XBTUSD","type":"sell","ordertype":"stop-loss-limit","price":"35000.0","price2":"34900.0"},"vol":"0.001"}`,
		`{"refid":7,"descr":{"close":["x"]}}`,
		assetPairsFixture,
		`{"X":{"wsname":"/","lot_decimals":-1}}`,
		`{"ZUSD":{"balance":"171288.6158","hold_trade":"1"},"XBT.M":{"balance":"x"}}`,
		`{"XXBTZUSD":{"a":["1","1","1.000"],"b":[],"c":["2"]}}`,
		`{"open":{"O1":{"status":"open"}}}`,
		`{"closed":{},"count":-5}`,
		`{"trades":{"THVRQM-33VKH-UCI7BS":{"ordertxid":"OQCLML-BW3P3-BUCMWZ","pair":"XXBTZUSD","time":1688667796.8802,"type":"buy","price":"30010.00000","fee":"0.00000","vol":"0.02000000","maker":true}},"count":1}`,
		``, `null`, `[]`, `{}`, `{"error":null}`, "\xff\xfe",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	e := &Exchange{Base: venuebase.Base{Profile: "fuzz", Now: func() time.Time { return now }}, limiter: newCounterLimiter(func() time.Time { return now }, tierStarter)}
	rs, err := parseAssetPairs([]byte(assetPairsFixture))
	if err != nil {
		f.Fatal(err)
	}
	e.rules = &rulecache.Cache[ruleSet, *ruleSet]{Venue: venueName, What: "assetpairs", Version: cacheVersion, Now: e.Now,
		Fetch: func(context.Context) (*ruleSet, error) { return rs, nil }}
	f.Fuzz(func(t *testing.T, body []byte) {
		var env envelope
		if json.Unmarshal(body, &env) == nil {
			a := apiError{Status: 200, Errors: env.Error}
			_ = e.toError(a, call{path: pathAddOrder, private: true, placement: true, clientID: "c"})
			_, _ = a.throttledUntil()
		}
		_ = e.toError(httpError(502, http.Header{"Retry-After": {string(body)}}, body, now), call{path: pathTicker})

		var w orderWire
		if json.Unmarshal(body, &w) == nil {
			o, err := e.mapOrder("O", w, btcusd, newClientIDMap(""), orderHint{clientID: string(body)})
			// A close order names its entry as its list and parent; an
			// entry with a close names itself.
			if err == nil && (w.RefID != "" && (o.ListID != w.RefID || o.ParentID != w.RefID || o.Leg == trade.LegEntry) ||
				w.RefID == "" && o.ParentID != "") {
				t.Errorf("refid %q read as list %q parent %q leg %q", w.RefID, o.ListID, o.ParentID, o.Leg)
			}
			_, _ = guessPair(w.Descr.Pair)
		}
		var ws map[string]orderWire
		if json.Unmarshal(body, &ws) == nil {
			for id, w := range ws {
				_, _ = e.mapOrder(id, w, btcusd, nil, orderHint{})
			}
		}
		_, _ = parseAssetPairs(body)
		var bs map[string]balanceExWire
		if json.Unmarshal(body, &bs) == nil {
			_, _ = mapBalances(bs)
		}
		var th tradesHistoryResult
		if json.Unmarshal(body, &th) == nil {
			for id, w := range th.Trades {
				_, _ = e.mapFill(context.Background(), id, w)
			}
		}
		var tk map[string]tickerWire
		if json.Unmarshal(body, &tk) == nil {
			for _, v := range tk {
				_, _ = v.quote(btcusd)
			}
		}
		_, _ = unixTime(json.Number(body))
		_ = canonicalAsset(string(body))
		_ = wireClientID(string(body))
		_, _ = parseTxID(string(body))
	})
}
