package nemsms_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/nemsms"
)

var (
	signed   = ids.MustCPR("2212934327")
	unsigned = ids.MustCPR("1203854321")
	sender   = ids.MustCVR("30000005")
)

func TestCheckLengthRule(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		want error
	}{
		{"160 ascii", strings.Repeat("a", 160), nil},
		{"160 with æøå counts characters, not bytes", strings.Repeat("æøå", 53) + "x", nil},
		{"161", strings.Repeat("a", 161), nemsms.ErrTooLong},
		{"161 æ", strings.Repeat("æ", 161), nemsms.ErrTooLong},
		{"empty", " ", nemsms.ErrInvalid},
	}
	for _, c := range cases {
		m := nemsms.Message{ID: uuid.NewString(), CPR: signed, SenderCVR: sender, Text: c.text}
		if err := m.Check(); !errors.Is(err, c.want) && !(err == nil && c.want == nil) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestSendOnlyToSignedUpAndOncePerID(t *testing.T) {
	t.Parallel()
	si := nemsms.NewStandIn(func(_ context.Context, c ids.CPR) (bool, error) { return c == signed, nil })
	srv := httptest.NewServer(si)
	defer srv.Close()
	c, err := nemsms.NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := nemsms.Message{ID: uuid.NewString(), CPR: signed, SenderCVR: sender, Text: "Husk at svare på din opgave i Mit Sygefravær senest 12. marts."}
	d1, err := c.Send(ctx, m)
	if err != nil || d1.Duplicate {
		t.Fatalf("first send: %+v %v", d1, err)
	}
	d2, err := c.Send(ctx, m)
	if err != nil || !d2.Duplicate {
		t.Fatalf("second send: %+v %v", d2, err)
	}
	if got := si.Received(signed.String()); len(got) != 1 || got[0].Posts != 2 {
		t.Fatalf("received %+v", got)
	}
	other := m
	other.ID, other.CPR = uuid.NewString(), unsigned
	if _, err := c.Send(ctx, other); !errors.Is(err, nemsms.ErrNotSignedUp) {
		t.Fatalf("not signed up: %v", err)
	}
	long := m
	long.ID, long.Text = uuid.NewString(), strings.Repeat("x", 161)
	if _, err := c.Send(ctx, long); !errors.Is(err, nemsms.ErrTooLong) {
		t.Fatalf("too long: %v", err)
	}
	si.SetDown(true)
	if _, err := c.Send(ctx, m); !errors.Is(err, nemsms.ErrUnavailable) {
		t.Fatalf("down: %v", err)
	}
	if len(si.Received("")) != 1 {
		t.Fatal("refused messages were recorded")
	}
}
