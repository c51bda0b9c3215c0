// Package client holds the production HTTP/JSON clients of the CPR, CVR
// and eIndkomst registers, in the API shape package standin serves. One
// Client implements registers.PersonRegister, registers.CompanyRegister and
// registers.IncomeRegister against one base URL.
//
// Error mapping: 404 → registers.ErrNotFound; 5xx, 429, connection errors
// and timeouts → *registers.UnavailableError (matches
// registers.ErrUnavailable); 400 → *RequestError. Error texts never hold a
// CPR number nor its date of birth: request paths in errors name the person
// by ids.CPR.Pseudonym. The client does not
// retry and does not cache; the lookup function does both.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
)

// DefaultTimeout bounds one request, connection and body included.
const DefaultTimeout = 5 * time.Second

// maxBody bounds an answer's size.
const maxBody = 4 << 20

// Client reads the registers over HTTP. It is safe for concurrent use.
type Client struct {
	base *url.URL
	http *http.Client
}

var (
	_ registers.PersonRegister  = (*Client)(nil)
	_ registers.CompanyRegister = (*Client)(nil)
	_ registers.IncomeRegister  = (*Client)(nil)
)

// Option configures a Client.
type Option func(*Client)

// WithTimeout sets the timeout of the default HTTP client.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.http.Timeout = d } }

// New returns a client of the registers at baseURL (for example
// "http://127.0.0.1:8090"; a path prefix is kept). It fails only for a
// URL that is not absolute http(s).
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("registers client: base URL %q must be an absolute http(s) URL", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = DefaultTimeout
	tr.MaxIdleConnsPerHost = 32
	c := &Client{base: u, http: &http.Client{Timeout: DefaultTimeout, Transport: tr}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// RequestError is a 400 answer: the register rejected the request itself
// (a malformed number or period). Retrying will not help.
type RequestError struct {
	Register string
	Code     string
	Da       string
	En       string
}

// Error names the register and the code.
func (e *RequestError) Error() string {
	return "registers: " + e.Register + " rejected the request: " + e.Code
}

// Person looks a person up in CPR.
func (c *Client) Person(ctx context.Context, cpr ids.CPR) (registers.Person, error) {
	var p registers.Person
	err := c.get(ctx, "cpr", "/cpr/v1/persons/"+cpr.String(), "/cpr/v1/persons/"+cpr.Pseudonym(), nil, &p)
	if err != nil {
		return registers.Person{}, fmt.Errorf("look up person %s: %w", cpr.Pseudonym(), err)
	}
	return p, nil
}

// Company looks a company and its P-units up in CVR.
func (c *Client) Company(ctx context.Context, cvr ids.CVR) (registers.Company, error) {
	var co registers.Company
	path := "/cvr/v1/companies/" + cvr.String()
	if err := c.get(ctx, "cvr", path, path, nil, &co); err != nil {
		return registers.Company{}, fmt.Errorf("look up company %s: %w", cvr, err)
	}
	return co, nil
}

// PUnit looks a production unit up in CVR.
func (c *Client) PUnit(ctx context.Context, p ids.PNumber) (registers.PUnit, error) {
	var u registers.PUnit
	path := "/cvr/v1/punits/" + p.String()
	if err := c.get(ctx, "cvr", path, path, nil, &u); err != nil {
		return registers.PUnit{}, fmt.Errorf("look up p-unit %s: %w", p, err)
	}
	return u, nil
}

// Income reads the person's income months from from to to (both included)
// from eIndkomst, for all employers.
func (c *Client) Income(ctx context.Context, cpr ids.CPR, from, to registers.Month) ([]registers.IncomeMonth, error) {
	return c.IncomeByEmployer(ctx, cpr, ids.CVR{}, from, to)
}

// IncomeByEmployer is Income limited to one employer; the zero CVR means
// every employer.
func (c *Client) IncomeByEmployer(ctx context.Context, cpr ids.CPR, employer ids.CVR, from, to registers.Month) ([]registers.IncomeMonth, error) {
	q := url.Values{"from": {from.String()}, "to": {to.String()}}
	if !employer.IsZero() {
		q.Set("employer", employer.String())
	}
	var body struct {
		Months []registers.IncomeMonth `json:"months"`
	}
	path := "/eindkomst/v1/persons/" + cpr.String() + "/income"
	shown := "/eindkomst/v1/persons/" + cpr.Pseudonym() + "/income"
	if err := c.get(ctx, "eindkomst", path, shown, q, &body); err != nil {
		return nil, fmt.Errorf("read income of %s %s–%s: %w", cpr.Pseudonym(), from, to, err)
	}
	if body.Months == nil {
		body.Months = []registers.IncomeMonth{}
	}
	return body.Months, nil
}

// Membership reads the person's a-kasse membership. Errors match
// registers.ErrNotFound (no member) or registers.ErrUnavailable.
func (c *Client) Membership(ctx context.Context, cpr ids.CPR) (registers.Membership, error) {
	var m registers.Membership
	path := "/akasse/v1/persons/" + cpr.String() + "/membership"
	shown := "/akasse/v1/persons/" + cpr.Pseudonym() + "/membership"
	if err := c.get(ctx, "akasse", path, shown, nil, &m); err != nil {
		return m, fmt.Errorf("read membership of %s: %w", cpr.Pseudonym(), err)
	}
	return m, nil
}

// get fetches path and decodes the JSON answer into v. Errors show the path
// as shown, which holds a CPR number only as its pseudonym.
func (c *Client) get(ctx context.Context, register, path, shown string, q url.Values, v any) error {
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", shown, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error would print the full URL, CPR number included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return fmt.Errorf("GET %s: %w", shown, err)
		}
		return &registers.UnavailableError{Register: register, Err: fmt.Errorf("GET %s: %w", shown, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return &registers.UnavailableError{Register: register, Err: fmt.Errorf("GET %s: read answer: %w", shown, err)}
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		if err := json.Unmarshal(body, v); err != nil {
			return fmt.Errorf("GET %s: decode answer: %w", shown, err)
		}
		return nil
	case resp.StatusCode == http.StatusNotFound:
		return registers.ErrNotFound
	case resp.StatusCode == http.StatusBadRequest:
		var e RequestError
		_ = json.Unmarshal(body, &e) // a body that is not JSON leaves the code empty
		e.Register = register
		return &e
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return &registers.UnavailableError{Register: register, Err: fmt.Errorf("GET %s: status %d", shown, resp.StatusCode)}
	default:
		return fmt.Errorf("GET %s: unexpected status %d", shown, resp.StatusCode)
	}
}
