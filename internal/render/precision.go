package render

import "github.com/tradectl/tradectl/internal/trade"

// Precision says how many decimal places a venue's numbers show in
// tables: prices at their instrument's tick, quantities at its step, and
// amounts of an asset (balances, fees) at the asset's precision. The zero
// Precision knows nothing and every look-up gives -1: the value as it is.
//
// An asset's precision comes from the venue's instruments:
//   - an asset traded as a base is held and moved in steps of its
//     instruments' step sizes: the finest of them (BTC on paper: 0.00001,
//     so 5 places);
//   - an asset that is only ever a quote (USD, USDT on most venues) takes
//     the coarsest tick of the instruments quoted in it (paper's USD: 0.01,
//     so 2 places), since a finer tick belongs to a cheap coin's price,
//     not to the currency;
//   - any other asset is unknown (-1).
//
// Amount cells never show fewer digits than the value has, so this is the
// least a balance or fee shows, never a rounding of it.
type Precision struct {
	instruments map[trade.Symbol]trade.Instrument
	assets      map[string]int32
}

// NewPrecision indexes a venue's instruments.
func NewPrecision(instruments []trade.Instrument) Precision {
	p := Precision{instruments: map[trade.Symbol]trade.Instrument{}, assets: map[string]int32{}}
	quoteOnly := map[string]int32{}
	for _, in := range instruments {
		p.instruments[in.Symbol] = in
		if in.BaseAsset != "" {
			if places := in.QtyPlaces(); places >= 0 {
				if cur, ok := p.assets[in.BaseAsset]; !ok || places > cur {
					p.assets[in.BaseAsset] = places
				}
			}
		}
	}
	for _, in := range instruments {
		if in.QuoteAsset == "" {
			continue
		}
		if _, isBase := p.assets[in.QuoteAsset]; isBase {
			continue
		}
		if places := in.PricePlaces(); places >= 0 {
			if cur, ok := quoteOnly[in.QuoteAsset]; !ok || places < cur {
				quoteOnly[in.QuoteAsset] = places
			}
		}
	}
	for a, places := range quoteOnly {
		p.assets[a] = places
	}
	return p
}

// Price is the decimal places of sym's prices (its tick), -1 if unknown.
func (p Precision) Price(sym trade.Symbol) int32 {
	if in, ok := p.instruments[sym]; ok {
		return in.PricePlaces()
	}
	return -1
}

// Qty is the decimal places of sym's quantities (its step), -1 if unknown.
func (p Precision) Qty(sym trade.Symbol) int32 {
	if in, ok := p.instruments[sym]; ok {
		return in.QtyPlaces()
	}
	return -1
}

// Asset is the decimal places of amounts of asset, -1 if unknown.
func (p Precision) Asset(asset string) int32 {
	if places, ok := p.assets[asset]; ok {
		return places
	}
	return -1
}
