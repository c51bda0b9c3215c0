package digitalpost_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/digitalpost"
)

// sameMessage fails unless the parsed message keeps what was built.
func sameMessage(t *testing.T, built, back digitalpost.Message) {
	t.Helper()
	bh, gh := built.Header, back.Header
	if bh.MessageType != gh.MessageType || bh.MessageUUID != gh.MessageUUID || bh.Label != gh.Label ||
		bh.Mandatory != gh.Mandatory || bh.LegalNotification != gh.LegalNotification || bh.Sender != gh.Sender {
		t.Fatalf("header changed in the round trip:\n built %+v\n back  %+v", bh, gh)
	}
	br, gr := bh.Recipient, gh.Recipient
	if !reflect.DeepEqual(br, gr) || !reflect.DeepEqual(built.PostalAddress(), back.PostalAddress()) {
		t.Fatalf("recipient changed in the round trip:\n built %+v %+v\n back  %+v %+v", br, br.AttentionData, gr, gr.AttentionData)
	}
	if !built.Body.CreatedDateTime.Equal(back.Body.CreatedDateTime) || built.Body.MainDocument != back.Body.MainDocument {
		t.Fatalf("body changed in the round trip:\n built %+v\n back  %+v", built.Body, back.Body)
	}
}

// FuzzMeMoBuildParse builds letters from fuzzed fields: Build either
// refuses with ErrInvalid or makes a message that marshals to XML the MeMo
// 1.1 schema accepts (xmllint), parses back with the same header,
// recipient (and postal address), body and PDF, and checks again.
func FuzzMeMoBuildParse(f *testing.F) {
	f.Add("0b7e2c1e-7a9e-4d0e-9d7c-2f4b1d2c3e4f", "Kvittering for din indberetning", "København Kommune", "1203854321", "Test Person",
		[]byte("%PDF-1.7\n% test\n"), "kvittering.pdf", "da", false, "Rådhuspladsen 1", "1599", int64(1709546400))
	f.Add("0b7e2c1e-7a9e-4d0e-9d7c-2f4b1d2c3e4f", "Afgørelse", "Udbetaling Danmark", "30000005", "", []byte("%PDF-1.4"), "a.pdf", "en", true,
		"Vej 2, 3. th.", "8000", int64(0))
	f.Add("{0b7e2c1e-7a9e-4d0e-9d7c-2f4b1d2c3e4f}", " label with spaces ", "<Sender & Co>", "120385-4321", "Æ'\"<>&", []byte("%PDF-"),
		"]]>.pdf", "da", true, "\r\n\t", "", int64(-62135596800))
	f.Add("urn:uuid:0b7e2c1e-7a9e-4d0e-9d7c-2f4b1d2c3e4f", "\x00\x01", "\ufffe", "1203854321", "\xff", []byte("%PDF-\x00\xff"), "x", "da", false, "", "", int64(253402300799))
	f.Add("not a uuid", "", "", "", "", []byte("GIF89a"), "", "fr", false, "", "", int64(1))
	f.Fuzz(func(t *testing.T, id, label, sender, recipient, name string, pdf []byte, filename, lang string, paper bool, street, city string, created int64) {
		l := digitalpost.Letter{UUID: id, Label: label, SenderCVR: ids.MustCVR("30000005"), SenderName: sender, RecipientName: name,
			Paper: paper, Created: time.Unix(created%(1<<35), 0), PDF: pdf, Filename: filename, Language: lang}
		if c, err := ids.ParseCPR(recipient); err == nil {
			l.RecipientCPR = c
		} else if c, err := ids.ParseCVR(recipient); err == nil {
			l.RecipientCVR = c
		}
		if paper {
			l.Address = &digitalpost.PostalAddress{Name: name, Street: street, PostalCode: "8000", City: city, Country: "DK"}
		}
		m, err := digitalpost.Build(l)
		if err != nil {
			if !errors.Is(err, digitalpost.ErrInvalid) {
				t.Fatalf("Build refused with %v, not ErrInvalid", err)
			}
			return
		}
		b, err := m.Marshal()
		if err != nil {
			t.Fatalf("a built message does not marshal: %v", err)
		}
		if err := digitalpost.Validate(context.Background(), b); err != nil {
			t.Fatalf("a built message is not valid MeMo 1.1: %v\n%s", err, b)
		}
		back, err := digitalpost.Parse(b)
		if err != nil {
			t.Fatalf("a built message does not parse: %v\n%s", err, b)
		}
		sameMessage(t, m, back)
		if paper && !reflect.DeepEqual(back.PostalAddress(), l.Address) {
			t.Fatalf("postal address changed in the round trip:\n built %+v\n back  %+v", l.Address, back.PostalAddress())
		}
		got, err := back.PDF()
		if err != nil || !bytes.Equal(got, pdf) {
			t.Fatalf("PDF changed in the round trip: %v", err)
		}
	})
}

// FuzzMeMoParse feeds arbitrary bytes to Parse (what the Digital Post
// stand-in receives): never a panic; a refusal wraps ErrInvalid; a message
// it accepts checks, marshals to XML the MeMo 1.1 schema accepts and parses
// back to the same message.
func FuzzMeMoParse(f *testing.F) {
	l := digitalpost.Letter{UUID: "0b7e2c1e-7a9e-4d0e-9d7c-2f4b1d2c3e4f", Label: "Kvittering", SenderCVR: ids.MustCVR("30000005"),
		SenderName: "København Kommune", RecipientCPR: ids.MustCPR("1203854321"), RecipientName: "Test Person",
		Created: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC), PDF: []byte("%PDF-1.7\n"), Filename: "k.pdf", Language: "da"}
	for _, paper := range []bool{false, true} {
		l.Paper = paper
		l.Address = &digitalpost.PostalAddress{Name: "Test Person", Street: "Vej 1", PostalCode: "8000", City: "Aarhus C", Country: "DK"}
		m, err := digitalpost.Build(l)
		if err != nil {
			f.Fatal(err)
		}
		b, err := m.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(bytes.Replace(b, []byte("MeMo-1"), []byte("MeMo-2"), 1))
		f.Add(bytes.ReplaceAll(b, []byte("memo:"), nil))                                                            // no prefix: not in the namespace
		f.Add(bytes.ReplaceAll(bytes.Replace(b, []byte(`xmlns:memo=`), []byte(`xmlns=`), 1), []byte("memo:"), nil)) // default namespace
		f.Add(bytes.Replace(b, []byte("<label>"), []byte("<label><![CDATA[x]]>"), 1))
		f.Add(bytes.Replace(b, []byte("?>"), []byte("?><!DOCTYPE m [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"), 1))
	}
	f.Add([]byte(""))
	f.Add([]byte("<Message xmlns=\"https://DigitalPost.dk/MeMo-1\"/>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := digitalpost.Parse(b)
		if err != nil {
			if !errors.Is(err, digitalpost.ErrInvalid) {
				t.Fatalf("Parse refused with %v, not ErrInvalid", err)
			}
			return
		}
		if err := m.Check(); err != nil {
			t.Fatalf("a parsed message does not check: %v", err)
		}
		again, err := m.Marshal()
		if err != nil {
			t.Fatalf("a parsed message does not marshal: %v", err)
		}
		if err := digitalpost.Validate(context.Background(), again); err != nil {
			t.Fatalf("a parsed message marshalled is not valid MeMo 1.1: %v\n%s", err, again)
		}
		back, err := digitalpost.Parse(again)
		if err != nil {
			t.Fatalf("a parsed message marshalled does not parse: %v\n%s", err, again)
		}
		sameMessage(t, m, back)
	})
}
