package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
)

// BenchmarkDashboard8x200ms measures a dashboard over 8 accounts, each on
// its own fake Binance behind 200 ms of added latency per request, against
// one 200 ms call through the same path measured in the same run. The
// ratio is the figure of merit: the fan-out should cost the slowest
// account's time, not the sum (target ≤ 1.2).
func BenchmarkDashboard8x200ms(b *testing.B) {
	const accounts, delay = 8, 200 * time.Millisecond
	cache := b.TempDir()
	open := map[string]func(ctx context.Context) (exchange.Exchange, error){}
	var profiles []Profile
	for i := range accounts {
		name := fmt.Sprintf("venue%d", i)
		key, secret := fmt.Sprintf("key-%d", i), fmt.Sprintf("secret-%d", i)
		srv := fakebinance.New(key, secret)
		b.Cleanup(srv.Close)
		client := &http.Client{Transport: latency{next: http.DefaultTransport, delay: delay}}
		open[name] = func(ctx context.Context) (exchange.Exchange, error) {
			return binance.New(ctx, exchange.Params{
				Profile: name, Exchange: "binance", Options: map[string]any{"base_url": srv.URL()},
				Secret: func(_ context.Context, n string) (string, error) {
					if n == "api_key" {
						return key, nil
					}
					return secret, nil
				},
				DataDir: cache, CacheDir: cache, Now: time.Now, HTTPClient: client,
			})
		}
		profiles = append(profiles, Profile{Name: name, Exchange: "binance"})
	}
	col := &Collector{Profiles: profiles, Currency: "USDT", TargetTimeout: 10 * time.Second, Now: time.Now, Hints: &FileHints{Dir: cache},
		Open: func(ctx context.Context, name string) (exchange.Exchange, error) { return open[name](ctx) }}
	ctx := context.Background()
	// The first round downloads instrument rules (then cached on disk, as
	// in real use) and learns which quotes value each account.
	if snap := col.Collect(ctx); snap.Failed != 0 {
		b.Fatalf("warm-up: %+v", snap.Accounts[0].Error)
	}
	one := func() time.Duration {
		ex, err := open["venue0"](ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer ex.Close()
		// One signed request: the smallest call an account view needs.
		start := time.Now()
		if _, err := ex.Balances(ctx); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var single, dash time.Duration
	b.ResetTimer()
	for range b.N {
		single += one()
		start := time.Now()
		snap := col.Collect(ctx)
		dash += time.Since(start)
		if snap.Failed != 0 {
			b.Fatalf("%d accounts failed", snap.Failed)
		}
	}
	b.ReportMetric(float64(single.Milliseconds())/float64(b.N), "single-ms")
	b.ReportMetric(float64(dash.Milliseconds())/float64(b.N), "dashboard-ms")
	b.ReportMetric(float64(dash)/float64(single), "ratio")
}
