package journal

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestEntryJSONTime: an entry's time is written as every tradectl time
// is (RFC 3339, UTC, milliseconds), its fields in their usual order.
func TestEntryJSONTime(t *testing.T) {
	e := Entry{ID: 4, Time: time.Date(2026, 11, 27, 13, 0, 0, 250e6, time.FixedZone("CET", 3600)), Kind: KindOutcome,
		Profile: "paper", Status: Placed, Result: "placed", OrderID: "1"}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":4,"time":"2026-11-27T12:00:00.250Z","kind":"outcome","profile":"paper","status":"placed","result":"placed","order_id":"1"}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("entry JSON (-want +got):\n%s", diff)
	}
}

// TestEntryWireMatchesEntry: a field added to Entry must be added to its
// wire form too, or its JSON would silently lose it.
func TestEntryWireMatchesEntry(t *testing.T) {
	if diff := cmp.Diff(jsonTags(reflect.TypeOf(Entry{})), jsonTags(reflect.TypeOf(entryWire{}))); diff != "" {
		t.Errorf("Entry and entryWire differ (-Entry +entryWire):\n%s", diff)
	}
}

func jsonTags(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		out = append(out, t.Field(i).Name+" "+t.Field(i).Tag.Get("json"))
	}
	return out
}
