package documents_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

// uploadFor posts a document for absence as the persona.
func (f *fixture) uploadFor(t *testing.T, persona, absence string) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", "Lægeerklæring")
	_ = mw.WriteField("absenceId", absence)
	fw, _ := mw.CreateFormFile("file", "erklaering.pdf")
	_, _ = fw.Write(samplePDF())
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.URL()+"/api/v1/documents", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+f.PersonaToken(t, persona))
	return do(t, req)
}

func (f *fixture) documentsOf(t *testing.T, absence string) int {
	t.Helper()
	var n int
	if err := f.Svc.DB.QueryRow(context.Background(), "SELECT count(*) FROM documents WHERE absence_id = $1", absence).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) deniedHead(t *testing.T) int64 {
	recs := f.Ledger(t, auth.StreamAccessDenied)
	if len(recs) == 0 {
		return 0
	}
	return recs[len(recs)-1].Seq
}

// Finding (issue 16): "anyone who knows an absence id can add documents to
// another person's absence (they appear in that citizen's Mit
// Sygefravær)". Only a party to the absence attaches a document to it:
// the sick person, the sender that reported it, the receiving authority.
// Anyone else, and an absence nobody knows, get the same 404; nothing is
// stored and the refusal is in the ledger.
func TestOnlyPartiesAttachDocumentsToAnAbsence(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	absence := fmt.Sprintf("0190f0a2-7c1e-7d3a-%04x-%012x", rand.Uint32()&0xffff, rand.Uint64()&0xffffffffffff)
	unknown := fmt.Sprintf("0190f0a2-7c1e-7d3a-%04x-%012x", rand.Uint32()&0xffff, rand.Uint64()&0xffffffffffff)
	tasks, err := events.New(events.CitizenTasksRequested, "sickness", absence, events.CitizenTasksRequest{AbsenceID: absence,
		CPR: emp.CPR.String(), PersonKind: "employee", Municipality: "101", SenderCVR: emp.CVR.String(), SenderName: "Demo A/S",
		FirstAbsenceDay: "2026-11-02", Tasks: []string{"comment"}, Deadline: "2026-11-20"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Deliver(t, tasks)

	for _, who := range []string{devissuer.PersonaCitizen, devissuer.PersonaEmployer} {
		if code, out := f.uploadFor(t, who, absence); code != http.StatusCreated {
			t.Fatalf("%s, a party: %d %v", who, code, out)
		}
	}
	var missing map[string]any
	for i, tc := range []struct{ who, absence string }{
		{devissuer.PersonaCitizenOther, absence},
		{devissuer.PersonaEmployerSeasonal, absence},
		{devissuer.PersonaProxy, absence},
		{devissuer.PersonaSelfEmployed, absence},
		{devissuer.PersonaAKasse, absence},
		{devissuer.PersonaCitizen, unknown},
	} {
		before, stored := f.deniedHead(t), f.documentsOf(t, tc.absence)
		code, out := f.uploadFor(t, tc.who, tc.absence)
		if code != http.StatusNotFound || out["code"] != "absence.not-found" {
			t.Fatalf("%s on %s: %d %v, want 404", tc.who, tc.absence, code, out)
		}
		if i == 0 {
			missing = out
		} else if fmt.Sprint(out) != fmt.Sprint(missing) {
			t.Fatalf("answers differ: %v and %v", out, missing)
		}
		if f.documentsOf(t, tc.absence) != stored {
			t.Fatalf("%s: a document was stored", tc.who)
		}
		if f.deniedHead(t) <= before {
			t.Fatalf("%s: the refusal is not in the ledger", tc.who)
		}
	}
	if n := f.documentsOf(t, absence); n != 2 {
		t.Fatalf("%d documents on the absence, want the party's 2", n)
	}

	// A delivery names its sender and recipient as parties too.
	other := fmt.Sprintf("0190f0a2-7c1e-7d3a-%04x-%012x", rand.Uint32()&0xffff, rand.Uint64()&0xffffffffffff)
	dl, _ := events.New(events.DeliveryRequested, "maternity", other, events.DeliveryRequest{ItemID: other + "/report/1", Recipient: "UDK",
		Kind: "parental.report", CaseRef: other, Sender: "cvr:31000009", Payload: payloadOf(t, "parental.report", other)}, nil)
	f.Deliver(t, dl)
	if code, out := f.uploadFor(t, devissuer.PersonaEmployerSeasonal, other); code != http.StatusCreated {
		t.Fatalf("the sender of a delivery: %d %v", code, out)
	}
	if code, _ := f.uploadFor(t, devissuer.PersonaEmployer, other); code != http.StatusNotFound {
		t.Fatalf("another employer on the delivered case: %d", code)
	}
	// Without an absence an upload is the uploader's own, as before.
	if code, out := upload(t, f.URL(), f.PersonaToken(t, devissuer.PersonaCitizenOther), "x.pdf", "Uden fravær", samplePDF()); code != http.StatusCreated {
		t.Fatalf("upload without an absence: %d %v", code, out)
	}
}
