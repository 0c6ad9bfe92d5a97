package config

import (
	"fmt"
	"strings"

	"github.com/tradectl/tradectl/internal/exchange"
)

// Error is a problem with the configuration the user wrote: the file, a
// TRADECTL_* variable or a global flag. The CLI maps it to the usage exit
// code. Path is empty when the file is not at fault (a bad environment
// value, an unknown --profile); Line is 0 when no single line is.
type Error struct {
	Path string
	Line int
	Msg  string
	// Err is the underlying cause, when there is one (fs.ErrNotExist for
	// a missing --config file), so callers can still use errors.Is.
	Err error
}

func (e *Error) Error() string {
	switch {
	case e.Path == "":
		return e.Msg
	case e.Line > 0:
		return fmt.Sprintf("config %s:%d: %s", e.Path, e.Line, e.Msg)
	default:
		return fmt.Sprintf("config %s: %s", e.Path, e.Msg)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// CredentialError is a failure to resolve a secret. It matches
// exchange.ErrAuth with errors.Is, so it reaches the same exit code as a
// venue rejecting the key, and unwraps to its cause (a context deadline, an
// *exec.ExitError, fs.ErrNotExist …). Its message never holds the secret.
type CredentialError struct {
	Profile string // profile name
	Name    string // credential base name, e.g. "api_secret"
	Msg     string
	Err     error
}

func (e *CredentialError) Error() string {
	return fmt.Sprintf("profile %q: %s: %s", e.Profile, e.Name, e.Msg)
}

func (e *CredentialError) Is(target error) bool { return target == exchange.ErrAuth }

func (e *CredentialError) Unwrap() error { return e.Err }

// suggest returns the candidate closest to word if it is close enough to be
// a plausible typo, else "". Case is ignored so "API_KEY" finds "api_key";
// ties go to the alphabetically first candidate so messages are stable.
func suggest(word string, candidates []string) string {
	lw := strings.ToLower(word)
	best, bestDist := "", -1
	for _, c := range candidates {
		if c == word {
			continue
		}
		d := editDistance(lw, strings.ToLower(c))
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	// Two edits catch most typos; more than a third of the word would
	// suggest unrelated keys for short words.
	limit := min(2, max(1, len([]rune(lw))/3))
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// didYouMean formats suggest's answer for a message, or "".
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return ""
}

// editDistance is the optimal-string-alignment distance over runes:
// Levenshtein plus adjacent transpositions, so "tabel" is one edit from
// "table", as a typist would count it. Inputs are config keys and names;
// the length cap keeps a pathological key in a fuzzed file cheap.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return max(len(ra), len(rb))
	}
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
