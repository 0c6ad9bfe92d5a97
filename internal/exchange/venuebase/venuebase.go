// Package venuebase is what every venue adapter keeps of its profile: the
// venue's and the profile's names, the secret store, the HTTP client,
// clock and logger, and the REST client built on them. An adapter embeds
// Base, so its constructor sets only what is its own, and Base answers
// the parts of exchange.Exchange that are the same for every adapter.
package venuebase

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuehttp"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
)

// Base holds the parts of a profile every adapter uses the same way.
type Base struct {
	// Venue is the adapter's registered name, what Name answers.
	Venue string
	// Profile names the profile in logs and errors.
	Profile string
	// Secret resolves a credential by name; nil when the caller gave no
	// store. Adapters read it on the first signed call, never earlier.
	Secret func(ctx context.Context, name string) (string, error)
	// HTTP is the profile's HTTP client (timeouts, proxies, test
	// transports) as given, nil included: a WebSocket handshake uses it
	// as it is.
	HTTP *http.Client
	// Now and Log are never nil: New puts the real clock and a discarding
	// logger where the caller gave none. Tests may pin Now after New.
	Now func() time.Time
	Log *slog.Logger
	// Rest is the adapter's REST client; the adapter builds it, since it
	// needs the adapter's signing and error decoding.
	Rest *venuehttp.Client
}

// New reads the Base of a profile of venue. It does no I/O.
func New(venue string, p exchange.Params) Base {
	b := Base{Venue: venue, Profile: p.Profile, Secret: p.Secret, HTTP: p.HTTPClient}
	b.Now, b.Log = venuehttp.ClockAndLog(p)
	return b
}

// Name implements exchange.Exchange.
func (b *Base) Name() string { return b.Venue }

// Close implements exchange.Exchange. An adapter's connections belong to
// the profile's shared HTTP client and transport, and whatever else it
// holds (file locks, stream connections) lives only as long as one call,
// so there is nothing of its own to release.
func (b *Base) Close() error { return nil }

// HasKeyPair reports whether the profile's secret store holds an api_key
// and an api_secret, neither blank. A venue's setup checks skip what needs
// a key without one and leave saying why to the caller's secret checks.
func (b *Base) HasKeyPair(ctx context.Context) bool {
	return venuehttp.HasSecrets(ctx, b.Secret, "api_key", "api_secret")
}

// NoOrderStream is the error for an order stream asked of a profile
// without one; key is the option that would name its endpoint.
func (b *Base) NoOrderStream(key string) error {
	return &exchange.Error{Kind: exchange.ErrUnavailable, Venue: b.Venue,
		Message: fmt.Sprintf("profile %q has no order stream (set %s)", b.Profile, key)}
}

// Endpoint is a stream of this profile at url, dialed with the profile's
// HTTP client and logged under its names.
func (b *Base) Endpoint(url string) venuews.Endpoint {
	return venuews.Endpoint{Venue: b.Venue, Profile: b.Profile, URL: url, HTTPClient: b.HTTP, Log: b.Log}
}
