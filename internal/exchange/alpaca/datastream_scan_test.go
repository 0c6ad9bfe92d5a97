package alpaca

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/exchange/venuews"
	"github.com/tradectl/tradectl/internal/trade"
)

func newTestRefDecoder(sent *[]string) *refDataDecoder {
	last := map[trade.Symbol]trade.Quote{aapl: {Last: trade.Dec("189")}}
	return newRefDataDecoder("v2/iex", map[string]trade.Symbol{"AAPL": aapl}, last, func(m []byte) { *sent = append(*sent, string(m)) },
		func() ([]byte, error) { return []byte(`{"action":"auth","key":"K","secret":"S"}`), nil }, []byte(`{"action":"subscribe","trades":["AAPL"],"quotes":["AAPL"]}`))
}

// errClass is what an error from a decoder means to the stream core and
// to the caller.
func errClass(err error) string {
	var xe *exchange.Error
	switch {
	case err == nil:
		return ""
	case venuews.IsFatal(err) && errors.As(err, &xe):
		return fmt.Sprintf("fatal %v %s", xe.Kind, xe.Code)
	case venuews.IsPollNow(err) && errors.As(err, &xe):
		return fmt.Sprintf("poll now %v %s", xe.Kind, xe.Code)
	case venuews.IsFatal(err):
		return "fatal"
	case errors.Is(err, venuews.ErrResync):
		return "resync"
	}
	return "malformed"
}

// decodeInto decodes frame from memory that is overwritten once the call
// returns, as the stream core's reused buffer is: a decoder that kept a
// slice of it would see garbage on the next frame.
func decodeInto(d *dataDecoder, buf *[]byte, frame []byte) ([]trade.Quote, error) {
	*buf = append((*buf)[:0], frame...)
	qs, err := d.decode(*buf)
	qs = append([]trade.Quote(nil), qs...) // out is reused too
	for i := range *buf {
		(*buf)[i] = 'x'
	}
	return qs, err
}

// dataFrameSeeds are frames Alpaca sends and frames it should not.
var dataFrameSeeds = []string{
	dsConnected, dsAuthenticated, dsSubscription, dsQuote, dsTrade, `[]`, `null`, ` [ ] `,
	`[{"T":"error","code":406,"msg":"connection limit exceeded"}]`,
	`[{"T":"error","code":402,"msg":"auth failed"}]`,
	`[{"T":"error","code":"402","msg":"auth failed"}]`,
	`[{"T":"q","S":"AAPL","bp":1e-7,"ap":2E+3,"t":"2026-03-02T15:00:00Z"}]`,
	`[{"T":"q","S":"AAPL","bp":"189.5","ap":"189.6","t":"2026-03-02T15:00:00Z"}]`,
	`[{"T":"q","S":"AAPL","bp":"one","ap":2,"t":"2026-03-02T15:00:00Z"}]`,
	`[{"T":"q","S":"AA\u0050L","bp":1,"ap":2,"t":"2026-03-02T15:00:00Z","c":["\"",{"x":[null,true,false,-0.5e3]}]}]`,
	`[{"T":"q","S":"AAPL","bp":1,"ap":2,"bp":null,"S":null,"t":"2026-03-02T15:00:00Z"},null]`,
	`[{"T":"q","S":"AAPL","bp":1,"ap":2,"t":"2026-03-02T15:00:00Z"},{"T":"t","S":"AAPL","p":1.5,"s":3,"t":"2026-03-02T15:00:01Z"},{"T":"q","S":"AAPL","bp":1,"ap":2.5,"t":"2026-03-02T15:00:02Z"}]`,
	`[{"T":"q","S":"AAPL","bp":1,"ap":2,"t":"2026-03-02T15:00:00Z"}] x`,
	`[{"T":"success","msg":"connected"},{"T":"q","S":"AAPL","bp":-1,"ap":2,"t":"2026-03-02T15:00:00Z"}]`,
	`[{"T":"subscription","quotes":["AAPL",null]},{"T":"subscription","quotes":[1]}]`,
	"[{\"T\":\"q\",\"S\":\"AAPL\",\"bp\":1,\"ap\":2,\"t\":\"2026-03-02T15:00:00Z\",\"z\":\"\x01\"}]",
	`[{"T":"q","S":"AAPL","bp":01,"ap":2,"t":"2026-03-02T15:00:00Z"}]`,
	`[1]`, `{"T":"q"}`, `[{"T":"q",}]`, `[{"T":"q"`, `[{"code":1.5}]`, `[{"T":true}]`, `[{"quotes":"AAPL"}]`,
}

func TestScanFrameAgreesWithReference(t *testing.T) {
	for _, frame := range dataFrameSeeds {
		checkAgainstReference(t, []byte(frame), []byte(dsQuote), []byte(frame))
	}
}

// FuzzDataDecoderReference sends three frames in a row through the
// decoder and through the encoding/json one it replaced: the same quotes,
// errors that mean the same, the same messages sent back, every time.
func FuzzDataDecoderReference(f *testing.F) {
	for _, s := range dataFrameSeeds {
		f.Add([]byte(s), []byte(dsQuote), []byte(s))
	}
	f.Add([]byte(dsQuote), []byte(`[{"T":"q","S":"AAPL","bp":189.5,"ap":"1x","t":"2026-03-02T15:00:00Z"}]`), []byte(dsQuote))
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		for _, frame := range [][]byte{a, b, c} {
			if foldsOntoAField(frame) {
				t.Skip("a key only a case-insensitive match reads")
			}
		}
		checkAgainstReference(t, a, b, c)
	})
}

func checkAgainstReference(t *testing.T, frames ...[]byte) {
	t.Helper()
	var sent, refSent []string
	d, ref := newTestDataDecoder(&sent), newTestRefDecoder(&refSent)
	var buf []byte
	for i, frame := range frames {
		sent, refSent = nil, nil
		got, err := decodeInto(d, &buf, frame)
		want, refErr := ref.decode(bytes.Clone(frame))
		if got, want := errClass(err), errClass(refErr); got != want {
			t.Fatalf("frame %d %q: error %q (%v), reference %q (%v)", i, frame, got, err, want, refErr)
		}
		if len(got) == 0 {
			got = nil
		}
		if diff := cmp.Diff(want, got, venuetest.DecEqual); diff != "" {
			t.Fatalf("frame %d %q: quotes (-reference +decoder):\n%s", i, frame, diff)
		}
		if diff := cmp.Diff(refSent, sent); diff != "" {
			t.Fatalf("frame %d %q: sent (-reference +decoder):\n%s", i, frame, diff)
		}
	}
}

func TestScanFrameErrors(t *testing.T) {
	for _, tc := range []struct{ name, frame, want string }{
		{"not an array", `{"T":"q"}`, "a message is an array at offset 0"},
		{"element not an object", `[1]`, "an element is an object at offset 1"},
		{"text after", `[] []`, "text after the message at offset 3"},
		{"unterminated string", `[{"T":"q`, "unterminated string at offset 8"},
		{"bad escape", `[{"T":"\q"}]`, "bad escape at offset 7"},
		{"code not an integer", `[{"code":4.5}]`, "code is not an integer at offset 12"},
		{"symbol not a string", `[{"S":1}]`, "S is not a string at offset 6"},
		{"price not a number", `[{"bp":"1.5x"}]`, "bp is not a number at offset 13"},
		{"leading zero", `[{"bp":01}]`, "expected , or } at offset 8"},
		{"quotes of numbers", `[{"quotes":[1]}]`, "quotes holds a non-string at offset 12"},
		{"nested too deeply", `[{"x":` + strings.Repeat("[", maxDepth) + `]}]`, "nested too deeply at offset " + strconv.Itoa(6+maxDepth-2)},
	} {
		_, err := scanFrame([]byte(tc.frame), nil)
		if !errors.Is(err, errFrameSyntax) {
			t.Errorf("%s: %v, want a frame syntax error", tc.name, err)
			continue
		}
		if got := strings.TrimPrefix(err.Error(), errFrameSyntax.Error()+": "); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestScanFrameFields(t *testing.T) {
	msgs, err := scanFrame([]byte(` [ {"T":"q","S":"A\u0041PL","bx":"V","bp":189.5,"bs":2,"ap":"189.52","c":["R",{"k":[]}],"t":"2026-03-02T15:00:00Z","code":-7,"msg":null} , null, {"T":"t","p":1e2} ] `), nil)
	if err != nil {
		t.Fatal(err)
	}
	type fields struct {
		T, S, Time, Msg, BP, AP, P string
		Code                       int
	}
	var got []fields
	for _, m := range msgs {
		got = append(got, fields{string(m.T), string(m.S), string(m.Time), string(m.Msg), string(m.BP), string(m.AP), string(m.P), m.Code})
	}
	want := []fields{
		{T: "q", S: "AAPL", Time: "2026-03-02T15:00:00Z", BP: "189.5", AP: "189.52", Code: -7},
		{},
		{T: "t", P: "1e2"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
