package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/clamav"
	"nemrefusion.dk/infra/devissuer"
)

// infectedPDF is a well-formed PDF carrying the EICAR test file in a
// stream: the documents function takes it for a PDF, and ClamAV finds the
// virus.
func infectedPDF() []byte {
	e := clamav.EICAR()
	return append(append([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"+
		"3 0 obj<</Length "+strconv.Itoa(len(e))+">>stream\n"), e...), "\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"...)
}

// czUploadParty uploads for absence as persona, trying again while the
// documents function has not yet heard of the absence's parties (it
// learns them from citizen.tasks.requested, as the citizen function does).
func czUploadParty(t *testing.T, persona, absence, title string, content []byte) czReply {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := czUpload(t, persona, absence, title, content)
		if r.status != http.StatusNotFound || time.Now().After(deadline) {
			return r
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Finding (issue 16): "anyone who knows an absence id can add documents to
// another person's absence (they appear in that citizen's Mit
// Sygefravær)". On the running stack another citizen and another employer
// get the 404 of a missing absence and nothing reaches the citizen's
// absence; the sick person themself uploads to it.
func TestOnlyPartiesAttachDocumentsEndToEnd(t *testing.T) {
	me, _ := devissuer.PersonaByKey(devissuer.PersonaCitizen)
	id := uuid.NewString()
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format(time.DateOnly) }
	czPublish(t, events.CitizenTasksRequested, id, events.CitizenTasksRequest{AbsenceID: id, CPR: me.Claims.CPR, PersonKind: "employee",
		Municipality: "101", SenderName: "Demo A/S", SenderCVR: "30000005", FirstAbsenceDay: day(-3),
		Tasks: []string{events.CitizenTaskComment}, Deadline: day(8)})
	base := "/api/v1/citizen/absences/" + id
	czEventually(t, "the tasks", func() bool { return czCall(t, devissuer.PersonaCitizen, "GET", base, "").status == http.StatusOK })
	own := czUploadParty(t, devissuer.PersonaCitizen, id, "Lægeerklæring", minimalPDF())
	if own.status != http.StatusCreated {
		t.Fatalf("the sick person's upload: %d %s", own.status, own.raw)
	}
	missing := czUpload(t, devissuer.PersonaCitizenOther, uuid.NewString(), "Planted", minimalPDF())
	for _, who := range []string{devissuer.PersonaCitizenOther, devissuer.PersonaEmployerSeasonal} {
		r := czUpload(t, who, id, "Planted", minimalPDF())
		if r.status != http.StatusNotFound || r.raw != missing.raw {
			t.Fatalf("%s on another's absence: %d %s (missing absence: %d %s)", who, r.status, r.raw, missing.status, missing.raw)
		}
	}
	time.Sleep(time.Second) // what was planted would have reached the citizen function by now
	view := czCall(t, devissuer.PersonaCitizen, "GET", base, "")
	if view.status != http.StatusOK {
		t.Fatalf("the absence: %d %s", view.status, view.raw)
	}
	if strings.Contains(view.raw, "Planted") {
		t.Fatalf("a foreign document shows in Mit Sygefravær: %s", view.raw)
	}
}
