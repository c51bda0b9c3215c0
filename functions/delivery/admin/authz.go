package admin

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
	// actDPO: set the DPO link of municipality tenant.
	actDPO action = iota
	// actPopulation: load a population table.
	actPopulation
	// actReport: read the contribution key.
	actReport
)

// authorize is the one place the administration decides who may do what:
// DPO links by an operator or the municipality's own administrator;
// population tables by an operator; the contribution key by operators and
// the authorities that pay it.
func authorize(p auth.Principal, act action, tenant string) bool {
	switch act {
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
