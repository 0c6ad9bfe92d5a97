// Package sim is the paper exchange's market: a deterministic simulated price
// path, quote and order book for every instrument. It does no I/O and keeps
// no state beyond what its constructor computes, so any process given the
// same seed sees the same prices at the same instant.
//
// # The price path
//
// Time is read as t, whole unix milliseconds (UTC). For an instrument with
// centre price P0, annualised volatility σ and canonical symbol name S, the
// mid price is
//
//	mid(t) = P0 · exp( G·σ · Σ_{k=0}^{21} sqrt(T_k / Y) · n_k(t) )
//
// where T_k = 1000·2^k ms (1 s … 2^21 s ≈ 24.3 days), Y = 365.25 days in ms
// (31 557 600 000) and G = PathGain (a calibration constant chosen so that
// one-hour log returns have standard deviation ≈ σ·sqrt(1h/Y), i.e. the path
// has about the instrument's volatility at short horizons; over horizons
// longer than the longest octave it mean-reverts to P0, so prices stay in a
// sane band forever). Each octave is value noise:
//
//	i = ⌊t / T_k⌋, f = (t − i·T_k) / T_k, s = f²·(3 − 2f)
//	n_k(t) = v_k(i) + (v_k(i+1) − v_k(i))·s
//
// with lattice values v_k(i) uniform on [−1, 1):
//
//	key   = mix(uint64(seed) XOR fnv1a64(S))
//	key_k = mix(key XOR (k+1)·0xD6E8FEB86659FD93)
//	v_k(i) = float64(mix(key_k + uint64(i)·0x9E3779B97F4A7C15) >> 11) · 2^−52 − 1
//
// mix is the splitmix64 finaliser (add 0x9E3779B97F4A7C15, then the
// xor-shift-multiply steps 30/0xBF58476D1CE4E5B9, 27/0x94D049BB133111EB, 31)
// and fnv1a64 the 64-bit FNV-1a hash. Arithmetic is float64 with every
// product explicitly rounded (no fused multiply-add), so a given binary
// gives bit-identical paths on every run; math.Exp may differ in the last
// bit between architectures, which tick rounding hides except exactly at a
// rounding boundary.
//
// Because every n_k lies in [−1, 1], |log(mid/P0)| ≤ G·σ·Σ sqrt(T_k/Y) ≈
// 0.879·G·σ ≈ 0.69·σ: prices are always positive and bounded (BTC-USD, σ =
// 0.55, stays within a factor e^0.38 ≈ 1.46 of its centre).
//
// # Quote and book
//
// With m = mid(t) as a float, tick size δ and spread s = max(δ, m·SpreadBps/10⁴):
//
//	bid = ⌊(m − s/2)/δ⌋·δ, ask = ⌈(m + s/2)/δ⌉·δ, last = round(m/δ)·δ
//
// clamped so that bid ≥ δ and ask ≥ bid + δ. Both are non-decreasing in m.
// The book has BookLevels levels a side (fewer bids when they would reach
// zero); level j is j·g ticks behind the top, with
// g = max(1, round(m·LevelBps/10⁴/δ)). A level at price x has size
// ⌊LevelNotional·(1 + j/2)·u / x / step⌋ steps, at least the minimum
// quantity, where, with sec = ⌊t/1000⌋ and side 0 for asks, 1 for bids,
//
//	u = 0.5 + float64(mix(mix(mix(key XOR 0xB00C) + uint64(sec)·0x9E3779B97F4A7C15) + 2j + side) >> 11) · 2^−53
//
// so the book changes every second and is the same in every process.
//
// # Crossings
//
// [Path.FirstCross] finds the first whole second t in (from, to] at which a
// condition on the quote holds (ask ≤ x, ask ≥ x, bid ≤ x or bid ≥ x),
// evaluating the quote only at whole seconds. It is exact at that
// resolution — it returns what a scan of every second would — but prunes
// intervals with a bound: within one lattice cell an octave is monotone, so
// on any interval its extremes are among its values at the interval's ends
// and at the lattice points inside (or ±1 when the interval spans many
// cells), and the sum of those bounds brackets the log price. At most MaxScan (30 days) after from is examined; a longer
// window is cut to its first 30 days.
package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

const (
	// Octaves is the number of noise octaves in the path.
	Octaves = 22
	// PathGain calibrates the sum of octaves to the instrument's volatility;
	// see the package documentation.
	PathGain = 0.78
	// BookLevels is the depth of the synthetic book, per side.
	BookLevels = 10
	// MaxScan is the longest window FirstCross examines.
	MaxScan = 30 * 24 * time.Hour

	yearMs    = 31_557_600_000
	baseMs    = 1000
	golden    = 0x9E3779B97F4A7C15
	octaveMul = 0xD6E8FEB86659FD93
	// leafSeconds is the interval length below which FirstCross scans every
	// second instead of bounding; bounding a short interval costs about as
	// much as evaluating it.
	leafSeconds = 24
	// wideCells is how many lattice cells an octave may span before its
	// bound is taken as ±1 instead of the actual lattice extremes.
	wideCells = 8
)

// Class is the kind of market an instrument trades in; the paper exchange
// uses it for the end of a trading day.
type Class string

const (
	Crypto Class = "crypto"
	Stock  Class = "stock"
)

// Spec describes one simulated instrument.
type Spec struct {
	// Instrument holds the trading rules; TickSize and StepSize must be
	// positive.
	Instrument trade.Instrument
	Class      Class
	// Price is the centre the path wanders around, in the quote asset.
	Price float64
	// Volatility is annualised (0.6 = 60 %).
	Volatility float64
	// SpreadBps is the quoted spread in basis points of mid (at least a tick).
	SpreadBps float64
	// LevelBps is the distance between book levels in basis points of mid
	// (at least a tick).
	LevelBps float64
	// LevelNotional is the value of the best level in the quote asset;
	// deeper levels are larger.
	LevelNotional float64
}

// Condition is the side of the quote and direction a crossing looks for.
type Condition int

const (
	// AskAtOrBelow holds when ask ≤ price: a buy limit at price becomes
	// marketable.
	AskAtOrBelow Condition = iota
	// AskAtOrAbove holds when ask ≥ price: a buy stop triggers.
	AskAtOrAbove
	// BidAtOrAbove holds when bid ≥ price: a sell limit becomes marketable.
	BidAtOrAbove
	// BidAtOrBelow holds when bid ≤ price: a sell stop triggers.
	BidAtOrBelow
)

func (c Condition) String() string {
	switch c {
	case AskAtOrBelow:
		return "ask<="
	case AskAtOrAbove:
		return "ask>="
	case BidAtOrAbove:
		return "bid>="
	case BidAtOrBelow:
		return "bid<="
	}
	return fmt.Sprintf("Condition(%d)", int(c))
}

// Level is one price level of the book.
type Level struct {
	Price decimal.Decimal
	Qty   decimal.Decimal
}

// Book is the synthetic order book at one instant, best levels first.
type Book struct {
	Symbol trade.Symbol
	Time   time.Time
	Bids   []Level
	Asks   []Level
}

// Market is the set of simulated instruments for one seed.
type Market struct {
	seed  int64
	paths []*Path
	index map[trade.Symbol]*Path
}

// New builds a market from specs. Symbols must be unique and every spec
// must have a positive price, tick size and step size.
func New(seed int64, specs []Spec) (*Market, error) {
	m := &Market{seed: seed, index: make(map[trade.Symbol]*Path, len(specs))}
	for _, s := range specs {
		p, err := newPath(seed, s)
		if err != nil {
			return nil, err
		}
		if _, dup := m.index[s.Instrument.Symbol]; dup {
			return nil, fmt.Errorf("sim: duplicate symbol %s", s.Instrument.Symbol)
		}
		m.index[s.Instrument.Symbol] = p
		m.paths = append(m.paths, p)
	}
	return m, nil
}

// NewDefault builds the market of DefaultSpecs.
func NewDefault(seed int64) *Market {
	m, err := New(seed, DefaultSpecs())
	if err != nil {
		panic(err) // the built-in table is checked by tests
	}
	return m
}

// Seed is the seed the market was built with.
func (m *Market) Seed() int64 { return m.seed }

// Path returns the path of sym.
func (m *Market) Path(sym trade.Symbol) (*Path, bool) {
	p, ok := m.index[sym]
	return p, ok
}

// Paths lists every instrument's path in table order.
func (m *Market) Paths() []*Path { return append([]*Path(nil), m.paths...) }

// Instruments lists every instrument's rules in table order.
func (m *Market) Instruments() []trade.Instrument {
	out := make([]trade.Instrument, len(m.paths))
	for i, p := range m.paths {
		out[i] = p.spec.Instrument
	}
	return out
}

// Path is one instrument's price path. It is immutable and safe for
// concurrent use.
type Path struct {
	spec      Spec
	logBase   float64
	amp       [Octaves]float64
	octKey    [Octaves]uint64
	bookKey   uint64
	tick      decimal.Decimal
	tickF     float64
	step      decimal.Decimal
	stepF     float64
	minSteps  int64
	spreadFr  float64
	levelFr   float64
	maxLogDev float64
}

func newPath(seed int64, s Spec) (*Path, error) {
	in := s.Instrument
	switch {
	case in.Symbol.IsZero():
		return nil, fmt.Errorf("sim: spec without a symbol")
	case !in.TickSize.IsPositive() || !in.StepSize.IsPositive():
		return nil, fmt.Errorf("sim: %s needs a positive tick and step size", in.Symbol)
	case !(s.Price > 0) || math.IsInf(s.Price, 0):
		return nil, fmt.Errorf("sim: %s needs a positive price", in.Symbol)
	case !(s.Volatility >= 0) || s.Volatility > 10:
		return nil, fmt.Errorf("sim: %s volatility %v is out of range [0, 10]", in.Symbol, s.Volatility)
	case !(s.SpreadBps >= 0) || !(s.LevelBps >= 0) || !(s.LevelNotional > 0):
		return nil, fmt.Errorf("sim: %s needs non-negative spread and level widths and a positive level notional", in.Symbol)
	}
	p := &Path{spec: s, logBase: math.Log(s.Price), tick: in.TickSize, step: in.StepSize}
	p.tickF = in.TickSize.InexactFloat64()
	p.stepF = in.StepSize.InexactFloat64()
	p.spreadFr = s.SpreadBps / 1e4
	p.levelFr = s.LevelBps / 1e4
	p.minSteps = 1
	if in.MinQty.IsPositive() {
		p.minSteps = in.MinQty.Div(in.StepSize).Ceil().IntPart()
	}
	key := mix(uint64(seed) ^ fnv1a64(in.Symbol.String()))
	for k := range Octaves {
		p.amp[k] = PathGain * s.Volatility * math.Sqrt(float64(periodMs(k))/yearMs)
		p.octKey[k] = mix(key ^ uint64(k+1)*octaveMul)
		p.maxLogDev += p.amp[k]
	}
	p.bookKey = mix(key ^ 0xB00C)
	return p, nil
}

// Spec is the instrument's description.
func (p *Path) Spec() Spec { return p.spec }

// Instrument is the instrument's trading rules.
func (p *Path) Instrument() trade.Instrument { return p.spec.Instrument }

// Mid is the mid price at t rounded to the tick size (the quote's Last).
func (p *Path) Mid(t time.Time) decimal.Decimal {
	m := p.mid(t.UnixMilli())
	return p.price(midTicks(m, p.tickF))
}

// Quote is the top of the book at t; Last is the mid rounded to a tick.
func (p *Path) Quote(t time.Time) trade.Quote {
	m := p.mid(t.UnixMilli())
	bid, ask := p.quoteTicks(m)
	return trade.Quote{
		Symbol: p.spec.Instrument.Symbol,
		Bid:    p.price(bid),
		Ask:    p.price(ask),
		Last:   p.price(midTicks(m, p.tickF)),
		Time:   t.UTC(),
	}
}

// Book is the synthetic order book at t. Its best levels are the quote's
// bid and ask.
func (p *Path) Book(t time.Time) Book {
	ms := t.UnixMilli()
	m := p.mid(ms)
	bid, ask := p.quoteTicks(m)
	gap := int64(math.Round(m * p.levelFr / p.tickF))
	if gap < 1 {
		gap = 1
	}
	sec := uint64(floorDiv(ms, baseMs))
	b := Book{Symbol: p.spec.Instrument.Symbol, Time: t.UTC(),
		Bids: make([]Level, 0, BookLevels), Asks: make([]Level, 0, BookLevels)}
	for j := range BookLevels {
		at := ask + int64(j)*gap
		b.Asks = append(b.Asks, Level{Price: p.price(at), Qty: p.levelQty(sec, j, 0, float64(at)*p.tickF)})
		bt := bid - int64(j)*gap
		if bt >= 1 {
			b.Bids = append(b.Bids, Level{Price: p.price(bt), Qty: p.levelQty(sec, j, 1, float64(bt)*p.tickF)})
		}
	}
	return b
}

func (p *Path) levelQty(sec uint64, level, side int, price float64) decimal.Decimal {
	h := mix(mix(p.bookKey+sec*golden) + uint64(level*2+side))
	u := 0.5 + unit(h)
	notional := float64(p.spec.LevelNotional*float64(1+0.5*float64(level))) * u
	steps := int64(math.Floor(notional / price / p.stepF))
	if steps < p.minSteps {
		steps = p.minSteps
	}
	return decimal.NewFromInt(steps).Mul(p.step)
}

func (p *Path) price(ticks int64) decimal.Decimal {
	return decimal.NewFromInt(ticks).Mul(p.tick)
}

// mid is the float mid price at unix millisecond ms.
func (p *Path) mid(ms int64) float64 {
	x := 0.0
	for k := range Octaves {
		x += float64(p.amp[k] * p.noise(k, ms))
	}
	return math.Exp(p.logBase + x)
}

func (p *Path) noise(k int, ms int64) float64 {
	T := periodMs(k)
	i := floorDiv(ms, T)
	v0 := p.lattice(k, i)
	r := ms - i*T
	if r == 0 {
		return v0
	}
	v1 := p.lattice(k, i+1)
	f := float64(r) / float64(T)
	s := float64(f*f) * float64(3-float64(2*f))
	return v0 + float64((v1-v0)*s)
}

func (p *Path) lattice(k int, i int64) float64 {
	return 2*unit(mix(p.octKey[k]+uint64(i)*golden)) - 1
}

// quoteTicks maps a float mid to bid and ask in whole ticks. Both are
// non-decreasing in m, which FirstCross's pruning relies on.
func (p *Path) quoteTicks(m float64) (bid, ask int64) {
	s := float64(m * p.spreadFr)
	if s < p.tickF {
		s = p.tickF
	}
	bid = int64(math.Floor((m - s/2) / p.tickF))
	ask = int64(math.Ceil((m + s/2) / p.tickF))
	if bid < 1 {
		bid = 1
	}
	if ask <= bid {
		ask = bid + 1
	}
	return bid, ask
}

func midTicks(m, tick float64) int64 {
	t := int64(math.Round(m / tick))
	if t < 1 {
		t = 1
	}
	return t
}

// FirstCross returns the first whole second t with from < t ≤ to (and
// t ≤ from + MaxScan) at which cond holds against price, and false when
// there is none.
func (p *Path) FirstCross(cond Condition, price decimal.Decimal, from, to time.Time) (time.Time, bool) {
	c, ok := p.crossing(cond, price)
	if !ok {
		return time.Time{}, false
	}
	lo := floorDiv(from.UnixMilli(), baseMs) + 1
	hi := floorDiv(to.UnixMilli(), baseMs)
	if max := lo + int64(MaxScan/time.Second) - 1; hi > max {
		hi = max
	}
	if lo > hi {
		return time.Time{}, false
	}
	s, found := c.search(lo, hi)
	if !found {
		return time.Time{}, false
	}
	return time.UnixMilli(s * baseMs).UTC(), true
}

// crosser is one FirstCross query: the condition as a threshold in ticks.
type crosser struct {
	p     *Path
	cond  Condition
	ticks int64
}

func (p *Path) crossing(cond Condition, price decimal.Decimal) (crosser, bool) {
	if !price.IsPositive() {
		// no quote is ever ≤ 0, and every quote is ≥ 0
		switch cond {
		case AskAtOrAbove, BidAtOrAbove:
			return crosser{p: p, cond: cond, ticks: math.MinInt64}, true
		}
		return crosser{}, false
	}
	q := price.Div(p.tick)
	// A price between ticks is reached when the quote passes it; in ticks
	// that is the floor for "at or below" and the ceiling for "at or above".
	var t decimal.Decimal
	switch cond {
	case AskAtOrBelow, BidAtOrBelow:
		t = q.Floor()
	case AskAtOrAbove, BidAtOrAbove:
		t = q.Ceil()
	default:
		return crosser{}, false
	}
	if t.GreaterThan(decimal.NewFromInt(math.MaxInt64 / 2)) {
		switch cond {
		case AskAtOrBelow, BidAtOrBelow:
			return crosser{p: p, cond: cond, ticks: math.MaxInt64}, true
		}
		return crosser{}, false
	}
	return crosser{p: p, cond: cond, ticks: t.IntPart()}, true
}

// holds reports whether the condition holds for bid and ask.
func (c crosser) holds(bid, ask int64) bool {
	switch c.cond {
	case AskAtOrBelow:
		return ask <= c.ticks
	case AskAtOrAbove:
		return ask >= c.ticks
	case BidAtOrAbove:
		return bid >= c.ticks
	default:
		return bid <= c.ticks
	}
}

// possible reports whether the condition may hold anywhere in [lo, hi]
// (seconds), from bounds on the log price there.
func (c crosser) possible(lo, hi int64) bool {
	xlo, xhi := c.p.logBounds(lo*baseMs, hi*baseMs)
	const slack = 1e-9 // the bound and the evaluation may round differently
	switch c.cond {
	case AskAtOrBelow, BidAtOrBelow:
		bid, ask := c.p.quoteTicks(math.Exp(c.p.logBase + xlo - slack))
		return c.holds(bid, ask)
	default:
		bid, ask := c.p.quoteTicks(math.Exp(c.p.logBase + xhi + slack))
		return c.holds(bid, ask)
	}
}

func (c crosser) search(lo, hi int64) (int64, bool) {
	if hi-lo < leafSeconds {
		for s := lo; s <= hi; s++ {
			if c.holds(c.p.quoteTicks(c.p.mid(s * baseMs))) {
				return s, true
			}
		}
		return 0, false
	}
	if !c.possible(lo, hi) {
		return 0, false
	}
	mid := lo + (hi-lo)/2
	if s, ok := c.search(lo, mid); ok {
		return s, true
	}
	return c.search(mid+1, hi)
}

// logBounds brackets log(mid/P0) over the milliseconds [a, b].
func (p *Path) logBounds(a, b int64) (lo, hi float64) {
	for k := range Octaves {
		mn, mx := p.octaveRange(k, a, b)
		lo += float64(p.amp[k] * mn)
		hi += float64(p.amp[k] * mx)
	}
	return lo, hi
}

// octaveRange bounds octave k over the milliseconds [a, b]. Within one
// lattice cell the octave is monotone (smoothstep is), so its extremes are
// among its values at a, at b and at the lattice points between: the range
// is exact. An interval spanning many cells gets ±1, which is cheaper and
// nearly as tight there.
func (p *Path) octaveRange(k int, a, b int64) (mn, mx float64) {
	T := periodMs(k)
	i0 := floorDiv(a, T)
	i1 := floorDiv(b, T)
	if i1-i0 > wideCells {
		return -1, 1
	}
	na, nb := p.noise(k, a), p.noise(k, b)
	mn, mx = math.Min(na, nb), math.Max(na, nb)
	for i := i0 + 1; i <= i1; i++ {
		v := p.lattice(k, i)
		mn = math.Min(mn, v)
		mx = math.Max(mx, v)
	}
	return mn, mx
}

func periodMs(k int) int64 { return baseMs << k }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func mix(x uint64) uint64 {
	x += golden
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

func fnv1a64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
