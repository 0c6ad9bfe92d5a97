package venuehttp

import (
	"context"
	"fmt"
	"sync"

	"github.com/tradectl/tradectl/internal/exchange"
)

// Credentials keeps a profile's credentials once they have been read and
// checked. Adapters resolve them on the first call that signs, so public
// calls (quotes, instruments) never ask the secret store; later calls
// reuse them. A failed resolve is not kept: a call after the profile's
// secret store is fixed tries again. The zero value is ready to use.
type Credentials[T any] struct {
	mu   sync.Mutex
	done bool
	v    T
}

// Get returns the kept credentials, running resolve first when there are
// none yet. Resolves never run concurrently.
func (c *Credentials[T]) Get(resolve func() (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return c.v, nil
	}
	v, err := resolve()
	if err != nil {
		var zero T
		return zero, err
	}
	c.v, c.done = v, true
	return v, nil
}

// Peek returns the kept credentials without resolving them; ok is false
// when no call has resolved them yet.
func (c *Credentials[T]) Peek() (v T, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.v, c.done
}

// RequireSecret reads one credential as ReadSecret does and refuses a
// blank one with an ErrAuth that names it; need ends the message with the
// venue's word on the key it wants ("this call needs a Kraken API key").
func RequireSecret(ctx context.Context, p func(context.Context, string) (string, error), venue, profile, name, need string) (string, error) {
	v, err := ReadSecret(ctx, p, venue, profile, name)
	if err == nil && v == "" {
		err = &exchange.Error{Kind: exchange.ErrAuth, Venue: venue,
			Message: fmt.Sprintf("profile %q has no %s: set %s for this profile (%s)", profile, name, name, need)}
	}
	return v, err
}

// RequireKeyPair reads a profile's api_key, then its api_secret, each with
// RequireSecret: the pair every signed venue call needs.
func RequireKeyPair(ctx context.Context, p func(context.Context, string) (string, error), venue, profile, need string) (key, secret string, err error) {
	if key, err = RequireSecret(ctx, p, venue, profile, "api_key", need); err != nil {
		return "", "", err
	}
	if secret, err = RequireSecret(ctx, p, venue, profile, "api_secret", need); err != nil {
		return "", "", err
	}
	return key, secret, nil
}
