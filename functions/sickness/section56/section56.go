// Package section56 checks the reference of a sygedagpengeloven § 56
// agreement (chronic or long-lasting illness: refusion from the first
// absence day) against the approvals of the municipality. An agreement is
// between the employer and the employee, approved in writing by the
// municipality for 2 years at a time (DOMAIN.md, with sources).
//
// The municipalities' approvals are out of reach here, so the package
// carries a stand-in list (approvals_synthetic.json, synthetic persons of
// the synthetic Denmark) behind Register; a real adapter replaces it.
// The package does no I/O at run time.
package section56

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
)

// ValidityMonths is how long an approval lasts: 2 years at a time.
const ValidityMonths = 24

// Field is the blanket field an agreement's problems are reported on.
const Field = "section56.reference"

// Source of the 2-year approval rule (DOMAIN.md).
const Source = "https://www.slagelse.dk/erhverv/arbejdsmarkedet/sygemeldte-medarbejdere/refusion-af-sygedagpenge"

// Approval is one approved § 56 agreement.
type Approval struct {
	// Municipality approved it (the person's municipality).
	Municipality string `json:"municipality"`
	// Reference is the municipality's reference (journalnummer).
	Reference string `json:"reference"`
	// CPR is the employee, CVR the employer of the agreement.
	CPR        string      `json:"cpr"`
	CVR        string      `json:"cvr"`
	ApprovedOn kernel.Date `json:"approvedOn"`
}

// ValidTo is the last day the approval covers: 2 years from the day it was
// approved, that day included.
func (a Approval) ValidTo() kernel.Date { return a.ApprovedOn.AddMonths(ValidityMonths).AddDays(-1) }

// Register holds the approvals by reference.
type Register struct {
	byRef map[string][]Approval
}

//go:embed approvals_synthetic.json
var synthetic []byte

var standIn = mustLoad(synthetic)

// StandIn returns the stand-in register of synthetic approvals.
func StandIn() Register { return standIn }

// Load reads a register from its JSON ({"approvals": [...]}), refusing an
// approval without municipality, reference, CPR or approval day.
func Load(b []byte) (Register, error) {
	var f struct {
		Approvals []Approval `json:"approvals"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return Register{}, fmt.Errorf("section56 approvals: %w", err)
	}
	r := Register{byRef: map[string][]Approval{}}
	for i, a := range f.Approvals {
		m, err := ids.ParseMunicipality(a.Municipality)
		c, cerr := ids.ParseCPR(a.CPR)
		if err != nil || cerr != nil || a.Reference == "" || a.ApprovedOn.IsZero() {
			return Register{}, fmt.Errorf("section56 approvals: approval %d lacks a municipality, reference, CPR or approval day", i)
		}
		a.Municipality, a.CPR = m.String(), c.String()
		key := norm(a.Reference)
		r.byRef[key] = append(r.byRef[key], a)
	}
	return r, nil
}

func mustLoad(b []byte) Register {
	r, err := Load(b)
	if err != nil {
		panic(err)
	}
	return r
}

func norm(ref string) string { return strings.ToUpper(strings.TrimSpace(ref)) }

// Query is what an agreement is checked for: its reference, the employee
// and employer, the first absence day it must cover, and the municipality
// that must have approved it (zero: any, as the preview has no register
// to find the person's municipality in).
type Query struct {
	Reference    string
	CPR, CVR     string
	First        kernel.Date
	Municipality ids.Municipality
}

// Check finds the approval q names: approved by q's municipality for this
// employee and (when both are known) this employer, and valid on the first
// absence day. It returns the approval and the reason it is accepted by,
// or events.FieldErrors on Field: the reference is unknown (also when it
// is another person's or employer's, so nothing about them is told), was
// approved only after the first absence day, or has expired.
func (r Register) Check(q Query) (Approval, kernel.Reason, error) {
	var match []Approval
	cpr := q.CPR
	if c, err := ids.ParseCPR(q.CPR); err == nil {
		cpr = c.String()
	}
	for _, a := range r.byRef[norm(q.Reference)] {
		if !q.Municipality.IsZero() && a.Municipality != q.Municipality.String() {
			continue
		}
		if cpr != "" && a.CPR != cpr || q.CVR != "" && a.CVR != "" && a.CVR != q.CVR {
			continue
		}
		match = append(match, a)
	}
	if len(match) == 0 {
		who, whoEn := "Kommunen", "The municipality"
		if !q.Municipality.IsZero() {
			name := ids.MunicipalityRecipient(q.Municipality).Name()
			who, whoEn = name, name
		}
		return Approval{}, kernel.Reason{}, events.FieldErrors{{Field: Field, Code: "section56.unknown",
			Da: fmt.Sprintf("%s har ingen godkendt § 56-aftale med journalnummeret %q for denne medarbejder og arbejdsgiver. Tjek journalnummeret i kommunens godkendelse, eller lad feltet stå tomt.", who, strings.TrimSpace(q.Reference)),
			En: fmt.Sprintf("%s has no approved § 56 agreement with the reference %q for this employee and employer. Check the reference in the municipality's approval, or leave the field empty.", whoEn, strings.TrimSpace(q.Reference))}}
	}
	var best Approval
	for _, a := range match {
		if !q.First.Before(a.ApprovedOn) && !q.First.After(a.ValidTo()) {
			return a, reason(a, q.First), nil
		}
		if best.ApprovedOn.IsZero() || a.ApprovedOn.After(best.ApprovedOn) {
			best = a
		}
	}
	if q.First.Before(best.ApprovedOn) {
		return Approval{}, kernel.Reason{}, events.FieldErrors{{Field: Field, Code: "section56.not_yet_approved",
			Da: fmt.Sprintf("§ 56-aftalen %s er godkendt %s, efter første fraværsdag %s, og dækker ikke fraværet.", best.Reference, best.ApprovedOn.Danish(), q.First.Danish()),
			En: fmt.Sprintf("The § 56 agreement %s was approved on %s, after the first absence day %s, and does not cover the absence.", best.Reference, best.ApprovedOn.English(), q.First.English())}}
	}
	return Approval{}, kernel.Reason{}, events.FieldErrors{{Field: Field, Code: "section56.expired",
		Da: fmt.Sprintf("§ 56-aftalen %s er udløbet: den blev godkendt %s og gjaldt i 2 år, til og med %s, før første fraværsdag %s. Søg kommunen om at forny aftalen.", best.Reference, best.ApprovedOn.Danish(), best.ValidTo().Danish(), q.First.Danish()),
		En: fmt.Sprintf("The § 56 agreement %s has expired: it was approved on %s for 2 years, until %s, before the first absence day %s. Ask the municipality to renew it.", best.Reference, best.ApprovedOn.English(), best.ValidTo().English(), q.First.English())}}
}

func reason(a Approval, first kernel.Date) kernel.Reason {
	name := a.Municipality
	if m, err := ids.ParseMunicipality(a.Municipality); err == nil {
		name = ids.MunicipalityRecipient(m).Name()
	}
	return kernel.Reason{
		Rule: "sdl-56-approval", Law: "sygedagpengeloven § 56", Source: Source,
		TextDa: fmt.Sprintf("§ 56-aftalen %s er godkendt af %s %s og gælder i 2 år, til og med %s; den dækker første fraværsdag %s.", a.Reference, name, a.ApprovedOn.Danish(), a.ValidTo().Danish(), first.Danish()),
		TextEn: fmt.Sprintf("The § 56 agreement %s was approved by %s on %s and is valid for 2 years, until %s; it covers the first absence day %s.", a.Reference, name, a.ApprovedOn.English(), a.ValidTo().English(), first.English()),
		Inputs: map[string]any{"reference": a.Reference, "municipality": a.Municipality, "firstAbsenceDay": first},
		Result: map[string]any{"approvedOn": a.ApprovedOn, "validTo": a.ValidTo()},
	}
}
