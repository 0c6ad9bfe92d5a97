package fakecoinbase

import "net/http"

// portfolioUUID is the fake's one portfolio, the one every key belongs to.
const portfolioUUID = "7e3b2c1a-5d4f-4e6a-9b8c-0f1e2d3c4b5a"

// handleKeyPermissions answers GET /api/v3/brokerage/key_permissions for
// the fake's key: a trading key without the transfer permission. Tests
// that need another key answer with Inject.
func (s *Server) handleKeyPermissions(*http.Request, []byte) response {
	return ok(KeyPermissions(true, true, false))
}

// KeyPermissions is the key_permissions document in Coinbase's wire
// format, for tests that inject another key's answer.
func KeyPermissions(canView, canTrade, canTransfer bool) map[string]any {
	return map[string]any{
		"can_view": canView, "can_trade": canTrade, "can_transfer": canTransfer,
		"portfolio_uuid": portfolioUUID, "portfolio_type": "DEFAULT",
	}
}
