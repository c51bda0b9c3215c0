package documents_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/s3"
)

func (f *fixture) exists(t *testing.T, bucket, key string) bool {
	t.Helper()
	_, err := f.store.Stat(context.Background(), bucket, key)
	if err != nil && !errors.Is(err, s3.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// waitEvents waits until the sink holds n events of typ about id.
func (f *fixture) waitEvents(t *testing.T, typ, id string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(f.published(typ, id)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d %s events about %s, want %d", len(f.published(typ, id)), typ, id, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestUploadsAreScannedBeforeRelease(t *testing.T) {
	f := start(t, options{})
	tok := f.PersonaToken(t, devissuer.PersonaCitizen)
	cases := []struct {
		name, filename string
		content        []byte
		code           int
		status, reason string
	}{
		{"a pdf is accepted", "lønseddel.pdf", samplePDF(), http.StatusCreated, "accepted", ""},
		{"a png is accepted", "scan.png", samplePNG(), http.StatusCreated, "accepted", ""},
		{"a gif named .pdf is judged by content", "kvittering.pdf", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), http.StatusCreated, "accepted", ""},
		{"EICAR inside a pdf is rejected", "lønseddel.pdf", infectedPDF(), http.StatusCreated, "rejected", events.DocumentInfected},
		{"a renamed executable is refused", "lønseddel.pdf", elf(), http.StatusUnsupportedMediaType, "", ""},
		{"plain text is refused", "note.pdf", []byte("just text, no pdf"), http.StatusUnsupportedMediaType, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := upload(t, f.URL(), tok, c.filename, "Lønseddel (september)", c.content)
			if code != c.code {
				t.Fatalf("upload: %d %v, want %d", code, out, c.code)
			}
			if c.status == "" {
				if out["code"] != "type-not-allowed" {
					t.Fatalf("refusal %v", out)
				}
				return
			}
			id, _ := out["id"].(string)
			if out["status"] != c.status || (c.reason != "" && out["reason"] != c.reason) {
				t.Fatalf("upload answered %v", out)
			}
			if f.exists(t, f.quar, id) {
				t.Error("the file is still in quarantine after a verdict")
			}
			if got := f.exists(t, f.docs, id); got != (c.status == "accepted") {
				t.Errorf("in the documents bucket: %v, want %v", got, c.status == "accepted")
			}
			code, st := get(t, f.URL(), "/api/v1/documents/"+id, tok, "")
			if code != http.StatusOK || st["status"] != c.status {
				t.Fatalf("status: %d %v", code, st)
			}
			code, link := get(t, f.URL(), "/api/v1/documents/"+id+"/download", tok, "application/json")
			if c.status != "accepted" {
				if code != http.StatusConflict {
					t.Fatalf("download of a rejected document: %d %v", code, link)
				}
				f.waitEvents(t, events.DocumentRejected, id, 1)
				// The rejected-upload receipt goes to the uploader (the citizen).
				f.waitEvents(t, events.LetterRequested, id, 1)
				ev := f.published(events.LetterRequested, id)[0]
				if err := events.Validate(ev); err != nil {
					t.Fatal(err)
				}
				var req events.LetterRequest
				_ = ev.DataAs(&req)
				if req.Kind != events.LetterRejectedUpload || req.Recipient.CPR.IsZero() || req.Data["documentTitle"] != "Lønseddel (september)" {
					t.Fatalf("receipt request %+v", req)
				}
				if !strings.Contains(st["da"].(string), "inficeret med virus") {
					t.Fatalf("status text %v", st["da"])
				}
				return
			}
			f.waitEvents(t, events.DocumentAccepted, id, 1)
			if err := events.Validate(f.published(events.DocumentAccepted, id)[0]); err != nil {
				t.Fatal(err)
			}
			if code != http.StatusOK {
				t.Fatalf("download: %d %v", code, link)
			}
			resp, err := http.Get(link["url"].(string))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, c.content) {
				t.Fatalf("presigned download: %d, %d bytes", resp.StatusCode, len(body))
			}
			if code, red := get(t, f.URL(), "/api/v1/documents/"+id+"/download", tok, ""); code != http.StatusSeeOther || red["location"] == "" {
				t.Fatalf("download without JSON: %d %v, want 303", code, red)
			}
		})
	}
}

func TestOversizeIsNeverPassedAsClean(t *testing.T) {
	// The upload limit refuses at the door; a scanner limit below it (as
	// clamd's StreamMaxLength could be) rejects after quarantine.
	f := start(t, options{maxBytes: 256 << 10, scannerLimit: 64 << 10})
	tok := f.PersonaToken(t, devissuer.PersonaCitizen)
	big := append(samplePDF(), bytes.Repeat([]byte(" "), 256<<10)...)
	if code, out := upload(t, f.URL(), tok, "big.pdf", "For stor", big); code != http.StatusRequestEntityTooLarge || out["code"] != "too-large" {
		t.Fatalf("over the upload limit: %d %v", code, out)
	}
	mid := append(samplePDF(), bytes.Repeat([]byte(" "), 100<<10)...)
	code, out := upload(t, f.URL(), tok, "mid.pdf", "Over scannerens grænse", mid)
	if code != http.StatusCreated || out["status"] != "rejected" || out["reason"] != events.DocumentTooLarge {
		t.Fatalf("over the scanner's limit: %d %v", code, out)
	}
	id := out["id"].(string)
	if f.exists(t, f.docs, id) || f.exists(t, f.quar, id) {
		t.Fatal("a file too large to scan was kept")
	}
	if len(f.published(events.LetterRequested, id)) != 0 {
		t.Fatal("a too-large file got a virus receipt")
	}
}

func TestNothingIsReleasedWhileClamdIsDown(t *testing.T) {
	f := start(t, options{})
	tok := f.PersonaToken(t, devissuer.PersonaCitizen)
	f.proxy.up.Store(false)
	code, clean := upload(t, f.URL(), tok, "clean.pdf", "Ren", samplePDF())
	if code != http.StatusAccepted || clean["status"] != "awaiting-scan" {
		t.Fatalf("upload with clamd down: %d %v", code, clean)
	}
	_, dirty := upload(t, f.URL(), tok, "dirty.pdf", "Beskidt", infectedPDF())
	ids := []string{clean["id"].(string), dirty["id"].(string)}
	for _, id := range ids {
		if code, st := get(t, f.URL(), "/api/v1/documents/"+id, tok, ""); st["status"] != "awaiting-scan" {
			t.Fatalf("status while down: %d %v", code, st)
		}
		if code, _ := get(t, f.URL(), "/api/v1/documents/"+id+"/download", tok, "application/json"); code != http.StatusConflict {
			t.Fatalf("download while down: %d, want 409", code)
		}
		if !f.exists(t, f.quar, id) || f.exists(t, f.docs, id) {
			t.Fatal("while clamd is down the file must sit in quarantine only")
		}
	}
	// Rescans while clamd is still down change nothing.
	time.Sleep(1100 * time.Millisecond)
	if n, err := f.fn.RescanDue(context.Background()); n != 0 || err == nil {
		t.Fatalf("rescan while down: %d, %v", n, err)
	}
	if len(f.published(events.DocumentAccepted, ids[0])) != 0 {
		t.Fatal("announced before a clean verdict")
	}
	// clamd is back: the in-process loop finishes both.
	f.proxy.up.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.fn.Run(ctx)
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, a := get(t, f.URL(), "/api/v1/documents/"+ids[0], tok, "")
		_, b := get(t, f.URL(), "/api/v1/documents/"+ids[1], tok, "")
		if a["status"] == "accepted" && b["status"] == "rejected" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after clamd returned: %v / %v", a, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, _ := get(t, f.URL(), "/api/v1/documents/"+ids[0]+"/download", tok, "application/json"); code != http.StatusOK {
		t.Fatalf("download after release: %d", code)
	}
	f.waitEvents(t, events.DocumentAccepted, ids[0], 1)
	f.waitEvents(t, events.LetterRequested, ids[1], 1)
	// The infected file is never released; the quarantine copies are
	// deleted right after the verdict commits (dropQuarantined), so they
	// may outlive the status by a moment.
	if f.exists(t, f.docs, ids[1]) {
		t.Fatal("the infected file was released")
	}
	for deadline := time.Now().Add(5 * time.Second); f.exists(t, f.quar, ids[0]) || f.exists(t, f.quar, ids[1]); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("quarantine not cleaned up")
		}
	}
}

func TestOnlyTheUploadersTenantMaySee(t *testing.T) {
	f := start(t, options{})
	_, out := upload(t, f.URL(), f.PersonaToken(t, devissuer.PersonaCitizen), "a.pdf", "Mit dokument", samplePDF())
	id := out["id"].(string)
	other := f.PersonaToken(t, devissuer.PersonaCitizenOther)
	for _, path := range []string{"/api/v1/documents/" + id, "/api/v1/documents/" + id + "/download", "/api/v1/documents/0190f6a4-8a4e-7c1e-9d3c-1b2a3c4d5e72"} {
		if code, body := get(t, f.URL(), path, other, "application/json"); code != http.StatusNotFound {
			t.Fatalf("%s as another citizen: %d %v, want 404", path, code, body)
		}
	}
	if code, _ := get(t, f.URL(), "/api/v1/documents/"+id, "", ""); code != http.StatusUnauthorized {
		t.Fatalf("without a token: %d, want 401", code)
	}
	if code, _ := upload(t, f.URL(), f.PersonaToken(t, devissuer.PersonaCaseworker), "a.pdf", "x", samplePDF()); code != http.StatusForbidden {
		t.Fatalf("a caseworker uploading: %d, want 403", code)
	}
	var denials int
	if err := f.Svc.DB.QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE stream = 'access-denied' AND reason->>'resource' = $1`, "document:"+id).Scan(&denials); err != nil {
		t.Logf("counting denials: %v", err)
	} else if denials != 2 {
		t.Fatalf("%d denials recorded, want 2", denials)
	}
}
