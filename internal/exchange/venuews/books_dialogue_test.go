package venuews

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tradectl/tradectl/internal/trade"
)

// dialogueBookFeed is a book feed on the test server: {"s":…,"b":…,"a":…} is a
// one-level book, the rest as for quotes.
func dialogueBookFeed(url string) BookFeed {
	return BookFeed{
		Endpoint:  Endpoint{Venue: "testvenue", Profile: "test", URL: url},
		Subscribe: func(context.Context) ([][]byte, error) { return [][]byte{[]byte(`{"sub":"book"}`)}, nil },
		NewDialogue: func(func([]byte)) BookDecoder {
			return func(msg []byte) ([]trade.Book, error) {
				var m testMsg
				if err := json.Unmarshal(msg, &m); err != nil {
					return nil, err
				}
				if m.HB {
					return nil, nil
				}
				b, err := trade.NewBook(trade.MustSymbol(m.S), time.Time{},
					[]trade.BookLevel{{Price: trade.Dec(m.B), Qty: trade.Dec("1")}},
					[]trade.BookLevel{{Price: trade.Dec(m.A), Qty: trade.Dec("1")}}, 1)
				return []trade.Book{b}, err
			}
		},
		Timing: Timing{BackoffMin: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond,
			FailuresBeforePoll: 3, IdleTimeout: 150 * time.Millisecond},
	}
}

func TestStreamBooksReconnectsWhileConnectionsDeliver(t *testing.T) {
	// Every connection delivers one book and is dropped: the stream goes
	// on, since each session proved the link.
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		send(ctx, c, `{"s":"BTC-USD","b":"`+strconv.Itoa(100+n)+`","a":"200"}`)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var bids []string
	err := StreamBooks(ctx, dialogueBookFeed(srv.wsURL()), func(b trade.Book) error {
		bids = append(bids, b.Bids[0].Price.String())
		if len(bids) == 5 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || len(bids) != 5 || bids[4] != "105" {
		t.Errorf("StreamBooks = %v after %v; want canceled after 101…105", err, bids)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if got := srv.firstIn[0]; got != `{"sub":"book"}` {
		t.Errorf("first message = %q, want the subscription", got)
	}
}

func TestStreamBooksDownIsErrBookStreamDown(t *testing.T) {
	srv := newServer(t, func(context.Context, int, *websocket.Conn) {})
	srv.refuse.Store(true)
	err := StreamBooks(context.Background(), dialogueBookFeed(srv.wsURL()), func(trade.Book) error { return nil })
	if !errors.Is(err, ErrBookStreamDown) {
		t.Errorf("StreamBooks = %v, want ErrBookStreamDown", err)
	}
	if err := StreamBooks(context.Background(), dialogueBookFeed(""), func(trade.Book) error { return nil }); !errors.Is(err, ErrBookStreamDown) {
		t.Errorf("StreamBooks without a URL = %v, want ErrBookStreamDown", err)
	}
}

func TestStreamBooksReturnsFnError(t *testing.T) {
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		send(ctx, c, `{"s":"BTC-USD","b":"1","a":"2"}`)
		<-ctx.Done()
	})
	stop := errors.New("enough")
	err := StreamBooks(context.Background(), dialogueBookFeed(srv.wsURL()), func(trade.Book) error { return stop })
	if err != stop {
		t.Errorf("StreamBooks = %v, want fn's error as is", err)
	}
}
