package alpaca

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
)

// TestTraceSigned: at -v a call is one debug line with its method, path
// and status, and without the key id or secret its headers carry.
func TestTraceSigned(t *testing.T) {
	f := newFixture(t)
	venuetest.CheckSignedTrace(t, New, f.Params(nil), "GET", "/v2/account", []string{f.Creds.Key, f.Creds.Secret, "APCA"})
}
