package doctor_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/app"
	"github.com/tradectl/tradectl/internal/cmd/doctor"
	"github.com/tradectl/tradectl/internal/cmd/factory"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/kraken/fakekraken"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
)

// env is one isolated home with a config file; run executes tradectl in
// process against it.
type env struct {
	t    *testing.T
	home string
	vars map[string]string
}

func newEnv(t *testing.T, config string) *env {
	t.Helper()
	home := t.TempDir()
	e := &env{t: t, home: home, vars: map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_DATA_HOME":   filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME":  filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME":  filepath.Join(home, ".cache"),
		"TRADECTL_NOW":    "2026-11-27T12:00:00Z",
	}}
	if config != "" {
		e.writeConfig(config)
	}
	return e
}

func (e *env) writeConfig(body string) {
	e.t.Helper()
	dir := filepath.Join(e.home, ".config", "tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(body), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) run(args ...string) (code int, stdout, stderr string) {
	e.t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := factory.New(ios, func(k string) string { return e.vars[k] }, nil)
	code = app.Run(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

// report runs doctor -o json and decodes it.
func (e *env) report(args ...string) (int, doctor.Report) {
	e.t.Helper()
	code, out, errOut := e.run(append([]string{"doctor", "-o", "json"}, args...)...)
	var r doctor.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		e.t.Fatalf("doctor output %q (stderr %q): %v", out, errOut, err)
	}
	return code, r
}

// find returns the check of profile called name.
func find(t *testing.T, r doctor.Report, profile, name string) doctor.Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.Profile == profile && c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q for profile %q in %+v", name, profile, r.Checks)
	return doctor.Check{}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    time.Duration
		wantErr string
	}{
		{args: nil, want: doctor.DefaultCheckTimeout},
		{args: []string{"--check-timeout", "750ms"}, want: 750 * time.Millisecond},
		{args: []string{"--check-timeout", "0s"}, wantErr: "--check-timeout must be above 0"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *doctor.DoctorOptions
			cmd := doctor.NewCmdDoctor(&cmdutil.Factory{Globals: &cmdutil.GlobalOptions{}}, func(o *doctor.DoctorOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.CheckTimeout != tt.want {
				t.Errorf("timeout %s, want %s", got.CheckTimeout, tt.want)
			}
		})
	}
}

// TestProfileChosen: --profile or TRADECTL_PROFILE narrows the checks to
// one profile; without either every profile is checked.
func TestProfileChosen(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{name: "neither", want: false},
		{name: "TRADECTL_PROFILE", env: map[string]string{"TRADECTL_PROFILE": "live"}, want: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got *doctor.DoctorOptions
			f := &cmdutil.Factory{Globals: &cmdutil.GlobalOptions{}, Getenv: func(k string) string { return tt.env[k] }}
			cmd := doctor.NewCmdDoctor(f, func(o *doctor.DoctorOptions) error { got = o; return nil })
			cmd.SetArgs(nil)
			cmd.SetOut(io.Discard)
			cmd.SetErr(io.Discard)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got.ProfileChosen != tt.want {
				t.Errorf("ProfileChosen = %v, want %v", got.ProfileChosen, tt.want)
			}
		})
	}
}

// tamper changes the paper database behind the exchange's back, as a
// bug or a crash in the middle of a write could.
func tamper(t *testing.T, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func TestPaperReservations(t *testing.T) {
	e := newEnv(t, "profiles:\n  paper:\n    exchange: paper\n")
	for _, args := range [][]string{
		{"order", "create", "BTC-USD", "--side", "buy", "--qty", "0.02"},
		{"order", "create", "BTC-USD", "--side", "sell", "--qty", "0.01", "--price", "150000"},
		{"order", "create", "ETH-USD", "--side", "buy", "--qty", "1", "--price", "1000"},
		{"order", "create", "ETH-USD", "--side", "buy", "--qty", "1", "--stop-price", "3700"},
	} {
		if code, _, errOut := e.run(args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
	}
	db := filepath.Join(e.home, ".local", "share", "tradectl", "paper.db")
	code, r := e.report()
	if c := find(t, r, "paper", paper.CheckDatabase); code != 0 || c.Status != doctor.OK ||
		!strings.HasSuffix(c.Detail, "integrity ok; locked balances match the reservations of 3 open orders") {
		t.Fatalf("exit %d, check %+v", code, c)
	}

	// A changed fee rate explains a buy's difference: a warning.
	e.writeConfig("profiles:\n  paper:\n    exchange: paper\n    maker_fee_pct: 0.2\n")
	code, r = e.report()
	c := find(t, r, "paper", paper.CheckDatabase)
	if code != 0 || c.Status != doctor.Warn || !strings.Contains(c.Detail, "USD locked 4704.7, open orders reserve 4705.7 at the profile's current fees") {
		t.Errorf("exit %d, check %+v", code, c)
	}
	e.writeConfig("profiles:\n  paper:\n    exchange: paper\n")

	// A sell's reservation does not depend on fees: a difference is a
	// failure, exit 8.
	tamper(t, db, "UPDATE balances SET locked = '0.02' WHERE asset = 'BTC'")
	code, r = e.report()
	c = find(t, r, "paper", paper.CheckDatabase)
	if code != cmdutil.ExitPartial || c.Status != doctor.Fail || !strings.Contains(c.Detail, "BTC locked 0.02, open orders reserve 0.01") {
		t.Errorf("exit %d, check %+v", code, c)
	}
	if r.OK || r.Failed != 1 {
		t.Errorf("report totals: %+v", r)
	}
}

func TestBinanceClockAndKey(t *testing.T) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	key, secret := hex.EncodeToString(b[:16]), hex.EncodeToString(b[16:])
	srv := fakebinance.New(key, secret)
	t.Cleanup(srv.Close)
	config := func(extra string) string {
		return fmt.Sprintf("profiles:\n  live:\n    exchange: binance\n    base_url: %s\n    api_key_env: K\n    api_secret_env: S\n%s", srv.URL(), extra)
	}
	tests := []struct {
		name       string
		offset     time.Duration
		extra      string
		wantCode   int
		wantStatus doctor.Status
		wantDetail string
	}{
		{name: "in step", wantStatus: doctor.OK, wantDetail: "round trip"},
		{name: "venue 3s ahead: within recv_window", offset: 3 * time.Second, wantStatus: doctor.Warn,
			wantDetail: "behind the venue's"},
		{name: "venue 8s ahead: beyond recv_window", offset: 8 * time.Second, wantStatus: doctor.Fail, wantCode: cmdutil.ExitPartial,
			wantDetail: "Binance refuses signed requests 1s ahead or more than recv_window (5000ms) behind"},
		{name: "a larger recv_window allows it", offset: 8 * time.Second, extra: "    recv_window: 10000\n", wantStatus: doctor.Warn,
			wantDetail: "close to Binance's limits (1s ahead, 10000ms behind)"},
		{name: "this machine 2s ahead", offset: -2 * time.Second, wantStatus: doctor.Fail, wantCode: cmdutil.ExitPartial,
			wantDetail: "ahead of the venue's"},
		{name: "sync_clock corrects it", offset: -2 * time.Second, extra: "    sync_clock: true\n", wantStatus: doctor.Warn,
			wantDetail: "sync_clock corrects it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetClockOffset(tt.offset)
			e := newEnv(t, config(tt.extra))
			delete(e.vars, "TRADECTL_NOW") // the real clock, against the venue's
			e.vars["K"], e.vars["S"] = key, secret
			code, r := e.report()
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (%+v)", code, tt.wantCode, r)
			}
			c := find(t, r, "live", binance.CheckClock)
			if c.Status != tt.wantStatus || !strings.Contains(c.Detail, tt.wantDetail) {
				t.Errorf("clock check %+v; want %s with %q", c, tt.wantStatus, tt.wantDetail)
			}
			// The key check signs with the venue's time, so a skew does not
			// hide the key's permissions.
			want := doctor.Check{Profile: "live", Name: binance.CheckKey, Status: doctor.Warn,
				Detail: "a trading key that can withdraw: create one without withdrawal permission"}
			if diff := cmp.Diff(want, find(t, r, "live", binance.CheckKey)); diff != "" {
				t.Errorf("key check (-want +got):\n%s", diff)
			}
		})
	}
	srv.SetClockOffset(0)

	// No secret or signature in anything doctor printed.
	e := newEnv(t, config(""))
	e.vars["K"], e.vars["S"] = key, secret
	_, out, errOut := e.run("doctor", "--profile", "live", "-v")
	for _, req := range srv.Requests() {
		for _, part := range strings.Split(req.Query, "&") {
			if sig, ok := strings.CutPrefix(part, "signature="); ok && strings.Contains(out+errOut, sig) {
				t.Errorf("the signature %s was printed", sig)
			}
		}
	}
	if strings.Contains(out+errOut, secret) || strings.Contains(out+errOut, key) {
		t.Error("a credential was printed")
	}
}

func TestMissingCredentials(t *testing.T) {
	e := newEnv(t, "profiles:\n  live:\n    exchange: binance\n    base_url: http://127.0.0.1:1\n")
	code, r := e.report("--check-timeout", "1s")
	if code != cmdutil.ExitPartial {
		t.Errorf("exit %d", code)
	}
	for _, name := range []string{"secret api_key", "secret api_secret"} {
		c := find(t, r, "live", name)
		if c.Status != doctor.Warn || !strings.HasPrefix(c.Detail, "not configured: only public market data will work") {
			t.Errorf("%s: %+v", name, c)
		}
	}
	// The venue cannot be reached, so its own checks are not asked for.
	want := doctor.Check{Profile: "live", Name: doctor.CheckVenueChecks, Status: doctor.Skip, Detail: "the venue is unreachable"}
	if diff := cmp.Diff(want, find(t, r, "live", doctor.CheckVenueChecks)); diff != "" {
		t.Errorf("venue checks (-want +got):\n%s", diff)
	}
}

// TestTimeoutStillReports: when --timeout runs out, doctor still prints
// what it found, and names the profiles it could not check.
func TestTimeoutStillReports(t *testing.T) {
	srv := fakebinance.New("k", "s")
	t.Cleanup(srv.Close)
	srv.HangNext()
	e := newEnv(t, fmt.Sprintf("profiles:\n  a:\n    exchange: binance\n    base_url: %[1]s\n  b:\n    exchange: binance\n    base_url: %[1]s\n", srv.URL()))
	e.vars["TRADECTL_TIMEOUT"] = "300ms"
	start := time.Now()
	code, r := e.report()
	if elapsed := time.Since(start); elapsed > 4*time.Second {
		t.Errorf("took %s; the 300ms --timeout did not bound it", elapsed)
	}
	if code != cmdutil.ExitPartial {
		t.Errorf("exit %d", code)
	}
	if c := find(t, r, "a", doctor.CheckVenue); c.Status != doctor.Fail {
		t.Errorf("venue a: %+v", c)
	}
	want := doctor.Check{Profile: "b", Name: "not checked", Status: doctor.Fail, Detail: "the command's --timeout (300ms) ran out first"}
	if diff := cmp.Diff(want, find(t, r, "b", "not checked")); diff != "" {
		t.Errorf("profile b (-want +got):\n%s", diff)
	}
}

// TestVenueChecks: doctor reports whatever a venue checks of itself, in
// its own rows, with no knowledge of the venue; a failing venue check
// fails the run.
func TestVenueChecks(t *testing.T) {
	// Coinbase: a CDP key generated here, so no fixture holds one.
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	cbName := "organizations/test-org/apiKeys/doctor"
	cbPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	cb := fakecoinbase.New(cbName, &ec.PublicKey)
	t.Cleanup(cb.Close)

	raw := make([]byte, 64)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	krKey, krSecret := "kraken-key-"+hex.EncodeToString(raw[:8]), base64.StdEncoding.EncodeToString(raw)
	kr := fakekraken.New(krKey, krSecret)
	t.Cleanup(kr.Close)

	alKey, alSecret := "alpaca-key-"+hex.EncodeToString(raw[8:16]), "alpaca-secret-"+hex.EncodeToString(raw[16:32])
	al := fakealpaca.New(alKey, alSecret)
	t.Cleanup(al.Close)

	config := fmt.Sprintf(`profiles:
  cb:
    exchange: coinbase
    base_url: %s
    api_key_env: CB_KEY
    api_secret_env: CB_SECRET
  kr:
    exchange: kraken
    base_url: %s
    api_key_env: KR_KEY
    api_secret_env: KR_SECRET
  al:
    exchange: alpaca
    base_url: %s
    data_url: %s
    api_key_env: AL_KEY
    api_secret_env: AL_SECRET
`, cb.URL(), kr.URL(), al.URL(), al.DataURL())

	type row struct{ Name, Status, Detail string }
	tests := []struct {
		profile  string
		setup    func()
		wantCode int
		want     []row // the venue's own rows, after "venue"; a Detail of "*" is not compared
	}{
		{profile: "cb", want: []row{
			{"clock skew", "ok", "*"},
			{"key permissions", "ok", "can view and trade, cannot transfer (portfolio type DEFAULT)"},
		}},
		{profile: "kr", want: []row{
			{"credentials", "ok", "the key signs, its nonce is accepted and it may query funds"},
			{"key permissions", "warn", "a trading key that can withdraw (WithdrawMethods answered): create one without the Withdraw Funds permission"},
		}},
		{profile: "al", want: []row{
			{"endpoint", "ok", "*"},
			{"account status", "ok", "active: trading allowed"},
		}},
		{profile: "al", wantCode: cmdutil.ExitPartial,
			setup: func() {
				al.Inject(fakealpaca.Failure{Method: "GET", Path: "/v2/account", Status: 200,
					Body: `{"id":"904837e3-3b76-47ec-b432-046db621571b","status":"ACTIVE","crypto_status":"ACTIVE","currency":"USD","cash":"100000","trading_blocked":false,"transfers_blocked":false,"account_blocked":true,"trade_suspended_by_user":false}`})
			},
			want: []row{
				{"endpoint", "ok", "*"},
				{"account status", "fail", "the account is blocked (account_blocked): contact Alpaca support"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			e := newEnv(t, config)
			delete(e.vars, "TRADECTL_NOW") // the real clock, against the venues'
			for k, v := range map[string]string{"CB_KEY": cbName, "CB_SECRET": cbPEM, "KR_KEY": krKey, "KR_SECRET": krSecret, "AL_KEY": alKey, "AL_SECRET": alSecret} {
				e.vars[k] = v
			}
			if tt.setup != nil {
				tt.setup()
			}
			code, r := e.report("--profile", tt.profile)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (%+v)", code, tt.wantCode, r)
			}
			if c := find(t, r, tt.profile, doctor.CheckVenue); c.Status != doctor.OK {
				t.Fatalf("venue: %+v", c)
			}
			var got []row
			after := false
			for _, c := range r.Checks {
				if after {
					d := c.Detail
					for _, w := range tt.want {
						if w.Name == c.Name && w.Detail == "*" {
							d = "*"
						}
					}
					got = append(got, row{c.Name, string(c.Status), d})
				}
				after = after || c.Name == doctor.CheckVenue
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("venue checks (-want +got):\n%s", diff)
			}
		})
	}
}
