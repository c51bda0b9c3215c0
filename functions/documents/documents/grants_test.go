package documents_test

import (
	"context"
	"net/http"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
)

// deliver hands the function a delivery.requested event as the broker does.
func (f *fixture) deliver(t *testing.T, itemID, recipient string, refs ...string) {
	t.Helper()
	ev, err := events.New(events.DeliveryRequested, "test", itemID, events.DeliveryRequest{ItemID: itemID, Recipient: recipient,
		Kind: "citizen.documentation", CaseRef: "absence-1", Payload: payloadOf(t, "citizen.documentation", "absence-1"), DocumentRefs: refs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Deliver(t, ev)
}

// reads counts the ledger's read entries of actor in the document's stream.
func (f *fixture) reads(t *testing.T, stream, actor string) int {
	t.Helper()
	n := 0
	for _, r := range f.Ledger(t, auth.ReadStream(stream)) {
		if r.Actor == actor && r.EventType == auth.EventAccessRead {
			n++
		}
	}
	return n
}

// The documents that go with a delivery are the receiving authority's to
// process (Nemrefusionsbekendtgørelsen § 1, stk. 2: the information is
// passed to the municipality or Udbetaling Danmark for the case): a
// caseworker of the recipient municipality may read them, one of another
// municipality may not, a UDK caseworker only what went to UDK. Every
// read and every refusal is logged (§ 1, stk. 5: full traceability).
func TestCaseworkersOfTheRecipientMayReadDeliveredDocuments(t *testing.T) {
	f := start(t, options{})
	citizen := f.PersonaToken(t, devissuer.PersonaCitizen)
	kbh, aarhus, udk := f.PersonaToken(t, devissuer.PersonaCaseworker), f.PersonaToken(t, devissuer.PersonaCaseworkerAarhus), f.PersonaToken(t, devissuer.PersonaUDKCaseworker)
	doc := func(title string) string {
		code, out := upload(t, f.URL(), citizen, "a.pdf", title, samplePDF())
		if code != http.StatusCreated || out["status"] != "accepted" {
			t.Fatalf("upload %s: %d %v", title, code, out)
		}
		return out["id"].(string)
	}
	toKbh, toUDK := doc("Til København"), doc("Til Udbetaling Danmark")
	download := func(tok, id string) int {
		code, _ := get(t, f.URL(), "/api/v1/documents/"+id+"/download", tok, "application/json")
		return code
	}

	// Before any delivery only the uploader's tenant reads.
	if code := download(kbh, toKbh); code != http.StatusNotFound {
		t.Fatalf("København before the delivery: %d, want 404", code)
	}

	// The same event twice, and a second item with the same document: one grant.
	f.deliver(t, "absence-1/documentation/1", "101", toKbh)
	ev, _ := events.New(events.DeliveryRequested, "test", "k", events.DeliveryRequest{ItemID: "absence-1/documentation/2", Recipient: "101",
		Kind: "citizen.documentation", CaseRef: "absence-1", Payload: payloadOf(t, "citizen.documentation", "absence-1"), DocumentRefs: []string{toKbh, "not-a-uuid"}}, nil)
	f.Deliver(t, ev)
	f.Deliver(t, ev)
	f.deliver(t, "absence-1/documentation/3", "UDK", toUDK)
	var grants int
	if err := f.Svc.DB.QueryRow(context.Background(), `SELECT count(*) FROM grants WHERE document_id = $1`, toKbh).Scan(&grants); err != nil || grants != 1 {
		t.Fatalf("%d grants of the document (%v), want 1", grants, err)
	}

	for _, c := range []struct {
		who, tok, id string
		want         int
	}{
		{"København's caseworker, document sent to 101", kbh, toKbh, http.StatusOK},
		{"Aarhus's caseworker, document sent to 101", aarhus, toKbh, http.StatusNotFound},
		{"UDK caseworker, document sent to 101", udk, toKbh, http.StatusNotFound},
		{"UDK caseworker, document sent to UDK", udk, toUDK, http.StatusOK},
		{"København's caseworker, document sent to UDK", kbh, toUDK, http.StatusNotFound},
		{"the uploader", citizen, toKbh, http.StatusOK},
		{"another citizen", f.PersonaToken(t, devissuer.PersonaCitizenOther), toKbh, http.StatusNotFound},
	} {
		if got := download(c.tok, c.id); got != c.want {
			t.Errorf("%s: %d, want %d", c.who, got, c.want)
		}
	}
	if code, out := get(t, f.URL(), "/api/v1/documents/"+toKbh, kbh, ""); code != http.StatusOK || out["status"] != "accepted" {
		t.Errorf("status as København's caseworker: %d %v", code, out)
	}

	// The caseworker's download is in the ledger like the uploader's; the
	// refusals are too.
	stream := "document-" + toKbh
	if n := f.reads(t, stream, "dev:caseworker"); n != 1 {
		t.Errorf("%d reads by København's caseworker in the ledger, want 1", n)
	}
	if n := f.reads(t, stream, "dev:citizen"); n != 1 {
		t.Errorf("%d reads by the uploader in the ledger, want 1", n)
	}
	var denials int
	if err := f.Svc.DB.QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE stream = 'access-denied' AND reason->>'resource' = $1`,
		"document:"+toKbh).Scan(&denials); err != nil || denials != 4 {
		t.Errorf("%d denials of the document recorded (%v), want 4 (København before the delivery, Aarhus, UDK, another citizen)", denials, err)
	}
}

// A delivery to a recipient that does not exist grants nothing and is
// refused as bad data.
func TestADeliveryToAnUnknownRecipientGrantsNothing(t *testing.T) {
	f := start(t, options{})
	ev, _ := events.New(events.DeliveryRequested, "test", "k", events.DeliveryRequest{ItemID: "x/1", Recipient: "999",
		Kind: "citizen.documentation", CaseRef: "x", Payload: payloadOf(t, "citizen.documentation", "x"), DocumentRefs: []string{"0190f6a4-8a4e-7c1e-9d3c-1b2a3c4d5e72"}}, nil)
	if code, body := f.Post(t, ev); code/100 != 4 {
		t.Fatalf("unknown recipient: %d %s, want 4xx", code, body)
	}
	var grants int
	if err := f.Svc.DB.QueryRow(context.Background(), `SELECT count(*) FROM grants`).Scan(&grants); err != nil || grants != 0 {
		t.Fatalf("%d grants (%v), want 0", grants, err)
	}
}
