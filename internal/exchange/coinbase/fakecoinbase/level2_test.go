package fakecoinbase

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// wireL2 is an l2_data message as the Advanced Trade docs show it.
type wireL2 struct {
	Type        string `json:"type"`
	Message     string `json:"message"`
	Channel     string `json:"channel"`
	SequenceNum int64  `json:"sequence_num"`
	Events      []struct {
		Type      string `json:"type"`
		ProductID string `json:"product_id"`
		Updates   []struct {
			Side        string `json:"side"`
			EventTime   string `json:"event_time"`
			PriceLevel  string `json:"price_level"`
			NewQuantity string `json:"new_quantity"`
		} `json:"updates"`
	} `json:"events"`
}

func TestLevel2SnapshotUpdatesAndGap(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s := New(keyName, &key.PublicKey, WithStreamHeartbeat(time.Hour))
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, s.WSURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	read := func() wireL2 {
		t.Helper()
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m wireL2
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return m
	}
	sub := func(msg string) {
		t.Helper()
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}

	sub(`{"type":"subscribe","channel":"level2","product_ids":["NOPE-USD"]}`)
	if m := read(); m.Type != "error" {
		t.Errorf("unknown product answered %+v, want an error", m)
	}
	sub(`{"type":"subscribe","channel":"level2","product_ids":["BTC-USD"]}`)
	if m := read(); m.Channel != "subscriptions" || m.SequenceNum != 0 {
		t.Errorf("first message %+v, want subscriptions numbered 0", m)
	}
	snap := read()
	if snap.Channel != "l2_data" || snap.SequenceNum != 1 || len(snap.Events) != 1 || snap.Events[0].Type != "snapshot" || snap.Events[0].ProductID != "BTC-USD" {
		t.Fatalf("snapshot message %+v", snap)
	}
	ups := snap.Events[0].Updates
	if len(ups) != 200 || ups[0].Side != "bid" || ups[0].PriceLevel != "60000" || ups[0].NewQuantity != "1" ||
		ups[100].Side != "offer" || ups[100].PriceLevel != "60000.01" || ups[0].EventTime == "" {
		t.Errorf("snapshot updates start %+v … %+v, want 100 bids from 60000 and 100 offers from 60000.01", ups[0], ups[100])
	}

	// The best bid drops a tick and a message is lost: the update skips a
	// number and carries only what changed, 60000 removed.
	s.SkipStreamSequence()
	s.SetBook("BTC-USD", decimal.RequireFromString("59999.99"), decimal.RequireFromString("60000.01"), decimal.Zero)
	up := read()
	if up.SequenceNum != 3 || up.Events[0].Type != "update" {
		t.Fatalf("update message %+v, want type update numbered 3 after the skip", up)
	}
	got := map[string]string{}
	for _, u := range up.Events[0].Updates {
		if u.Side != "bid" {
			t.Errorf("update on the untouched side: %+v", u)
		}
		got[u.PriceLevel] = u.NewQuantity
	}
	for price, qty := range map[string]string{"60000": "0", "59999.99": "1", "59999.98": "2", "59999": "100"} {
		if got[price] != qty {
			t.Errorf("update of %s = %q, want %q", price, got[price], qty)
		}
	}
	if diff := cmp.Diff(101, len(got)); diff != "" {
		t.Errorf("levels updated (-want +got):\n%s", diff)
	}
}
