package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tradectl/tradectl/internal/exchange"
)

// fileData is what the file says, already checked, with nothing filled in
// from other layers.
type fileData struct {
	// globals holds the file's layer for viper: output, timeout, color and
	// profile (from default_profile), only the keys the file sets.
	globals        map[string]any
	defaultProfile string
	profiles       map[string]Profile
	mcp            MCP
}

// parser walks the yaml.v3 node tree rather than decoding into structs:
// only the nodes know the line of every key, and every error must name one.
type parser struct {
	path string
	dir  string // the file's directory, for relative _file paths
	home string // for ~/ in _file paths; "" leaves ~ alone
	reg  *exchange.Registry
	// entryBudget bounds the keys entries may produce over the whole
	// file. Merges of aliases multiply ("<<: [*a, *a]" at each level),
	// so without it a few hundred bytes could expand exponentially.
	entryBudget int
}

// maxEntries is far more keys than any hand-written config holds.
const maxEntries = 100_000

func (p *parser) errf(line int, format string, args ...any) *Error {
	return &Error{Path: p.path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// parseFile checks the whole file and returns its contents. The first
// problem in document order is reported; one precise error beats a list
// of consequences of the first.
func parseFile(p *parser, data []byte) (*fileData, error) {
	fd := &fileData{globals: map[string]any{}, profiles: map[string]Profile{}}
	p.entryBudget = maxEntries

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := yamlCall(func() error { return dec.Decode(&doc) }); err != nil {
		if errors.Is(err, io.EOF) {
			return fd, nil // empty file or only comments
		}
		return nil, p.yamlError(data, err)
	}
	var extra yaml.Node
	if err := yamlCall(func() error { return dec.Decode(&extra) }); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, p.yamlError(data, err)
		}
		return nil, p.errf(extra.Line, "a second YAML document; the config file holds exactly one")
	}

	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return fd, nil
		}
		root = root.Content[0]
	}
	root = resolve(root)
	if isNull(root) {
		return fd, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root.Line, "the top level must be a mapping of settings (%s), got %s",
			strings.Join(TopLevelKeys(), ", "), describe(root))
	}
	entries, err := p.entries(root, "", 0)
	if err != nil {
		return nil, err
	}

	defaultLine := 0
	for _, e := range entries {
		switch e.key {
		case "default_profile":
			s, ok := scalar(e.val)
			if !ok || s == "" {
				return nil, p.errf(e.line, "default_profile must be a profile name, got %s", describe(e.val))
			}
			fd.defaultProfile, defaultLine = s, e.line
			fd.globals["profile"] = s
		case "output", "color":
			if isNull(e.val) {
				continue // "output:" with nothing after it means unset
			}
			s, ok := scalar(e.val)
			if !ok {
				return nil, p.errf(e.line, "%s must be one of %s, got %s", e.key, strings.Join(enumFor(e.key), ", "), describe(e.val))
			}
			if msg := checkEnum(e.key, e.key, s); msg != "" {
				return nil, p.errf(e.line, "%s", msg)
			}
			fd.globals[e.key] = normEnum(s)
		case "timeout":
			if isNull(e.val) {
				continue
			}
			s, ok := scalar(e.val)
			if !ok {
				return nil, p.errf(e.line, "timeout must be a duration such as 30s, got %s", describe(e.val))
			}
			d, msg := checkDuration("timeout", s)
			if msg != "" {
				return nil, p.errf(e.line, "%s", msg)
			}
			fd.globals["timeout"] = d
		case "profiles":
			if err := p.profiles(e, fd); err != nil {
				return nil, err
			}
		case "mcp":
			if err := p.mcp(e, fd); err != nil {
				return nil, err
			}
		default:
			return nil, p.errf(e.line, "%s", unknownKeyMsg("unknown key %q", e.key, TopLevelKeys(),
				"allowed: "+strings.Join(TopLevelKeys(), ", ")))
		}
	}

	if fd.defaultProfile != "" {
		if _, ok := fd.profiles[fd.defaultProfile]; !ok && fd.defaultProfile != BuiltinProfile {
			names := profileNames(fd.profiles)
			return nil, p.errf(defaultLine, "%s", unknownKeyMsg("default_profile %q is not a profile", fd.defaultProfile, names,
				"profiles: "+strings.Join(names, ", ")))
		}
	}
	return fd, nil
}

// profileNames lists the names a selection may use: the file's profiles
// plus the built-in one.
func profileNames(m map[string]Profile) []string {
	names := make([]string, 0, len(m)+1)
	for n := range m {
		names = append(names, n)
	}
	if _, ok := m[BuiltinProfile]; !ok {
		names = append(names, BuiltinProfile)
	}
	slices.Sort(names)
	return names
}

// unknownKeyMsg builds "<what> (did you mean "x"?)" when a close candidate
// exists and "<what> (<fallback>)" otherwise: a typo is best answered with
// the fix, anything else with the full list.
func unknownKeyMsg(format, word string, candidates []string, fallback string) string {
	msg := fmt.Sprintf(format, word)
	if dym := didYouMean(word, candidates); dym != "" {
		return msg + " (" + dym + ")"
	}
	if fallback != "" {
		return msg + " (" + fallback + ")"
	}
	return msg
}

// normEnum folds case and space the way render.ParseFormat does, so
// "JSON" means the same in the file, the environment and -o.
func normEnum(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func enumFor(key string) []string {
	if key == "color" {
		return ColorModes()
	}
	return OutputFormats()
}

// checkEnum returns "" when val is allowed for key, else a message about
// subject, which names where the value came from ("output",
// "TRADECTL_COLOR", "--output").
func checkEnum(subject, key, val string) string {
	allowed := enumFor(key)
	if slices.Contains(allowed, normEnum(val)) {
		return ""
	}
	msg := fmt.Sprintf("%s %q is not valid", subject, val)
	if dym := didYouMean(val, allowed); dym != "" {
		msg += " (" + dym + ")"
	}
	return msg + "; want one of: " + strings.Join(allowed, ", ")
}

// checkDuration parses a timeout. A bare number is refused rather than
// read as nanoseconds, which is what a unitless value would silently mean
// to the cast library viper uses. 0 is allowed: the root command's
// --timeout documents it as "no limit".
func checkDuration(key, s string) (time.Duration, string) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Sprintf("%s %q is not a duration; write e.g. 30s, 1m30s or 2m", key, s)
	}
	if d < 0 {
		return 0, fmt.Sprintf("%s %q must not be negative (0 means no limit)", key, s)
	}
	return d, ""
}

// validProfileName keeps profile names usable as directory names (the
// paper exchange keeps its database under the profile's name) and in
// shells: 1–64 of [A-Za-z0-9._-], not starting with '.', '_' or '-'.
func validProfileName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		alnum := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
		if !alnum && (i == 0 || (r != '.' && r != '_' && r != '-')) {
			return false
		}
	}
	return true
}

func (p *parser) profiles(e entry, fd *fileData) error {
	n := resolve(e.val)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return p.errf(e.line, "profiles must be a mapping of profile names to settings, got %s", describe(n))
	}
	entries, err := p.entries(n, "profiles: ", 0)
	if err != nil {
		return err
	}
	for _, pe := range entries {
		if !validProfileName(pe.key) {
			return p.errf(pe.line, "profile name %q is not valid: use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", pe.key)
		}
		prof, err := p.profile(pe)
		if err != nil {
			return err
		}
		fd.profiles[pe.key] = prof
	}
	return nil
}

func (p *parser) profile(pe entry) (Profile, error) {
	name := pe.key
	prof := Profile{
		Name:        name,
		Options:     map[string]any{},
		Safety:      map[string]any{},
		Credentials: map[string]SecretSource{},
		Line:        pe.line,
	}
	known := p.reg.Names()
	n := resolve(pe.val)
	if isNull(n) {
		return prof, p.errf(pe.line, "profile %q: missing required key \"exchange\" (one of: %s)", name, strings.Join(known, ", "))
	}
	if n.Kind != yaml.MappingNode {
		return prof, p.errf(pe.line, "profile %q must be a mapping of settings such as {exchange: paper}, got %s", name, describe(n))
	}
	entries, err := p.entries(n, fmt.Sprintf("profile %q: ", name), 0)
	if err != nil {
		return prof, err
	}

	// The exchange decides which other keys are valid, so find it first
	// wherever it is written.
	i := slices.IndexFunc(entries, func(e entry) bool { return e.key == "exchange" })
	if i < 0 {
		return prof, p.errf(pe.line, "profile %q: missing required key \"exchange\" (one of: %s)", name, strings.Join(known, ", "))
	}
	ex := entries[i]
	exName, ok := scalar(ex.val)
	if !ok || exName == "" {
		return prof, p.errf(ex.line, "profile %q: exchange must be an exchange name (one of: %s), got %s", name, strings.Join(known, ", "), describe(ex.val))
	}
	venue, ok := p.reg.Lookup(exName)
	if !ok {
		msg := fmt.Sprintf("profile %q: unknown exchange %q", name, exName)
		if dym := didYouMean(exName, known); dym != "" {
			msg += " (" + dym + ")"
		}
		return prof, p.errf(ex.line, "%s; known: %s", msg, strings.Join(known, ", "))
	}
	prof.Exchange = exName

	credKeys := map[string]credKey{}
	for _, base := range credentialNamesFor(venue.Credentials) {
		credKeys[base] = credKey{base, SourcePlain}
		for _, kind := range []string{SourceEnv, SourceFile, SourceCmd} {
			credKeys[base+"_"+kind] = credKey{base, kind}
		}
	}
	credSetBy := map[string]entry{} // base name -> the entry that set it

	for _, e := range entries {
		if ck, ok := credKeys[e.key]; ok {
			if prev, dup := credSetBy[ck.base]; dup {
				if prev.origin != e.origin {
					continue // an explicit or earlier-merged source wins
				}
				return prof, p.errf(e.line, "profile %q: %s is set twice, by %s (line %d) and %s (line %d); keep one",
					name, ck.base, prev.key, prev.line, e.key, e.line)
			}
			src, err := p.secretSource(name, e, ck.kind)
			if err != nil {
				return prof, err
			}
			credSetBy[ck.base] = e
			prof.Credentials[ck.base] = src
			continue
		}
		switch {
		case e.key == "exchange":
		case e.key == "notify":
			n, err := p.notify(name, e)
			if err != nil {
				return prof, err
			}
			prof.Notify = n
		case slices.Contains(SafetyKeys(), e.key):
			v, err := p.raw(name, e)
			if err != nil {
				return prof, err
			}
			prof.Safety[e.key] = v
		case slices.Contains(venue.Keys, e.key):
			v, err := p.raw(name, e)
			if err != nil {
				return prof, err
			}
			prof.Options[e.key] = v
		default:
			return prof, p.errf(e.line, "%s", p.unknownProfileKey(name, venue, e.key, credKeys))
		}
	}
	return prof, nil
}

// credKey is what a credential key sets: api_secret_env sets base
// api_secret from kind env.
type credKey struct{ base, kind string }

func (p *parser) unknownProfileKey(profile string, venue exchange.Venue, key string, credKeys map[string]credKey) string {
	allowed := append([]string{"exchange", "notify"}, venue.Keys...)
	allowed = append(allowed, SafetyKeys()...)
	for k := range credKeys {
		allowed = append(allowed, k)
	}
	slices.Sort(allowed)
	msg := fmt.Sprintf("profile %q: unknown key %q", profile, key)
	if dym := didYouMean(key, allowed); dym != "" {
		return msg + " (" + dym + ")"
	}
	// A key that belongs to another venue is most likely a profile that
	// was copied and had its exchange changed.
	var others []string
	for _, other := range p.reg.Names() {
		if other != venue.Name && p.reg.AllowsKey(other, key) {
			others = append(others, other)
		}
	}
	if len(others) > 0 {
		return fmt.Sprintf("profile %q: key %q is not read by exchange %q, only by %s", profile, key, venue.Name, strings.Join(others, ", "))
	}
	if len(venue.Keys) == 0 {
		return msg + fmt.Sprintf(" (exchange %s reads no keys of its own)", venue.Name)
	}
	keys := slices.Clone(venue.Keys)
	slices.Sort(keys)
	return msg + fmt.Sprintf(" (exchange %s reads: %s)", venue.Name, strings.Join(keys, ", "))
}

// validEnvName reports whether a shell accepts s as a variable name.
func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || (i > 0 && '0' <= r && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

func (p *parser) secretSource(profile string, e entry, kind string) (SecretSource, error) {
	s, ok := scalar(e.val)
	if !ok {
		return SecretSource{}, p.errf(e.line, "profile %q: %s must be a string, got %s", profile, e.key, describe(e.val))
	}
	if kind != SourcePlain {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return SecretSource{}, p.errf(e.line, "profile %q: %s is empty", profile, e.key)
	}
	switch kind {
	case SourceEnv:
		if !validEnvName(s) {
			hint := ""
			if trimmed := strings.Trim(s, "${}"); validEnvName(trimmed) {
				hint = fmt.Sprintf("; write %s, not %s", trimmed, s)
			}
			return SecretSource{}, p.errf(e.line, "profile %q: %s must name an environment variable%s", profile, e.key, hint)
		}
	case SourceFile:
		s = p.secretPath(s)
	}
	return SecretSource{Kind: kind, Value: s, Line: e.line}, nil
}

// secretPath makes a _file path absolute: ~/ is the user's home, and a
// relative path is relative to the config file, like kubeconfig, so the
// file means the same thing whatever directory cron runs tradectl in.
func (p *parser) secretPath(s string) string {
	if p.home != "" && (s == "~" || strings.HasPrefix(s, "~/")) {
		return filepath.Join(p.home, strings.TrimPrefix(s[1:], "/"))
	}
	if !filepath.IsAbs(s) && p.dir != "" {
		return filepath.Join(p.dir, s)
	}
	return filepath.Clean(s)
}

// raw decodes a venue or safety value as plain Go values: strings, ints,
// float64s, bools, lists and string-keyed maps, which is what
// exchange.Params' accessors and JSON output understand.
func (p *parser) raw(profile string, e entry) (any, error) {
	var v any
	if err := yamlCall(func() error { return e.val.Decode(&v) }); err != nil {
		return nil, p.errf(e.line, "profile %q: %s: %s", profile, e.key, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	v = normalize(v)
	if !finite(v) {
		// .nan and .inf are never a sensible limit or venue setting, and
		// JSON cannot carry them to `config show -o json`.
		return nil, p.errf(e.line, "profile %q: %s: .nan and .inf are not allowed", profile, e.key)
	}
	return v, nil
}

func finite(v any) bool {
	switch t := v.(type) {
	case float64:
		return !math.IsNaN(t) && !math.IsInf(t, 0)
	case map[string]any:
		for _, x := range t {
			if !finite(x) {
				return false
			}
		}
	case []any:
		for _, x := range t {
			if !finite(x) {
				return false
			}
		}
	}
	return true
}

func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = normalize(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = normalize(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = normalize(x)
		}
		return out
	}
	return v
}

// entry is one key of a mapping with the line the key is on.
type entry struct {
	key  string
	line int
	val  *yaml.Node
	// origin is 0 for a key written in the mapping itself and i+1 for
	// one merged from its i-th "<<" source, so two credential sources
	// are a conflict only when written side by side, and a profile can
	// replace an inherited api_key_env with its own api_key_cmd.
	origin int
}

// maxMergeDepth bounds "<<" merges. yaml.v3 registers an anchor before
// parsing its content, so a mapping can merge itself and the node graph
// can be cyclic; real files nest merges a level or two.
const maxMergeDepth = 8

// entries lists a mapping's keys in order, rejecting duplicates (yaml.v3
// does not when decoding into a Node) and expanding "<<" merge keys the
// way YAML 1.1 defines them: explicit keys win over merged ones, and an
// earlier merged mapping wins over a later one.
func (p *parser) entries(n *yaml.Node, where string, depth int) ([]entry, error) {
	if depth > maxMergeDepth {
		return nil, p.errf(n.Line, "%s\"<<\" merges nest too deep", where)
	}
	p.entryBudget -= len(n.Content) / 2
	if p.entryBudget < 0 {
		return nil, p.errf(n.Line, "%s\"<<\" merges expand to too many keys", where)
	}
	var out, merged []entry
	seen := map[string]int{}
	sources := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, p.errf(k.Line, "%skeys must be plain names, got %s", where, describe(k))
		}
		if k.ShortTag() == "!!merge" {
			src := resolve(v)
			var maps []*yaml.Node
			switch src.Kind {
			case yaml.MappingNode:
				maps = []*yaml.Node{src}
			case yaml.SequenceNode:
				for _, m := range src.Content {
					maps = append(maps, resolve(m))
				}
			}
			for _, m := range maps {
				if m.Kind != yaml.MappingNode {
					return nil, p.errf(k.Line, "%s\"<<\" must merge a mapping or a list of mappings, got %s", where, describe(m))
				}
				sub, err := p.entries(m, where, depth+1)
				if err != nil {
					return nil, err
				}
				sources++
				for _, e := range sub {
					e.origin = sources
					merged = append(merged, e)
				}
			}
			if len(maps) == 0 {
				return nil, p.errf(k.Line, "%s\"<<\" must merge a mapping or a list of mappings, got %s", where, describe(src))
			}
			continue
		}
		if first, dup := seen[k.Value]; dup {
			return nil, p.errf(k.Line, "%sduplicate key %q (first set on line %d)", where, k.Value, first)
		}
		seen[k.Value] = k.Line
		out = append(out, entry{key: k.Value, line: k.Line, val: v})
	}
	for _, e := range merged {
		if _, ok := seen[e.key]; !ok {
			seen[e.key] = e.line
			out = append(out, e)
		}
	}
	return out, nil
}

// resolve follows aliases to the anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for range maxMergeDepth {
		if n == nil || n.Kind != yaml.AliasNode || n.Alias == nil {
			break
		}
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// scalar returns a scalar's text as written, so "0123" stays "0123" and
// a numeric API key keeps its leading zeros.
func scalar(n *yaml.Node) (string, bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", false
	}
	return n.Value, true
}

// describe names a node's kind for "got …" in messages.
func describe(n *yaml.Node) string {
	n = resolve(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	case n.ShortTag() == "!!null":
		return "nothing"
	case n.Kind == yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "an unexpected node"
}

// yamlError turns a yaml.v3 error ("yaml: line 3: did not find expected
// key") into an *Error carrying the line.
func (p *parser) yamlError(data []byte, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, convErr := strconv.Atoi(num); convErr == nil {
				line, msg = n, tail
			}
		}
	}
	// yaml.v3 adds one to scanner error lines but not to parser error
	// lines, which it reports 0-based, and omits line 0 altogether; the
	// parser's problems are a fixed set, so correct for them here.
	if isYAMLParserProblem(msg) {
		line++
		line = refineLine(data, line, msg)
	}
	return &Error{Path: p.path, Line: line, Msg: "invalid YAML: " + msg, Err: err}
}

// maxRefineLines bounds refineLine's quadratic search to files a person
// wrote by hand.
const maxRefineLines = 1000

// refineLine moves a parser error from the line where the enclosing block
// starts, which is what yaml.v3 reports, to the line that breaks it: the
// first prefix of the file that fails with the same problem ends on that
// line. A mis-indented key deep in a profile is then reported where it
// is, not at "profiles:".
func refineLine(data []byte, from int, msg string) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > maxRefineLines {
		return from
	}
	var prefix []byte
	for k, l := range lines {
		prefix = append(prefix, l...)
		if k+1 < from {
			continue
		}
		if err := decodeDocs(prefix); err != nil && strings.HasSuffix(err.Error(), msg) {
			return k + 1
		}
	}
	return from
}

// yamlCall runs a yaml.v3 call and turns a panic into an error. yaml.v3
// is a large hand-ported parser; a panic on some odd input must become an
// error naming the file, not a crash of the CLI. Only yaml calls are
// wrapped, so a bug in this package still panics where tests see it.
func yamlCall(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return f()
}

// decodeDocs parses data the way parseFile does, up to the second
// document, and returns the first syntax error.
func decodeDocs(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for range 2 {
		var n yaml.Node
		if err := yamlCall(func() error { return dec.Decode(&n) }); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
	return nil
}

func isYAMLParserProblem(msg string) bool {
	switch msg {
	case "did not find expected ',' or ']'",
		"did not find expected ',' or '}'",
		"did not find expected '-' indicator",
		"did not find expected <document start>",
		"did not find expected <stream-start>",
		"did not find expected key",
		"did not find expected node content",
		"found duplicate %TAG directive",
		"found duplicate %YAML directive",
		"found incompatible YAML document",
		"found undefined tag handle":
		return true
	}
	return false
}

// mcp reads the mcp: mapping. Every key is checked, so a misspelt
// allow_live_orders is an error rather than a silently kept default.
func (p *parser) mcp(e entry, fd *fileData) error {
	if isNull(e.val) {
		return nil
	}
	if resolve(e.val).Kind != yaml.MappingNode {
		return p.errf(e.line, "mcp must be a mapping (%s), got %s", strings.Join(MCPKeys(), ", "), describe(e.val))
	}
	entries, err := p.entries(resolve(e.val), "mcp: ", 0)
	if err != nil {
		return err
	}
	for _, m := range entries {
		switch m.key {
		case "allow_live_orders":
			s, ok := scalar(m.val)
			b, err := strconv.ParseBool(s)
			if !ok || err != nil || resolve(m.val).ShortTag() != "!!bool" {
				return p.errf(m.line, "mcp: allow_live_orders must be true or false, got %s", describe(m.val))
			}
			fd.mcp.AllowLiveOrders = b
		default:
			return p.errf(m.line, "%s", unknownKeyMsg("mcp: unknown key %q", m.key, MCPKeys(),
				"allowed: "+strings.Join(MCPKeys(), ", ")))
		}
	}
	return nil
}
