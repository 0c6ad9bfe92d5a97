// Package venuetest holds the test helpers the venue adapters' tests share:
// generated credentials, a fake venue and Params pointing at it, opening
// an adapter with internal tweaks, a bounded context, a fake clock for
// limiters, a debug log to inspect, and the checks several venues' tests
// make the same way. Only tests import it.
package venuetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// RandBytes returns n random bytes: credentials are generated per test,
// so no fixture ever holds a key.
func RandBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// RandHex returns n random bytes, hex-encoded.
func RandHex(t testing.TB, n int) string {
	t.Helper()
	return hex.EncodeToString(RandBytes(t, n))
}

// Secrets answers api_key and api_secret as an exchange.Params.Secret
// does, and "" for any other name.
func Secrets(key, secret string) func(context.Context, string) (string, error) {
	return func(_ context.Context, name string) (string, error) {
		switch name {
		case "api_key":
			return key, nil
		case "api_secret":
			return secret, nil
		}
		return "", nil
	}
}

// Fake is what the adapters' fake venues have in common.
type Fake interface {
	URL() string
	Client() *http.Client
	Close()
}

// Creds are an API key and secret made for one test, in the venue's
// format.
type Creds struct{ Key, Secret string }

// Secrets answers for the credentials as an exchange.Params.Secret does.
func (c Creds) Secrets() func(context.Context, string) (string, error) {
	return Secrets(c.Key, c.Secret)
}

// Adapter is how a venue's tests meet its adapter and its fake: S is the
// fake, E the adapter, O the fake's options.
type Adapter[S Fake, E exchange.Exchange, O any] struct {
	Venue string
	New   func(context.Context, exchange.Params) (E, error)
	// NewCreds makes credentials for one test in the venue's format, so
	// no fixture ever holds a key.
	NewCreds func(t testing.TB) Creds
	// NewFake starts the fake, accepting creds.
	NewFake func(creds Creds, opts ...O) S
	// Options are the profile options that point the adapter at srv:
	// its URLs.
	Options func(srv S) map[string]any
	// Fast are the tweaks every test's adapter gets: internals that
	// profiles do not expose (poll intervals, backoff) made short.
	Fast []func(E)
}

// Fixture is an adapter test's fake venue, the credentials it accepts,
// and a cache and a data directory of the test's own.
type Fixture[S Fake, E exchange.Exchange] struct {
	Srv   S
	Creds Creds
	Cache string
	Data  string

	venue   string
	newFn   func(context.Context, exchange.Params) (E, error)
	options func(srv S) map[string]any
	fast    []func(E)
}

// Fixture starts the fake with opts and new credentials, and closes it
// when the test ends.
func (a Adapter[S, E, O]) Fixture(t testing.TB, opts ...O) *Fixture[S, E] {
	t.Helper()
	creds := a.NewCreds(t)
	srv := a.NewFake(creds, opts...)
	t.Cleanup(srv.Close)
	return &Fixture[S, E]{Srv: srv, Creds: creds, Cache: t.TempDir(), Data: t.TempDir(),
		venue: a.Venue, newFn: a.New, options: a.Options, fast: a.Fast}
}

// Start opens an adapter on a new fake with the default options, and a
// context bounded by the test: what most tests begin with.
func (a Adapter[S, E, O]) Start(t testing.TB) (*Fixture[S, E], E, context.Context) {
	t.Helper()
	f := a.Fixture(t)
	return f, f.Open(t, nil), Context(t)
}

// Params points a profile at the fake, with extra options merged over
// the adapter's.
func (f *Fixture[S, E]) Params(extra map[string]any) exchange.Params {
	opts := f.options(f.Srv)
	for k, v := range extra {
		opts[k] = v
	}
	return exchange.Params{
		Profile:    "test",
		Exchange:   f.venue,
		Options:    opts,
		Secret:     f.Creds.Secrets(),
		CacheDir:   f.Cache,
		DataDir:    f.Data,
		HTTPClient: f.Srv.Client(),
	}
}

// Open builds an adapter against the fake with extra options, applies
// the adapter's Fast tweaks and then tweaks, and closes it when the test
// ends.
func (f *Fixture[S, E]) Open(t testing.TB, extra map[string]any, tweaks ...func(E)) E {
	t.Helper()
	return f.openWith(t, f.Params(extra), tweaks...)
}

func (f *Fixture[S, E]) openWith(t testing.TB, p exchange.Params, tweaks ...func(E)) E {
	t.Helper()
	return Open(t, f.newFn, p, append(append([]func(E){}, f.fast...), tweaks...)...)
}

// Open builds an adapter with newFn, applies the tweaks (internals that
// profiles do not expose) and closes it when the test ends.
func Open[E interface{ Close() error }](t testing.TB, newFn func(context.Context, exchange.Params) (E, error), p exchange.Params, tweaks ...func(E)) E {
	t.Helper()
	e, err := newFn(context.Background(), p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, fn := range tweaks {
		fn(e)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// Context is a context that ends with the test, or after 20 s, so a hung
// fake fails the test instead of the run.
func Context(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// RestingBuy is a limit buy of 0.001 at 40000, below every fake's market.
func RestingBuy(sym trade.Symbol, clientID string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: sym, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: trade.Dec("0.001"), Price: trade.OptDec("40000"), ClientID: clientID}
}

// DecEqual compares decimals by value in cmp.Diff.
var DecEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

// Log is a debug-level logger whose output a test reads back, as -v
// shows it.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewLog returns a Log and a text logger at debug level writing to it.
func NewLog() (*Log, *slog.Logger) {
	l := &Log{}
	return l, slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// CheckTrace fails t unless the log has a line holding every string of
// want, and no line holds any string of leaks (keys, secrets, signatures,
// signed queries).
func CheckTrace(t testing.TB, log string, want, leaks []string) {
	t.Helper()
	found := false
	for _, line := range strings.Split(log, "\n") {
		all := true
		for _, w := range want {
			all = all && strings.Contains(line, w)
		}
		found = found || all
		for _, l := range leaks {
			if l != "" && strings.Contains(line, l) {
				t.Errorf("log shows %q: %s", l, line)
			}
		}
	}
	if !found {
		t.Errorf("no log line has all of %q:\n%s", want, log)
	}
}

// CheckSignedTrace opens an adapter on the fake whose Params log at
// debug level, as -v does, reads its balances (a signed call) and fails t
// unless one line shows that call as the venue's, with method and path,
// status 200 on the first attempt, and no line holds any string of leaks
// (keys, secrets, signatures, signed queries).
func (f *Fixture[S, E]) CheckSignedTrace(t testing.TB, method, path string, leaks []string, tweaks ...func(E)) {
	t.Helper()
	log, logger := NewLog()
	p := f.Params(nil)
	p.Logger = logger
	e := f.openWith(t, p, tweaks...)
	if _, err := e.Balances(Context(t)); err != nil {
		t.Fatal(err)
	}
	CheckTrace(t, log.String(), []string{"level=DEBUG", "venue=" + f.venue, "method=" + method, "path=" + path, "status=200", "attempt=1"}, leaks)
}

// NewFromOptions builds an adapter with newFn from profile options alone
// and checks the outcome as WantError does; when it succeeded, the adapter
// is closed when the test ends.
func NewFromOptions[E exchange.Exchange](t testing.TB, newFn func(context.Context, exchange.Params) (E, error), opts map[string]any, wantErr string) (e E, ok bool) {
	t.Helper()
	e, err := newFn(context.Background(), exchange.Params{Profile: "p", Options: opts})
	if !WantError(t, err, nil, wantErr) {
		return e, false
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, true
}

// WantError checks a table case's error. With want set, err must be
// target (any error, when target is nil) and mention want, and WantError
// returns false: the case ends there. Otherwise err must be nil, and it
// returns true for the case to check the result.
func WantError(t testing.TB, err, target error, want string) (ok bool) {
	t.Helper()
	if want != "" {
		if err == nil || (target != nil && !errors.Is(err, target)) || !strings.Contains(err.Error(), want) {
			what := "an error"
			if target != nil {
				what = target.Error()
			}
			t.Fatalf("error = %v, want %s mentioning %q", err, what, want)
		}
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// ConfigCase is a profile's options and the config they parse to.
type ConfigCase[C any] struct {
	Name string
	Opts map[string]any
	Want C
}

// CheckParseConfig runs parse on each case's options, as profile "p", in
// a subtest, and compares the result with Want, unexported fields too.
func CheckParseConfig[C any](t *testing.T, parse func(exchange.Params) (C, error), cases []ConfigCase[C]) {
	t.Helper()
	var zero C
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			got, err := parse(exchange.Params{Profile: "p", Options: tt.Opts})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.Want, got, cmp.AllowUnexported(zero)); diff != "" {
				t.Errorf("parseConfig (-want +got):\n%s", diff)
			}
		})
	}
}

// OpenAs opens an adapter on the fake whose profile presents creds
// instead of the credentials the fake accepts.
func (f *Fixture[S, E]) OpenAs(t testing.TB, creds Creds, tweaks ...func(E)) E {
	t.Helper()
	p := f.Params(nil)
	p.Secret = creds.Secrets()
	return f.openWith(t, p, tweaks...)
}

// CheckErrorsHide fails t for every error of errs that is nil (each was
// meant to fail) or quotes any of secrets (keys, signatures, tokens).
func CheckErrorsHide(t testing.TB, errs []error, secrets ...string) {
	t.Helper()
	for i, err := range errs {
		if err == nil {
			t.Errorf("error %d: nil, want an error", i)
			continue
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(err.Error(), s) {
				t.Errorf("error %q quotes a secret", err)
			}
		}
	}
}

// CheckNotFound fails t unless GetOrder and CancelOrder of every ref
// answer exchange.ErrNotFound.
func CheckNotFound(t testing.TB, ctx context.Context, ex exchange.Exchange, refs ...exchange.OrderRef) {
	t.Helper()
	for _, ref := range refs {
		if _, err := ex.GetOrder(ctx, ref); !errors.Is(err, exchange.ErrNotFound) {
			t.Errorf("GetOrder(%+v) = %v, want ErrNotFound", ref, err)
		}
		if _, err := ex.CancelOrder(ctx, ref); !errors.Is(err, exchange.ErrNotFound) {
			t.Errorf("CancelOrder(%+v) = %v, want ErrNotFound", ref, err)
		}
	}
}

// CheckNotSent fails t for every request of log whose route ("METHOD
// /path") holds any of frags: what the adapter should have refused
// before sending, such as an order id that would climb the path.
func CheckNotSent[R interface{ Route() string }](t testing.TB, log []R, frags ...string) {
	t.Helper()
	for _, r := range log {
		for _, frag := range frags {
			if strings.Contains(r.Route(), frag) {
				t.Errorf("%s reached the venue", r.Route())
			}
		}
	}
}

// Place places req on ex and fails the test at once if it is refused:
// for orders a test builds on rather than checks.
func Place(t testing.TB, ctx context.Context, ex exchange.Exchange, req trade.OrderRequest) trade.Order {
	t.Helper()
	o, err := ex.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatalf("PlaceOrder(%+v): %v", req, err)
	}
	return o
}

// OpenAt opens an adapter on the fake, with extra options, whose clock
// (Params.Now) is now: for tests of what expires, such as cached rules.
func (f *Fixture[S, E]) OpenAt(t testing.TB, now func() time.Time, extra map[string]any) E {
	t.Helper()
	p := f.Params(extra)
	p.Now = now
	return f.openWith(t, p)
}
