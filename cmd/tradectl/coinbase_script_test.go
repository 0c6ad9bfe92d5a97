package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
)

// cmdFakeCoinbase starts a fake Coinbase Advanced Trade for the rest of the
// script and writes a config with a "coinbase" profile pointing at it, a
// "coinbase-wrongkey" profile whose key the venue does not know, and a
// paper profile. The CDP keys are generated per script: the key name
// reaches tradectl through COINBASE_KEY_NAME, each private key through a
// 0600 PEM file in $WORK, never through the config itself.
//
//	fakecoinbase            start it
func cmdFakeCoinbase(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fakecoinbase")
	}
	writeKey := func(file string) *ecdsa.PrivateKey {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			ts.Fatalf("%v", err)
		}
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			ts.Fatalf("%v", err)
		}
		if err := os.WriteFile(ts.MkAbs(file), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			ts.Fatalf("%v", err)
		}
		return key
	}
	key := writeKey("coinbase.pem")
	writeKey("coinbase-wrong.pem")
	name := "organizations/tradectl-test/apiKeys/" + randomHex(ts, 16)
	srv := fakecoinbase.New(name, &key.PublicKey, fakecoinbase.WithLatency(fakeLatency(ts)))
	ts.Defer(srv.Close)
	ts.Setenv("COINBASE_KEY_NAME", name)
	ts.Setenv("COINBASE_URL", srv.URL())
	cfg := fmt.Sprintf(`default_profile: paper
profiles:
  paper:
    exchange: paper
  coinbase:
    exchange: coinbase
    base_url: %[1]s
    api_key_env: COINBASE_KEY_NAME
    api_secret_file: %[2]s
  coinbase-wrongkey:
    exchange: coinbase
    base_url: %[1]s
    api_key_env: COINBASE_KEY_NAME
    api_secret_file: %[3]s
`, srv.URL(), ts.MkAbs("coinbase.pem"), ts.MkAbs("coinbase-wrong.pem"))
	dir := ts.MkAbs("home/.config/tradectl")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		ts.Fatalf("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		ts.Fatalf("%v", err)
	}
}
