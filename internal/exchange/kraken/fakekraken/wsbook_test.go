package fakekraken

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestKrakenChecksumDocExample: the fake signs its books as Kraken does,
// checked against the worked example of Kraken's v2 book checksum guide
// (https://docs.kraken.com/api/docs/guides/spot-ws-book-v2).
func TestKrakenChecksumDocExample(t *testing.T) {
	levels := func(s string) []textLevel {
		var out []textLevel
		for _, pq := range strings.Split(s, ",") {
			p, q, _ := strings.Cut(pq, " ")
			out = append(out, textLevel{p, q})
		}
		return out
	}
	bids := levels("45283.5 0.10000000,45283.4 1.54582015,45282.1 0.10000000,45281.0 0.10000000,45280.3 1.54592586," +
		"45279.0 0.07990000,45277.6 0.03310103,45277.5 0.30000000,45277.3 1.54602737,45276.6 0.15445238")
	asks := levels("45285.2 0.00100000,45286.4 1.54571953,45286.6 1.54571109,45289.6 1.54560911,45290.2 0.15890660," +
		"45291.8 1.54553491,45294.7 0.04454749,45296.1 0.35380000,45297.5 0.09945542,45299.5 0.18772827")
	if got := krakenChecksum(bids, asks); got != 3310070434 {
		t.Errorf("checksum = %d, want 3310070434", got)
	}
	// Levels past the tenth do not count.
	more := append(append([]textLevel{}, bids...), textLevel{"1.0", "9.0"})
	if got := krakenChecksum(more, asks); got != 3310070434 {
		t.Errorf("checksum with an 11th bid = %d, want 3310070434", got)
	}
}

func TestDiffLevels(t *testing.T) {
	was := []textLevel{{"100.1", "1.000"}, {"100.2", "2.000"}}
	now := []textLevel{{"100.2", "1.000"}, {"100.3", "2.000"}}
	got := diffLevels(was, now, "0.000")
	var text []string
	for _, l := range got {
		text = append(text, string(l.Price)+" "+string(l.Qty))
	}
	if diff := cmp.Diff([]string{"100.2 1.000", "100.3 2.000", "100.1 0.000"}, text); diff != "" {
		t.Errorf("updates (-want +got):\n%s", diff)
	}
}
