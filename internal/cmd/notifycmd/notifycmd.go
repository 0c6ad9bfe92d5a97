// Package notifycmd is the notification flags that watch, order create,
// order amend, positions close and events share: --notify, --webhook, --desktop-notify and
// --notify-on, merged over the profile's notify: defaults into one
// notify.Dispatcher per run.
package notifycmd

import (
	"fmt"
	"log/slog"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/notify"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/trade"
)

// Flags are the parsed notification flags of one command.
type Flags struct {
	Command string
	// Webhook is the URL given to --webhook: a secret, never printed.
	Webhook string
	Desktop bool
	On      []notify.Kind

	// Which flags were given: a given flag overrides the profile's
	// default, even to switch it off (--desktop-notify=false).
	commandSet, webhookSet, desktopSet, onSet bool
}

// Deps is what opening a dispatcher needs, copied from the Factory into a
// command's Options.
type Deps struct {
	IO         *iostreams.IOStreams
	Getenv     func(string) string
	HTTPClient func() *http.Client
	Logger     func() *slog.Logger
	// LookPath finds the desktop notifier (nil: exec.LookPath); GOOS is
	// the platform ("": runtime.GOOS).
	LookPath func(string) (string, error)
	GOOS     string
}

// NewDeps copies what the flags need from the Factory.
func NewDeps(f *cmdutil.Factory) Deps {
	return Deps{IO: f.IOStreams, Getenv: f.Getenv, HTTPClient: f.HTTPClient, Logger: f.Logger}
}

// raw holds the flag values until Parse checks them.
type raw struct {
	command, webhook string
	desktop          bool
	on               []string
}

// Binding ties the flags registered on a command to their parsing.
type Binding struct {
	raw raw
}

// AddFlags registers the notification flags on cmd.
func AddFlags(cmd *cobra.Command) *Binding {
	b := &Binding{}
	fl := cmd.Flags()
	fl.StringVar(&b.raw.command, "notify", "", "run this shell command for each event, the event's JSON on stdin and in TRADECTL_EVENT_* variables (default: the profile's notify.command)")
	fl.StringVar(&b.raw.webhook, "webhook", "", "POST each event's JSON to this URL, retried on 429, 5xx and network errors; a secret, never printed (default: the profile's notify.webhook_url_env/_file)")
	fl.BoolVar(&b.raw.desktop, "desktop-notify", false, "show each event as a desktop notification (notify-send on Linux, osascript on macOS)")
	fl.StringSliceVar(&b.raw.on, "notify-on", nil, "notify only of these event kinds, comma-separated: "+strings.Join(notify.KindNames(), ", ")+" (default: the profile's notify.on, else all)")
	cmdutil.RegisterEnumCompletion(cmd, "notify-on", notify.KindNames())
	return b
}

// Parse checks the flags; every mistake is a usage error (exit 2) that
// never quotes the webhook URL.
func (b *Binding) Parse(cmd *cobra.Command) (Flags, error) {
	fl := cmd.Flags()
	f := Flags{
		Command: b.raw.command, Webhook: strings.TrimSpace(b.raw.webhook), Desktop: b.raw.desktop,
		commandSet: fl.Changed("notify"), webhookSet: fl.Changed("webhook"),
		desktopSet: fl.Changed("desktop-notify"), onSet: fl.Changed("notify-on"),
	}
	if f.commandSet && strings.TrimSpace(f.Command) == "" {
		return f, cmdutil.Usagef("--notify needs a shell command")
	}
	if f.webhookSet {
		if _, err := notify.ParseWebhookURL(f.Webhook); err != nil {
			return f, cmdutil.Usagef("--webhook: %v", err)
		}
	}
	if f.onSet {
		if len(b.raw.on) == 0 {
			return f, cmdutil.Usagef("--notify-on needs at least one event kind: %s", strings.Join(notify.KindNames(), ", "))
		}
		kinds, err := notify.ParseKinds(b.raw.on)
		if err != nil {
			return f, cmdutil.Usagef("--notify-on: %v", err)
		}
		f.On = kinds
	}
	return f, nil
}

// Open builds the run's dispatcher from the flags over the profile's
// notify: defaults. It returns nil (which accepts events and does
// nothing) when nobody is to be notified. A webhook URL the profile
// cannot resolve is an error: a cron job that was meant to report must
// not run silent. A missing desktop notifier is one warning, not an error.
func (f Flags) Open(d Deps, prof config.Profile) (*notify.Dispatcher, error) {
	def := prof.Notify
	command := def.Command
	if f.commandSet {
		command = f.Command
	}
	desktop := def.Desktop
	if f.desktopSet {
		desktop = f.Desktop
	}
	on := def.On
	if f.onSet {
		on = f.On
	}
	webhook := f.Webhook
	if !f.webhookSet {
		var err error
		if webhook, err = def.WebhookURL(prof.Name, d.Getenv); err != nil {
			return nil, err
		}
		if webhook != "" {
			if _, err := notify.ParseWebhookURL(webhook); err != nil {
				return nil, &config.Error{Msg: fmt.Sprintf("profile %q: notify: %s: %v", prof.Name, def.Webhook.Kind+":"+def.Webhook.Value, err)}
			}
		}
	}

	log := slog.New(slog.DiscardHandler)
	if d.Logger != nil {
		log = d.Logger()
	}
	var ns []notify.Notifier
	if strings.TrimSpace(command) != "" {
		// The command's own output is not passed through: stderr may be
		// JSON lines only (-o json), and stdout is data. A failure's
		// warning carries the end of its stderr.
		ns = append(ns, &notify.Command{Line: command})
	}
	if webhook != "" {
		var client *http.Client
		if d.HTTPClient != nil {
			client = d.HTTPClient()
		}
		w, err := notify.NewWebhook(webhook, client)
		if err != nil {
			return nil, cmdutil.Usagef("webhook: %v", err)
		}
		ns = append(ns, w)
	}
	if desktop {
		lookPath, goos := d.LookPath, d.GOOS
		if lookPath == nil {
			lookPath = exec.LookPath
		}
		if goos == "" {
			goos = runtime.GOOS
		}
		dn, err := notify.NewDesktop(goos, lookPath)
		if err != nil {
			log.Warn(fmt.Sprintf("desktop notifications are off: %v", err))
		} else {
			ns = append(ns, dn)
		}
	}
	return notify.New(notify.Options{Notifiers: ns, On: on, Log: log}), nil
}

// Refusal is the risk_refused event of an order (or an amended order)
// refused by the risk limits or the slippage guard.
func Refusal(at time.Time, command, profile, venue string, req trade.OrderRequest, limits []string, err error) notify.Event {
	reason := ""
	if err != nil {
		reason = err.Error()
	}
	return notify.Event{
		Kind: notify.KindRiskRefused, Time: trade.JSONTime(at.UTC()), Command: command,
		Profile: profile, Venue: venue, Symbol: req.Symbol.String(),
		Message: fmt.Sprintf("%s refused: %s", describeRequest(req), reason),
		Refusal: &notify.Refusal{Limits: limits, Reason: reason, Request: &req},
	}
}

// describeRequest is an order in a few words: "buy 0.1 BTC-USD limit 100000".
func describeRequest(r trade.OrderRequest) string {
	s := fmt.Sprintf("%s %s %s %s", r.Side, r.Qty, r.Symbol, r.Type)
	if r.QuoteSized() {
		s = fmt.Sprintf("%s %s %s of %s %s", r.Side, r.QuoteQty.Decimal, r.Symbol.Quote, r.Symbol, r.Type)
	}
	if r.Price.Valid {
		s += " " + r.Price.Decimal.String()
	}
	return s
}

// RefusalNotifier is the orderplan.Deps.Refused of a command: the plan's
// risk refusals become risk_refused notifications. nil when d does not
// want them, so the plan does no work for nobody.
func RefusalNotifier(d *notify.Dispatcher, now func() time.Time, command, venue string) func(orderplan.Refusal) {
	if !d.Wants(notify.KindRiskRefused) {
		return nil
	}
	return func(r orderplan.Refusal) {
		d.Send(Refusal(now(), command, r.Profile, venue, r.Request, r.Limits, r.Err))
	}
}
