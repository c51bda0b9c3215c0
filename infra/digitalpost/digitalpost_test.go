package digitalpost_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/digitalpost"
)

var pdf = []byte("%PDF-1.7\n% test\n")

func letter() digitalpost.Letter {
	return digitalpost.Letter{
		UUID: uuid.NewString(), Label: "Kvittering for din indberetning",
		SenderCVR: ids.MustCVR("30000005"), SenderName: "København Kommune",
		RecipientCPR: ids.MustCPR("1203854321"), RecipientName: "Test Person",
		Created: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC), PDF: pdf, Filename: "kvittering.pdf", Language: "da",
	}
}

func TestBuildMarshalParse(t *testing.T) {
	t.Parallel()
	l := letter()
	m, err := digitalpost.Build(l)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<memo:Message xmlns:memo="https://DigitalPost.dk/MeMo-1" xmlns:grd="https://data.gov.dk/model/core/" memoVersion="1.1"`, "<memo:messageType>DIGITALPOST</memo:messageType>",
		"<memo:messageUUID>" + l.UUID + "</memo:messageUUID>", "<memo:senderID>30000005</memo:senderID>", "<memo:idType>CPR</memo:idType>",
		"<memo:recipientID>1203854321</memo:recipientID>", "<memo:createdDateTime>2024-03-04T10:00:00Z</memo:createdDateTime>",
		"<memo:encodingFormat>application/pdf</memo:encodingFormat>", "<memo:content>JVBERi"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("MeMo lacks %s:\n%s", want, b)
		}
	}
	back, err := digitalpost.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := back.PDF()
	if back.Header.MessageUUID != l.UUID || string(got) != string(pdf) {
		t.Fatalf("round trip: %+v", back.Header)
	}
}

func TestBuildRefusesBrokenLetters(t *testing.T) {
	t.Parallel()
	cases := map[string]func(l *digitalpost.Letter){
		"no uuid":               func(l *digitalpost.Letter) { l.UUID = "" },
		"no label":              func(l *digitalpost.Letter) { l.Label = "" },
		"no sender":             func(l *digitalpost.Letter) { l.SenderCVR = ids.CVR{} },
		"two recipients":        func(l *digitalpost.Letter) { l.RecipientCVR = ids.MustCVR("30000005") },
		"no recipient":          func(l *digitalpost.Letter) { l.RecipientCPR = ids.CPR{} },
		"not a pdf":             func(l *digitalpost.Letter) { l.PDF = []byte("MZ") },
		"no language":           func(l *digitalpost.Letter) { l.Language = "" },
		"no created time":       func(l *digitalpost.Letter) { l.Created = time.Time{} },
		"paper without address": func(l *digitalpost.Letter) { l.Paper = true },
	}
	for name, mutate := range cases {
		l := letter()
		mutate(&l)
		if _, err := digitalpost.Build(l); !errors.Is(err, digitalpost.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestClientAndStandInDeliverOncePerUUID(t *testing.T) {
	t.Parallel()
	si := digitalpost.NewStandIn()
	srv := httptest.NewServer(http.StripPrefix("/dp", si))
	defer srv.Close()
	c, err := digitalpost.NewClient(srv.URL + "/dp/")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	digital, _ := digitalpost.Build(letter())
	pl := letter()
	pl.Paper, pl.Address = true, &digitalpost.PostalAddress{Name: "Test Person", Street: "Vestergade 1", PostalCode: "5000", City: "Odense C", Country: "DK"}
	paper, err := digitalpost.Build(pl)
	if err != nil {
		t.Fatal(err)
	}
	// The same message posted concurrently and repeatedly is delivered once.
	var wg sync.WaitGroup
	dups := make(chan bool, 10)
	for range 5 {
		wg.Add(2)
		go func() { defer wg.Done(); d, err := c.Send(ctx, digital); check(t, err); dups <- d.Duplicate }()
		go func() { defer wg.Done(); d, err := c.Print(ctx, paper); check(t, err); dups <- d.Duplicate }()
	}
	wg.Wait()
	close(dups)
	firsts := 0
	for d := range dups {
		if !d {
			firsts++
		}
	}
	if firsts != 2 {
		t.Fatalf("%d first deliveries, want 2 (one per UUID)", firsts)
	}
	got := si.Received("1203854321")
	if len(got) != 2 {
		t.Fatalf("received %+v", got)
	}
	for _, r := range got {
		if r.Posts != 5 {
			t.Errorf("%s posted %d times, want 5 (counted, delivered once)", r.Channel, r.Posts)
		}
	}
	// Wrong route for the type, and an invalid message, are refused for good.
	if _, err := c.Print(ctx, digital); !errors.Is(err, digitalpost.ErrInvalid) {
		t.Fatalf("Print of a DIGITALPOST message: %v", err)
	}
	// Down: retryable.
	si.SetDown(true)
	if _, err := c.Send(ctx, digital); !errors.Is(err, digitalpost.ErrUnavailable) {
		t.Fatalf("down: %v", err)
	}
	si.SetDown(false)
	bad := digital
	bad.Header.Recipient.RecipientID = "123"
	var rej *digitalpost.RejectedError
	if _, err := c.Send(ctx, bad); !errors.As(err, &rej) || rej.Status != http.StatusBadRequest {
		t.Fatalf("invalid message: %v", err)
	}
	// Nothing listening: retryable.
	closed, _ := digitalpost.NewClient("http://127.0.0.1:1")
	if _, err := closed.Send(ctx, digital); !errors.Is(err, digitalpost.ErrUnavailable) {
		t.Fatalf("closed port: %v", err)
	}
}

func check(t *testing.T, err error) {
	if err != nil {
		t.Error(err)
	}
}
