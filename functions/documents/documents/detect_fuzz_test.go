package documents_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"nemrefusion.dk/functions/documents/documents"
	"nemrefusion.dk/infra/devissuer"
)

// magic are the signatures of the four allowed types (the WHATWG MIME
// sniffing patterns net/http implements).
var magic = map[string][][]byte{
	"application/pdf": {[]byte("%PDF-")},
	"image/gif":       {[]byte("GIF87a"), []byte("GIF89a")},
	"image/png":       {[]byte("\x89PNG\r\n\x1a\n")},
	"image/jpeg":      {[]byte("\xff\xd8\xff")},
}

func hasMagic(ct string, b []byte) bool {
	for _, m := range magic[ct] {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	return false
}

// FuzzUploadTypeDetection uploads fuzzed files (name and bytes) through the
// real upload handler, store and virus scanner: the type is decided from
// the bytes only (documents.Detect reads the whole file), so an upload is
// either stored as pdf, gif, png or jpeg with that type's signature at its
// start and a well-formed structure, or refused with 415 (400 when empty)
// in Danish and English without anything stored. Never a 5xx.
func FuzzUploadTypeDetection(f *testing.F) {
	for _, s := range []struct {
		name string
		body []byte
	}{
		{"lønseddel.pdf", samplePDF()},
		{"scan.png", samplePNG()},
		{"kvittering.pdf", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")},
		{"foto.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")},
		{"lønseddel.pdf", infectedPDF()},
		{"lønseddel.pdf", goodPDF()},
		{"polyglot.pdf", append(goodPDF(), zipOf("a.js", "alert(1)")...)},
		{"lønseddel.pdf", elf()},
		{"note.pdf", []byte("just text, no pdf")},
		{"x.pdf", []byte(" %PDF-1.4")},
		{"x.pdf", []byte("%PDF")},
		{"x.html", []byte("<html><script>alert(1)</script>")},
		{"x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		{"x.zip", []byte("PK\x03\x04")},
		{"x.bmp", []byte("BM")},
		{"x.webp", []byte("RIFF\x00\x00\x00\x00WEBPVP")},
		{"", []byte{}},
		{"../../etc/passwd", []byte("\x89PNG\r\n\x1a\n")},
		{"\x00.png", []byte("\x89PNG\r\n\x1a")},
	} {
		f.Add(s.name, s.body)
	}
	fx := start(f, options{maxBytes: 64 << 10})
	tok := fx.PersonaToken(f, devissuer.PersonaCitizen)
	count := func(t *testing.T) int {
		var n int
		if err := fx.Svc.DB.QueryRow(context.Background(), "SELECT count(*) FROM documents").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	f.Fuzz(func(t *testing.T, filename string, body []byte) {
		before := count(t)
		code, out := upload(t, fx.URL(), tok, filename, "Fuzz", body)
		stored := count(t) - before
		switch code {
		case http.StatusCreated, http.StatusAccepted:
			ct, _ := out["contentType"].(string)
			if det, err := documents.Detect(body); !documents.Allowed[ct] || !hasMagic(ct, body) || stored != 1 || err != nil || det != ct {
				t.Fatalf("stored as %q (%d rows) a file starting %q", ct, stored, body[:min(len(body), 16)])
			}
			if size, _ := out["size"].(float64); int(size) != len(body) {
				t.Fatalf("size %v, uploaded %d bytes", out["size"], len(body))
			}
		case http.StatusUnsupportedMediaType, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if out["da"] == nil || out["da"] == "" || out["en"] == nil || out["en"] == "" || stored != 0 {
				t.Fatalf("%d %v, %d rows stored", code, out, stored)
			}
			if code == http.StatusUnsupportedMediaType {
				// Refused only what Detect refuses (a file with an allowed
				// signature that is not well formed, or none).
				if ct, err := documents.Detect(body); err == nil {
					t.Fatalf("refused a well-formed %s", ct)
				}
			}
		default:
			t.Fatalf("answered %d %v", code, out)
		}
	})
}
