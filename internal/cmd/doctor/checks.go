package doctor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/shopspring/decimal"
	_ "modernc.org/sqlite" // the paper database's driver

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/trade"
)

// Check names.
const (
	CheckConfigFile  = "config file"
	CheckConfigPerms = "config permissions"
	CheckVenue       = "venue"
	CheckClock       = "clock skew"
	CheckKey         = "key permissions"
	CheckPaperDB     = "paper database"
	CheckSafety      = "safety limits"
)

// checkSecretName is the check of one credential: "secret api_key".
func checkSecretName(name string) string { return "secret " + name }

func (d *doctor) checkConfig(cfg *config.Config, err error) {
	if err != nil {
		d.add("", CheckConfigFile, Fail, "%v", err)
		return
	}
	if !cfg.FileExists {
		where := cfg.Path
		if where == "" {
			where = "the default place"
		}
		d.add("", CheckConfigFile, OK, "no file at %s: the built-in paper profile is in use", where)
		return
	}
	d.add("", CheckConfigFile, OK, "%s parses: %d profiles", cfg.Path, len(cfg.Profiles))
	st, err := os.Stat(cfg.Path)
	if err != nil {
		d.add("", CheckConfigPerms, Fail, "stat %s: %v", cfg.Path, err)
		return
	}
	perm := st.Mode().Perm()
	plain := false
	for _, p := range cfg.Profiles {
		for _, src := range p.Credentials {
			plain = plain || src.Kind == config.SourcePlain
		}
	}
	switch {
	case runtime.GOOS == "windows":
		d.add("", CheckConfigPerms, Skip, "Windows permissions are ACLs, not mode bits")
	case perm&0o022 != 0:
		// The file names commands (_cmd) that tradectl runs: whoever can
		// change it can run code as this user.
		d.add("", CheckConfigPerms, Warn, "mode %04o: other users can change it, and with it the commands tradectl runs; run: chmod 600 %s", perm, cfg.Path)
	case plain && perm&0o077 != 0:
		d.add("", CheckConfigPerms, Warn, "mode %04o and it holds plain-text secrets, so other users can read them; run: chmod 600 %s", perm, cfg.Path)
	default:
		d.add("", CheckConfigPerms, OK, "mode %04o", perm)
	}
}

func (d *doctor) checkProfile(ctx context.Context, cfg *config.Config, prof config.Profile) {
	if _, err := prof.ParseSafety(); err != nil {
		d.add(prof.Name, CheckSafety, Fail, "%v", err)
	}
	d.checkSecrets(ctx, prof)
	switch prof.Exchange {
	case paper.Name:
		d.checkPaper(ctx, prof)
	case "binance":
		if d.checkVenue(ctx, prof) {
			d.checkBinance(ctx, prof)
		} else {
			d.add(prof.Name, CheckClock, Skip, "the venue is unreachable")
			d.add(prof.Name, CheckKey, Skip, "the venue is unreachable")
		}
	default:
		d.checkVenue(ctx, prof)
		d.add(prof.Name, CheckClock, Skip, "no time endpoint known for %s", prof.Exchange)
		d.add(prof.Name, CheckKey, Skip, "%s does not report key permissions to tradectl", prof.Exchange)
	}
}

// checkSecrets resolves every configured secret (never showing it) and
// names the credentials the venue needs that are missing.
func (d *doctor) checkSecrets(ctx context.Context, prof config.Profile) {
	resolve := prof.SecretResolver(d.f.Getenv, config.ShellRunner(d.f.IOStreams.ErrOut))
	for _, name := range sortedKeys(prof.Credentials) {
		src := prof.Credentials[name]
		check := checkSecretName(name)
		cctx, cancel := context.WithTimeout(ctx, d.timeout)
		v, err := resolve(cctx, name)
		cancel()
		if err != nil {
			d.add(prof.Name, check, Fail, "%v", err)
			continue
		}
		_ = v // resolved; the value itself is never used or shown
		switch src.Kind {
		case config.SourcePlain:
			d.add(prof.Name, check, Warn, "stored in plain text in the config file; move it: tradectl config set-secret %s --name %s", prof.Name, name)
		case config.SourceEnv:
			d.add(prof.Name, check, OK, "resolves from environment variable %s", src.Value)
		case config.SourceFile:
			mode := ""
			if st, err := os.Stat(src.Value); err == nil {
				mode = fmt.Sprintf(" (mode %04o)", st.Mode().Perm())
			}
			d.add(prof.Name, check, OK, "resolves from file %s%s", src.Value, mode)
		case config.SourceCmd:
			d.add(prof.Name, check, OK, "resolves from command %q", src.Value)
		}
	}
	if v, ok := d.f.Registry.Lookup(prof.Exchange); ok {
		for _, name := range v.Credentials {
			if _, set := prof.Credentials[name]; !set {
				d.add(prof.Name, checkSecretName(name), Warn, "not configured: only public market data will work (set %s_env, %s_file or %s_cmd)", name, name, name)
			}
		}
	}
}

// checkVenue opens the exchange and asks it for its instruments and one
// quote; the quote is what proves the network path, since instrument
// rules may come from a cache.
func (d *doctor) checkVenue(ctx context.Context, prof config.Profile) bool {
	cctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	ex, _, err := d.f.OpenExchange(cctx, prof.Name)
	if err != nil {
		d.add(prof.Name, CheckVenue, Fail, "%v", err)
		return false
	}
	defer ex.Close()
	ins, err := ex.Instruments(cctx)
	if err != nil {
		d.add(prof.Name, CheckVenue, Fail, "instruments: %v", err)
		return false
	}
	if len(ins) == 0 {
		d.add(prof.Name, CheckVenue, Fail, "the venue lists no instruments")
		return false
	}
	if _, err := ex.Quotes(cctx, []trade.Symbol{ins[0].Symbol}); err != nil {
		d.add(prof.Name, CheckVenue, Fail, "quote %s: %v", ins[0].Symbol, err)
		return false
	}
	d.add(prof.Name, CheckVenue, OK, "reachable: %d instruments, %s quoted", len(ins), ins[0].Symbol)
	return true
}

// paperDBPath is where the paper exchange keeps profile's account, by the
// same rule as package paper (db_path, else DataDir/<profile>.db), found
// without opening it: opening would create a database that is not there.
func paperDBPath(prof config.Profile, dataDir string) (string, error) {
	p := exchange.Params{Profile: prof.Name, Options: prof.Options}
	path, err := p.String(paper.KeyDBPath, "")
	if err != nil {
		return "", err
	}
	switch {
	case path == "":
		path = filepath.Join(dataDir, prof.Name+".db")
	case !filepath.IsAbs(path):
		path = filepath.Join(dataDir, path)
	}
	return filepath.Abs(path)
}

func (d *doctor) checkPaper(ctx context.Context, prof config.Profile) {
	dirs, err := d.f.Dirs()
	if err != nil {
		d.add(prof.Name, CheckPaperDB, Fail, "%v", err)
		return
	}
	path, err := paperDBPath(prof, dirs.DataDir())
	if err != nil {
		d.add(prof.Name, CheckPaperDB, Fail, "%v", err)
		return
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		d.add(prof.Name, CheckPaperDB, OK, "no database yet at %s: it is created on first use", path)
		return
	} else if err != nil {
		d.add(prof.Name, CheckPaperDB, Fail, "stat %s: %v", path, err)
		return
	}
	cctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	if msg, err := integrity(cctx, path); err != nil {
		d.add(prof.Name, CheckPaperDB, Fail, "%s: %v", path, err)
		return
	} else if msg != "ok" {
		d.add(prof.Name, CheckPaperDB, Fail, "%s: integrity check: %s", path, msg)
		return
	}
	st, detail := d.checkReservations(cctx, prof)
	d.add(prof.Name, CheckPaperDB, st, "%s: integrity ok; %s", path, detail)
}

// integrity runs PRAGMA integrity_check and returns its answer, "ok" when
// the file is sound (at most the first few problems otherwise).
func integrity(ctx context.Context, path string) (string, error) {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return "", err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check(5)")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		lines = append(lines, s)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return strings.Join(lines, "; "), nil
}

// checkReservations compares each asset's locked balance with what the
// open orders reserve, by the paper exchange's documented rules. A sell
// reserves base quantity, exactly; a buy's reservation includes the fee
// rate in force when it was placed, which the public API does not show,
// so it is computed at the profile's current rates and a difference in a
// buy's asset is a warning (the rates may have changed), not a failure.
func (d *doctor) checkReservations(ctx context.Context, prof config.Profile) (Status, string) {
	ex, _, err := d.f.OpenExchange(ctx, prof.Name)
	if err != nil {
		return Fail, fmt.Sprintf("open: %v", err)
	}
	defer ex.Close()
	p := exchange.Params{Profile: prof.Name, Options: prof.Options}
	makerPct, err1 := p.Decimal(paper.KeyMakerFeePct, decimal.New(10, -2))
	takerPct, err2 := p.Decimal(paper.KeyTakerFeePct, decimal.New(10, -2))
	if err := errors.Join(err1, err2); err != nil {
		return Fail, err.Error()
	}
	maker, taker := makerPct.Shift(-2), takerPct.Shift(-2)
	ins, err := ex.Instruments(ctx)
	if err != nil {
		return Fail, fmt.Sprintf("instruments: %v", err)
	}
	rules := map[trade.Symbol]trade.Instrument{}
	for _, in := range ins {
		rules[in.Symbol] = in
	}
	open, err := ex.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListOpen, Limit: 1 << 20})
	if err != nil {
		return Fail, fmt.Sprintf("open orders: %v", err)
	}
	bals, err := ex.Balances(ctx)
	if err != nil {
		return Fail, fmt.Sprintf("balances: %v", err)
	}
	want := map[string]decimal.Decimal{}
	feeDependent := map[string]bool{}
	one := decimal.NewFromInt(1)
	for _, o := range open {
		in, ok := rules[o.Symbol]
		if !ok {
			return Fail, fmt.Sprintf("open order %s is for unknown symbol %s", o.ID, o.Symbol)
		}
		rest := o.Qty.Sub(o.FilledQty)
		if o.Side == trade.Sell {
			want[in.BaseAsset] = want[in.BaseAsset].Add(rest)
			continue
		}
		var r decimal.Decimal
		switch {
		case o.Type == trade.Stop:
			r = o.Qty.Mul(o.StopPrice.Decimal).Mul(one.Add(taker))
		case o.Type == trade.StopLimit && o.FilledQty.IsZero():
			// Untriggered or triggered and resting untouched: the public
			// view cannot tell them apart; the rates agree unless the
			// maker and taker fees differ, and then it is a warning anyway.
			r = o.Qty.Mul(o.Price.Decimal).Mul(one.Add(decimal.Max(maker, taker)))
		default:
			r = rest.Mul(o.Price.Decimal).Mul(one.Add(maker))
		}
		want[in.QuoteAsset] = want[in.QuoteAsset].Add(r)
		feeDependent[in.QuoteAsset] = true
	}
	locked := map[string]decimal.Decimal{}
	for _, b := range bals {
		locked[b.Asset] = b.Locked
	}
	st, bad := OK, []string{}
	for _, asset := range sortedKeys(mergeKeys(want, locked)) {
		w, l := want[asset], locked[asset]
		if w.Equal(l) {
			continue
		}
		if feeDependent[asset] {
			if st == OK {
				st = Warn
			}
			bad = append(bad, fmt.Sprintf("%s locked %s, open orders reserve %s at the profile's current fees (a fee change since they were placed would explain it)", asset, l, w))
		} else {
			st = Fail
			bad = append(bad, fmt.Sprintf("%s locked %s, open orders reserve %s", asset, l, w))
		}
	}
	if len(bad) > 0 {
		return st, strings.Join(bad, "; ")
	}
	noun := "orders"
	if len(open) == 1 {
		noun = "order"
	}
	return OK, fmt.Sprintf("locked balances match the reservations of %d open %s", len(open), noun)
}

func mergeKeys(a, b map[string]decimal.Decimal) map[string]decimal.Decimal {
	out := make(map[string]decimal.Decimal, len(a)+len(b))
	for k := range a {
		out[k] = decimal.Zero
	}
	for k := range b {
		out[k] = decimal.Zero
	}
	return out
}

// binanceBaseURL is the REST base a binance profile talks to, by the
// adapter's rule: base_url, else the testnet with sandbox: true, else
// production.
func binanceBaseURL(prof config.Profile) (string, error) {
	p := exchange.Params{Profile: prof.Name, Options: prof.Options}
	sandbox, err := p.Bool(binance.KeySandbox, false)
	if err != nil {
		return "", err
	}
	def := binance.ProductionURL
	if sandbox {
		def = binance.TestnetURL
	}
	base, err := p.String(binance.KeyBaseURL, def)
	if err != nil {
		return "", err
	}
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	return strings.TrimSuffix(base, "/api"), nil
}
