package configcmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tradectl/tradectl/internal/atomicfile"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/completion"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/xdg"
)

// maxSecretInput bounds what set-secret reads: keys and PEM blocks are
// small, and anything larger is a wrong file piped in by mistake. It
// equals what a _file source accepts.
const maxSecretInput = 64 << 10

// SecretsDirName is the directory under tradectl's config directory where
// set-secret keeps secrets, one file per profile and credential.
const SecretsDirName = "secrets"

// SetSecretOptions is a parsed `config set-secret`.
type SetSecretOptions struct {
	// What the command works with, each built on first use.
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Dirs    func() (xdg.Dirs, error)
	Printer func() (*render.Printer, error)
	// Registry names the credentials each venue reads besides the common ones.
	Registry *exchange.Registry

	Profile string
	Name    string
}

// SetSecretResult is what set-secret prints with -o json: where the
// secret went and the line that makes a profile read it. Never the secret.
type SetSecretResult struct {
	Profile    string `json:"profile"`
	Name       string `json:"name"`
	Path       string `json:"path"`
	ConfigLine string `json:"config_line"`
	Replaced   bool   `json:"replaced"`
	// InUse says whether the profile already reads this file.
	InUse bool `json:"in_use"`
}

// NewCmdSetSecret builds `tradectl config set-secret`.
func NewCmdSetSecret(f *cmdutil.Factory, runF func(*SetSecretOptions) error) *cobra.Command {
	opts := &SetSecretOptions{
		IO:       f.IOStreams,
		Config:   f.Config,
		Dirs:     f.Dirs,
		Printer:  f.Printer,
		Registry: f.Registry,
	}
	cmd := &cobra.Command{
		Use:   "set-secret PROFILE [--name api_secret]",
		Short: "Store a profile's secret in a private file, read from stdin",
		Long: heredoc.Doc(`
			Read a secret from standard input and store it in
			$XDG_CONFIG_HOME/tradectl/secrets/PROFILE.NAME, a file only you can read
			(mode 0600, in a 0700 directory), replacing any earlier one. On a terminal
			the input is not echoed; piped, the whole input is the secret, with its
			trailing newline removed. An empty secret is refused.

			The secret is never printed. What is printed (on stderr) is the line that
			makes the profile read the file, e.g. api_secret_file: PATH, and whether the
			profile already has another source for it.
		`),
		Example: heredoc.Doc(`
			# piped from a variable or a password manager: never type a secret into a command line
			$ printenv LIVE_API_SECRET | tradectl config set-secret live
			$ printenv LIVE_API_KEY | tradectl config set-secret live --name api_key
		`),
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completion.ProfileArgs(f.CompletionSource()),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Profile = args[0]
			if !validProfileName(opts.Profile) {
				return cmdutil.Usagef("profile name %q is not valid: use up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", opts.Profile)
			}
			opts.Name = strings.TrimSpace(opts.Name)
			if runF != nil {
				return runF(opts)
			}
			return setSecretRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "api_secret", "which credential: "+strings.Join(config.CredentialNames(), ", ")+" (or a venue's own)")
	_ = cmd.RegisterFlagCompletionFunc("name", cobra.FixedCompletions(config.CredentialNames(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// validProfileName follows the config file's rule for profile names; it
// also keeps the name safe as part of a file name.
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

func setSecretRun(ctx context.Context, o *SetSecretOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	prof, known := cfg.Profiles[o.Profile]
	names := config.CredentialNames()
	if known {
		if v, ok := o.Registry.Lookup(prof.Exchange); ok {
			for _, n := range v.Credentials {
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
	}
	if !slices.Contains(names, o.Name) {
		return cmdutil.Usagef("--name %q: not a credential name (known: %s)", o.Name, strings.Join(names, ", "))
	}
	dirs, err := o.Dirs()
	if err != nil {
		return err
	}
	secret, err := readSecret(ctx, o)
	if err != nil {
		return err
	}
	dir := filepath.Join(dirs.ConfigDir(), SecretsDirName)
	path := filepath.Join(dir, o.Profile+"."+o.Name)
	_, statErr := os.Lstat(path)
	replaced := statErr == nil
	if err := writeSecretFile(dir, path, secret); err != nil {
		return &cmdutil.SetupError{Err: err}
	}

	res := SetSecretResult{Profile: o.Profile, Name: o.Name, Path: path, Replaced: replaced,
		ConfigLine: o.Name + "_" + config.SourceFile + ": " + path}
	src, hasSource := prof.Credentials[o.Name]
	res.InUse = known && hasSource && src.Kind == config.SourceFile && filepath.Clean(src.Value) == path

	verb := "Saved"
	if replaced {
		verb = "Replaced"
	}
	w := o.IO.ErrOut
	fmt.Fprintf(w, "%s the %s of profile %q in %s (mode 0600).\n", verb, o.Name, o.Profile, path)
	fmt.Fprint(w, guidance(cfg, prof, known, src, hasSource, res))

	printer, err := o.Printer()
	if err != nil {
		return err
	}
	if printer.Format.Machine() {
		return printer.Print(res, nil)
	}
	return nil
}

// guidance tells the user what, if anything, to change in the config file
// so the profile reads the saved file.
func guidance(cfg *config.Config, prof config.Profile, known bool, src config.SecretSource, hasSource bool, res SetSecretResult) string {
	where := cfg.Path
	if where == "" {
		where = "your config file (see `tradectl config path`)"
	}
	switch {
	case res.InUse:
		return fmt.Sprintf("Profile %q already reads it (%s_file, line %d of %s).\n", res.Profile, res.Name, src.Line, where)
	case known && hasSource:
		what := map[string]string{
			config.SourcePlain: "plain text in the config file",
			config.SourceEnv:   "the environment variable " + src.Value,
			config.SourceFile:  "the file " + src.Value,
			config.SourceCmd:   "the command " + src.Value,
		}[src.Kind]
		key := res.Name
		if src.Kind != config.SourcePlain {
			key += "_" + src.Kind
		}
		return fmt.Sprintf("Profile %q still reads its %s from %s (%s, line %d of %s).\nTo use the saved file instead, replace that line with:\n    %s\n",
			res.Profile, res.Name, what, key, src.Line, where, res.ConfigLine)
	case known && cfg.FileExists && prof.Line > 0:
		return fmt.Sprintf("Profile %q has no %s source yet. Add this line to it (profile %q at line %d of %s):\n    %s\n",
			res.Profile, res.Name, res.Profile, prof.Line, where, res.ConfigLine)
	case known:
		// The built-in paper profile: it exists without a file.
		return fmt.Sprintf("Profile %q is built in and has no file entry; to use the secret, define the profile in %s with:\n    %s\n",
			res.Profile, where, res.ConfigLine)
	default:
		return fmt.Sprintf("Profile %q is not in %s yet. To use the secret, add it there:\nprofiles:\n  %s:\n    exchange: EXCHANGE\n    %s\n",
			res.Profile, where, res.Profile, res.ConfigLine)
	}
}

// readSecret reads the secret from stdin: without echo from a terminal,
// else the whole input.
func readSecret(ctx context.Context, o *SetSecretOptions) (string, error) {
	ios := o.IO
	var (
		raw []byte
		err error
	)
	if ios.IsStdinTTY() {
		fmt.Fprintf(ios.ErrOut, "Enter the %s of profile %q (input is hidden): ", o.Name, o.Profile)
		raw, err = readHidden(ctx, ios.In)
		fmt.Fprintln(ios.ErrOut)
	} else {
		raw, err = io.ReadAll(io.LimitReader(ios.In, maxSecretInput+1))
		if err == nil && len(raw) > maxSecretInput {
			return "", cmdutil.Usagef("the input is larger than %d bytes; is it the secret?", maxSecretInput)
		}
	}
	if err != nil {
		return "", fmt.Errorf("read the secret from stdin: %w", err)
	}
	// The trailing newline is the terminal's or echo's, never the secret's.
	secret := strings.TrimRight(string(raw), "\r\n")
	if strings.TrimSpace(secret) == "" {
		return "", cmdutil.Usagef("no secret on stdin: pipe it in (e.g. `pass show x | tradectl config set-secret %s`) or type it at the prompt", o.Profile)
	}
	return secret, nil
}

// readHidden reads one line from a terminal with echo off. A reader that
// is not a file (a test) is read as a plain line.
func readHidden(ctx context.Context, in io.Reader) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		if file, ok := in.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(file.Fd())) {
			b, err := term.ReadPassword(int(file.Fd()))
			done <- result{b, err}
			return
		}
		line, err := bufio.NewReader(io.LimitReader(in, maxSecretInput)).ReadString('\n')
		if errors.Is(err, io.EOF) && line != "" {
			err = nil
		}
		done <- result{[]byte(line), err}
	}()
	select {
	case <-ctx.Done():
		// ReadPassword restores the terminal when the process ends on a
		// signal; there is nothing more to undo here.
		return nil, ctx.Err()
	case r := <-done:
		return r.b, r.err
	}
}

// writeSecretFile writes secret to path atomically: a temporary file in
// the same directory, created 0600, synced, then renamed over path, so a
// reader never sees a half-written secret and a crash leaves the old one.
func writeSecretFile(dir, path, secret string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	// MkdirAll leaves an existing directory as it was; this one is
	// tradectl's own and must not be readable by others.
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("chmod %s: %w", dir, err)
	}
	return atomicfile.Write(path, []byte(secret+"\n"), 0o600, true)
}
