package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestWriteReplacesWithModeAndLeavesNoTemp(t *testing.T) {
	for _, durable := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "f.json")
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Write(path, []byte("new"), 0o600, durable); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || string(b) != "new" {
			t.Fatalf("durable=%v: got %q, %v", durable, b, err)
		}
		st, _ := os.Stat(path)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("durable=%v: mode %v, want 0600", durable, st.Mode().Perm())
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("durable=%v: temporary files left behind: %v", durable, entries)
		}
	}
}

// Readers racing with writers see one whole version or the other.
func TestConcurrentReadersNeverSeeATornFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	a, b := strings.Repeat("a", 1<<16), strings.Repeat("b", 1<<16)
	if err := Write(path, []byte(a), 0o600, false); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			v := a
			if i%2 == 0 {
				v = b
			}
			if err := Write(path, []byte(v), 0o600, false); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 500 {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if s := string(got); s != a && s != b {
			t.Fatalf("read a torn file of %d bytes", len(s))
		}
	}
	wg.Wait()
}

func TestWriteIntoMissingDirectoryFails(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "no", "such", "f"), []byte("x"), 0o600, false)
	if err == nil || !strings.Contains(err.Error(), "create a file in") {
		t.Fatalf("error = %v", err)
	}
}
