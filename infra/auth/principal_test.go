package auth_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
)

func principal(t *testing.T, key string) auth.Principal {
	t.Helper()
	per, ok := devissuer.PersonaByKey(key)
	if !ok {
		t.Fatalf("no persona %s", key)
	}
	p, err := per.Claims.Principal()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Each persona may act only for its own tenant.
func TestTenancyHelpers(t *testing.T) {
	t.Parallel()
	employerCVR := ids.MustCVR("30000005")
	seasonalCVR := ids.MustCVR("31000009")
	selfCVR := ids.MustCVR("32000002")
	akasseCVR := ids.MustCVR("33000006")
	citizenCPR := ids.MustCPR("1203854321")
	otherCPR := ids.MustCPR("2505884324")
	representedCPR := ids.MustCPR("0808404331")
	selfCPR := ids.MustCPR("1707754329")
	kbh, aarhus := ids.MustMunicipality(101), ids.MustMunicipality(751)
	allCVR := []ids.CVR{employerCVR, seasonalCVR, selfCVR, akasseCVR}
	allCPR := []ids.CPR{citizenCPR, otherCPR, representedCPR, selfCPR}
	allMun := []ids.Municipality{kbh, aarhus}
	cases := []struct {
		key    string
		tenant string
		cvr    []ids.CVR
		cpr    []ids.CPR
		mun    []ids.Municipality
	}{
		{devissuer.PersonaEmployer, "cvr:30000005", []ids.CVR{employerCVR}, nil, nil},
		{devissuer.PersonaEmployerSeasonal, "cvr:31000009", []ids.CVR{seasonalCVR}, nil, nil},
		{devissuer.PersonaSelfEmployed, "cvr:32000002", []ids.CVR{selfCVR}, []ids.CPR{selfCPR}, nil},
		{devissuer.PersonaAKasse, "cvr:33000006", []ids.CVR{akasseCVR}, nil, nil},
		{devissuer.PersonaCitizen, "cpr:1203854321", nil, []ids.CPR{citizenCPR}, nil},
		{devissuer.PersonaCitizenOther, "cpr:2505884324", nil, []ids.CPR{otherCPR}, nil},
		{devissuer.PersonaProxy, "cpr:0808404331", nil, []ids.CPR{representedCPR}, nil},
		{devissuer.PersonaCaseworker, "municipality:101", nil, nil, []ids.Municipality{kbh}},
		{devissuer.PersonaCaseworkerAarhus, "municipality:751", nil, nil, []ids.Municipality{aarhus}},
		{devissuer.PersonaUDKCaseworker, "udk", nil, nil, nil},
		{devissuer.PersonaAdmin, "operator", nil, nil, nil},
		{devissuer.PersonaPayrollSystem, "cvr:30000005", []ids.CVR{employerCVR}, nil, nil},
		{devissuer.PersonaPayrollSeasonal, "cvr:31000009", []ids.CVR{seasonalCVR}, nil, nil},
		{devissuer.PersonaCaseSystem, "municipality:101", nil, nil, []ids.Municipality{kbh}},
		{devissuer.PersonaCaseSystemAarhus, "municipality:751", nil, nil, []ids.Municipality{aarhus}},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			p := principal(t, c.key)
			if p.Tenant() != c.tenant {
				t.Errorf("tenant %q, want %q", p.Tenant(), c.tenant)
			}
			for _, x := range allCVR {
				if want := contains(c.cvr, x); p.CanActForCVR(x) != want {
					t.Errorf("CanActForCVR(%s) = %v", x, !want)
				}
			}
			for _, x := range allCPR {
				if want := contains(c.cpr, x); p.CanSeeCPR(x) != want {
					t.Errorf("CanSeeCPR(%s) = %v", x.Masked(), !want)
				}
			}
			for _, x := range allMun {
				if want := contains(c.mun, x); p.CanSeeMunicipality(x) != want {
					t.Errorf("CanSeeMunicipality(%s) = %v", x, !want)
				}
			}
			udk, _ := ids.ParseRecipient("udk")
			if p.CanSeeRecipient(udk) != (p.Role == auth.RoleUDKCaseworker) {
				t.Errorf("CanSeeRecipient(udk) wrong for %s", p.Role)
			}
		})
	}
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// An employee without the NemRefusion right cannot act for the company; a
// payroll provider acts only for the company it is bound to act for.
func TestRightsAndOnBehalfOf(t *testing.T) {
	t.Parallel()
	per, _ := devissuer.PersonaByKey(devissuer.PersonaEmployer)
	c := per.Claims
	c.Rights = nil
	p, err := c.Principal()
	if err != nil {
		t.Fatal(err)
	}
	if p.CanActForCVR(ids.MustCVR("30000005")) {
		t.Fatal("employee without the right acts for the company")
	}
	provider := auth.Claims{Subject: "dev-provider", Role: auth.RolePayrollSystem, ClientID: "dev-provider", CVR: "31000009", OnBehalfOf: "30000005"}
	p, err = provider.Principal()
	if err != nil {
		t.Fatal(err)
	}
	if !p.CanActForCVR(ids.MustCVR("30000005")) || p.CanActForCVR(ids.MustCVR("31000009")) || p.Tenant() != "cvr:30000005" || p.OnBehalfOf() != "30000005" {
		t.Fatalf("provider: tenant %s", p.Tenant())
	}
	for _, bad := range []auth.Claims{
		{Subject: "x", Role: auth.RoleProxy, CPR: "1203854321"},                                                // proxy for nobody
		{Subject: "x", Role: auth.RoleCitizen, CPR: "1203854321", OnBehalfOf: "0808404331"},                    // citizen on behalf of
		{Subject: "x", Role: auth.RolePayrollSystem, CVR: "30000005"},                                          // no client id
		{Subject: "x", Role: auth.RoleCaseworker, Municipality: "999"},                                         // no such municipality
		{Subject: "x", Role: auth.RolePayrollSystem, ClientID: "c", CVR: "30000005", OnBehalfOf: "1203854321"}, // cpr as cvr
		{Role: auth.RoleAdmin}, // no subject
	} {
		if _, err := bad.Principal(); err == nil {
			t.Errorf("claims %+v accepted", bad)
		}
	}
}

func TestFreshLogin(t *testing.T) {
	t.Parallel()
	now := time.Now()
	p := auth.Principal{AuthTime: now.Add(-4 * time.Minute)}
	if !p.FreshLogin(5*time.Minute, now) || p.FreshLogin(3*time.Minute, now) || (auth.Principal{}).FreshLogin(time.Hour, now) {
		t.Fatal("FreshLogin")
	}
}

// A principal logs role, subject and the pseudonyms of its CPR numbers,
// never a CPR number nor its date of birth (the masked DDMMYY-xxxx):
// no personal data in logs (the executive order's § 1 stk. 10).
func TestPrincipalLogsNoCPR(t *testing.T) {
	t.Parallel()
	for _, key := range []string{devissuer.PersonaCitizen, devissuer.PersonaProxy, devissuer.PersonaSelfEmployed} {
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, nil))
		p := principal(t, key)
		log.Info("x", "principal", p)
		line := buf.String()
		cprs := []ids.CPR{p.CPR}
		if key == devissuer.PersonaProxy {
			c, err := ids.ParseCPR(p.OnBehalfOf())
			if err != nil {
				t.Fatalf("%s: on behalf of %v", key, err)
			}
			cprs = append(cprs, c)
		}
		for _, c := range cprs {
			if strings.Contains(line, c.String()[:6]) {
				t.Fatalf("%s: CPR or its date of birth in log: %s", key, line)
			}
			if !strings.Contains(line, c.Pseudonym()) {
				t.Fatalf("%s: pseudonym %s missing: %s", key, c.Pseudonym(), line)
			}
		}
	}
}
