package fakevenue

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/shopspring/decimal"
)

// Funds is one asset's balance at a venue whose resting orders reserve
// what they may spend: Free can be spent, Held is reserved by open orders.
// A venue keeps one per asset under its own lock.
type Funds struct {
	Free, Held decimal.Decimal
}

// Total is what the account owns of the asset, held or not.
func (f *Funds) Total() decimal.Decimal { return f.Free.Add(f.Held) }

// Hold reserves amount for a resting order; the order keeps the Hold until
// it fills or is canceled, so the same amount goes back.
func (f *Funds) Hold(amount decimal.Decimal) Hold {
	f.Free = f.Free.Sub(amount)
	f.Held = f.Held.Add(amount)
	return Hold{funds: f, Amount: amount}
}

// Hold is what one order reserves of one asset's Funds.
type Hold struct {
	funds  *Funds
	Amount decimal.Decimal
}

// Active says the hold still reserves its amount.
func (h *Hold) Active() bool { return h.funds != nil }

// Release returns the held amount to the free balance; releasing a
// released or zero Hold does nothing, so cancel and fill paths need not
// know which ran first.
func (h *Hold) Release() {
	if h.funds == nil {
		return
	}
	h.funds.Free = h.funds.Free.Add(h.Amount)
	h.funds.Held = h.funds.Held.Sub(h.Amount)
	*h = Hold{}
}

// NewUUID returns a random (version 4) UUID, as venues name orders and
// accounts.
func NewUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
