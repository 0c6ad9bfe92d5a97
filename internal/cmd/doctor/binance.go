package doctor

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
)

// Binance refuses a signed request whose timestamp is 1 s or more ahead
// of its clock, or further behind than recvWindow (default 5 s).
const (
	binanceAheadLimit   = time.Second
	defaultRecvWindowMs = 5000
	// skewWarn is where a skew starts to deserve attention: half the
	// margin Binance allows ahead.
	skewWarn = 500 * time.Millisecond
)

// checkBinance measures the clock skew against /api/v3/time and reads
// the key's permissions from /api/v3/account. Both are plain HTTP calls
// through the factory's client, so nothing here depends on the adapter's
// internals.
func (d *doctor) checkBinance(ctx context.Context, prof config.Profile) {
	base, err := binanceBaseURL(prof)
	if err != nil {
		d.add(prof.Name, CheckClock, Fail, "%v", err)
		d.add(prof.Name, CheckKey, Skip, "no base URL")
		return
	}
	p := exchange.Params{Profile: prof.Name, Options: prof.Options}
	recvWindow, err := p.Int(binance.KeyRecvWindow, defaultRecvWindowMs)
	if err != nil {
		recvWindow = defaultRecvWindowMs
	}
	syncClock, _ := p.Bool(binance.KeySyncClock, false)

	skew, rtt, err := d.binanceSkew(ctx, base)
	switch {
	case err != nil:
		d.add(prof.Name, CheckClock, Fail, "GET /api/v3/time: %v", err)
	default:
		behind := time.Duration(recvWindow) * time.Millisecond
		// skew > 0: the venue is ahead, i.e. this machine is behind.
		desc := describeSkew(skew, rtt)
		bad := -skew >= binanceAheadLimit || skew > behind
		switch {
		case bad && syncClock:
			d.add(prof.Name, CheckClock, Warn, "%s; sync_clock corrects it, but fix the machine's clock (NTP)", desc)
		case bad:
			d.add(prof.Name, CheckClock, Fail, "%s; Binance refuses signed requests 1s ahead or more than recv_window (%dms) behind: fix the clock (NTP) or set sync_clock: true", desc, recvWindow)
		case skew.Abs() >= skewWarn:
			d.add(prof.Name, CheckClock, Warn, "%s; close to Binance's limits (1s ahead, %dms behind)", desc, recvWindow)
		default:
			d.add(prof.Name, CheckClock, OK, "%s", desc)
		}
	}
	if err != nil {
		skew = 0 // sign with the local clock; the account call will say if that fails
	}
	d.checkBinanceKey(ctx, prof, base, skew, recvWindow)
}

func describeSkew(skew, rtt time.Duration) string {
	ms := skew.Milliseconds()
	switch {
	case ms > 0:
		return fmt.Sprintf("this machine's clock is %dms behind the venue's (round trip %dms)", ms, rtt.Milliseconds())
	case ms < 0:
		return fmt.Sprintf("this machine's clock is %dms ahead of the venue's (round trip %dms)", -ms, rtt.Milliseconds())
	}
	return fmt.Sprintf("this machine's clock agrees with the venue's (round trip %dms)", rtt.Milliseconds())
}

// binanceSkew returns the venue's clock minus ours, measured against the
// midpoint of the round trip.
func (d *doctor) binanceSkew(ctx context.Context, base string) (time.Duration, time.Duration, error) {
	var body struct {
		ServerTime int64 `json:"serverTime"`
	}
	start := d.f.Now()
	if err := d.binanceGet(ctx, base, "/api/v3/time", "", "", &body); err != nil {
		return 0, 0, err
	}
	end := d.f.Now()
	if body.ServerTime <= 0 {
		return 0, 0, errors.New("the answer has no serverTime")
	}
	rtt := end.Sub(start)
	local := start.Add(rtt / 2)
	return time.UnixMilli(body.ServerTime).Sub(local), rtt, nil
}

// accountPermissions is the part of /api/v3/account doctor reads.
type accountPermissions struct {
	CanTrade    bool `json:"canTrade"`
	CanWithdraw bool `json:"canWithdraw"`
	CanDeposit  bool `json:"canDeposit"`
}

func (d *doctor) checkBinanceKey(ctx context.Context, prof config.Profile, base string, skew time.Duration, recvWindow int) {
	resolve := prof.SecretResolver(d.f.Getenv, config.ShellRunner(d.f.IOStreams.ErrOut))
	cctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	key, err1 := resolve(cctx, "api_key")
	secret, err2 := resolve(cctx, "api_secret")
	switch {
	case err1 != nil || err2 != nil:
		d.add(prof.Name, CheckKey, Skip, "the API key or secret does not resolve (see above)")
		return
	case strings.TrimSpace(key) == "" || strings.TrimSpace(secret) == "":
		d.add(prof.Name, CheckKey, Skip, "no API key and secret configured")
		return
	}
	p := exchange.Params{Profile: prof.Name, Options: prof.Options}
	keyType, _ := p.String(binance.KeyKeyType, "hmac")
	sign, err := signer(strings.ToLower(strings.TrimSpace(keyType)), strings.TrimSpace(secret))
	if err != nil {
		d.add(prof.Name, CheckKey, Fail, "%v", err)
		return
	}
	ts := d.f.Now().Add(skew).UnixMilli()
	query := "omitZeroBalances=true&recvWindow=" + strconv.Itoa(recvWindow) + "&timestamp=" + strconv.FormatInt(ts, 10)
	query += "&signature=" + url.QueryEscape(sign([]byte(query)))
	var perms accountPermissions
	if err := d.binanceGet(cctx, base, "/api/v3/account", query, strings.TrimSpace(key), &perms); err != nil {
		d.add(prof.Name, CheckKey, Fail, "GET /api/v3/account: %v", err)
		return
	}
	switch {
	case !perms.CanTrade:
		d.add(prof.Name, CheckKey, Fail, "the key cannot trade (canTrade false): enable spot trading for it")
	case perms.CanWithdraw:
		d.add(prof.Name, CheckKey, Warn, "a trading key that can withdraw: create one without withdrawal permission")
	default:
		d.add(prof.Name, CheckKey, OK, "can trade, cannot withdraw")
	}
}

// signer returns Binance's signature function for the key type: HMAC-SHA256
// in hex, or Ed25519 in base64 over a PKCS#8 key (PEM or bare base64 DER).
// Errors never quote the key.
func signer(keyType, secret string) (func([]byte) string, error) {
	switch keyType {
	case "", "hmac":
		return func(payload []byte) string {
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write(payload)
			return hex.EncodeToString(mac.Sum(nil))
		}, nil
	case "ed25519":
		der := []byte(nil)
		if block, _ := pem.Decode([]byte(secret)); block != nil {
			der = block.Bytes
		} else {
			b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(secret), ""))
			if err != nil {
				return nil, errors.New("key_type is ed25519 but api_secret is neither PEM nor base64")
			}
			der = b
		}
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, errors.New("key_type is ed25519 but api_secret is not a PKCS#8 private key")
		}
		priv, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, errors.New("key_type is ed25519 but api_secret holds another kind of key")
		}
		return func(payload []byte) string {
			return base64.StdEncoding.EncodeToString(ed25519.Sign(priv, payload))
		}, nil
	}
	return nil, fmt.Errorf("key_type must be hmac or ed25519, got %q", keyType)
}

// binanceGet GETs base+path?query and decodes a 200 answer into out, or
// returns the venue's error. Errors never contain the URL: a signed
// query carries the signature.
func (d *doctor) binanceGet(ctx context.Context, base, path, query, apiKey string, out any) error {
	cctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	u := base + path
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, u, nil)
	if err != nil {
		return errors.New("cannot build the request: the base URL is not valid")
	}
	if apiKey != "" {
		req.Header.Set("X-MBX-APIKEY", apiKey)
	}
	resp, err := d.f.HTTPClient().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("no answer within %s", d.timeout)
		}
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var apiErr struct {
			Code int    `json:"code"`
			Msg  string `json:"msg"`
		}
		if json.Unmarshal(data, &apiErr) == nil && apiErr.Msg != "" {
			return fmt.Errorf("HTTP %d: %s (code %d)", resp.StatusCode, apiErr.Msg, apiErr.Code)
		}
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode the answer: %w", err)
	}
	return nil
}
