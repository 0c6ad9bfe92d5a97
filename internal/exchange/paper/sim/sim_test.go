package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

// epoch is an arbitrary fixed instant the tests measure from.
var epoch = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func mustPath(t testing.TB, m *Market, sym string) *Path {
	t.Helper()
	p, ok := m.Path(trade.MustSymbol(sym))
	if !ok {
		t.Fatalf("no path for %s", sym)
	}
	return p
}

func TestDefaultSpecs(t *testing.T) {
	specs := DefaultSpecs()
	classes := map[Class]int{}
	for _, s := range specs {
		classes[s.Class]++
		in := s.Instrument
		if in.BaseAsset == "" || in.QuoteAsset != "USD" {
			t.Errorf("%s: assets %q/%q", in.Symbol, in.BaseAsset, in.QuoteAsset)
		}
		if s.Class == Stock && in.Symbol.IsPair() || s.Class == Crypto && !in.Symbol.IsPair() {
			t.Errorf("%s: class %s does not match the symbol's shape", in.Symbol, s.Class)
		}
		if !in.MinNotional.IsPositive() || !in.MinQty.IsPositive() {
			t.Errorf("%s: min qty %s and min notional %s must be set", in.Symbol, in.MinQty, in.MinNotional)
		}
		if _, err := trade.ParseSymbol(in.Symbol.String()); err != nil {
			t.Errorf("%s: %v", in.Symbol, err)
		}
	}
	if classes[Crypto] < 8 || classes[Stock] < 5 {
		t.Errorf("got %d crypto and %d stock instruments, want at least 8 and 5", classes[Crypto], classes[Stock])
	}
	if _, err := New(1, specs); err != nil {
		t.Fatal(err)
	}
	// The table is returned fresh: a caller's edit must not leak into the next call.
	specs[0].Price = -1
	if DefaultSpecs()[0].Price <= 0 {
		t.Error("DefaultSpecs shares its backing array between calls")
	}
}

func TestNewRejectsBadSpecs(t *testing.T) {
	good := DefaultSpecs()[0]
	tests := []struct {
		name string
		edit func(*Spec)
	}{
		{"zero price", func(s *Spec) { s.Price = 0 }},
		{"NaN price", func(s *Spec) { s.Price = math.NaN() }},
		{"zero tick", func(s *Spec) { s.Instrument.TickSize = decimal.Zero }},
		{"zero step", func(s *Spec) { s.Instrument.StepSize = decimal.Zero }},
		{"negative volatility", func(s *Spec) { s.Volatility = -0.1 }},
		{"no symbol", func(s *Spec) { s.Instrument.Symbol = trade.Symbol{} }},
		{"no level notional", func(s *Spec) { s.LevelNotional = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			tt.edit(&s)
			if _, err := New(1, []Spec{s}); err == nil {
				t.Error("New accepted a bad spec")
			}
		})
	}
	if _, err := New(1, []Spec{good, good}); err == nil {
		t.Error("New accepted a duplicate symbol")
	}
}

func TestDeterminism(t *testing.T) {
	a, b, other := NewDefault(42), NewDefault(42), NewDefault(43)
	times := []time.Time{epoch, epoch.Add(1500 * time.Millisecond), epoch.Add(-400 * 24 * time.Hour), epoch.Add(90 * 24 * time.Hour)}
	for _, pa := range a.Paths() {
		sym := pa.Instrument().Symbol
		pb, _ := b.Path(sym)
		po, _ := other.Path(sym)
		differs := false
		for _, tm := range times {
			qa, qb := pa.Quote(tm), pb.Quote(tm)
			if diff := cmp.Diff(qa, qb, decimalEqual); diff != "" {
				t.Errorf("%s at %v: same seed, different quotes (-first +second):\n%s", sym, tm, diff)
			}
			if diff := cmp.Diff(pa.Book(tm), pb.Book(tm), decimalEqual); diff != "" {
				t.Errorf("%s at %v: same seed, different books (-first +second):\n%s", sym, tm, diff)
			}
			if again := pa.Quote(tm); !again.Bid.Equal(qa.Bid) || !again.Ask.Equal(qa.Ask) {
				t.Errorf("%s at %v: a second call gave %v, first %v", sym, tm, again, qa)
			}
			if !po.Quote(tm).Last.Equal(qa.Last) {
				differs = true
			}
		}
		if !differs {
			t.Errorf("%s: seeds 42 and 43 gave the same mids at every sampled time", sym)
		}
	}
	// Different symbols must not share a path shape: compare relative moves.
	btc, eth := mustPath(t, a, "BTC-USD"), mustPath(t, a, "ETH-USD")
	rb := btc.mid(epoch.UnixMilli()+3600_000) / btc.mid(epoch.UnixMilli())
	re := eth.mid(epoch.UnixMilli()+3600_000) / eth.mid(epoch.UnixMilli())
	if rb == re {
		t.Error("BTC and ETH moved by the identical ratio over an hour")
	}
}

func TestQuotesOnTickAndInBand(t *testing.T) {
	m := NewDefault(7)
	for _, p := range m.Paths() {
		in := p.Instrument()
		spec := p.Spec()
		low := decimal.NewFromFloat(spec.Price * math.Exp(-p.maxLogDev)).Sub(in.TickSize)
		high := decimal.NewFromFloat(spec.Price * math.Exp(p.maxLogDev)).Add(in.TickSize.Mul(decimal.NewFromInt(2)))
		for h := 0; h < 365*24; h += 7 {
			tm := epoch.Add(time.Duration(h)*time.Hour + time.Duration(h*137)*time.Millisecond)
			q := p.Quote(tm)
			for name, v := range map[string]decimal.Decimal{"bid": q.Bid, "ask": q.Ask, "last": q.Last} {
				if !v.Mod(in.TickSize).IsZero() {
					t.Fatalf("%s at %v: %s %s is not a multiple of tick %s", in.Symbol, tm, name, v, in.TickSize)
				}
				if v.LessThan(low) || v.GreaterThan(high) {
					t.Fatalf("%s at %v: %s %s outside the band [%s, %s]", in.Symbol, tm, name, v, low, high)
				}
			}
			if !q.Bid.LessThan(q.Ask) {
				t.Fatalf("%s at %v: bid %s is not below ask %s", in.Symbol, tm, q.Bid, q.Ask)
			}
			if q.Last.LessThan(q.Bid) || q.Last.GreaterThan(q.Ask) {
				t.Fatalf("%s at %v: last %s outside [%s, %s]", in.Symbol, tm, q.Last, q.Bid, q.Ask)
			}
			if !q.Time.Equal(tm) || q.Time.Location() != time.UTC {
				t.Fatalf("%s: quote time %v, want %v in UTC", in.Symbol, q.Time, tm)
			}
			if !p.Mid(tm).Equal(q.Last) {
				t.Fatalf("%s at %v: Mid %s differs from Last %s", in.Symbol, tm, p.Mid(tm), q.Last)
			}
		}
	}
}

// The path should move like a random walk with the instrument's volatility
// at trading horizons; a broken octave sum shows up as a vol far off.
func TestRealisedVolatility(t *testing.T) {
	m := NewDefault(11)
	for _, p := range m.Paths() {
		const h = int64(3600_000)
		var sum2 float64
		const n = 4000
		for i := int64(0); i < n; i++ {
			t0 := epoch.UnixMilli() + i*(h+7919)
			r := math.Log(p.mid(t0+h) / p.mid(t0))
			sum2 += r * r
		}
		ann := math.Sqrt(sum2/n) / math.Sqrt(float64(h)/yearMs)
		if want := p.Spec().Volatility; ann < 0.75*want || ann > 1.25*want {
			t.Errorf("%s: realised 1h volatility annualises to %.3f, want about %.2f", p.Instrument().Symbol, ann, want)
		}
	}
}

func TestBook(t *testing.T) {
	m := NewDefault(3)
	for _, p := range m.Paths() {
		in := p.Instrument()
		for i := range 50 {
			tm := epoch.Add(time.Duration(i) * 97 * time.Minute)
			b, q := p.Book(tm), p.Quote(tm)
			if len(b.Asks) != BookLevels || len(b.Bids) != BookLevels {
				t.Fatalf("%s: %d bids and %d asks, want %d each", in.Symbol, len(b.Bids), len(b.Asks), BookLevels)
			}
			if !b.Asks[0].Price.Equal(q.Ask) || !b.Bids[0].Price.Equal(q.Bid) {
				t.Fatalf("%s: book top %s/%s, quote %s/%s", in.Symbol, b.Bids[0].Price, b.Asks[0].Price, q.Bid, q.Ask)
			}
			check := func(side string, levels []Level, better func(a, b decimal.Decimal) bool) {
				for j, l := range levels {
					if j > 0 && !better(levels[j-1].Price, l.Price) {
						t.Fatalf("%s %s: level %d price %s is not behind level %d price %s", in.Symbol, side, j, l.Price, j-1, levels[j-1].Price)
					}
					if l.Qty.LessThan(in.MinQty) || !l.Qty.Mod(in.StepSize).IsZero() {
						t.Fatalf("%s %s: level %d qty %s is below min %s or off step %s", in.Symbol, side, j, l.Qty, in.MinQty, in.StepSize)
					}
					if !l.Price.Mod(in.TickSize).IsZero() {
						t.Fatalf("%s %s: level %d price %s is off tick", in.Symbol, side, j, l.Price)
					}
				}
			}
			check("asks", b.Asks, decimal.Decimal.LessThan)
			check("bids", b.Bids, decimal.Decimal.GreaterThan)
		}
		// The best level's size changes from second to second.
		b0, b1 := p.Book(epoch), p.Book(epoch.Add(time.Second))
		if b0.Asks[0].Qty.Equal(b1.Asks[0].Qty) && b0.Asks[1].Qty.Equal(b1.Asks[1].Qty) && b0.Bids[0].Qty.Equal(b1.Bids[0].Qty) {
			t.Errorf("%s: book sizes did not change between seconds", in.Symbol)
		}
	}
}

// bruteCross is the definition FirstCross must agree with: a scan of every
// whole second, comparing decimals.
func bruteCross(p *Path, cond Condition, price decimal.Decimal, from, to time.Time) (time.Time, bool) {
	s := from.Truncate(time.Second) // rounds toward the past, also before 1970
	if !s.After(from) {
		s = s.Add(time.Second)
	}
	for ; !s.After(to); s = s.Add(time.Second) {
		q := p.Quote(s)
		var ok bool
		switch cond {
		case AskAtOrBelow:
			ok = q.Ask.LessThanOrEqual(price)
		case AskAtOrAbove:
			ok = q.Ask.GreaterThanOrEqual(price)
		case BidAtOrAbove:
			ok = q.Bid.GreaterThanOrEqual(price)
		case BidAtOrBelow:
			ok = q.Bid.LessThanOrEqual(price)
		}
		if ok {
			return s.UTC(), true
		}
	}
	return time.Time{}, false
}

func TestFirstCrossMatchesBruteForce(t *testing.T) {
	m := NewDefault(5)
	rng := rand.New(rand.NewPCG(1, 2))
	paths := m.Paths()
	found := 0
	const cases = 160
	for i := range cases {
		p := paths[rng.IntN(len(paths))]
		in := p.Instrument()
		from := epoch.Add(time.Duration(rng.Int64N(int64(200*24*time.Hour))) + time.Duration(rng.IntN(1000))*time.Millisecond)
		to := from.Add(time.Duration(rng.Int64N(int64(90 * time.Minute))))
		cond := Condition(rng.IntN(4))
		// Thresholds within a few tenths of a percent of the start, on and
		// off the tick grid, so some cases cross and some do not.
		q := p.Quote(from)
		off := q.Last.Mul(decimal.NewFromFloat((rng.Float64() - 0.5) * 0.03))
		price := q.Last.Add(off)
		if rng.IntN(2) == 0 {
			price = trade.FloorTo(price, in.TickSize)
		}
		t.Run(fmt.Sprintf("%d_%s_%s%s", i, in.Symbol, cond, price), func(t *testing.T) {
			want, wantOK := bruteCross(p, cond, price, from, to)
			got, gotOK := p.FirstCross(cond, price, from, to)
			if wantOK != gotOK || !want.Equal(got) {
				t.Errorf("FirstCross(%s %s, %v, %v) = %v, %v; brute force %v, %v", cond, price, from, to, got, gotOK, want, wantOK)
			}
			if gotOK {
				found++
			}
		})
	}
	if found < cases/5 || found > cases*4/5 {
		t.Errorf("%d of %d cases crossed; the thresholds no longer exercise both outcomes", found, cases)
	}
}

// At the window's extreme quote a crossing happens at exactly one place and
// one tick further never: the cases where a loose or wrong bound shows.
func TestFirstCrossAtExtremes(t *testing.T) {
	m := NewDefault(8)
	rng := rand.New(rand.NewPCG(3, 4))
	paths := m.Paths()
	for i := range 40 {
		p := paths[rng.IntN(len(paths))]
		tick := p.Instrument().TickSize
		from := epoch.Add(time.Duration(rng.Int64N(int64(300 * 24 * time.Hour))))
		to := from.Add(time.Duration(rng.Int64N(int64(3*time.Hour))) + time.Minute)
		lowAsk, highBid := p.Quote(from.Add(time.Second)).Ask, p.Quote(from.Add(time.Second)).Bid
		highAsk, lowBid := lowAsk, highBid
		for s := from.Truncate(time.Second).Add(time.Second); !s.After(to); s = s.Add(time.Second) {
			q := p.Quote(s)
			lowAsk, highAsk = decimal.Min(lowAsk, q.Ask), decimal.Max(highAsk, q.Ask)
			lowBid, highBid = decimal.Min(lowBid, q.Bid), decimal.Max(highBid, q.Bid)
		}
		for _, c := range []struct {
			cond  Condition
			price decimal.Decimal
		}{
			{AskAtOrBelow, lowAsk}, {AskAtOrBelow, lowAsk.Sub(tick)},
			{AskAtOrAbove, highAsk}, {AskAtOrAbove, highAsk.Add(tick)},
			{BidAtOrBelow, lowBid}, {BidAtOrBelow, lowBid.Sub(tick)},
			{BidAtOrAbove, highBid}, {BidAtOrAbove, highBid.Add(tick)},
		} {
			want, wantOK := bruteCross(p, c.cond, c.price, from, to)
			got, gotOK := p.FirstCross(c.cond, c.price, from, to)
			if wantOK != gotOK || !want.Equal(got) {
				t.Errorf("case %d %s: FirstCross(%s %s, %v, %v) = %v, %v; brute force %v, %v",
					i, p.Instrument().Symbol, c.cond, c.price, from, to, got, gotOK, want, wantOK)
			}
		}
	}
}

// octaveRange must contain every value the octave takes on the interval and,
// when it is not the ±1 fallback, be attained: a loose range only slows
// FirstCross, a tight one makes it miss crossings.
func TestOctaveRange(t *testing.T) {
	p := mustPath(t, NewDefault(12), "SOL-USD")
	rng := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		k := rng.IntN(Octaves)
		T := periodMs(k)
		a := epoch.UnixMilli() + rng.Int64N(1<<40) - 1<<39
		b := a + rng.Int64N(T*(wideCells+3))
		mn, mx := p.octaveRange(k, a, b)
		// Samples: both ends, every lattice point inside, and random points.
		samples := []int64{a, b}
		for i := floorDiv(a, T) + 1; i*T <= b; i++ {
			samples = append(samples, i*T)
		}
		for range 64 {
			samples = append(samples, a+rng.Int64N(b-a+1))
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, ms := range samples {
			v := p.noise(k, ms)
			if v < mn || v > mx {
				t.Fatalf("octave %d on [%d, %d]: value %v at %d outside [%v, %v]", k, a, b, v, ms, mn, mx)
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		wide := floorDiv(b, T)-floorDiv(a, T) > wideCells
		if wide && (mn != -1 || mx != 1) {
			t.Fatalf("octave %d on [%d, %d] spans many cells: got [%v, %v], want [-1, 1]", k, a, b, mn, mx)
		}
		if !wide && (lo != mn || hi != mx) {
			t.Fatalf("octave %d on [%d, %d]: range [%v, %v] is not attained; samples span [%v, %v]", k, a, b, mn, mx, lo, hi)
		}
	}
}

func TestFirstCrossWindow(t *testing.T) {
	p := mustPath(t, NewDefault(9), "ETH-USD")
	at := epoch // a whole second
	q := p.Quote(at)
	tests := []struct {
		name     string
		cond     Condition
		price    decimal.Decimal
		from, to time.Time
		want     time.Time
		wantOK   bool
	}{
		// The condition holds at every second (ask is always ≥ a tiny price),
		// so the answer is the first whole second after from.
		{"from is excluded", AskAtOrAbove, trade.Dec("0.01"), at, at.Add(time.Hour), at.Add(time.Second), true},
		{"to is included", AskAtOrAbove, trade.Dec("0.01"), at, at.Add(time.Second), at.Add(time.Second), true},
		{"sub-second from rounds up", AskAtOrAbove, trade.Dec("0.01"), at.Add(1), at.Add(time.Hour), at.Add(time.Second), true},
		{"empty window", AskAtOrAbove, trade.Dec("0.01"), at, at.Add(999 * time.Millisecond), time.Time{}, false},
		{"reversed window", AskAtOrAbove, trade.Dec("0.01"), at, at.Add(-time.Hour), time.Time{}, false},
		{"never reached", AskAtOrBelow, trade.Dec("0.01"), at, at.Add(10 * 24 * time.Hour), time.Time{}, false},
		{"non-positive price never crossed from above", BidAtOrBelow, decimal.Zero, at, at.Add(time.Hour), time.Time{}, false},
		{"cut at MaxScan", AskAtOrAbove, q.Ask.Mul(decimal.NewFromInt(1000)), at, at.Add(10 * MaxScan), time.Time{}, false},
		{"negative times", AskAtOrAbove, trade.Dec("0.01"), time.UnixMilli(-1500), time.UnixMilli(5000), time.UnixMilli(-1000).UTC(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := p.FirstCross(tt.cond, tt.price, tt.from, tt.to)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Errorf("FirstCross = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}

	// Limit the scan: a threshold first reached after MaxScan is not found
	// from a window that starts too early, but is found from a later one.
	far := at.Add(MaxScan + 6*time.Hour)
	x := p.Quote(far).Ask
	first, ok := p.FirstCross(AskAtOrBelow, x, at.Add(MaxScan), far)
	if !ok {
		t.Fatalf("no crossing of ask<=%s before %v", x, far)
	}
	if got, ok := p.FirstCross(AskAtOrBelow, x, at, far); ok && got.After(at.Add(MaxScan)) {
		t.Errorf("FirstCross looked past MaxScan: %v", got)
	}
	if first.After(far) {
		t.Errorf("crossing %v after the window end %v", first, far)
	}
}

func FuzzPath(f *testing.F) {
	f.Add(int64(1), uint8(0), int64(1_700_000_000_123), int64(3600_000), int64(0))
	f.Add(int64(-5), uint8(4), int64(-62135596800000), int64(1), int64(77))
	f.Add(int64(math.MaxInt64), uint8(14), int64(math.MaxInt64), int64(math.MaxInt64), int64(-1))
	f.Add(int64(math.MinInt64), uint8(9), int64(math.MinInt64), int64(5), int64(1<<40))
	specs := DefaultSpecs()
	f.Fuzz(func(t *testing.T, seed int64, idx uint8, ms, span, priceTicks int64) {
		m := NewDefault(seed)
		p := m.Paths()[int(idx)%len(specs)]
		tm := time.UnixMilli(ms)
		q := p.Quote(tm)
		if !q.Bid.IsPositive() || !q.Ask.IsPositive() || !q.Last.IsPositive() || !q.Bid.LessThan(q.Ask) {
			t.Fatalf("bad quote at %d: %+v", ms, q)
		}
		b := p.Book(tm)
		if len(b.Asks) == 0 || len(b.Bids) == 0 {
			t.Fatalf("empty book at %d", ms)
		}
		for _, l := range append(b.Bids, b.Asks...) {
			if !l.Price.IsPositive() || !l.Qty.IsPositive() {
				t.Fatalf("bad level %+v at %d", l, ms)
			}
		}
		// Keep the crossing window short so a fuzz iteration stays fast.
		if span < 0 {
			span = -span
		}
		span %= 600_000
		to := time.UnixMilli(ms + span)
		if ms+span < ms {
			to = tm
		}
		price := decimal.NewFromInt(priceTicks % 1_000_000_000).Mul(p.Instrument().TickSize)
		for c := AskAtOrBelow; c <= BidAtOrBelow; c++ {
			got, ok := p.FirstCross(c, price, tm, to)
			if ok && (!got.After(tm) || got.After(to)) {
				t.Fatalf("crossing %v outside (%v, %v]", got, tm, to)
			}
		}
	})
}

func BenchmarkMid(b *testing.B) {
	p := mustPath(b, NewDefault(1), "BTC-USD")
	ms := epoch.UnixMilli()
	var sink float64
	for i := 0; b.Loop(); i++ {
		sink += p.mid(ms + int64(i)*1000)
	}
	_ = sink
}

func BenchmarkQuote(b *testing.B) {
	p := mustPath(b, NewDefault(1), "BTC-USD")
	for i := 0; b.Loop(); i++ {
		_ = p.Quote(epoch.Add(time.Duration(i) * time.Second))
	}
}

// BenchmarkFirstCrossDay searches a day for thresholds 0.5 % to 5 % away,
// the typical resting limit order.
func BenchmarkFirstCrossDay(b *testing.B) {
	for _, away := range []float64{0.005, 0.02, 0.05} {
		b.Run(fmt.Sprintf("away=%.1f%%", away*100), func(b *testing.B) {
			p := mustPath(b, NewDefault(1), "BTC-USD")
			for i := 0; b.Loop(); i++ {
				from := epoch.Add(time.Duration(i%1000) * 24 * time.Hour)
				x := p.Quote(from).Bid.Mul(decimal.NewFromFloat(1 - away))
				p.FirstCross(AskAtOrBelow, x, from, from.Add(24*time.Hour))
			}
		})
	}
}

// BenchmarkFirstCrossMonth is the worst catch-up: a 30-day window.
func BenchmarkFirstCrossMonth(b *testing.B) {
	p := mustPath(b, NewDefault(1), "BTC-USD")
	for i := 0; b.Loop(); i++ {
		from := epoch.Add(time.Duration(i%100) * 24 * time.Hour)
		x := p.Quote(from).Bid.Mul(decimal.NewFromFloat(0.9))
		p.FirstCross(AskAtOrBelow, x, from, from.Add(MaxScan))
	}
}
