package devissuer

import (
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/registers/synth"
)

// Persona is someone you can log in as at the development issuer: a person
// from the synthetic Denmark in a role, or a machine client.
type Persona struct {
	// Key names the persona (login form value, nrctl token --persona).
	Key string
	// Label and LabelEn are the Danish and English texts on the login page.
	Label, LabelEn string
	// Machine personas are machine clients; the login page does not show them.
	Machine bool
	// Claims are the claims of the persona's tokens (AuthTime is set when
	// a token is minted).
	Claims auth.Claims
}

// Persona keys of the development issuer.
const (
	PersonaEmployer          = "employer"
	PersonaEmployerSeasonal  = "employer-seasonal"
	PersonaSelfEmployed      = "self-employed"
	PersonaAKasse            = "akasse"
	PersonaCitizen           = "citizen"
	PersonaCitizenOther      = "citizen-other"
	PersonaProxy             = "proxy"
	PersonaCaseworker        = "caseworker"
	PersonaCaseworkerAarhus  = "caseworker-aarhus"
	PersonaUDKCaseworker     = "udk-caseworker"
	PersonaAdmin             = "admin"
	PersonaPayrollSystem     = "payroll-system"
	PersonaPayrollSeasonal   = "payroll-seasonal"
	PersonaCaseSystem        = "case-system"
	PersonaCaseSystemAarhus  = "case-system-aarhus"
	municipalityKobenhavn    = "101"
	municipalityAarhus       = "751"
	subjectPrefix            = "dev:"
	clientPrefix             = "dev-"
	rightsNemRefusionDefault = auth.RightNemRefusion
)

// Personas returns the development personas, built from the fixed personas
// of the synthetic Denmark (registers/synth), in a stable order: an
// employer user of a company (and one of a second company), a
// self-employed person, an a-kasse user, a citizen (and a second one), a
// citizen's proxy, a caseworker of København (and one of Aarhus), a UDK
// caseworker, an administrator, and the machine clients (payroll systems of
// two companies, case systems of two municipalities). A persona whose synth
// counterpart is missing is left out.
func Personas() []Persona {
	get := func(key string) (synth.Persona, bool) { return synth.PersonaByKey(key) }
	var out []Persona
	add := func(p Persona, needs ...string) {
		for _, k := range needs {
			if _, ok := get(k); !ok {
				return
			}
		}
		p.Claims.Subject = subjectPrefix + p.Key
		if p.Machine {
			p.Claims.Subject = clientPrefix + p.Key
			p.Claims.ClientID = p.Claims.Subject
		}
		out = append(out, p)
	}
	cvr := func(k string) string { s, _ := get(k); return s.CVR.String() }
	cpr := func(k string) string { s, _ := get(k); return s.CPR.String() }
	rights := []string{rightsNemRefusionDefault}

	add(Persona{Key: PersonaEmployer, Label: "Medarbejder hos Demo-arbejdsgiveren A/S (MitID Erhverv)", LabelEn: "Employee of the demo employer Demo A/S (MitID Erhverv)",
		Claims: auth.Claims{Role: auth.RoleEmployer, CVR: cvr(synth.PersonaEmployer), Rights: rights, LoA: auth.LoASubstantial, Name: "Lønmedarbejder, Demo A/S"}}, synth.PersonaEmployer)
	add(Persona{Key: PersonaEmployerSeasonal, Label: "Medarbejder hos sæsonvirksomheden (MitID Erhverv)", LabelEn: "Employee of the seasonal business (MitID Erhverv)",
		Claims: auth.Claims{Role: auth.RoleEmployer, CVR: cvr(synth.PersonaSeasonalEmployer), Rights: rights, LoA: auth.LoASubstantial, Name: "Lønmedarbejder, sæsonvirksomhed"}}, synth.PersonaSeasonalEmployer)
	add(Persona{Key: PersonaSelfEmployed, Label: "Selvstændig tømrer med enkeltmandsvirksomhed", LabelEn: "Self-employed carpenter with a sole proprietorship",
		Claims: auth.Claims{Role: auth.RoleSelfEmployed, CPR: cpr(synth.PersonaSelfEmployed), CVR: cvr(synth.PersonaSelfEmployed), LoA: auth.LoASubstantial, Name: "Selvstændig"}}, synth.PersonaSelfEmployed)
	add(Persona{Key: PersonaAKasse, Label: "Medarbejder i Demo-a-kassen (MitID Erhverv)", LabelEn: "Employee of the demo unemployment fund (MitID Erhverv)",
		Claims: auth.Claims{Role: auth.RoleAKasse, CVR: cvr(synth.PersonaAKasse), Rights: rights, LoA: auth.LoASubstantial, Name: "Sagsbehandler, Demo-a-kassen"}}, synth.PersonaAKasse)
	add(Persona{Key: PersonaCitizen, Label: "Borger: lønmodtager hos Demo-arbejdsgiveren (MitID)", LabelEn: "Citizen: wage earner at the demo employer (MitID)",
		Claims: auth.Claims{Role: auth.RoleCitizen, CPR: cpr(synth.PersonaEmployee), LoA: auth.LoASubstantial, Name: "Borger"}}, synth.PersonaEmployee)
	add(Persona{Key: PersonaCitizenOther, Label: "Borger uden indkomst (MitID)", LabelEn: "Citizen without income (MitID)",
		Claims: auth.Claims{Role: auth.RoleCitizen, CPR: cpr(synth.PersonaNoIncome), LoA: auth.LoASubstantial, Name: "Borger uden indkomst"}}, synth.PersonaNoIncome)
	add(Persona{Key: PersonaProxy, Label: "Fuldmagtshaver for en pensioneret borger (MitID)", LabelEn: "Holder of a power of attorney for a retired citizen (MitID)",
		Claims: auth.Claims{Role: auth.RoleProxy, CPR: cpr(synth.PersonaEmployee), OnBehalfOf: cpr(synth.PersonaRepresented), LoA: auth.LoASubstantial, Name: "Fuldmagtshaver"}},
		synth.PersonaEmployee, synth.PersonaRepresented)
	add(Persona{Key: PersonaCaseworker, Label: "Sagsbehandler i Københavns Kommune", LabelEn: "Caseworker at the Municipality of Copenhagen",
		Claims: auth.Claims{Role: auth.RoleCaseworker, Municipality: municipalityKobenhavn, LoA: auth.LoAHigh, Name: "Sagsbehandler, København"}})
	add(Persona{Key: PersonaCaseworkerAarhus, Label: "Sagsbehandler i Aarhus Kommune", LabelEn: "Caseworker at the Municipality of Aarhus",
		Claims: auth.Claims{Role: auth.RoleCaseworker, Municipality: municipalityAarhus, LoA: auth.LoAHigh, Name: "Sagsbehandler, Aarhus"}})
	add(Persona{Key: PersonaUDKCaseworker, Label: "Sagsbehandler i Udbetaling Danmark", LabelEn: "Caseworker at Udbetaling Danmark",
		Claims: auth.Claims{Role: auth.RoleUDKCaseworker, LoA: auth.LoAHigh, Name: "Sagsbehandler, UDK"}})
	add(Persona{Key: PersonaAdmin, Label: "Driftsadministrator af NemRefusion", LabelEn: "Operations administrator of NemRefusion",
		Claims: auth.Claims{Role: auth.RoleAdmin, LoA: auth.LoAHigh, Name: "Administrator"}})
	add(Persona{Key: PersonaPayrollSystem, Machine: true, Label: "Lønsystem for Demo-arbejdsgiveren", LabelEn: "Payroll system of the demo employer",
		Claims: auth.Claims{Role: auth.RolePayrollSystem, CVR: cvr(synth.PersonaEmployer)}}, synth.PersonaEmployer)
	add(Persona{Key: PersonaPayrollSeasonal, Machine: true, Label: "Lønsystem for sæsonvirksomheden", LabelEn: "Payroll system of the seasonal business",
		Claims: auth.Claims{Role: auth.RolePayrollSystem, CVR: cvr(synth.PersonaSeasonalEmployer)}}, synth.PersonaSeasonalEmployer)
	add(Persona{Key: PersonaCaseSystem, Machine: true, Label: "Sagssystem i Københavns Kommune", LabelEn: "Case system of the Municipality of Copenhagen",
		Claims: auth.Claims{Role: auth.RoleCaseSystem, Municipality: municipalityKobenhavn}})
	add(Persona{Key: PersonaCaseSystemAarhus, Machine: true, Label: "Sagssystem i Aarhus Kommune", LabelEn: "Case system of the Municipality of Aarhus",
		Claims: auth.Claims{Role: auth.RoleCaseSystem, Municipality: municipalityAarhus}})
	return out
}

// PersonaByKey returns the persona with key.
func PersonaByKey(key string) (Persona, bool) {
	for _, p := range Personas() {
		if p.Key == key {
			return p, true
		}
	}
	return Persona{}, false
}
