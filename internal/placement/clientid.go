package placement

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tradectl/tradectl/internal/trade"
)

// clientIDPrefix marks ids tradectl made, so they stand out in a venue's
// order history.
const clientIDPrefix = "tc-"

// MaxIdempotencyKeyLen bounds an idempotency key; the key is hashed, so its
// length never reaches the venue, but it is stored and printed.
const MaxIdempotencyKeyLen = 200

// lower base32 without padding: letters and digits only, which every venue
// accepts, and no case the venue could fold.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewClientID returns a fresh random client id: "tc-" and 24 characters
// (120 random bits), valid on every supported venue.
func NewClientID() string {
	b := make([]byte, 15)
	// crypto/rand.Read never fails on supported platforms (Go 1.24+).
	_, _ = rand.Read(b)
	return clientIDPrefix + idEncoding.EncodeToString(b)
}

// ClientIDFor derives the client id of an idempotency key on a profile:
// "tc-" and the first 33 characters (165 bits) of the base32 SHA-256 of
// the profile and the key, 36 characters in all — Binance's maximum and
// within every supported venue's rules. The same key on the same profile
// always names the same order; on another profile it names another.
func ClientIDFor(profile, key string) string {
	sum := sha256.Sum256([]byte(profile + "\x00" + key))
	return clientIDPrefix + idEncoding.EncodeToString(sum[:])[:trade.MaxClientIDLen-len(clientIDPrefix)]
}

// ValidateIdempotencyKey accepts 1–200 printable characters.
func ValidateIdempotencyKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("the idempotency key is empty")
	case len(key) > MaxIdempotencyKeyLen:
		return fmt.Errorf("the idempotency key is %d bytes; at most %d are allowed", len(key), MaxIdempotencyKeyLen)
	case !utf8.ValidString(key):
		return fmt.Errorf("the idempotency key is not valid UTF-8")
	case strings.IndexFunc(key, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return fmt.Errorf("the idempotency key has a control or non-printing character")
	}
	return nil
}
