package records

import "nemrefusion.dk/events/ids"

// PUnit is one production unit (produktionsenhed, P-enhed): one physical
// workplace of one company.
type PUnit struct {
	PNumber ids.PNumber `json:"pnumber"`
	// CVR is the company the unit belongs to.
	CVR          ids.CVR          `json:"cvr"`
	Name         string           `json:"name"`
	Address      Address          `json:"address"`
	Municipality ids.Municipality `json:"municipality"`
}

// Membership is a person's membership of an a-kasse.
type Membership struct {
	CPR    ids.CPR `json:"cpr"`
	AKasse ids.CVR `json:"akasse"`
	// Unemployed is true for a member who is fully unemployed now.
	Unemployed bool `json:"unemployed"`
}
