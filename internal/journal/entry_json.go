package journal

import (
	"encoding/json"

	"github.com/tradectl/tradectl/internal/trade"
)

// entryWire is Entry field for field, in the same order, with its time
// written the way every tradectl document writes times (trade.FormatTime).
type entryWire struct {
	ID             int64               `json:"id"`
	Time           trade.JSONTime      `json:"time"`
	Kind           Kind                `json:"kind"`
	Profile        string              `json:"profile"`
	Exchange       string              `json:"exchange,omitempty"`
	ClientID       string              `json:"client_id,omitempty"`
	IdempotencyKey string              `json:"idempotency_key,omitempty"`
	Status         Status              `json:"status,omitempty"`
	Result         string              `json:"result,omitempty"`
	OrderID        string              `json:"order_id,omitempty"`
	OrderStatus    trade.OrderStatus   `json:"order_status,omitempty"`
	Attempt        int                 `json:"attempt,omitempty"`
	ErrorCode      string              `json:"error_code,omitempty"`
	Limit          string              `json:"limit,omitempty"`
	Message        string              `json:"message,omitempty"`
	Request        *trade.OrderRequest `json:"request,omitempty"`
	Fill           *trade.Fill         `json:"fill,omitempty"`
	Amend          *trade.AmendRequest `json:"amend,omitempty"`
	NewOrderID     string              `json:"new_order_id,omitempty"`
}

// MarshalJSON writes the entry with its time as trade.FormatTime does.
func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal(entryWire{
		ID: e.ID, Time: trade.JSONTime(e.Time), Kind: e.Kind, Profile: e.Profile, Exchange: e.Exchange,
		ClientID: e.ClientID, IdempotencyKey: e.IdempotencyKey, Status: e.Status, Result: e.Result,
		OrderID: e.OrderID, OrderStatus: e.OrderStatus, Attempt: e.Attempt, ErrorCode: e.ErrorCode,
		Limit: e.Limit, Message: e.Message, Request: e.Request, Fill: e.Fill, Amend: e.Amend, NewOrderID: e.NewOrderID,
	})
}
