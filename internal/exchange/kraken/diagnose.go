package kraken

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
)

// Names of the checks Diagnose reports.
const (
	CheckCredentials = "credentials"
	CheckKey         = "key permissions"
)

// pathWithdrawMethods is Kraken's list of withdrawal methods, served only
// to keys with the Query Funds and Withdraw Funds permissions: the one
// read-only way to learn whether a key can withdraw.
const pathWithdrawMethods = "/0/private/WithdrawMethods"

var _ exchange.Diagnoser = (*Exchange)(nil)

// Diagnose implements exchange.Diagnoser. Kraken has no endpoint that
// lists a key's permissions, so it asks two private calls: BalanceEx, which
// proves the key exists, the secret signs and the nonce is accepted (and
// that the key may query funds, which balances need); and WithdrawMethods,
// which Kraken answers only for a key that can withdraw. Without a key it
// reports nothing: the caller's own secret checks say the key is missing.
func (e *Exchange) Diagnose(ctx context.Context) []exchange.Check {
	if !e.HasKeyPair(ctx) {
		return nil
	}
	if err := e.do(ctx, call{path: pathBalanceEx, private: true, cost: costQuery}, nil); err != nil {
		return []exchange.Check{{Name: CheckCredentials, Status: exchange.CheckFail,
			Detail: fmt.Sprintf("POST %s: %v", pathBalanceEx, err)}}
	}
	checks := []exchange.Check{{Name: CheckCredentials, Status: exchange.CheckOK,
		Detail: "the key signs, its nonce is accepted and it may query funds"}}
	return append(checks, e.checkWithdraw(ctx))
}

// checkWithdraw grades the key by whether Kraken lists its withdrawal
// methods. A trading key that can also withdraw turns a leaked key into
// lost funds, so it is a warning.
func (e *Exchange) checkWithdraw(ctx context.Context) exchange.Check {
	err := e.do(ctx, call{path: pathWithdrawMethods, private: true, cost: costQuery}, nil)
	var xe *exchange.Error
	switch {
	case err == nil:
		return exchange.Check{Name: CheckKey, Status: exchange.CheckWarn,
			Detail: "a trading key that can withdraw (WithdrawMethods answered): create one without the Withdraw Funds permission"}
	case errors.As(err, &xe) && strings.Contains(xe.Message, errPermission):
		return exchange.Check{Name: CheckKey, Status: exchange.CheckOK, Detail: "cannot withdraw (WithdrawMethods refused: permission denied)"}
	}
	return exchange.Check{Name: CheckKey, Status: exchange.CheckFail, Detail: fmt.Sprintf("POST %s: %v", pathWithdrawMethods, err)}
}
