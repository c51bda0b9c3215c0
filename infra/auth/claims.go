package auth

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"nemrefusion.dk/events/ids"
)

// Role is what the caller acts as. Persons get it from the broker's login
// (MitID for citizens, MitID Erhverv for employees of a company or an
// authority); machine clients from their client registration.
type Role string

// The roles.
const (
	RoleEmployer      Role = "employer"       // an employee acting for a company (CVR) with NemRefusion rights
	RoleSelfEmployed  Role = "self-employed"  // a person acting for their own sole proprietorship
	RoleAKasse        Role = "akasse"         // an employee of an unemployment fund (a-kasse, CVR)
	RoleCitizen       Role = "citizen"        // a person acting for themself (CPR)
	RoleProxy         Role = "proxy"          // a person with power of attorney acting for a citizen (on_behalf_of = the citizen's CPR)
	RoleCaseworker    Role = "caseworker"     // a caseworker of a municipality (municipality number)
	RoleUDKCaseworker Role = "udk-caseworker" // a caseworker of Udbetaling Danmark
	RoleAdmin         Role = "admin"          // an operator of NemRefusion (no access to cases)
	RolePayrollSystem Role = "payroll-system" // a machine client bound to a CVR (optionally acting for another CVR)
	RoleCaseSystem    Role = "case-system"    // a municipal case system bound to a municipality number
)

// Roles lists every role, in a stable order.
func Roles() []Role {
	return []Role{RoleEmployer, RoleSelfEmployed, RoleAKasse, RoleCitizen, RoleProxy, RoleCaseworker,
		RoleUDKCaseworker, RoleAdmin, RolePayrollSystem, RoleCaseSystem}
}

// Machine reports whether r is a machine client's role (client credentials).
func (r Role) Machine() bool { return r == RolePayrollSystem || r == RoleCaseSystem }

// LoA is the level of assurance of the login (sikringsniveau), as NSIS and
// eIDAS name them.
type LoA string

// The levels of assurance.
const (
	LoALow         LoA = "low"
	LoASubstantial LoA = "substantial"
	LoAHigh        LoA = "high"
)

// RightNemRefusion is the MitID Erhverv right an employee needs to act for
// their company in NemRefusion.
const RightNemRefusion = "NemRefusion"

// Claims are the claims of an access token, as the broker issues them.
// Numbers are strings as in the token: cpr (10 digits), cvr (8 digits),
// municipality (the 3-digit kommunekode).
type Claims struct {
	Subject      string   `json:"sub"`
	Role         Role     `json:"role"`
	CPR          string   `json:"cpr,omitempty"`
	CVR          string   `json:"cvr,omitempty"`
	Rights       []string `json:"rights,omitempty"`
	LoA          LoA      `json:"loa,omitempty"`
	AuthTime     int64    `json:"auth_time,omitempty"`
	OnBehalfOf   string   `json:"on_behalf_of,omitempty"`
	Municipality string   `json:"municipality,omitempty"`
	ClientID     string   `json:"client_id,omitempty"`
	// Name is a display name for the app ("logget ind som"); personal
	// data, never logged.
	Name string `json:"name,omitempty"`
}

// errClaims marks claims that do not describe a usable principal.
var errClaims = errors.New("auth: token claims do not describe a principal")

// Principal checks c and returns the principal it describes. It returns an
// error when the role is unknown or a number the role needs is missing or
// malformed (for example a citizen without a valid CPR).
func (c Claims) Principal() (Principal, error) {
	p := Principal{Subject: c.Subject, Role: c.Role, Rights: slices.Clone(c.Rights), LoA: c.LoA, ClientID: c.ClientID, Name: c.Name}
	if c.Subject == "" {
		return p, fmt.Errorf("%w: no subject", errClaims)
	}
	if !slices.Contains(Roles(), c.Role) {
		return p, fmt.Errorf("%w: unknown role %q", errClaims, c.Role)
	}
	if c.AuthTime > 0 {
		p.AuthTime = time.Unix(c.AuthTime, 0).UTC()
	}
	var err error
	if c.CPR != "" {
		if p.CPR, err = ids.ParseCPR(c.CPR); err != nil {
			return p, fmt.Errorf("%w: cpr: %v", errClaims, err)
		}
	}
	if c.CVR != "" {
		if p.CVR, err = ids.ParseCVR(c.CVR); err != nil {
			return p, fmt.Errorf("%w: cvr: %v", errClaims, err)
		}
	}
	if c.Municipality != "" {
		if p.Municipality, err = ids.ParseMunicipality(c.Municipality); err != nil {
			return p, fmt.Errorf("%w: municipality: %v", errClaims, err)
		}
	}
	need := func(ok bool, what string) error {
		if !ok {
			return fmt.Errorf("%w: role %s needs %s", errClaims, c.Role, what)
		}
		return nil
	}
	switch c.Role {
	case RoleEmployer, RoleAKasse:
		err = need(!p.CVR.IsZero(), "cvr")
	case RoleSelfEmployed:
		err = need(!p.CVR.IsZero() && !p.CPR.IsZero(), "cpr and cvr")
	case RoleCitizen:
		err = need(!p.CPR.IsZero(), "cpr")
	case RoleProxy:
		if err = need(!p.CPR.IsZero(), "cpr"); err == nil {
			if p.onBehalfCPR, err = ids.ParseCPR(c.OnBehalfOf); err != nil {
				err = fmt.Errorf("%w: proxy needs on_behalf_of (the citizen's cpr)", errClaims)
			}
		}
	case RoleCaseworker:
		err = need(!p.Municipality.IsZero(), "municipality")
	case RolePayrollSystem:
		if err = need(!p.CVR.IsZero() && c.ClientID != "", "client_id and cvr"); err == nil && c.OnBehalfOf != "" {
			if p.onBehalfCVR, err = ids.ParseCVR(c.OnBehalfOf); err != nil {
				err = fmt.Errorf("%w: payroll system on_behalf_of must be a cvr", errClaims)
			}
		}
	case RoleCaseSystem:
		err = need(!p.Municipality.IsZero() && c.ClientID != "", "client_id and municipality")
	}
	if err != nil {
		return p, err
	}
	if c.OnBehalfOf != "" && c.Role != RoleProxy && c.Role != RolePayrollSystem {
		return p, fmt.Errorf("%w: on_behalf_of is only for proxies and payroll systems", errClaims)
	}
	return p, nil
}
