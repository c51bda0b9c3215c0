package digitalpost_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"nemrefusion.dk/infra/digitalpost"
)

// oldPaperLetter is the shape our paper letters had before they followed the
// MeMo 1.1 schema: a default namespace, messageType FYSISKPOST (not a MeMo
// value) and PostalAddress straight in Recipient (MeMo puts the address in
// AttentionData). The real Digital Post refuses it.
const oldPaperLetter = `<?xml version="1.0" encoding="UTF-8"?>
<Message xmlns="https://DigitalPost.dk/MeMo-1" memoVersion="1.1" memoSchVersion="1.1.0">
  <MessageHeader>
    <messageType>FYSISKPOST</messageType>
    <messageUUID>f2fb5da8-1cbc-4579-ade5-9e3f37c8c731</messageUUID>
    <label>Kvittering for din indberetning</label>
    <mandatory>false</mandatory>
    <legalNotification>false</legalNotification>
    <Sender><senderID>30000005</senderID><idType>CVR</idType><label>København Kommune</label></Sender>
    <Recipient>
      <recipientID>1203854321</recipientID><idType>CPR</idType><label>Test Person</label>
      <PostalAddress><name>Test Person</name><street>Vestergade 1</street><postalCode>5000</postalCode><city>Odense C</city><country>DK</country></PostalAddress>
    </Recipient>
  </MessageHeader>
  <MessageBody>
    <createdDateTime>2024-03-04T10:00:00Z</createdDateTime>
    <MainDocument>
      <mainDocumentID>f2fb5da8-1cbc-4579-ade5-9e3f37c8c731</mainDocumentID>
      <label>Kvittering for din indberetning</label>
      <File><encodingFormat>application/pdf</encodingFormat><filename>kvittering.pdf</filename><language>da</language><content>JVBERi0xLjcKJSB0ZXN0Cg==</content></File>
    </MainDocument>
  </MessageBody>
</Message>
`

func paperLetter(t *testing.T) []byte {
	t.Helper()
	pl := letter()
	pl.Paper, pl.Address = true, &digitalpost.PostalAddress{Name: "Test Person", Street: "Vestergade 1", PostalCode: "5000", City: "Odense C", Country: "DK"}
	m, err := digitalpost.Build(pl)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPaperLettersAreValidMeMo: the old paper shape is refused by the MeMo
// 1.1 schema (xmllint), the one Build makes now passes it, with the address
// in AttentionData/grd:Address.
func TestPaperLettersAreValidMeMo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	err := digitalpost.Validate(ctx, []byte(oldPaperLetter))
	if !errors.Is(err, digitalpost.ErrInvalid) {
		t.Fatalf("the old paper letter: %v, want ErrInvalid", err)
	}
	for _, finding := range []string{"FYSISKPOST", "PostalAddress"} {
		if !strings.Contains(err.Error(), finding) {
			t.Errorf("the schema's findings do not name %s: %v", finding, err)
		}
	}
	b := paperLetter(t)
	if err := digitalpost.Validate(ctx, b); err != nil {
		t.Fatalf("the paper letter Build makes: %v\n%s", err, b)
	}
	if !strings.Contains(string(b), "<memo:AttentionData>") || !strings.Contains(string(b), "<grd:Address>") {
		t.Errorf("the address is not in AttentionData/grd:Address:\n%s", b)
	}
}

// TestStandInRefusesWhatTheSchemaRefuses: the Digital Post stand-in checks
// the schema, not just our Go structs, so a message the real service would
// refuse is refused here too, with a reason in Danish and English, and
// nothing is received.
func TestStandInRefusesWhatTheSchemaRefuses(t *testing.T) {
	t.Parallel()
	si := digitalpost.NewStandIn()
	srv := httptest.NewServer(si)
	defer srv.Close()
	// The real Digital Post's paths (the client's defaults): a paper letter
	// goes to the print route.
	for _, path := range []string{"/print/v1/letters", "/memo/v1/messages"} {
		resp, err := http.Post(srv.URL+path, "application/xml", strings.NewReader(oldPaperLetter))
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ Code, Da, En string }
		_ = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			t.Fatalf("%s: 404, is that not the stand-in's route?", path)
		}
		if resp.StatusCode != http.StatusBadRequest || p.Code != "invalid-memo-schema" || p.Da == "" || p.En == "" {
			t.Errorf("%s: %d %+v, want 400 invalid-memo-schema in both languages", path, resp.StatusCode, p)
		}
	}
	if got := si.Received("1203854321"); len(got) != 0 {
		t.Errorf("a refused message was received: %+v", got)
	}
	resp, err := http.Post(srv.URL+"/print/v1/letters", "application/xml", strings.NewReader(string(paperLetter(t))))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("a valid paper letter: %d, want 201", resp.StatusCode)
	}
}

// TestDerivedUUIDIsAStableVersion4: MeMo's messageUUID must be a version 4
// UUID; notify derives it from the letter's identity so a redelivered
// request sends the same message (which Digital Post deduplicates).
func TestDerivedUUIDIsAStableVersion4(t *testing.T) {
	t.Parallel()
	ns := uuid.MustParse("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
	a := digitalpost.DerivedUUID(ns, []byte("letter-1"))
	if a != digitalpost.DerivedUUID(ns, []byte("letter-1")) {
		t.Fatal("the same name gave two UUIDs")
	}
	if a == digitalpost.DerivedUUID(ns, []byte("letter-2")) {
		t.Fatal("two names gave the same UUID")
	}
	u, err := uuid.Parse(a)
	if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
		t.Fatalf("%s: version %d variant %v, want a version 4 RFC 4122 UUID", a, u.Version(), u.Variant())
	}
}
