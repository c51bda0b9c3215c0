package delivery

import (
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
)

// RightMunicipalAdmin is the right of a municipality's own administrator
// (the virk administrator of seeds/003, who sets the DPO link).
const RightMunicipalAdmin = "NemRefusionAdministrator"

// action is what a principal wants to do; authorize decides every one.
type action int

const (
	// actStream: fetch, acknowledge, open items of and manage the sink of
	// the stream of recipient tenant ("101" or "UDK").
	actStream action = iota
	// actSender: list the absences CVR tenant sent and see the feedback of
	// one of them.
	actSender
	// actDPO: set the DPO link of municipality tenant.
	actDPO
	// actPopulation: load a population table.
	actPopulation
	// actReport: read the contribution key.
	actReport
)

// authorize is the one place the delivery function decides who may do
// what: case systems and caseworkers only for their own municipality's
// stream, UDK caseworkers only for UDK's; senders only for their CVR's
// absences; DPO links by an operator or the municipality's own
// administrator; population tables by an operator; the contribution key by
// operators and the authorities that pay it.
func authorize(p auth.Principal, act action, tenant string) bool {
	switch act {
	case actStream:
		r, err := ids.ParseRecipient(tenant)
		return err == nil && p.CanSeeRecipient(r)
	case actSender:
		cvr, err := ids.ParseCVR(tenant)
		return err == nil && p.CanActForCVR(cvr)
	case actDPO:
		if p.Is(auth.RoleAdmin) {
			return true
		}
		m, err := ids.ParseMunicipality(tenant)
		return err == nil && p.Is(auth.RoleCaseworker) && p.Municipality == m && p.HasRight(RightMunicipalAdmin)
	case actPopulation:
		return p.Is(auth.RoleAdmin)
	case actReport:
		return p.Is(auth.RoleAdmin, auth.RoleCaseworker, auth.RoleCaseSystem, auth.RoleUDKCaseworker)
	}
	return false
}
