package dashboard

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/xdg"
)

// TestDashboardRunJSON: the command runs from its options alone, and its
// JSON writes the snapshot's time as every tradectl document does — RFC
// 3339 in UTC with milliseconds — whatever the clock's zone and precision.
func TestDashboardRunJSON(t *testing.T) {
	dir := t.TempDir()
	taken := time.Date(2026, 11, 27, 13, 0, 0, 123456789, time.FixedZone("CET", 3600))
	ios, _, out, _ := iostreams.Test()
	cfg := &config.Config{Profile: "paper", Profiles: map[string]config.Profile{"paper": {Name: "paper", Exchange: "paper"}}}
	open := openPaper(t, dir)
	opts := &DashboardOptions{
		IO:     ios,
		Now:    func() time.Time { return taken },
		Config: func() (*config.Config, error) { return cfg, nil },
		OpenExchange: func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error) {
			ex, err := open(ctx, profile)
			return ex, cfg.Profiles[profile], err
		},
		Printer:       func() (*render.Printer, error) { return render.NewPrinter(ios, "json", "", time.Now) },
		Dirs:          func() (xdg.Dirs, error) { return xdg.Dirs{CacheHome: dir}, nil },
		Currency:      "USD",
		TargetTimeout: 5 * time.Second,
	}
	if err := dashboardRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Time     string `json:"time"`
		Accounts []struct {
			Profile string `json:"profile"`
			OK      bool   `json:"ok"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("dashboard -o json wrote %q: %v", out.String(), err)
	}
	if got.Time != "2026-11-27T12:00:00.123Z" {
		t.Errorf("time %q, want 2026-11-27T12:00:00.123Z", got.Time)
	}
	want := []struct {
		Profile string `json:"profile"`
		OK      bool   `json:"ok"`
	}{{"paper", true}}
	if diff := cmp.Diff(want, got.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
}
