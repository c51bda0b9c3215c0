package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/tests/stack"
)

// docCall sends a request to the public origin as persona and decodes the
// JSON answer (Location too, for redirects).
func docCall(t *testing.T, persona string, req *http.Request) (int, map[string]any) {
	t.Helper()
	tok, err := stack.Issuer().PersonaToken(persona)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	if l := resp.Header.Get("Location"); l != "" {
		out["location"] = l
	}
	return resp.StatusCode, out
}

func docUpload(t *testing.T, persona, filename, title string, content []byte) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", title)
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, stack.Get().URL()+"/api/v1/documents", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return docCall(t, persona, req)
}

func docGet(t *testing.T, persona, path, accept string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, stack.Get().URL()+path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return docCall(t, persona, req)
}

func minimalPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
}

func smallPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{G: 255, A: 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// Uploads through the public origin: a PDF and a PNG are accepted and can
// be downloaded by presigned URL; EICAR (generated here, inside a PDF) is
// rejected and the uploader gets the rejected-upload receipt by Digital
// Post; a renamed executable and an oversize file are refused.
func TestDocumentsEndToEnd(t *testing.T) {
	persona := devissuer.PersonaCitizen
	for name, content := range map[string][]byte{"lønseddel.pdf": minimalPDF(), "billede.png": smallPNG()} {
		code, out := docUpload(t, persona, name, "Dokumentation "+name, content)
		if code != http.StatusCreated || out["status"] != "accepted" {
			t.Fatalf("%s: %d %v", name, code, out)
		}
		code, link := docGet(t, persona, "/api/v1/documents/"+out["id"].(string)+"/download", "application/json")
		if code != http.StatusOK {
			t.Fatalf("%s download: %d %v", name, code, link)
		}
		resp, err := http.Get(link["url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(body, content) {
			t.Fatalf("%s: downloaded %d bytes, not the upload", name, len(body))
		}
		if code, _ := docGet(t, devissuer.PersonaCitizenOther, "/api/v1/documents/"+out["id"].(string), ""); code != http.StatusNotFound {
			t.Fatalf("another citizen sees %s: %d", name, code)
		}
	}

	elf := append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, bytes.Repeat([]byte{0}, 120)...)
	if code, out := docUpload(t, persona, "lønseddel.pdf", "Omdøbt program", elf); code != http.StatusUnsupportedMediaType {
		t.Fatalf("renamed executable: %d %v", code, out)
	}
	big := append(minimalPDF(), bytes.Repeat([]byte(" "), 10<<20)...)
	if code, out := docUpload(t, persona, "stor.pdf", "For stor", big); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversize: %d %v", code, out)
	}

	infected := infectedPDF()
	code, out := docUpload(t, persona, "lønseddel.pdf", "Lønseddel (september)", infected)
	if code != http.StatusCreated || out["status"] != "rejected" || out["reason"] != events.DocumentInfected {
		t.Fatalf("EICAR: %d %v", code, out)
	}
	id := out["id"].(string)
	if code, _ := docGet(t, persona, "/api/v1/documents/"+id+"/download", ""); code != http.StatusConflict {
		t.Fatalf("download of the infected upload: %d, want 409", code)
	}
	// The receipt: documents requests it, notify writes and sends it.
	letter, channel := sentLetter(t, lettersDB(t), "kind = 'rejected-upload' AND reference = $1", id)
	time.Sleep(time.Second)
	got := received(letter)
	if len(got) != 1 || got[0].Channel != channel {
		t.Fatalf("receipt at Digital Post: %+v", got)
	}
	m, _ := stack.DigitalPost().Message(letter)
	if l := m.Header.Label; l != "Du har forsøgt at indsende dokumentation" && l != "You tried to send documentation" {
		t.Fatalf("receipt label %q", l)
	}
	var rejected int
	_ = lettersDB(t).QueryRow(context.Background(), `SELECT count(*) FROM documents.outbox WHERE event_type = $1 AND event->'data'->>'documentId' = $2`,
		events.DocumentRejected, id).Scan(&rejected)
	if rejected != 1 {
		t.Fatalf("%d document.rejected events, want 1", rejected)
	}
}

// A document that went with a delivery to København is the municipality's
// to process (Nemrefusionsbekendtgørelsen § 1, stk. 2): once the broker has
// brought delivery.requested to the documents function, København's
// caseworker downloads it; a caseworker of Aarhus and one of Udbetaling
// Danmark get the same 404 as for a document that does not exist.
func TestCaseworkerOfTheRecipientDownloadsADeliveredDocument(t *testing.T) {
	// Unique content in a comment before %%EOF (nothing may follow it).
	content := bytes.Replace(minimalPDF(), []byte("%%EOF"), []byte("% "+time.Now().String()+"\n%%EOF"), 1)
	code, out := docUpload(t, devissuer.PersonaCitizen, "lønseddel.pdf", "Lønseddel", content)
	if code != http.StatusCreated || out["status"] != "accepted" {
		t.Fatalf("upload: %d %v", code, out)
	}
	id := out["id"].(string)
	path := "/api/v1/documents/" + id + "/download"
	if code, _ := docGet(t, devissuer.PersonaCaseworker, path, "application/json"); code != http.StatusNotFound {
		t.Fatalf("København before any delivery: %d, want 404", code)
	}
	dlvPublish(t, events.DeliveryRequested, "e2e-doc-"+id, events.DeliveryRequest{ItemID: "e2e-doc-" + id + "/documentation/1", Recipient: "101",
		Kind: "citizen.documentation", CaseRef: "e2e-doc-" + id, DocumentRefs: []string{id},
		Payload: dlvPayload(t, events.CitizenDeliveryPayload{AbsenceID: "e2e-doc-" + id, AnswerID: "e2e-doc-answer-" + id, Kind: "documentation",
			CPR: "1203854321", PersonKind: "employee", SubmittedAt: time.Now().UTC(), Signer: events.CitizenSigner{Role: "citizen"},
			Answer: json.RawMessage(`{}`)})})
	var link map[string]any
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code, link = docGet(t, devissuer.PersonaCaseworker, path, "application/json"); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("København's caseworker never got the document: %d %v", code, link)
		}
		time.Sleep(300 * time.Millisecond)
	}
	resp, err := http.Get(link["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
		t.Fatalf("the link: %d, %d bytes, want 200 and the upload", resp.StatusCode, len(body))
	}
	for _, p := range []string{devissuer.PersonaCaseworkerAarhus, devissuer.PersonaUDKCaseworker} {
		if code, out := docGet(t, p, path, "application/json"); code != http.StatusNotFound {
			t.Errorf("%s: %d %v, want 404", p, code, out)
		}
	}
}
