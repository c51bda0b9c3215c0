package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/tests/stack"
)

// czPublish posts an event to the broker ingress, as a producing function does.
func czPublish(t *testing.T, eventType, key string, data any) {
	t.Helper()
	ev, err := events.New(eventType, "e2e", key, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, stack.Get().BrokerURL(), nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("broker ingress: %d", resp.StatusCode)
	}
}

type czReply struct {
	status int
	body   map[string]any
	raw    string
}

func (r czReply) errs() map[string]string {
	out := map[string]string{}
	list, _ := r.body["errors"].([]any)
	for _, e := range list {
		m := e.(map[string]any)
		out[m["field"].(string)] = m["code"].(string)
	}
	return out
}

// czCall calls the public origin as persona (a fresh login each time).
func czCall(t *testing.T, persona, method, path, body string, contentType ...string) czReply {
	t.Helper()
	tok, err := stack.Issuer().PersonaToken(persona)
	if err != nil {
		t.Fatal(err)
	}
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, _ := http.NewRequest(method, stack.Get().URL()+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	if len(contentType) > 0 {
		req.Header.Set("Content-Type", contentType[0])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := czReply{status: resp.StatusCode, raw: string(b)}
	_ = json.Unmarshal(b, &r.body)
	return r
}

// czUpload uploads content for absence through the documents function.
func czUpload(t *testing.T, persona, absence, title string, content []byte) czReply {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", title)
	_ = mw.WriteField("absenceId", absence)
	fw, _ := mw.CreateFormFile("file", "dokument.pdf")
	_, _ = fw.Write(content)
	_ = mw.Close()
	return czCall(t, persona, http.MethodPost, "/api/v1/documents", buf.String(), mw.FormDataContentType())
}

func czEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// czItems counts the items with itemID in municipality 101's delivery
// stream, read as its case system reads it (fetch from the start).
func czItems(t *testing.T, itemID string) int {
	t.Helper()
	n, after := 0, "0"
	for {
		r := czCall(t, devissuer.PersonaCaseSystem, http.MethodGet, "/api/v1/deliveries/101?limit=1000&after="+after, "")
		if r.status != http.StatusOK {
			t.Fatalf("fetch: %d %s", r.status, r.raw)
		}
		for _, it := range r.body["items"].([]any) {
			if it.(map[string]any)["itemId"] == itemID {
				n++
			}
		}
		if r.body["more"] != true {
			return n
		}
		after = r.body["cursor"].(string)
	}
}

// The sick person's tasks through the whole stack: the tasks arrive over
// the broker, another citizen gets nothing, the answers (and the clean
// document) arrive in the municipality's delivery stream exactly once, and
// an infected upload is rejected by the documents function and cannot be
// sent.
func TestCitizenTasksEndToEnd(t *testing.T) {
	me, _ := devissuer.PersonaByKey(devissuer.PersonaCitizen)
	id := uuid.NewString()
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format(time.DateOnly) }
	czPublish(t, events.CitizenTasksRequested, id, events.CitizenTasksRequest{AbsenceID: id, CPR: me.Claims.CPR, PersonKind: "employee",
		Municipality: "101", SenderName: "Demo A/S", SenderCVR: "30000005", FirstAbsenceDay: day(-10),
		Tasks: []string{events.CitizenTaskComment, events.CitizenTaskApplication, events.CitizenTaskInformationForm}, Deadline: day(8),
		Report: json.RawMessage(`{"wagesPaid": false, "retention": {"partialResumptionPossible": true, "expectsReturn": true, "retentionPlanWanted": false}}`)})
	base := "/api/v1/citizen/absences/" + id
	czEventually(t, "the tasks", func() bool { return czCall(t, devissuer.PersonaCitizen, "GET", base, "").status == http.StatusOK })

	// Another citizen gets nothing: the same answer as a missing absence.
	foreign := czCall(t, devissuer.PersonaCitizenOther, "GET", base, "")
	missing := czCall(t, devissuer.PersonaCitizenOther, "GET", "/api/v1/citizen/absences/"+uuid.NewString(), "")
	if foreign.status != http.StatusNotFound || foreign.raw != missing.raw {
		t.Fatalf("another citizen: %d %s (missing: %s)", foreign.status, foreign.raw, missing.raw)
	}
	if r := czCall(t, devissuer.PersonaCitizenOther, "POST", base+"/tasks/comment/answer", `{"agree": true}`); r.status != http.StatusNotFound {
		t.Fatalf("another citizen answering: %d %s", r.status, r.raw)
	}
	list := czCall(t, devissuer.PersonaCitizenOther, "GET", "/api/v1/citizen/absences", "")
	for _, a := range list.body["absences"].([]any) {
		if a.(map[string]any)["id"] == id {
			t.Fatal("another citizen sees the absence in Mit forløb")
		}
	}
	if r := czCall(t, devissuer.PersonaSelfEmployed, "GET", "/api/v1/citizen/absences", ""); r.status != http.StatusForbidden || r.body["code"] != "employee-login" {
		t.Fatalf("a company login: %d %s", r.status, r.raw)
	}

	if r := czCall(t, devissuer.PersonaCitizen, "POST", base+"/legal-text", `{"acknowledged": true}`); r.status != http.StatusOK {
		t.Fatalf("legal text: %d %s", r.status, r.raw)
	}
	r := czCall(t, devissuer.PersonaCitizen, "POST", base+"/tasks/comment/answer", `{"agree": false, "comment": "Jeg er ansat 37 timer om ugen."}`)
	if r.status != http.StatusCreated {
		t.Fatalf("disagreement: %d %s", r.status, r.raw)
	}
	commentItem := r.body["receipt"].(map[string]any)["deliveryItemId"].(string)
	if r := czCall(t, devissuer.PersonaCitizen, "POST", base+"/tasks/comment/answer", `{"agree": false, "comment": "igen"}`); r.status != http.StatusConflict {
		t.Fatalf("answering twice: %d %s", r.status, r.raw)
	}

	// An infected upload is rejected and cannot be referenced; a clean one can.
	infected := infectedPDF()
	up := czUploadParty(t, devissuer.PersonaCitizen, id, "Lægeerklæring", infected)
	if up.status/100 != 2 {
		t.Fatalf("upload: %d %s", up.status, up.raw)
	}
	virus := up.body["id"].(string)
	czEventually(t, "the rejection to reach the citizen function", func() bool {
		r := czCall(t, devissuer.PersonaCitizen, "POST", base+"/documentation", `{"documentId": "`+virus+`", "reason": "Lægeerklæring"}`)
		if r.status == http.StatusCreated {
			t.Fatalf("an infected upload was sent: %s", r.raw)
		}
		return r.errs()["documentId"] == "document-rejected"
	})
	clean := czUpload(t, devissuer.PersonaCitizen, id, "Lønseddel (september)", minimalPDF()).body["id"].(string)
	var docItem string
	czEventually(t, "the clean document to be sendable", func() bool {
		r := czCall(t, devissuer.PersonaCitizen, "POST", base+"/documentation", `{"documentId": "`+clean+`", "reason": "Min lønseddel"}`)
		if r.status == http.StatusCreated {
			docItem = r.body["receipt"].(map[string]any)["deliveryItemId"].(string)
		}
		return r.status == http.StatusCreated
	})
	v := czCall(t, devissuer.PersonaCitizen, "GET", base, "")
	if ups := v.body["rejectedUploads"].([]any); len(ups) != 1 {
		t.Fatalf("Mit forløb shows %d rejected uploads, want 1: %s", len(ups), v.raw)
	}

	for _, item := range []string{commentItem, docItem} {
		czEventually(t, "item "+item+" in the municipality's stream", func() bool { return czItems(t, item) >= 1 })
	}
	time.Sleep(time.Second) // a redelivery would land by now
	for _, item := range []string{commentItem, docItem} {
		if n := czItems(t, item); n != 1 {
			t.Fatalf("item %s is %s times in the stream, want once", item, strconv.Itoa(n))
		}
	}
}
