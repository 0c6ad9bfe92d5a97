package orderplan

import (
	"fmt"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/confirm"
	"github.com/tradectl/tradectl/internal/trade"
)

// Summary is the confirmation screen of the plan's order on a live
// venue: what is sent, its estimated value, the notes a person should
// read before saying yes (a market order sent as a limit IOC, lifted
// limits, an expiry). Every command that places an order shows this one.
func (p Plan) Summary(prof config.Profile, exName string, sf config.Safety) confirm.Summary {
	sandbox, _ := prof.Options["sandbox"].(bool)
	dec, req := p.Decision, p.Request
	s := confirm.Summary{Profile: prof.Name, Exchange: exName, Request: req, Simulated: p.Simulated, Sandbox: sandbox,
		EstimatedValue: p.EstimatedValue(), Currency: dec.Currency, Limits: sf.Limits()}
	if s.Currency == "" {
		s.Currency = p.Instrument.QuoteAsset
	}
	if dec.Converted && dec.Estimate != nil {
		s.Notes = append(s.Notes, fmt.Sprintf("market order sent as a limit IOC at %s: no fill beyond %s%% from the mid %s",
			req.Price.Decimal, dec.Tolerance, dec.Estimate.Mid))
	}
	if z := p.QuoteSizing; z != nil {
		s.Notes = append(s.Notes, z.Note(exName, p.Instrument.BaseAsset))
	}
	for _, ov := range dec.Report.Overridden {
		s.Notes = append(s.Notes, "risk limit "+ov.Limit+" lifted for this order")
	}
	if t, ok := req.Expiry(); ok {
		s.Notes = append(s.Notes, "good till "+trade.FormatTime(t)+": "+exName+" ends it then")
	}
	return s
}
