package configcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/atomicfile"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/xdg"
)

// InitOptions is a parsed `config init`. Empty strings are "not given":
// on a terminal they are asked for, elsewhere they take their defaults.
type InitOptions struct {
	// What the command works with.
	IO       *iostreams.IOStreams
	Getenv   func(string) string
	Now      func() time.Time
	Dirs     func() (xdg.Dirs, error)
	Registry *exchange.Registry
	// ConfigPath, Output and JQ are the global --config, -o and --jq as
	// given: init reads no configuration, it writes the first one.
	ConfigPath string
	Output     string
	JQ         string

	Exchange      string
	ProfileName   string
	BaseURL       string
	APIKeyEnv     string
	APISecretEnv  string
	APISecretFile string
	// Sandbox is the venue's test network (Binance, Coinbase) or paper
	// account (Alpaca); SandboxSet says whether --sandbox was given.
	Sandbox    bool
	SandboxSet bool
	// MakeDefault makes the new profile the default_profile.
	MakeDefault    bool
	MakeDefaultSet bool
	Force          bool
}

// InitResult is what `config init -o json` prints: where the file went
// and what it holds. Never a secret: init never asks for one.
type InitResult struct {
	Path           string `json:"path"`
	Profile        string `json:"profile"`
	Exchange       string `json:"exchange"`
	DefaultProfile string `json:"default_profile"`
	// Backup is where the replaced file was kept (--force), else empty.
	Backup string `json:"backup,omitempty"`
	// SecretFile is where `config set-secret` stores the profile's API
	// secret when the profile reads it from a file.
	SecretFile string `json:"secret_file,omitempty"`
}

// sandboxKey is the profile key that keeps a venue off real money, for
// the venues that have one.
func sandboxKey(venue string) string {
	switch venue {
	case "binance", "coinbase":
		return "sandbox"
	case "alpaca":
		return "paper"
	}
	return ""
}

// NewCmdInit builds `tradectl config init`.
func NewCmdInit(f *cmdutil.Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{
		IO:       f.IOStreams,
		Getenv:   f.Getenv,
		Now:      f.Now,
		Dirs:     f.Dirs,
		Registry: f.Registry,
	}
	cmd := &cobra.Command{
		Use:   "init [--exchange NAME] [--profile-name NAME] [flags]",
		Short: "Write a commented configuration file to start from",
		Long: heredoc.Doc(`
			Write a configuration file at the configuration path (see tradectl config
			path), with a comment explaining every key. It always has the paper profile;
			with --exchange it also has a profile for that venue: its endpoint (the
			venue's test network or paper account unless --sandbox=false), the names of
			the environment variables or files its credentials come from, and the safety
			limits, commented out, ready to switch on.

			On a terminal it asks for what the flags do not say, offering defaults (Enter
			takes them). Without a terminal it uses the flags and the defaults. It never
			asks for, nor writes, a secret: store one with tradectl config set-secret,
			which the file already points at.

			The file is written with mode 0600 (in a 0700 directory when tradectl
			creates it). An existing file is kept unless --force is given, which keeps
			the old one as config.yaml.bak.
		`),
		Example: heredoc.Doc(`
			# the paper profile only: a file to read and adjust
			$ tradectl config init

			# a Binance testnet profile "live": the key from BINANCE_API_KEY, the secret from
			# a private file (--force: replace the file above, kept as config.yaml.bak)
			$ tradectl config init --exchange binance --profile-name live --force
			$ tradectl config show --profile live
		`),
		Args:              cobra.NoArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		// Writing the first file must not depend on reading one: a broken
		// file is what --force is for.
		Annotations: map[string]string{"tradectl/no-config": "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ConfigPath, opts.Output, opts.JQ = f.Globals.ConfigPath, f.Globals.Output, f.Globals.JQ
			opts.SandboxSet = cmd.Flags().Changed("sandbox")
			opts.MakeDefaultSet = cmd.Flags().Changed("default")
			if opts.APISecretEnv != "" && opts.APISecretFile != "" {
				return cmdutil.Usagef("give --api-secret-env or --api-secret-file, not both: a secret has one source")
			}
			if runF != nil {
				return runF(opts)
			}
			return initRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Exchange, "exchange", "", "exchange of the new profile: "+strings.Join(opts.Registry.Names(), ", ")+" (default paper)")
	fl.StringVar(&opts.ProfileName, "profile-name", "", "name of the new profile (default: the exchange's name)")
	fl.StringVar(&opts.BaseURL, "base-url", "", "the venue's API root, when not its default")
	fl.BoolVar(&opts.Sandbox, "sandbox", true, "use the venue's test network (Binance, Coinbase) or paper account (Alpaca)")
	fl.StringVar(&opts.APIKeyEnv, "api-key-env", "", "environment variable holding the API key (default EXCHANGE_API_KEY)")
	fl.StringVar(&opts.APISecretEnv, "api-secret-env", "", "environment variable holding the API secret")
	fl.StringVar(&opts.APISecretFile, "api-secret-file", "", "file holding the API secret (default: where config set-secret stores it)")
	fl.BoolVar(&opts.MakeDefault, "default", false, "make the new profile the default_profile (default: paper stays the default)")
	fl.BoolVar(&opts.Force, "force", false, "replace an existing file (kept as config.yaml.bak)")
	_ = cmd.RegisterFlagCompletionFunc("exchange", completion.Exchanges(f.CompletionSource()))
	return cmd
}

// initPlan is what the file will say, once flags and answers are in.
type initPlan struct {
	exchange, profile, baseURL string
	sandbox                    bool
	keyEnv                     string
	secretEnv, secretFile      string
	makeDefault                bool
}

func initRun(ctx context.Context, o *InitOptions) error {
	dirs, err := o.Dirs()
	if err != nil {
		return err
	}
	path, ownDir := initPath(o, dirs.ConfigFile())
	if _, err := os.Stat(path); err == nil && !o.Force {
		return cmdutil.Usagef("%s already exists; tradectl config init --force replaces it (keeping it as %s)", path, filepath.Base(path)+".bak")
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &cmdutil.SetupError{Err: fmt.Errorf("cannot read %s: %w", path, err)}
	}

	var plan initPlan
	if o.IO.CanPrompt() {
		plan, err = askPlan(ctx, o, newPrompter(o.IO.In, o.IO.ErrOut), dirs.ConfigDir())
	} else {
		plan, err = flagPlan(o, dirs.ConfigDir())
	}
	if err != nil {
		return err
	}
	venue, _ := o.Registry.Lookup(plan.exchange)
	text := renderConfig(plan, venue)

	res := InitResult{Path: path, Profile: plan.profile, Exchange: plan.exchange, DefaultProfile: config.BuiltinProfile, SecretFile: plan.secretFile}
	if plan.makeDefault {
		res.DefaultProfile = plan.profile
	}
	if res.Backup, err = writeConfigFile(path, ownDir, text); err != nil {
		return &cmdutil.SetupError{Err: err}
	}

	w := o.IO.ErrOut
	fmt.Fprintf(w, "Wrote %s (mode 0600).\n", path)
	if res.Backup != "" {
		fmt.Fprintf(w, "The previous file is kept as %s.\n", res.Backup)
	}
	fmt.Fprint(w, nextSteps(plan))

	// The printer is built without the configuration, as `version` does:
	// whatever the new file says, the result is printed as asked.
	format := o.Output
	if format == "" {
		format = o.Getenv(config.EnvOutput)
	}
	printer, err := render.NewPrinter(o.IO, format, o.JQ, o.Now)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	if printer.Format.Machine() {
		return printer.Print(res, nil)
	}
	return nil
}

// initPath is where init writes: --config, else TRADECTL_CONFIG, else the
// default path. ownDir says whether the directory is tradectl's own, which
// init may make private; a directory someone else named is left as it is.
func initPath(o *InitOptions, defaultPath string) (path string, ownDir bool) {
	if p := o.ConfigPath; p != "" {
		return p, false
	}
	if p := o.Getenv(config.EnvConfig); p != "" {
		return p, false
	}
	return defaultPath, true
}

// flagPlan is the plan without a terminal: flags, else defaults.
func flagPlan(o *InitOptions, configDir string) (initPlan, error) {
	reg := o.Registry
	p := initPlan{exchange: cmpOr(o.Exchange, "paper")}
	venue, ok := reg.Lookup(p.exchange)
	if !ok {
		return p, cmdutil.Usagef("--exchange %q: use one of %s", p.exchange, strings.Join(reg.Names(), ", "))
	}
	p.profile = cmpOr(o.ProfileName, p.exchange)
	if !validProfileName(p.profile) {
		return p, cmdutil.Usagef("--profile-name %q is not valid: use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", p.profile)
	}
	if p.profile == config.BuiltinProfile && p.exchange != "paper" {
		return p, cmdutil.Usagef("--profile-name %s: that name is the paper exchange's profile; choose another, such as %s", p.profile, p.exchange)
	}
	if venue.Simulated {
		// A simulated venue trades no real money: no endpoint, no keys.
		for flag, given := range map[string]bool{"--base-url": o.BaseURL != "", "--sandbox": o.SandboxSet,
			"--api-key-env": o.APIKeyEnv != "", "--api-secret-env": o.APISecretEnv != "", "--api-secret-file": o.APISecretFile != ""} {
			if given {
				return p, cmdutil.Usagef("%s: %s is simulated: it has no endpoint or credentials", flag, p.exchange)
			}
		}
	}
	if o.SandboxSet && sandboxKey(p.exchange) == "" {
		return p, cmdutil.Usagef("--sandbox: %s has no test network; its dry runs are checked by the venue without trading", p.exchange)
	}
	p.baseURL = o.BaseURL
	p.sandbox = o.Sandbox
	p.makeDefault = o.MakeDefault && p.profile != config.BuiltinProfile
	if len(venue.Credentials) == 0 {
		return p, nil
	}
	p.keyEnv = cmpOr(o.APIKeyEnv, defaultKeyEnv(p.exchange))
	if !validEnvName(p.keyEnv) {
		return p, cmdutil.Usagef("--api-key-env %q: give the name of an environment variable, such as %s", p.keyEnv, defaultKeyEnv(p.exchange))
	}
	switch {
	case o.APISecretEnv != "":
		if !validEnvName(o.APISecretEnv) {
			return p, cmdutil.Usagef("--api-secret-env %q: give the name of an environment variable, such as %s", o.APISecretEnv, strings.ToUpper(p.exchange)+"_API_SECRET")
		}
		p.secretEnv = o.APISecretEnv
	case o.APISecretFile != "":
		abs, err := filepath.Abs(expandHome(o.APISecretFile, o.Getenv("HOME")))
		if err != nil {
			return p, cmdutil.Usagef("--api-secret-file %q: %v", o.APISecretFile, err)
		}
		p.secretFile = abs
	default:
		p.secretFile = filepath.Join(configDir, SecretsDirName, p.profile+".api_secret")
	}
	return p, nil
}

// askPlan asks for what the flags leave open, each question with its
// default, and checks each answer as flagPlan checks the flags.
func askPlan(ctx context.Context, o *InitOptions, q *prompter, configDir string) (initPlan, error) {
	reg := o.Registry
	a := *o // answers, starting from the flags
	if a.Exchange == "" {
		ans, err := q.askValid(ctx, "Exchange ("+strings.Join(reg.Names(), ", ")+")", "paper", func(s string) string {
			if _, ok := reg.Lookup(s); !ok {
				return "use one of " + strings.Join(reg.Names(), ", ")
			}
			return ""
		})
		if err != nil {
			return initPlan{}, err
		}
		a.Exchange = ans
	}
	if _, ok := reg.Lookup(a.Exchange); !ok {
		return initPlan{}, cmdutil.Usagef("--exchange %q: use one of %s", a.Exchange, strings.Join(reg.Names(), ", "))
	}
	venue, _ := reg.Lookup(a.Exchange)
	if a.ProfileName == "" {
		ans, err := q.askValid(ctx, "Profile name", a.Exchange, func(s string) string {
			if !validProfileName(s) {
				return "use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
			}
			return ""
		})
		if err != nil {
			return initPlan{}, err
		}
		a.ProfileName = ans
	}
	if venue.Simulated {
		return flagPlan(&a, configDir)
	}
	if key := sandboxKey(a.Exchange); key != "" && !a.SandboxSet {
		question := "Use the " + a.Exchange + " test network (no real money)?"
		if key == "paper" {
			question = "Use an Alpaca paper trading account (no real money)?"
		}
		yes, err := q.askYesNo(ctx, question, true)
		if err != nil {
			return initPlan{}, err
		}
		a.Sandbox, a.SandboxSet = yes, true
	}
	if a.BaseURL == "" {
		ans, err := q.ask(ctx, "API base URL (Enter: the venue's own)", "")
		if err != nil {
			return initPlan{}, err
		}
		a.BaseURL = ans
	}
	if len(venue.Credentials) > 0 {
		if a.APIKeyEnv == "" {
			ans, err := q.askValid(ctx, "Environment variable that will hold the API key", defaultKeyEnv(a.Exchange), envProblem)
			if err != nil {
				return initPlan{}, err
			}
			a.APIKeyEnv = ans
		}
		if a.APISecretEnv == "" && a.APISecretFile == "" {
			def := filepath.Join(configDir, SecretsDirName, a.ProfileName+".api_secret")
			fmt.Fprintln(q.w, "The API secret is read from a file only you can read (tradectl config set-secret")
			fmt.Fprintln(q.w, "stores it there) or from an environment variable. Give a path or a variable name.")
			ans, err := q.askValid(ctx, "API secret source", def, func(s string) string {
				if strings.ContainsAny(s, `/\~`) || validEnvName(s) {
					return ""
				}
				return "give a file path or the name of an environment variable"
			})
			if err != nil {
				return initPlan{}, err
			}
			if validEnvName(ans) {
				a.APISecretEnv = ans
			} else {
				a.APISecretFile = ans
			}
		}
	}
	if !a.MakeDefaultSet {
		yes, err := q.askYesNo(ctx, "Make "+a.ProfileName+" the default profile (else paper stays the default)?", false)
		if err != nil {
			return initPlan{}, err
		}
		a.MakeDefault = yes
	}
	return flagPlan(&a, configDir)
}

func envProblem(s string) string {
	if validEnvName(s) {
		return ""
	}
	return "give the name of an environment variable: letters, digits and _"
}

func defaultKeyEnv(exchange string) string { return strings.ToUpper(exchange) + "_API_KEY" }

func expandHome(p, home string) string {
	if home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(home, p[1:])
	}
	return p
}

// validEnvName follows the config file's rule for _env values.
func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || (i > 0 && '0' <= r && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// keyDoc explains one venue key in the written file: what it does and an
// example value for its commented-out line.
type keyDoc struct{ example, what string }

// venueKeyDocs describes the venue keys init writes as comments. A key a
// venue gains later without an entry here is still listed, pointing at the
// README, so the file never hides a key.
func venueKeyDocs(exchange string) map[string]keyDoc {
	base := map[string]string{
		"binance":  "https://api.binance.com",
		"kraken":   "https://api.kraken.com",
		"coinbase": "https://api.coinbase.com",
		"alpaca":   "https://paper-api.alpaca.markets",
	}[exchange]
	stream := map[string]string{
		"binance":  "wss://stream.binance.com:9443",
		"kraken":   "wss://ws.kraken.com/v2",
		"coinbase": "wss://advanced-trade-ws.coinbase.com",
	}[exchange]
	return map[string]keyDoc{
		"seed":                 {"1", "price path; the same seed gives the same prices"},
		"starting_balances":    {"{USD: 100000}", "the account a new or reset profile starts with"},
		"maker_fee_pct":        {"0.10", "percent of value charged to resting fills"},
		"taker_fee_pct":        {"0.10", "percent of value charged to taking fills"},
		"tick_interval":        {"1s", "how often the quote stream ticks"},
		"db_path":              {exchange + ".db", "the account's SQLite file (relative: in the data directory)"},
		"base_url":             {base, "the API root, only to point somewhere else"},
		"instruments_ttl":      {"1h", "how long instrument rules are cached on disk (0: no disk cache)"},
		"recv_window":          {"5000", "milliseconds a signed request stays valid"},
		"key_type":             {"hmac", "hmac or ed25519, the kind of API key"},
		"sync_clock":           {"false", "true: correct for this machine's clock skew"},
		"ws_url":               {stream, "the market data stream"},
		"ws_auth_url":          {"wss://ws-auth.kraken.com/v2", "the authenticated stream of order and fill events"},
		"ws_user_url":          {"wss://advanced-trade-ws-user.coinbase.com", "the user channel: order and fill events"},
		"stream_url":           {"wss://paper-api.alpaca.markets/stream", "the trading stream (trade_updates); default: on base_url's host"},
		"nonce_file":           {"/path/to/kraken.nonce", "where the key's last nonce is kept"},
		"rate_tier":            {"starter", "starter, intermediate or pro: your account's rate limits"},
		"nonce_window":         {"0", "the key's nonce window as set at Kraken; above 0, independent signed calls go together"},
		"data_url":             {"https://data.alpaca.markets", "the Market Data API"},
		"feed":                 {"iex", "iex (free) or sip (needs a data subscription)"},
		"extended_hours":       {"false", "true: limit day stock orders may fill outside regular hours"},
		"price_source":         {"binance", "binance, coinbase, kraken or alpaca"},
		"price_source_url":     {"https://api.binance.com", "the source's base_url, if not its default"},
		"price_source_options": {"{ws_url: wss://…}", "further keys of the source venue"},
	}
}

// safetyDocs are the safety keys as init writes them, commented out.
func safetyDocs() []struct{ key, example, what string } {
	return []struct{ key, example, what string }{
		{config.SafetyMaxOrderNotional, "1000", "one order's value, in its quote currency"},
		{config.SafetyMaxOrderQty, "0.1", "one order's quantity, in the base asset"},
		{config.SafetyMaxOpenOrders, "5", "working orders the account may have"},
		{config.SafetyAllowedSymbols, "[BTC-USDT, ETH-USDT]", "the only symbols that may be traded"},
		{config.SafetyPriceBandPct, "5", "a limit price at most this % from the mid"},
		{config.SafetyMaxDailyLoss, "200", "today's (UTC) realised loss that stops new orders"},
		{config.SafetyMaxSlippagePct, "0.5", "default --max-slippage of market orders"},
	}
}

// renderConfig writes the file: every key with a comment saying what it
// does; the ones init does not set are commented out with an example.
func renderConfig(p initPlan, venue exchange.Venue) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("# tradectl configuration, written by `tradectl config init`.")
	line("#")
	line("# tradectl reads this file strictly: an unknown key or a bad value is an error")
	line("# naming its line. `tradectl config show` prints what tradectl makes of it,")
	line("# `tradectl doctor` checks that every profile works. The README's")
	line("# \"Configuration keys\" section describes every key.")
	line("")
	defaultProfile := config.BuiltinProfile
	if p.makeDefault {
		defaultProfile = p.profile
	}
	line("# The profile a command uses when neither --profile nor TRADECTL_PROFILE names one.")
	line("default_profile: %s", defaultProfile)
	line("")
	line("# Output when -o is not given: table, json, ndjson or csv (env TRADECTL_OUTPUT).")
	line("output: %s", config.DefaultOutput)
	line("")
	line("# Every command's deadline; 0 means none (env TRADECTL_TIMEOUT). watch, order")
	line("# watch, dashboard --refresh and --wait are bounded only by an explicit --timeout.")
	line("timeout: %s", config.DefaultTimeout)
	line("")
	line("# Colour: auto (on a terminal, unless NO_COLOR is set), always or never.")
	line("color: %s", config.DefaultColor)
	line("")
	line("# tradectl mcp (AI agents over the Model Context Protocol): true lets its clients")
	line("# place and cancel orders on live profiles, each order with the call's own")
	line("# confirm: true. false: paper only (dry runs are always allowed).")
	line("mcp:")
	line("  allow_live_orders: false")
	line("")
	line("profiles:")
	line("  # The embedded paper exchange: simulated prices, an account in a local SQLite")
	line("  # file, 100000 USD to start. No keys, no network; orders are never confirmed.")
	line("  %s:", config.BuiltinProfile)
	line("    exchange: paper")
	if p.exchange == "paper" && p.profile != config.BuiltinProfile {
		line("")
		line("  # A second paper account, with its own database and settings.")
		line("  %s:", p.profile)
		line("    exchange: paper")
	}
	if p.exchange == "paper" {
		paperVenueKeys(&b, venue)
		return b.String()
	}

	line("")
	line("  # %s.", venue.Summary)
	line("  %s:", p.profile)
	line("    exchange: %s", p.exchange)
	docs := venueKeyDocs(p.exchange)
	sk := sandboxKey(p.exchange)
	if sk != "" {
		if sk == "paper" {
			line("    # true: Alpaca's paper trading account (its own keys); false trades real money.")
		} else {
			line("    # true: the venue's test network (its own keys); false trades real money.")
		}
		line("    %s: %t", sk, p.sandbox)
	}
	if p.baseURL != "" {
		line("    # %s", docs["base_url"].what)
		line("    base_url: %s", strconv.Quote(p.baseURL))
	}
	for _, key := range venue.Keys {
		if key == sk || (key == "base_url" && p.baseURL != "") {
			continue
		}
		d, ok := docs[key]
		if !ok {
			line("    # %s: (see the README)", key)
			continue
		}
		line("    %s", commented(key, d.example, d.what))
	}
	if len(venue.Credentials) > 0 {
		line("    # Credentials: never written here. The key comes from the environment of")
		line("    # every run; the secret from where the next line says.")
		line("    api_key_env: %s", p.keyEnv)
		if p.secretEnv != "" {
			line("    api_secret_env: %s", p.secretEnv)
		} else {
			line("    # Store it with: tradectl config set-secret %s   (reads stdin, mode 0600)", p.profile)
			line("    api_secret_file: %s", strconv.Quote(p.secretFile))
		}
	}
	line("    # Safety: before every order is sent. On a terminal each order is shown and")
	line("    # sent on y; elsewhere it needs --yes, or confirm: false.")
	line("    confirm: true")
	line("    # Limits, off until uncommented; a value of 0 or less is an error.")
	for _, s := range safetyDocs() {
		line("    %s", commented(s.key, s.example, s.what))
	}
	return b.String()
}

// commented is a key's commented-out line, its explanation aligned with
// the others'.
func commented(key, example, what string) string {
	return fmt.Sprintf("%-40s # %s", "# "+key+": "+example, what)
}

// paperVenueKeys lists the paper exchange's own keys, commented out, under
// the last paper profile written. The price source keys replace the
// simulated market (and its seed), so they are shown as an alternative,
// indented, rather than as one more setting to uncomment.
func paperVenueKeys(b *strings.Builder, venue exchange.Venue) {
	docs := venueKeyDocs("paper")
	var source []string
	fmt.Fprintln(b, "    # Settings, with their defaults:")
	for _, key := range venue.Keys {
		if strings.HasPrefix(key, "price_source") {
			source = append(source, key)
			continue
		}
		d, ok := docs[key]
		if !ok {
			fmt.Fprintf(b, "    # %s: (see the README)\n", key)
			continue
		}
		fmt.Fprintf(b, "    %s\n", commented(key, d.example, d.what))
	}
	if len(source) == 0 {
		return
	}
	fmt.Fprintln(b, "    # Or prices from a real venue's public market data instead of the")
	fmt.Fprintln(b, "    # simulation (orders stay simulated; seed does not apply):")
	for _, key := range source {
		d, ok := docs[key]
		if !ok {
			fmt.Fprintf(b, "    #   %s: (see the README)\n", key)
			continue
		}
		fmt.Fprintf(b, "    %s\n", fmt.Sprintf("%-40s # %s", "#   "+key+": "+d.example, d.what))
	}
}

// nextSteps says what to do after init, on stderr.
func nextSteps(p initPlan) string {
	var b strings.Builder
	b.WriteString("Next:\n")
	if p.exchange == "paper" {
		b.WriteString("  tradectl config show        # what tradectl makes of it\n")
		fmt.Fprintf(&b, "  tradectl --profile %s balance\n", p.profile)
		return b.String()
	}
	if p.keyEnv != "" {
		fmt.Fprintf(&b, "  %-40s # the API key, in the environment of every run (cron too)\n", "export "+p.keyEnv+"=…")
	}
	switch {
	case p.secretFile != "":
		fmt.Fprintf(&b, "  %-40s # the API secret, typed without echo\n", "tradectl config set-secret "+p.profile)
	case p.secretEnv != "":
		fmt.Fprintf(&b, "  %-40s # the API secret\n", "export "+p.secretEnv+"=…")
	}
	fmt.Fprintf(&b, "  %-40s # check the keys and the venue\n", "tradectl doctor --profile "+p.profile)
	return b.String()
}

// writeConfigFile writes text to path atomically with mode 0600. A missing
// directory is created 0700, and tradectl's own directory is made 0700.
// An existing file is kept as path.bak; the backup's path is returned.
func writeConfigFile(path string, ownDir bool, text string) (backup string, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	if ownDir {
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", fmt.Errorf("chmod %s: %w", dir, err)
		}
	}
	if _, err := os.Lstat(path); err == nil {
		backup = path + ".bak"
		if err := copyFile(path, backup); err != nil {
			return "", err
		}
	}
	if err := atomicfile.Write(path, []byte(text), 0o600, true); err != nil {
		return "", err
	}
	return backup, nil
}

// copyFile keeps the replaced config, private like the original.
func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("keep the old file: %w", err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		return fmt.Errorf("keep the old file: %w", err)
	}
	return os.Chmod(to, 0o600)
}

// prompter asks questions on w and reads answers from r, a line each.
// A line is read on its own goroutine so Ctrl-C (which cancels ctx) ends
// a question without waiting for Enter.
type prompter struct {
	w       io.Writer
	r       io.Reader
	pending chan lineResult // the line being read, if any
}

type lineResult struct {
	line string
	err  error
}

func newPrompter(r io.Reader, w io.Writer) *prompter {
	return &prompter{w: w, r: r}
}

// readLine reads up to a newline a byte at a time: nothing beyond the
// answer is taken from stdin.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	var c [1]byte
	for {
		n, err := r.Read(c[:])
		if n == 1 {
			if c[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(c[0])
			if b.Len() > 4096 {
				return "", errors.New("answer too long")
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) && b.Len() > 0 {
				return b.String(), nil
			}
			return "", err
		}
	}
}

func (p *prompter) read(ctx context.Context) (string, error) {
	if p.pending == nil {
		// Buffered: the reader never blocks on sending, even when nobody
		// waits for its line any more.
		ch := make(chan lineResult, 1)
		go func() {
			line, err := readLine(p.r)
			ch <- lineResult{strings.TrimSpace(line), err}
		}()
		p.pending = ch
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(p.w)
		return "", ctx.Err()
	case r := <-p.pending:
		p.pending = nil
		if r.err != nil {
			return "", cmdutil.Usagef("no answer on stdin; without a terminal, give flags instead (see tradectl config init --help)")
		}
		return r.line, nil
	}
}

// ask asks once; an empty answer takes def.
func (p *prompter) ask(ctx context.Context, question, def string) (string, error) {
	if def != "" {
		fmt.Fprintf(p.w, "%s [%s]: ", question, def)
	} else {
		fmt.Fprintf(p.w, "%s: ", question)
	}
	ans, err := p.read(ctx)
	if err != nil {
		return "", err
	}
	return cmpOr(ans, def), nil
}

// askValid asks until problem finds nothing wrong with the answer, three
// times at most.
func (p *prompter) askValid(ctx context.Context, question, def string, problem func(string) string) (string, error) {
	for range 3 {
		ans, err := p.ask(ctx, question, def)
		if err != nil {
			return "", err
		}
		msg := problem(ans)
		if msg == "" {
			return ans, nil
		}
		fmt.Fprintf(p.w, "  %q: %s\n", ans, msg)
	}
	return "", cmdutil.Usagef("no valid answer to %q", question)
}

// askYesNo asks a yes/no question; Enter takes def.
func (p *prompter) askYesNo(ctx context.Context, question string, def bool) (bool, error) {
	hint := "y/N"
	if def {
		hint = "Y/n"
	}
	for range 3 {
		fmt.Fprintf(p.w, "%s [%s]: ", question, hint)
		ans, err := p.read(ctx)
		if err != nil {
			return false, err
		}
		switch strings.ToLower(ans) {
		case "":
			return def, nil
		case "y", "yes":
			return true, nil
		case "n", "no":
			return false, nil
		}
		fmt.Fprintln(p.w, "  answer y or n")
	}
	return false, cmdutil.Usagef("no valid answer to %q", question)
}
