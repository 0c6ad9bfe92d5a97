package config

import "slices"

// The key lists are functions rather than package variables so no caller
// can change them for everyone else.

// TopLevelKeys are the keys allowed at the top of the config file.
func TopLevelKeys() []string {
	return []string{"color", "default_profile", "mcp", "output", "profiles", "timeout"}
}

// MCPKeys are the keys allowed under mcp: (the settings of `tradectl mcp`).
func MCPKeys() []string { return []string{"allow_live_orders"} }

// CredentialNames are the credential base names every profile may
// configure, whatever its exchange. They are reserved for all venues now so
// that adding credentials to a venue later never turns a working file into
// an error.
func CredentialNames() []string {
	return []string{"api_key", "api_secret", "passphrase"}
}

// Source kinds, as they appear in SecretSource.Kind and as key suffixes
// (api_key, api_key_env, api_key_file, api_key_cmd).
const (
	SourcePlain = "plain"
	SourceEnv   = "env"
	SourceFile  = "file"
	SourceCmd   = "cmd"
)

// CredentialKeys are the four keys that can set credential name.
func CredentialKeys(name string) []string {
	return []string{name, name + "_env", name + "_file", name + "_cmd"}
}

// SafetyKeys are the common pre-trade safety limits. They are accepted and
// kept raw now, typed later, so files written today keep working.
func SafetyKeys() []string {
	return []string{
		"allowed_symbols",
		"confirm",
		"max_daily_loss",
		"max_open_orders",
		"max_order_notional",
		"max_order_qty",
		"max_slippage_pct",
		"price_band_pct",
	}
}

// OutputFormats are the values of output / -o / TRADECTL_OUTPUT.
func OutputFormats() []string { return []string{"table", "json", "ndjson", "csv"} }

// ColorModes are the values of color / TRADECTL_COLOR.
func ColorModes() []string { return []string{"auto", "always", "never"} }

// Built-in defaults, the last layer of precedence.
const (
	DefaultOutput  = "table"
	DefaultTimeout = "30s"
	DefaultColor   = "auto"
	// BuiltinProfile is the profile that exists without any file, so a
	// fresh install trades on the paper exchange, never on a real venue.
	BuiltinProfile = "paper"
)

// The TRADECTL_* variables Load reads through LoadOptions.Getenv.
const (
	EnvConfig  = "TRADECTL_CONFIG"
	EnvProfile = "TRADECTL_PROFILE"
	EnvOutput  = "TRADECTL_OUTPUT"
	EnvTimeout = "TRADECTL_TIMEOUT"
	EnvColor   = "TRADECTL_COLOR"
)

// credentialNamesFor adds the venue's own credential names to the
// reserved ones, so a venue needing, say, "private_key" gets its four keys.
func credentialNamesFor(venueCreds []string) []string {
	names := CredentialNames()
	for _, n := range venueCreds {
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}
