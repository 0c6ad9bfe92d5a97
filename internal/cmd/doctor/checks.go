package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/notify"
	"github.com/tradectl/tradectl/internal/trade"
)

// Check names. The venue's own checks (clock skew, key permissions, the
// paper database …) are named by the venue: see exchange.Diagnoser.
const (
	CheckConfigFile  = "config file"
	CheckConfigPerms = "config permissions"
	CheckVenue       = "venue"
	CheckVenueChecks = "venue checks"
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
	d.secrets = d.checkSecrets(ctx, prof)
	defer func() { d.secrets = nil }()
	d.checkExchange(ctx, prof)
}

// checkSecrets resolves every configured secret (never showing it) and
// names the credentials the venue needs that are missing. It returns the
// resolved values, so that whatever the venue reports can be scrubbed of
// them before it is shown.
func (d *doctor) checkSecrets(ctx context.Context, prof config.Profile) []string {
	var values []string
	resolve := prof.SecretResolver(d.o.Getenv, config.ShellRunner(d.o.IO.ErrOut))
	for _, name := range sortedKeys(prof.Credentials) {
		src := prof.Credentials[name]
		check := checkSecretName(name)
		cctx, cancel := context.WithTimeout(ctx, d.o.CheckTimeout)
		v, err := resolve(cctx, name)
		cancel()
		if err != nil {
			d.add(prof.Name, check, Fail, "%v", err)
			continue
		}
		// Resolved; the value is kept only to scrub it from what the
		// venue reports, and never shown.
		if v = strings.TrimSpace(v); len(v) >= minScrubLen {
			values = append(values, v)
		}
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
	if v, ok := d.checkNotifyWebhook(prof); ok {
		values = append(values, v)
	}
	if v, ok := d.o.Registry.Lookup(prof.Exchange); ok {
		for _, name := range v.Credentials {
			if _, set := prof.Credentials[name]; !set {
				d.add(prof.Name, checkSecretName(name), Warn, "not configured: only public market data will work (set %s_env, %s_file or %s_cmd)", name, name, name)
			}
		}
	}
	return values
}

// CheckNotifyWebhook is the check of a profile's notify: webhook URL.
const CheckNotifyWebhook = "notify webhook"

// checkNotifyWebhook resolves the profile's webhook URL, a secret, as a
// notifying command would: a cron job meant to report fails without it.
// The URL is shown by scheme and host only, and returned for scrubbing.
func (d *doctor) checkNotifyWebhook(prof config.Profile) (string, bool) {
	src := prof.Notify.Webhook
	if src.Kind == "" {
		return "", false
	}
	v, err := prof.Notify.WebhookURL(prof.Name, d.o.Getenv)
	if err != nil {
		d.add(prof.Name, CheckNotifyWebhook, Fail, "%v", err)
		return "", false
	}
	if _, err := notify.ParseWebhookURL(v); err != nil {
		d.add(prof.Name, CheckNotifyWebhook, Fail, "%s from %s: %v", "the URL", src.Kind+":"+src.Value, err)
		return v, true
	}
	d.add(prof.Name, CheckNotifyWebhook, OK, "resolves from %s; posts to %s", src.Kind+":"+src.Value, notify.Redact(v))
	return v, true
}

// minScrubLen is the shortest secret scrubbed from details: shorter
// values ("x" in a test profile) would mangle ordinary words, and no real
// credential is that short.
const minScrubLen = 6

// checkExchange opens the profile's exchange, proves it answers, and then
// lets it check itself (exchange.Diagnoser): doctor knows no venue by name.
// An unreachable venue's own checks are skipped, as they would only fail
// again for the same reason; a venue that answered but refused the key is
// reachable, and its own checks say more about the key than the refusal.
func (d *doctor) checkExchange(ctx context.Context, prof config.Profile) {
	octx, cancel := context.WithTimeout(ctx, d.o.CheckTimeout)
	defer cancel()
	ex, _, err := d.o.OpenExchange(octx, prof.Name)
	if err != nil {
		d.add(prof.Name, CheckVenue, Fail, "%v", err)
		return
	}
	defer ex.Close()
	diag, ok := ex.(exchange.Diagnoser)
	if err := d.checkVenue(octx, prof, ex); err != nil && !errors.Is(err, exchange.ErrAuth) {
		if ok {
			d.add(prof.Name, CheckVenueChecks, Skip, "the venue is unreachable")
		}
		return
	}
	if !ok {
		d.add(prof.Name, CheckVenueChecks, Skip, "%s checks nothing of its own beyond being reachable", ex.Name())
		return
	}
	dctx, cancel := context.WithTimeout(ctx, d.o.CheckTimeout)
	defer cancel()
	for _, c := range diag.Diagnose(dctx) {
		d.add(prof.Name, c.Name, statusOf(c.Status), "%s", c.Detail)
	}
}

// statusOf maps a venue's grade to the report's. A grade doctor does not
// know is a failure: a check that cannot be read has not passed.
func statusOf(s exchange.CheckStatus) Status {
	switch s {
	case exchange.CheckOK:
		return OK
	case exchange.CheckWarn:
		return Warn
	}
	return Fail
}

// checkVenue asks the exchange for its instruments and one quote; the
// quote is what proves the network path, since instrument rules may come
// from a cache. It reports the check and returns what went wrong.
func (d *doctor) checkVenue(ctx context.Context, prof config.Profile, ex exchange.Exchange) error {
	ins, err := ex.Instruments(ctx)
	if err != nil {
		d.add(prof.Name, CheckVenue, Fail, "instruments: %v", err)
		return err
	}
	if len(ins) == 0 {
		d.add(prof.Name, CheckVenue, Fail, "the venue lists no instruments")
		return errors.New("no instruments")
	}
	if _, err := ex.Quotes(ctx, []trade.Symbol{ins[0].Symbol}); err != nil {
		d.add(prof.Name, CheckVenue, Fail, "quote %s: %v", ins[0].Symbol, err)
		return err
	}
	d.add(prof.Name, CheckVenue, OK, "reachable: %d instruments, %s quoted", len(ins), ins[0].Symbol)
	return nil
}
