// Package config loads tradectl's configuration: the YAML file, the
// TRADECTL_* environment and the global flags, merged with one viper
// instance per Load, into a typed Config of named profiles. It resolves
// credentials lazily and redacts them for display.
//
// The file ($XDG_CONFIG_HOME/tradectl/config.yaml unless --config or
// TRADECTL_CONFIG names another) looks like this:
//
//	default_profile: binance   # else "paper"
//	output: table              # table | json | ndjson | csv
//	timeout: 30s               # 0 means no limit
//	color: auto                # auto | always | never
//	profiles:
//	  binance:
//	    exchange: binance             # required, a registered exchange
//	    base_url: https://api.binance.com   # the venue's own keys
//	    api_key_env: BINANCE_KEY      # api_key | _env | _file | _cmd, one each
//	    api_secret_cmd: pass show binance/secret
//	    max_order_notional: "1000"    # safety keys, kept raw for now
//
// Unknown keys and bad values are errors naming the file and line. The
// built-in "paper" profile ({exchange: paper}) exists unless the file
// defines its own.
//
// Nothing here reads the process environment or global state: the caller
// passes the environment lookup, the flag set, the exchange registry and
// the base directories.
package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/xdg"
)

// LoadOptions is everything Load depends on.
type LoadOptions struct {
	// Path is the value of --config, "" when the flag was not given.
	Path string
	// Getenv looks up TRADECTL_* variables and HOME (for ~/ in _file
	// paths). nil means an empty environment.
	Getenv func(string) string
	// Flags is the root command's flag set. Load reads --profile,
	// --output, --timeout and --color when they exist, and only when the
	// user changed them, so flag defaults never hide the file.
	Flags *pflag.FlagSet
	// Registry decides which exchanges and venue keys are valid.
	Registry *exchange.Registry
	// Dirs locates the default config file.
	Dirs xdg.Dirs
}

// Config is the effective configuration of one run.
type Config struct {
	// Path is the config file consulted ("" if there was no way to find
	// one); FileExists says whether it was there.
	Path       string
	FileExists bool

	// DefaultProfile is the file's default_profile, or "paper".
	DefaultProfile string
	Output         string        // table | json | ndjson | csv
	Timeout        time.Duration // per command; 0 means no limit
	Color          string        // auto | always | never

	// Profiles holds every profile by name, always including the built-in
	// "paper" unless the file defines its own.
	Profiles map[string]Profile

	// Profile is the selected profile's name: --profile, else
	// TRADECTL_PROFILE, else default_profile, else "paper". It is checked
	// by Selected, not by Load, so `config show` works with a bad one.
	Profile string

	// MCP holds the settings of the MCP server (tradectl mcp).
	MCP MCP

	profileFrom string      // where Profile came from, for messages
	fileMode    fs.FileMode // permission bits of the file, for Warnings
}

// MCP is the mcp: section: what an MCP client (an AI agent) may do
// through tradectl mcp. The zero value is the safe default.
type MCP struct {
	// AllowLiveOrders lets MCP clients place and cancel orders on
	// profiles that are not simulated (false: paper only).
	AllowLiveOrders bool
}

// Profile is one named account on one exchange.
type Profile struct {
	Name     string
	Exchange string
	// Options are the venue's own keys (Venue.Keys), what
	// exchange.Params.Options gets.
	Options map[string]any
	// Safety holds the reserved safety keys (confirm, max_order_qty …) as
	// written; they are typed by the code that enforces them.
	Safety map[string]any
	// Credentials maps a base name ("api_key") to where it comes from.
	Credentials map[string]SecretSource
	// Notify is the profile's notify: section, the defaults of the
	// notification flags.
	Notify Notify
	// Line is where the profile is defined; 0 for the built-in one.
	Line int
}

// SecretSource says where a credential comes from, never what it is,
// except for Kind plain where Value is the secret itself.
type SecretSource struct {
	Kind  string // SourcePlain, SourceEnv, SourceFile or SourceCmd
	Value string // the secret (plain), a variable name, an absolute path or a shell command
	Line  int    // where it is set in the file
}

// key is the config key that set the source: api_key, api_key_env, …
func (s SecretSource) key(name string) string {
	if s.Kind == SourcePlain {
		return name
	}
	return name + "_" + s.Kind
}

// maxFileSize bounds the config file; anything bigger is not a config
// file someone wrote by hand.
const maxFileSize = 1 << 20

// global describes one setting that goes through the precedence layers.
type global struct {
	key, env, flag string
}

func globals() []global {
	return []global{
		{key: "profile", env: EnvProfile, flag: "profile"},
		{key: "output", env: EnvOutput, flag: "output"},
		{key: "timeout", env: EnvTimeout, flag: "timeout"},
		{key: "color", env: EnvColor, flag: "color"},
	}
}

// Load reads and checks the config file and merges it with the
// environment and flags: flag > TRADECTL_* > file > built-in default.
//
// Every problem the user can fix is an *Error; a missing default file is
// not a problem, a missing file named by --config or TRADECTL_CONFIG is.
func Load(ctx context.Context, o LoadOptions) (*Config, error) {
	if o.Registry == nil {
		return nil, errors.New("config.Load: no exchange registry")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	getenv := o.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}

	path, namedBy := o.Path, "--config"
	if path == "" {
		path, namedBy = getenv(EnvConfig), EnvConfig
	}
	explicit := path != ""
	if !explicit && o.Dirs.ConfigHome != "" {
		path = o.Dirs.ConfigFile()
	}

	c := &Config{Path: path}
	fd := &fileData{globals: map[string]any{}, profiles: map[string]Profile{}}
	if path != "" {
		data, mode, err := readFile(path)
		switch {
		case err == nil:
			c.FileExists, c.fileMode = true, mode
			abs, absErr := filepath.Abs(path)
			if absErr != nil {
				abs = path
			}
			p := &parser{path: path, dir: filepath.Dir(abs), home: getenv("HOME"), reg: o.Registry}
			if fd, err = parseFile(p, data); err != nil {
				return nil, err
			}
		case errors.Is(err, fs.ErrNotExist) && !explicit:
			// No file yet: the built-in paper profile is all there is.
		case errors.Is(err, fs.ErrNotExist):
			return nil, &Error{Path: path, Msg: "file does not exist (named by " + namedBy + ")", Err: err}
		default:
			return nil, &Error{Path: path, Msg: "cannot read: " + describeFSError(err), Err: err}
		}
	}

	c.Profiles = fd.profiles
	if _, ok := c.Profiles[BuiltinProfile]; !ok {
		c.Profiles[BuiltinProfile] = Profile{
			Name:        BuiltinProfile,
			Exchange:    "paper",
			Options:     map[string]any{},
			Safety:      map[string]any{},
			Credentials: map[string]SecretSource{},
		}
	}
	c.DefaultProfile = cmpOr(fd.defaultProfile, BuiltinProfile)
	c.MCP = fd.mcp

	// One viper per Load. Viper's own env layer reads os.LookupEnv, which
	// would bypass the injected Getenv, so the environment is merged as a
	// second config map on top of the file's: MergeConfigMap lets later
	// maps win, which keeps env above file, and flags stay above both.
	v := viper.New()
	v.SetDefault("profile", BuiltinProfile)
	v.SetDefault("output", DefaultOutput)
	v.SetDefault("timeout", DefaultTimeout)
	v.SetDefault("color", DefaultColor)
	if err := v.MergeConfigMap(fd.globals); err != nil {
		return nil, &Error{Path: path, Msg: err.Error(), Err: err}
	}
	envLayer := map[string]any{}
	for _, g := range globals() {
		val := getenv(g.env)
		if val == "" {
			continue // like viper's default: an empty variable is unset
		}
		parsed, msg := checkGlobal(g.key, g.env, val)
		if msg != "" {
			return nil, &Error{Msg: msg}
		}
		envLayer[g.key] = parsed
	}
	if err := v.MergeConfigMap(envLayer); err != nil {
		return nil, &Error{Msg: err.Error(), Err: err}
	}
	if o.Flags != nil {
		for _, g := range globals() {
			f := o.Flags.Lookup(g.flag)
			if f == nil {
				continue
			}
			if f.Changed {
				if _, msg := checkGlobal(g.key, "--"+g.flag, f.Value.String()); msg != "" {
					return nil, &Error{Msg: msg}
				}
			}
			if err := v.BindPFlag(g.key, f); err != nil {
				return nil, fmt.Errorf("config: bind --%s: %w", g.flag, err)
			}
		}
	}

	c.Profile = v.GetString("profile")
	// A flag's value reaches viper as typed; fold it like the others.
	c.Output = normEnum(v.GetString("output"))
	c.Color = normEnum(v.GetString("color"))
	c.Timeout = v.GetDuration("timeout")
	c.profileFrom = profileOrigin(o.Flags, getenv, fd, path)
	return c, nil
}

// checkGlobal validates one layer's value of a global setting before viper
// sees it, so the message can name the layer (file line, variable or
// flag) and a bad value never reaches viper's lenient casts.
func checkGlobal(key, subject, val string) (any, string) {
	switch key {
	case "profile":
		if strings.TrimSpace(val) == "" {
			return nil, subject + " needs a profile name"
		}
		return val, ""
	case "timeout":
		d, msg := checkDuration(subject, val)
		return d, msg
	default:
		return normEnum(val), checkEnum(subject, key, val)
	}
}

// profileOrigin says which layer picked the profile; an unknown profile
// from a flag or variable is only found by Selected, and the message
// should say where to fix it.
func profileOrigin(flags *pflag.FlagSet, getenv func(string) string, fd *fileData, path string) string {
	if flags != nil {
		if f := flags.Lookup("profile"); f != nil && f.Changed {
			return "--profile"
		}
	}
	if getenv(EnvProfile) != "" {
		return EnvProfile
	}
	if fd.defaultProfile != "" {
		return "default_profile in " + path
	}
	return "the built-in default"
}

func readFile(path string) ([]byte, fs.FileMode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if st.IsDir() {
		return nil, 0, &fs.PathError{Op: "read", Path: path, Err: errors.New("is a directory")}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, 0, err
	}
	if len(data) > maxFileSize {
		return nil, 0, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("larger than %d bytes", maxFileSize)}
	}
	return data, st.Mode().Perm(), nil
}

// describeFSError drops the path from an fs error; the *Error names it.
func describeFSError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ProfileNames lists every profile, sorted.
func (c *Config) ProfileNames() []string {
	names := make([]string, 0, len(c.Profiles))
	for n := range c.Profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Selected returns the active profile (Config.Profile).
func (c *Config) Selected() (Profile, error) {
	p, ok := c.Profiles[c.Profile]
	if !ok {
		return Profile{}, c.unknownProfile(c.Profile, c.profileFrom)
	}
	return p, nil
}

// Lookup returns the profile called name, for commands that act on
// several accounts at once.
func (c *Config) Lookup(name string) (Profile, error) {
	p, ok := c.Profiles[name]
	if !ok {
		return Profile{}, c.unknownProfile(name, "")
	}
	return p, nil
}

func (c *Config) unknownProfile(name, from string) *Error {
	names := c.ProfileNames()
	msg := fmt.Sprintf("unknown profile %q", name)
	var notes []string
	if from != "" {
		notes = append(notes, "from "+from)
	}
	if dym := didYouMean(name, names); dym != "" {
		notes = append(notes, dym)
	}
	if len(notes) > 0 {
		msg += " (" + strings.Join(notes, "; ") + ")"
	}
	msg += "; profiles: " + strings.Join(names, ", ")
	if !c.FileExists && c.Path != "" {
		msg += " (no config file at " + c.Path + ")"
	}
	return &Error{Msg: msg}
}
