package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
)

// The leak check wraps every end-to-end script (TestScripts): every
// `tradectl` the scripts start goes through a wrapper that tees its
// stdout and stderr into files under $WORK, and the script fails when a
// known secret appears in anything tradectl wrote: its stdout and stderr,
// and every file under $WORK — journal, caches, paper databases, files a
// script redirected output to.
//
// Known secrets are:
//   - the value of every environment variable named like a secret
//     (…SECRET, …_KEY, …PASSPHRASE, …PASSWORD, …TOKEN) that any tradectl
//     process started with: the fake venues' random credentials, and
//     whatever a script sets;
//   - the content of every file in a script's archive whose name contains
//     "secret" (the convention for secret inputs, such as stdin files);
//   - every request signature the fake Binance received.
//
// Not scanned: the archive's files as the script extracted them (inputs,
// not output), the secret store `config set-secret` writes
// ($XDG_CONFIG_HOME/tradectl/secrets/, which is where a secret belongs),
// and the wrapper's own records. The wrapper is POSIX sh with mkfifo, tee
// and env, which every machine that runs the tests has.

// leakWrapper replaces tradectl in a script's PATH. It records the
// environment, then execs the real binary (same process, so signals and
// exit codes are the real ones) with stdout and stderr going through tee.
// The tees hold the script's pipes until tradectl exits, so the script
// still sees all of its output.
const leakWrapper = `#!/bin/sh
d="$TRADECTL_LEAK_DIR"
n=$$
while [ -e "$d/$n.o" ] || [ -e "$d/$n.out" ]; do n="$n-1"; done
env > "$d/$n.env"
mkfifo "$d/$n.o" "$d/$n.e" || exit 125
{ tee "$d/$n.out" < "$d/$n.o"; rm -f "$d/$n.o"; } &
{ tee "$d/$n.err" < "$d/$n.e" >&2; rm -f "$d/$n.e"; } &
exec "$TRADECTL_LEAK_REAL" "$@" > "$d/$n.o" 2> "$d/$n.e"
`

// leakDirName is the wrapper's directory under $WORK.
const leakDirName = ".leak"

// leakState is one script's record: what $WORK held when it started, and
// the signatures its fake venue saw.
type leakState struct {
	mu      sync.Mutex
	archive map[string][32]byte // path relative to $WORK → content hash at start
	// inputs are the secret inputs (archive files named *secret*), read
	// at the start: a command may overwrite the file later.
	inputs     []knownSecret
	signatures []string
}

// snapshot records what $WORK holds before the script runs.
func snapshot(work string) (*leakState, error) {
	st := &leakState{archive: map[string][32]byte{}}
	err := filepath.WalkDir(work, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(work, path)
		st.archive[rel] = sha256.Sum256(data)
		if strings.Contains(strings.ToLower(filepath.Base(rel)), "secret") {
			st.inputs = append(st.inputs, knownSecret{value: string(data), source: "archive file " + rel})
		}
		return nil
	})
	return st, err
}

func (s *leakState) addSignatures(sigs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signatures = append(s.signatures, sigs...)
}

type leakStateKey struct{}

// withLeakCheck adds the leak check to the scripts' parameters: the
// fake Binance also records the signatures it saw, and the setup installs
// the wrapper and the final scan.
func withLeakCheck(p testscript.Params, realTradectl string) testscript.Params {
	cmds := make(map[string]func(ts *testscript.TestScript, neg bool, args []string), len(p.Cmds))
	for name, fn := range p.Cmds {
		cmds[name] = fn
	}
	cmds["fakebinance"] = leakFakeBinance
	p.Cmds = cmds
	base := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := base(env); err != nil {
			return err
		}
		return leakSetup(env, realTradectl)
	}
	return p
}

// leakSetup installs the wrapper and registers the scan.
func leakSetup(env *testscript.Env, realTradectl string) error {
	st, err := snapshot(env.WorkDir)
	if err != nil {
		return err
	}
	dir := filepath.Join(env.WorkDir, leakDirName)
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(bin, "tradectl"), []byte(leakWrapper), 0o700); err != nil {
		return err
	}
	env.Setenv("PATH", bin+string(filepath.ListSeparator)+env.Getenv("PATH"))
	env.Setenv("TRADECTL_LEAK_DIR", dir)
	env.Setenv("TRADECTL_LEAK_REAL", realTradectl)
	env.Values[leakStateKey{}] = st
	t := env.T()
	work := env.WorkDir
	// Registered first, so it runs last: after every fake venue
	// has stopped and every background tradectl has ended.
	env.Defer(func() {
		leaks, err := findLeaks(work, st)
		if err != nil {
			t.Fatal("leak check: ", err)
		}
		if len(leaks) > 0 {
			t.Fatal("secrets leaked into what tradectl wrote:\n  " + strings.Join(leaks, "\n  "))
		}
	})
	return nil
}

// leakFakeBinance is fakebinance, plus a record of every signature the
// server saw, taken before the server stops.
func leakFakeBinance(ts *testscript.TestScript, neg bool, args []string) {
	cmdFakeBinance(ts, neg, args)
	if len(args) > 0 {
		return
	}
	srv, ok := runningFakes.Load(ts)
	if !ok {
		ts.Fatalf("leak check: fakebinance did not register its server")
	}
	st := ts.Value(leakStateKey{}).(*leakState)
	// ts.Defer runs the latest first: this runs before the server closes.
	ts.Defer(func() { st.addSignatures(signatures(srv.(*fakebinance.Server).Requests())) })
}

// signatures extracts the signature parameter of every signed request.
func signatures(reqs []fakebinance.Request) []string {
	var out []string
	for _, r := range reqs {
		for _, raw := range []string{r.Query, r.Body} {
			vals, err := url.ParseQuery(raw)
			if err != nil {
				continue
			}
			for _, sig := range vals["signature"] {
				if sig != "" && !slices.Contains(out, sig) {
					out = append(out, sig)
				}
			}
		}
	}
	return out
}

// secretName matches the environment variables whose values are secrets.
var secretName = regexp.MustCompile(`(?i)(secret|passphrase|password|token|(^|_)key)$`)

// minSecretLen keeps short values (a flag, a word) from matching by chance.
const minSecretLen = 8

// knownSecret is one value that must not leak, and where it came from
// (which is what a failure names: never the value).
type knownSecret struct {
	value, source string
}

// knownSecrets gathers the secrets of one script run.
func knownSecrets(work string, st *leakState) ([]knownSecret, error) {
	var out []knownSecret
	add := func(v, source string) {
		v = strings.TrimSpace(v)
		if len(v) < minSecretLen {
			return
		}
		for _, k := range out {
			if k.value == v {
				return
			}
		}
		out = append(out, knownSecret{v, source})
	}
	dumps, err := filepath.Glob(filepath.Join(work, leakDirName, "*.env"))
	if err != nil {
		return nil, err
	}
	if len(dumps) == 0 {
		// Every script runs tradectl; none through the wrapper means the
		// check would pass without having looked.
		return nil, errors.New("no tradectl run went through the leak wrapper")
	}
	for _, dump := range dumps {
		f, err := os.Open(dump)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			name, val, ok := strings.Cut(sc.Text(), "=")
			if ok && secretName.MatchString(name) {
				add(val, "environment variable "+name)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	// Key files a custom command wrote into $WORK for a profile to read
	// (fakecoinbase's PEM keys) are secret inputs too: the whole file, and
	// each long line of it, so a key printed in part is found as well.
	created, err := createdSecretFiles(work, st)
	if err != nil {
		return nil, err
	}
	for _, rel := range created {
		data, err := os.ReadFile(filepath.Join(work, rel))
		if err != nil {
			return nil, err
		}
		add(string(data), "secret file "+rel)
		for _, line := range strings.Split(string(data), "\n") {
			if len(strings.TrimSpace(line)) >= 40 {
				add(line, "secret file "+rel)
			}
		}
	}
	st.mu.Lock()
	for _, in := range st.inputs {
		add(in.value, in.source)
	}
	for i, sig := range st.signatures {
		add(sig, "request signature #"+strconv.Itoa(i+1))
	}
	st.mu.Unlock()
	return out, nil
}

// isSecretFileName says whether a file in $WORK itself holds a secret by
// its name: *secret* (the scripts' convention) or a PEM key.
func isSecretFileName(name string) bool {
	name = strings.ToLower(name)
	return strings.Contains(name, "secret") || strings.HasSuffix(name, ".pem")
}

// createdSecretFiles lists the secret files directly in $WORK that were
// not in the archive: written by a custom command, for tradectl to read.
func createdSecretFiles(work string, st *leakState) ([]string, error) {
	entries, err := os.ReadDir(work)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if _, fromArchive := st.archive[e.Name()]; e.Type().IsRegular() && !fromArchive && isSecretFileName(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// findLeaks scans what tradectl wrote under work for the known secrets
// and describes every hit as "file: source".
func findLeaks(work string, st *leakState) ([]string, error) {
	secrets, err := knownSecrets(work, st)
	if err != nil {
		return nil, err
	}
	secretStore := filepath.Join("home", ".config", "tradectl", "secrets") + string(filepath.Separator)
	created, err := createdSecretFiles(work, st)
	if err != nil {
		return nil, err
	}
	var leaks []string
	err = filepath.WalkDir(work, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil // directories, and the wrapper's fifos
		}
		rel, _ := filepath.Rel(work, path)
		switch {
		case strings.HasPrefix(rel, secretStore), slices.Contains(created, rel):
			return nil
		case strings.HasPrefix(rel, leakDirName+string(filepath.Separator)) &&
			!strings.HasSuffix(rel, ".out") && !strings.HasSuffix(rel, ".err"):
			return nil // the environment records and the wrapper itself
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if h, ok := st.archive[rel]; ok && h == sha256.Sum256(data) {
			return nil // an input, as the script extracted it
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s.value)) {
				leaks = append(leaks, rel+": "+s.source)
			}
		}
		return nil
	})
	slices.Sort(leaks)
	return leaks, err
}

// TestFindLeaks proves the checker can fail: planted secrets are found in
// output and data files, and the places a secret may be are left alone.
func TestFindLeaks(t *testing.T) {
	work := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(work, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const (
		envSecret     = "e1f0a9c3b7d2e5f8"
		archiveSecret = "archived-s3cr3t-value"
		signature     = "0f9e8d7c6b5a49382716"
	)
	write("api.secret", archiveSecret+"\n")
	write("config.yaml", "api_key_env: BINANCE_KEY\n")
	st, err := snapshot(work)
	if err != nil {
		t.Fatal(err)
	}
	st.addSignatures([]string{signature})
	const pemLine = "MHcCAQEEIBq0Y7mX1o9xg3Hn2Yk8cQz4pE5rV6tW7uX8yZ9aB0cDoAoGCCqGSM49"
	write("coinbase.pem", "-----BEGIN EC PRIVATE KEY-----\n"+pemLine+"\n-----END EC PRIVATE KEY-----\n")
	write(".leak/123.env", "HOME=/x\nBINANCE_SECRET="+envSecret+"\nTRADECTL_PROFILE=paper\nSHORT_KEY=abc\n")

	// Nothing tradectl wrote holds a secret yet.
	write(".leak/123.out", "balance 100000\n")
	write("home/.config/tradectl/secrets/binance.api_secret", envSecret+"\n")
	leaks, err := findLeaks(work, st)
	if err != nil || len(leaks) != 0 {
		t.Fatalf("clean run: leaks %v, err %v", leaks, err)
	}

	write(".leak/123.err", "Error: bad key "+envSecret+"\n")
	write("home/.local/state/tradectl/journal.db", "SQLite format 3\x00...GET /api?signature="+signature+"...")
	write("out.json", `{"note":"`+archiveSecret+`"}`)
	write(".leak/124.out", "key: "+pemLine+"\n")
	write("api.secret", archiveSecret+" changed by a command\n") // no longer the input it was
	leaks, err = findLeaks(work, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		".leak/123.err: environment variable BINANCE_SECRET",
		".leak/124.out: secret file coinbase.pem",
		"api.secret: archive file api.secret",
		"home/.local/state/tradectl/journal.db: request signature #1",
		"out.json: archive file api.secret",
	}
	if !slices.Equal(want, leaks) {
		t.Errorf("leaks:\n got %q\nwant %q", leaks, want)
	}
	for _, l := range leaks {
		for _, s := range []string{envSecret, archiveSecret, signature, pemLine} {
			if strings.Contains(l, s) {
				t.Errorf("a failure message shows the secret itself: %q", l)
			}
		}
	}
}
