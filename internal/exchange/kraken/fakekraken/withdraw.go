package fakekraken

// handleWithdrawMethods answers POST /0/private/WithdrawMethods, which
// Kraken serves only to keys with the Query Funds and Withdraw Funds
// permissions. The fake's key has every permission; tests of a key
// without Withdraw Funds answer with ErrorNext(path, "EGeneral:Permission
// denied").
func (s *Server) handleWithdrawMethods(p params) (any, string) {
	methods := []map[string]any{
		{"asset": "XXBT", "method": "Bitcoin", "network": "Bitcoin", "minimum": "0.0004"},
		{"asset": "XETH", "method": "Ether", "network": "Ethereum", "minimum": "0.004"},
		{"asset": "SOL", "method": "Solana", "network": "Solana", "minimum": "0.02"},
	}
	if a := p.get("asset"); a != "" {
		var only []map[string]any
		for _, m := range methods {
			if m["asset"] == a {
				only = append(only, m)
			}
		}
		methods = only
	}
	if methods == nil {
		methods = []map[string]any{}
	}
	return methods, ""
}
