package fakealpaca_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestActivitiesRefuseWhatAlpacaRefuses(t *testing.T) {
	c := newClient(t)
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/v2/account/activities/FILL", 200},
		{"/v2/account/activities/FILL?direction=asc&page_size=100&page_token=20250101000000000::x&after=2025-01-01T00:00:00Z&until=2025-02-01T00:00:00.5Z", 200},
		{"/v2/account/activities/DIV", 200},
		{"/v2/account/activities/FFFFF", 422},
		{"/v2/account/activities/FILL?page_size=101", 422},
		{"/v2/account/activities/FILL?page_size=0", 422},
		{"/v2/account/activities/FILL?direction=up", 422},
		{"/v2/account/activities/FILL?after=yesterday", 422},
		{"/v2/account/activities/FILL?symbol=AAPL", 422}, // activities have no symbol filter
	} {
		if a := c.send("GET", tt.path, ""); a.status != tt.want {
			t.Errorf("GET %s = %d %s, want %d", tt.path, a.status, a.body, tt.want)
		}
	}
}

// pageIDs reads path's activities and returns their ids.
func pageIDs(t *testing.T, c *client, path string) []string {
	t.Helper()
	a := c.send("GET", path, "")
	var acts []struct {
		ID string `json:"id"`
	}
	if a.status != 200 || json.Unmarshal([]byte(a.body), &acts) != nil {
		t.Fatalf("GET %s = %d %s", path, a.status, a.body)
	}
	ids := make([]string, len(acts))
	for i, x := range acts {
		ids[i] = x.ID
	}
	return ids
}

func TestActivitiesPageByToken(t *testing.T) {
	c := newClient(t)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	seeded := c.s.SeedFills(7, start, time.Second)
	var all []string
	for _, f := range seeded {
		all = append(all, f.ID)
	}
	// asc resumes just after the token, desc just before it.
	if got := pageIDs(t, c, "/v2/account/activities/FILL?direction=asc&page_size=3&page_token="+all[2]); strings.Join(got, ",") != strings.Join(all[3:6], ",") {
		t.Errorf("asc after the 3rd = %v, want %v", got, all[3:6])
	}
	if got := pageIDs(t, c, "/v2/account/activities/FILL?page_size=2&page_token="+all[4]); strings.Join(got, ",") != all[3]+","+all[2] {
		t.Errorf("desc before the 5th = %v, want %v", got, []string{all[3], all[2]})
	}
	// after and until are both exclusive.
	q := "?direction=asc&after=" + start.Add(2*time.Second).Format(time.RFC3339) + "&until=" + start.Add(5*time.Second).Format(time.RFC3339)
	if got := pageIDs(t, c, "/v2/account/activities/FILL"+q); strings.Join(got, ",") != strings.Join(all[3:5], ",") {
		t.Errorf("strictly between 2s and 5s = %v, want %v", got, all[3:5])
	}
	// Ids sort as the fills happened.
	if !strings.HasPrefix(all[1], "20250101000001000::") {
		t.Errorf("activity id %q, want Alpaca's <time>::<uuid> form", all[1])
	}
}
