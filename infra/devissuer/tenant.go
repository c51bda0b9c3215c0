package devissuer

import (
	"fmt"
	"net/url"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
)

// withTenant lets the dev CLI client name the tenant of a persona's token:
// the form fields cvr, cpr and municipality replace the persona's own
// numbers, and the subject gets the tenant as a suffix (a CPR number only as
// its pseudonym, ids.CPR.Pseudonym, as subjects are logged: stable while
// the issuer runs, so one person's tokens share a subject). A load generator uses it to act for every company,
// self-employed person and municipality of the synthetic Denmark, which have
// no clients of their own. It grants nothing the issuer does not already
// grant (anyone can log in as anyone here). A field the persona's role does
// not carry, or a malformed number, is an error.
func withTenant(c auth.Claims, form url.Values) (auth.Claims, error) {
	cvr, cpr, muni := form.Get("cvr"), form.Get("cpr"), form.Get("municipality")
	if cvr == "" && cpr == "" && muni == "" {
		return c, nil
	}
	suffix := ""
	if cvr != "" {
		if c.CVR == "" {
			return c, fmt.Errorf("persona %s has no CVR to replace", c.Role)
		}
		if _, err := ids.ParseCVR(cvr); err != nil {
			return c, fmt.Errorf("cvr: %w", err)
		}
		c.CVR, suffix = cvr, suffix+":cvr-"+cvr
	}
	if cpr != "" {
		if c.CPR == "" {
			return c, fmt.Errorf("persona %s has no CPR to replace", c.Role)
		}
		p, err := ids.ParseCPR(cpr)
		if err != nil {
			return c, fmt.Errorf("cpr: %w", err)
		}
		// The subject must hold neither the CPR number nor its date of
		// birth (subjects are logged).
		c.CPR, suffix = p.String(), suffix+":"+p.Pseudonym()
	}
	if muni != "" {
		if c.Municipality == "" {
			return c, fmt.Errorf("persona %s has no municipality to replace", c.Role)
		}
		if _, err := ids.ParseMunicipality(muni); err != nil {
			return c, fmt.Errorf("municipality: %w", err)
		}
		c.Municipality, suffix = muni, suffix+":municipality-"+muni
	}
	c.Subject += suffix
	return c, nil
}
