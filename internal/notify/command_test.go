//go:build unix

package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The command notifier runs a real shell: what the command received is
// read back from the files it wrote.
func TestCommandGetsStdinAndEnv(t *testing.T) {
	dir := t.TempDir()
	c := &Command{Line: `cat > "$OUT/stdin"; env | grep '^TRADECTL_EVENT_' | sort > "$OUT/env"`}
	t.Setenv("OUT", dir)
	ev := Event{Kind: KindOrderFilled, Command: "order create", Profile: "paper", Venue: "paper", Symbol: "BTC-USD",
		Message: "order 1 filled\non two lines"}
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Notify(context.Background(), ev, body); err != nil {
		t.Fatal(err)
	}
	stdin, _ := os.ReadFile(filepath.Join(dir, "stdin"))
	if diff := cmp.Diff(string(body)+"\n", string(stdin)); diff != "" {
		t.Errorf("stdin (-want +got):\n%s", diff)
	}
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	want := strings.Join([]string{
		"TRADECTL_EVENT_COMMAND=order create",
		"TRADECTL_EVENT_JSON=" + string(body),
		"TRADECTL_EVENT_KIND=order_filled",
		"TRADECTL_EVENT_MESSAGE=order 1 filled on two lines",
		"TRADECTL_EVENT_PROFILE=paper",
		"TRADECTL_EVENT_SYMBOL=BTC-USD",
		"TRADECTL_EVENT_TIME=0001-01-01T00:00:00.000Z",
		"TRADECTL_EVENT_VENUE=paper",
	}, "\n") + "\n"
	if diff := cmp.Diff(want, string(env)); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
}

// A command past its timeout is killed with everything it started: the
// background sleep writes its pid, and that process must be gone.
func TestCommandTimeoutKillsTheGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	c := &Command{Line: `sleep 30 & echo $! > "` + pidFile + `"; wait`, Timeout: 300 * time.Millisecond}
	err := c.Notify(context.Background(), Event{Kind: KindAlert}, []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "killed after 300ms") {
		t.Fatalf("error = %v, want killed after 300ms", err)
	}
	b, rerr := os.ReadFile(pidFile)
	if rerr != nil {
		t.Fatal(rerr)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		// Signal 0 probes: ESRCH means the sleep was killed (and reaped
		// by init, as its shell is gone).
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the command's child %d still runs after the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCommandFailureSaysWhy(t *testing.T) {
	var out bytes.Buffer
	c := &Command{Line: `echo "no route to pager" >&2; exit 3`, Output: &out}
	err := c.Notify(context.Background(), Event{Kind: KindAlert}, []byte(`{}`))
	if err == nil || err.Error() != "exit status 3: no route to pager" {
		t.Errorf("error = %v", err)
	}
	if out.String() != "no route to pager\n" {
		t.Errorf("the command's stderr went to %q, want it passed through", out.String())
	}
}
