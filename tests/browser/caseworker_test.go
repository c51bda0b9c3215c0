package browser

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/tests/stack"
)

// uploadForAbsence uploads content as the citizen persona for absence
// through the documents function and returns the document's id once it is
// scanned clean. It tries again while the documents function has not yet
// heard that the citizen is party to the absence (404).
func uploadForAbsence(t *testing.T, absence, title string, content []byte) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		id, status, raw := tryUploadForAbsence(t, absence, title, content)
		if status == http.StatusCreated && id != "" {
			return id
		}
		if status != http.StatusNotFound || time.Now().After(deadline) {
			t.Fatalf("upload: %d %s", status, raw)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func tryUploadForAbsence(t *testing.T, absence, title string, content []byte) (string, int, []byte) {
	t.Helper()
	tok, err := stack.Issuer().PersonaToken(devissuer.PersonaCitizen)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", title)
	_ = mw.WriteField("absenceId", absence)
	fw, _ := mw.CreateFormFile("file", "loenseddel.pdf")
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, stack.Get().URL()+"/api/v1/documents", &buf)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ID, Status string }
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil || out.Status != "accepted" {
		return "", resp.StatusCode, raw
	}
	return out.ID, resp.StatusCode, raw
}

// sendDocumentation sends the document as the citizen's documentation for
// the absence (it goes to the municipality's inbox with the document),
// trying again until the citizen function has heard the document is clean.
func sendDocumentation(t *testing.T, absence, documentID string) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	body := map[string]string{"documentId": documentID, "reason": "Min lønseddel for september."}
	for apiCall(t, devissuer.PersonaCitizen, http.MethodPost, "/api/v1/citizen/absences/"+absence+"/documentation", body, nil)/100 != 2 {
		if time.Now().After(deadline) {
			t.Fatal("the documentation was never accepted")
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// fetch GETs url (a presigned link: no token) and returns status and body.
func fetch(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
