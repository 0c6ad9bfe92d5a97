package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// CommandRunner runs a _cmd source's shell command and returns its
// standard output. A runner decides where the command's stderr goes.
type CommandRunner func(ctx context.Context, command string) (stdout []byte, err error)

// ShellRunner runs commands with `sh -c`, passing their stderr through to
// stderr (the user's terminal, typically) so prompts and errors from
// password managers stay visible. A nil stderr discards it. The command
// inherits the process environment: password managers need PATH, HOME and
// their agent sockets.
func ShellRunner(stderr io.Writer) CommandRunner {
	if stderr == nil {
		stderr = io.Discard
	}
	return func(ctx context.Context, command string) ([]byte, error) {
		var stdout bytes.Buffer
		cmd := exec.CommandContext(ctx, "sh", "-c", command)
		cmd.Stdout = &stdout
		cmd.Stderr = stderr
		// A killed shell may leave a child holding the pipes open; do not
		// wait for it past the deadline. The command is deliberately not
		// put in its own process group (which would let us kill the whole
		// tree): that would take it off the terminal's foreground group,
		// and a password manager prompting on the tty would then stop.
		cmd.WaitDelay = time.Second
		if err := cmd.Run(); err != nil {
			return nil, err
		}
		return stdout.Bytes(), nil
	}
}

// maxSecretFileSize bounds a _file read; keys and PEM blocks are small.
const maxSecretFileSize = 64 << 10

// SecretResolver returns the function exchange.Params.Secret wants: it
// resolves a credential by base name when asked, never before, so a
// profile whose secret command is slow or needs a touch costs nothing
// until an authenticated call is made. A name the profile does not set
// resolves to "", nil.
//
// getenv serves _env sources; run serves _cmd sources (nil means
// ShellRunner(nil), which discards the command's stderr, so the
// application should pass ShellRunner(its stderr)). Every error is a
// *CredentialError, which matches exchange.ErrAuth.
func (p Profile) SecretResolver(getenv func(string) string, run CommandRunner) func(ctx context.Context, name string) (string, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if run == nil {
		run = ShellRunner(nil)
	}
	creds := make(map[string]SecretSource, len(p.Credentials))
	for k, v := range p.Credentials {
		creds[k] = v
	}
	profile := p.Name
	return func(ctx context.Context, name string) (string, error) {
		src, ok := creds[name]
		if !ok {
			return "", nil
		}
		fail := func(err error, format string, args ...any) (string, error) {
			return "", &CredentialError{Profile: profile, Name: name, Msg: fmt.Sprintf(format, args...), Err: err}
		}
		if err := ctx.Err(); err != nil {
			return fail(err, "%s: %v", src.key(name), err)
		}
		switch src.Kind {
		case SourcePlain:
			return src.Value, nil
		case SourceEnv:
			v := getenv(src.Value)
			if v == "" {
				return fail(nil, "environment variable %s (from %s) is not set or empty", src.Value, src.key(name))
			}
			return v, nil
		case SourceFile:
			return readSecretFile(src.Value, func(err error, msg string) (string, error) {
				return fail(err, "%s", msg)
			})
		case SourceCmd:
			out, err := run(ctx, src.Value)
			if err != nil {
				// The command's output is not quoted: a failing secret
				// command may well have printed part of the secret.
				if ctxErr := ctx.Err(); ctxErr != nil {
					err = ctxErr
				}
				return fail(err, "%s %q failed: %v", src.key(name), src.Value, err)
			}
			v := strings.TrimSpace(string(out))
			if v == "" {
				return fail(nil, "%s %q printed nothing", src.key(name), src.Value)
			}
			return v, nil
		}
		return fail(nil, "unknown source kind %q", src.Kind)
	}
}

// readSecretFile reads a _file source. It refuses files that group or
// other users can access, as ssh does for private keys: a secret readable
// by others is already leaked, and failing loudly is how it gets fixed.
func readSecretFile(path string, fail func(error, string) (string, error)) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return fail(err, "read "+path+": "+describeFSError(err))
	}
	defer f.Close()
	// Stat the open file, not the path, so the file checked is the file read.
	st, err := f.Stat()
	if err != nil {
		return fail(err, "read "+path+": "+describeFSError(err))
	}
	if !st.Mode().IsRegular() {
		return fail(nil, path+" is not a regular file")
	}
	// Windows reports synthetic permission bits; its ACLs are not visible
	// through FileMode, so the check would only produce false alarms.
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return fail(nil, fmt.Sprintf("%s has mode %04o, so other users can read it; run: chmod 600 %s", path, perm, shellQuote(path)))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFileSize+1))
	if err != nil {
		return fail(err, "read "+path+": "+describeFSError(err))
	}
	if len(data) > maxSecretFileSize {
		return fail(errors.New("too large"), fmt.Sprintf("%s is larger than %d bytes; is it the right file?", path, maxSecretFileSize))
	}
	v := strings.TrimRight(string(data), "\r\n")
	if v == "" {
		return fail(nil, path+" is empty")
	}
	return v, nil
}

// shellQuote quotes a path for a copy-pasteable command, and leaves
// ordinary paths alone so the hint reads naturally.
func shellQuote(s string) string {
	safe := true
	for _, r := range s {
		if !(r == '/' || r == '.' || r == '_' || r == '-' || r == '~' || r == '+' || r == ',' || r == ':' || r == '@' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			safe = false
			break
		}
	}
	if safe && s != "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
