package paper

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// defaultHistoryPage is the page FillHistory returns when the query names
// no limit. Paper reads its own file, so the size only bounds memory.
const defaultHistoryPage = 1000

var _ exchange.FillHistorian = (*Exchange)(nil)

// FillScope reports that one paper read covers every symbol.
func (e *Exchange) FillScope() exchange.FillScope { return exchange.FillsPerAccount }

// FillHistory reads one page of the account's fills in id order (the order
// they happened in). The cursor is the id of the page's last fill, so a
// read resumed from it neither repeats nor skips a fill. AfterID, when
// set, is also honoured as a lower bound: paper ids increase, so it is an
// exact "what is new" without relying on times.
func (e *Exchange) FillHistory(ctx context.Context, q exchange.FillQuery) (exchange.FillPage, error) {
	where := []string{"f.id > ?"}
	after, err := historyID("cursor", q.Cursor)
	if err != nil {
		return exchange.FillPage{}, err
	}
	if held, err := historyID("after id", q.AfterID); err != nil {
		return exchange.FillPage{}, err
	} else if held > after {
		after = held
	}
	args := []any{after}
	if !q.Symbol.IsZero() {
		where = append(where, "f.symbol = ?")
		args = append(args, q.Symbol.String())
	}
	if !q.Since.IsZero() {
		where = append(where, "f.time >= ?")
		args = append(args, q.Since.UnixMilli())
	}
	if !q.Until.IsZero() {
		where = append(where, "f.time < ?")
		args = append(args, q.Until.UnixMilli())
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultHistoryPage
	}
	// One row more than the page tells whether another page follows,
	// so the last page says so and the caller needs no empty request.
	query := `SELECT f.id, f.order_id, o.client_id, f.symbol, f.side, f.qty, f.price, f.fee, f.fee_asset, f.liquidity, f.time
FROM fills f JOIN orders o ON o.id = f.order_id
WHERE ` + strings.Join(where, " AND ") + `
ORDER BY f.id LIMIT ` + strconv.Itoa(limit+1)
	var page exchange.FillPage
	err = e.account(ctx, "read fill history", func(s *session) error {
		page.Fills, err = s.historyFills(query, args...)
		return err
	})
	if err != nil {
		return exchange.FillPage{}, err
	}
	if len(page.Fills) > limit {
		page.Fills = page.Fills[:limit]
		page.Next = page.Fills[limit-1].ID
	}
	return page, nil
}

// historyID reads a fill id the caller got from FillHistory; "" is 0.
func historyID(what, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		return 0, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: fmt.Sprintf("fill history: %s %q is not a paper fill id", what, s)}
	}
	return id, nil
}

func (s *session) historyFills(q string, args ...any) ([]trade.Fill, error) {
	rows, err := s.tx.QueryContext(s.ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read fill history: %w", err)
	}
	defer rows.Close()
	out := []trade.Fill{}
	for rows.Next() {
		var (
			id, orderID, at                                  int64
			clientID, sym, side, qty, price, fee, asset, liq string
		)
		if err := rows.Scan(&id, &orderID, &clientID, &sym, &side, &qty, &price, &fee, &asset, &liq, &at); err != nil {
			return nil, fmt.Errorf("read fill history: %w", err)
		}
		f := trade.Fill{ID: strconv.FormatInt(id, 10), OrderID: strconv.FormatInt(orderID, 10), ClientID: clientID,
			Side: trade.Side(side), FeeAsset: asset, Liquidity: trade.Liquidity(liq), Time: msTime(at)}
		if f.Symbol, err = trade.ParseSymbol(sym); err != nil {
			return nil, fmt.Errorf("fill %d: %w", id, err)
		}
		for _, d := range []struct {
			dst *decimal.Decimal
			src string
		}{{&f.Qty, qty}, {&f.Price, price}, {&f.Fee, fee}} {
			if *d.dst, err = decimal.NewFromString(d.src); err != nil {
				return nil, fmt.Errorf("fill %d: stored number %q: %w", id, d.src, err)
			}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
