package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/standin"
	"nemrefusion.dk/infra/registers/synth"
)

var ref = registers.NewMonth(2024, time.June)

var dataset = sync.OnceValues(func() (*synth.Dataset, error) {
	return synth.Generate(synth.DefaultConfig(1, ref))
})

// stack starts a stand-in on a real local port and a client of it.
func stack(t *testing.T, opts ...Option) (*synth.Dataset, *standin.Server, *Client) {
	t.Helper()
	d, err := dataset()
	if err != nil {
		t.Fatal(err)
	}
	s := standin.New(d)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return d, s, c
}

func persona(key string) synth.Persona {
	p, _ := synth.PersonaByKey(key)
	return p
}

func TestLookupsMatchTheData(t *testing.T) {
	t.Parallel()
	d, _, c := stack(t)
	ctx := context.Background()
	for _, p := range synth.Personas() {
		if !p.CPR.IsZero() {
			got, err := c.Person(ctx, p.CPR)
			want, _ := d.Person(ctx, p.CPR)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("persona %s: person %v\n got %+v\nwant %+v", p.Key, err, got, want)
			}
			gotInc, err := c.Income(ctx, p.CPR, ref.AddMonths(-12), ref.AddMonths(-1))
			wantInc, _ := d.Income(ctx, p.CPR, ref.AddMonths(-12), ref.AddMonths(-1))
			if err != nil || !reflect.DeepEqual(gotInc, wantInc) {
				t.Errorf("persona %s: income %v: %d months, want %d", p.Key, err, len(gotInc), len(wantInc))
			}
		}
		if !p.CVR.IsZero() {
			got, err := c.Company(ctx, p.CVR)
			want, _ := d.Company(ctx, p.CVR)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("persona %s: company %v", p.Key, err)
			}
		}
		if !p.PNumber.IsZero() {
			got, err := c.PUnit(ctx, p.PNumber)
			want, _ := d.PUnit(ctx, p.PNumber)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("persona %s: p-unit %v", p.Key, err)
			}
		}
	}
	// A sample of generated persons round-trips exactly too (moves, abroad, representatives).
	for i := 0; i < len(d.Persons); i += 97 {
		want := d.Persons[i]
		got, err := c.Person(ctx, want.CPR)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("person %d: %v", i, err)
		}
	}
}

func TestIncomeByEmployer(t *testing.T) {
	t.Parallel()
	_, _, c := stack(t)
	ctx := context.Background()
	p := persona(synth.PersonaEmployee)
	got, err := c.IncomeByEmployer(ctx, p.CPR, p.CVR, ref.AddMonths(-6), ref.AddMonths(-1))
	if err != nil || len(got) != 6 {
		t.Fatalf("%v, %d months", err, len(got))
	}
	for _, im := range got {
		if im.Employer != p.CVR || im.CPR != p.CPR {
			t.Fatalf("month %s of another employer or person", im.Month)
		}
	}
	none, err := c.IncomeByEmployer(ctx, p.CPR, ids.MustCVR("12345674"), ref.AddMonths(-6), ref.AddMonths(-1))
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("other employer: %v %v", err, none)
	}
	empty, err := c.Income(ctx, persona(synth.PersonaNoIncome).CPR, ref.AddMonths(-6), ref.AddMonths(-1))
	if err != nil || empty == nil || len(empty) != 0 {
		t.Fatalf("no income: %v %v", err, empty)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	emp := persona(synth.PersonaEmployee)
	unknown := ids.MustCPR("0101010000")
	tests := []struct {
		name     string
		setup    func(t *testing.T) (*Client, context.Context)
		call     func(ctx context.Context, c *Client) error
		is       error
		notIs    error
		register string
	}{
		{name: "404 person → ErrNotFound",
			setup: func(t *testing.T) (*Client, context.Context) { _, _, c := stack(t); return c, context.Background() },
			call:  func(ctx context.Context, c *Client) error { _, err := c.Person(ctx, unknown); return err },
			is:    registers.ErrNotFound, notIs: registers.ErrUnavailable},
		{name: "404 company → ErrNotFound",
			setup: func(t *testing.T) (*Client, context.Context) { _, _, c := stack(t); return c, context.Background() },
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Company(ctx, ids.MustCVR("12345674"))
				return err
			},
			is: registers.ErrNotFound},
		{name: "404 p-unit → ErrNotFound",
			setup: func(t *testing.T) (*Client, context.Context) { _, _, c := stack(t); return c, context.Background() },
			call: func(ctx context.Context, c *Client) error {
				_, err := c.PUnit(ctx, ids.MustPNumber("0000000001"))
				return err
			},
			is: registers.ErrNotFound},
		{name: "404 income of unknown person → ErrNotFound",
			setup: func(t *testing.T) (*Client, context.Context) { _, _, c := stack(t); return c, context.Background() },
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Income(ctx, unknown, ref.AddMonths(-6), ref)
				return err
			},
			is: registers.ErrNotFound},
		{name: "503 (register down) → ErrUnavailable",
			setup: func(t *testing.T) (*Client, context.Context) {
				_, s, c := stack(t)
				s.SetDown(true)
				return c, context.Background()
			},
			call: func(ctx context.Context, c *Client) error { _, err := c.Person(ctx, emp.CPR); return err },
			is:   registers.ErrUnavailable, notIs: registers.ErrNotFound, register: "cpr"},
		{name: "503 on income → ErrUnavailable from eindkomst",
			setup: func(t *testing.T) (*Client, context.Context) {
				_, s, c := stack(t)
				s.SetDown(true)
				return c, context.Background()
			},
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Income(ctx, emp.CPR, ref.AddMonths(-6), ref)
				return err
			},
			is: registers.ErrUnavailable, register: "eindkomst"},
		{name: "connection refused → ErrUnavailable",
			setup: func(t *testing.T) (*Client, context.Context) {
				srv := httptest.NewServer(http.NotFoundHandler())
				url := srv.URL
				srv.Close()
				c, err := New(url)
				if err != nil {
					t.Fatal(err)
				}
				return c, context.Background()
			},
			call: func(ctx context.Context, c *Client) error { _, err := c.Person(ctx, emp.CPR); return err },
			is:   registers.ErrUnavailable, register: "cpr"},
		{name: "slow register beyond the client timeout → ErrUnavailable",
			setup: func(t *testing.T) (*Client, context.Context) {
				_, s, c := stack(t, WithTimeout(100*time.Millisecond))
				s.SetLatency(2 * time.Second)
				return c, context.Background()
			},
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Company(ctx, emp.CVR)
				return err
			},
			is: registers.ErrUnavailable, register: "cvr"},
		{name: "caller's deadline passes → ErrUnavailable and DeadlineExceeded",
			setup: func(t *testing.T) (*Client, context.Context) {
				_, s, c := stack(t)
				s.SetLatency(2 * time.Second)
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				t.Cleanup(cancel)
				return c, ctx
			},
			call: func(ctx context.Context, c *Client) error { _, err := c.Person(ctx, emp.CPR); return err },
			is:   context.DeadlineExceeded, register: "cpr"},
		{name: "caller cancels → context.Canceled, not ErrUnavailable",
			setup: func(t *testing.T) (*Client, context.Context) {
				_, _, c := stack(t)
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return c, ctx
			},
			call: func(ctx context.Context, c *Client) error { _, err := c.Person(ctx, emp.CPR); return err },
			is:   context.Canceled, notIs: registers.ErrUnavailable},
		{name: "500 from a broken register → ErrUnavailable",
			setup: func(t *testing.T) (*Client, context.Context) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					http.Error(w, "boom", http.StatusInternalServerError)
				}))
				t.Cleanup(srv.Close)
				c, _ := New(srv.URL)
				return c, context.Background()
			},
			call: func(ctx context.Context, c *Client) error { _, err := c.PUnit(ctx, emp.PNumber); return err },
			is:   registers.ErrUnavailable, register: "cvr"},
		{name: "429 → ErrUnavailable",
			setup: func(t *testing.T) (*Client, context.Context) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					w.WriteHeader(http.StatusTooManyRequests)
				}))
				t.Cleanup(srv.Close)
				c, _ := New(srv.URL)
				return c, context.Background()
			},
			call: func(ctx context.Context, c *Client) error { _, err := c.Person(ctx, emp.CPR); return err },
			is:   registers.ErrUnavailable, register: "cpr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, ctx := tc.setup(t)
			err := tc.call(ctx, c)
			if !errors.Is(err, tc.is) {
				t.Fatalf("error %v, want %v", err, tc.is)
			}
			if tc.notIs != nil && errors.Is(err, tc.notIs) {
				t.Fatalf("error %v must not match %v", err, tc.notIs)
			}
			if tc.register != "" {
				var ue *registers.UnavailableError
				if !errors.As(err, &ue) || ue.Register != tc.register {
					t.Fatalf("error %v: want UnavailableError of %s", err, tc.register)
				}
			}
			// Errors get logged: no CPR number, nor its date of birth (the
			// masked DDMMYY-xxxx), in them.
			if strings.Contains(err.Error(), emp.CPR.String()[:6]) || strings.Contains(err.Error(), unknown.String()[:6]) {
				t.Fatalf("error text holds a CPR number or its date of birth: %v", err)
			}
		})
	}
}

func TestBadRequest(t *testing.T) {
	t.Parallel()
	_, _, c := stack(t)
	_, err := c.Income(context.Background(), persona(synth.PersonaEmployee).CPR, ref, ref.AddMonths(-3))
	var re *RequestError
	if !errors.As(err, &re) || re.Code != "income.period" || re.Register != "eindkomst" || re.Da == "" {
		t.Fatalf("error %v, want a RequestError income.period", err)
	}
	if errors.Is(err, registers.ErrUnavailable) || errors.Is(err, registers.ErrNotFound) {
		t.Fatal("a bad request is neither unavailable nor not found")
	}
}

func TestBaseURL(t *testing.T) {
	t.Parallel()
	d, err := dataset()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/registers/", http.StripPrefix("/registers", standin.New(d)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL + "/registers/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Person(context.Background(), persona(synth.PersonaEmployee).CPR); err != nil {
		t.Fatalf("behind a path prefix: %v", err)
	}
	for _, bad := range []string{"", "localhost:8080", "ftp://x", "http://"} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%q) must fail", bad)
		}
	}
}
