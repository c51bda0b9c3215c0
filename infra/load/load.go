package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/infra/registers/synth"
)

// Hard caps: a run never sends more than MaxCount submissions nor runs
// longer than MaxDuration, whatever it is asked.
const (
	MaxCount    = 2_000_000
	MaxDuration = 4 * time.Hour
)

// EventsEndpoint is the endpoint name submissions are recorded under, with
// the kind appended ("POST /api/v1/events employer-report").
const EventsEndpoint = "POST /api/v1/events "

// Config says what load to generate.
type Config struct {
	// BaseURL is the public origin, e.g. http://localhost:8080.
	BaseURL string
	// Dataset is the synthetic Denmark the stack's registers serve.
	Dataset *synth.Dataset
	// Tokens gives bearer tokens; default NewIssuerTokens(BaseURL).
	Tokens TokenSource
	// Rate is submissions per second; 0 sends as fast as Workers allow.
	Rate float64
	// Count stops the run after this many submissions (capped at MaxCount).
	Count int
	// Duration stops the run after this long (capped at MaxDuration).
	// With neither Count nor Duration the caps apply.
	Duration time.Duration
	// Workers is the number of requests in flight at most (default 16).
	Workers int
	// Mix weighs the kinds of submission (default DefaultMix).
	Mix Mix
	// Retry makes the client retry what may succeed later, with the same
	// event id, until it is accepted or refused (a retrying client):
	// 503/429 after their Retry-After, 401 with a new token, unclear
	// answers and broken connections after a short pause. Without it each
	// submission is posted once.
	Retry bool
	// RetryFor bounds the retries of one submission (default 2 minutes).
	RetryFor time.Duration
	// FollowUpAfter is how long after its report an absence may get a
	// recovery (default 2 s).
	FollowUpAfter time.Duration
	// Seed varies who is reported (default: random).
	Seed uint64
	// Source is the CloudEvent source of every submission (default
	// /load/<uuid>); the reconciliation finds the run's rows by it.
	Source string
	// Stats receives the per-endpoint figures (default: new).
	Stats *Stats
	// HTTP is the client (default: one with 64 idle connections per host).
	HTTP *http.Client
	// Progress, when set, is called about once a second.
	Progress func(sent, accepted int)
}

// Accepted is one submission intake accepted.
type Accepted struct {
	Kind Kind
	// ID is the client's event id, Receipt intake's receipt, EventID the
	// id of the event intake put on the broker, Stream its partition key
	// (the absence).
	ID, Receipt, EventID, Stream string
	// SentAt is when the submission was first posted, AcceptedAt when the
	// 2xx came back; Attempts counts the posts.
	SentAt, AcceptedAt time.Time
	Attempts           int
}

// Failure is a submission that was never accepted.
type Failure struct {
	Kind   Kind
	ID     string
	Status int
	Body   string
}

// Result is what the client saw.
type Result struct {
	Source         string
	Started, Ended time.Time
	Sent           int
	Accepted       []Accepted
	Failed         []Failure
	Stats          *Stats
}

// Elapsed is the wall time of the sending.
func (r *Result) Elapsed() time.Duration { return r.Ended.Sub(r.Started) }

// Throughput is accepted submissions per second of sending.
func (r *Result) Throughput() float64 {
	if r.Elapsed() <= 0 {
		return 0
	}
	return float64(len(r.Accepted)) / r.Elapsed().Seconds()
}

// Unclear counts answers that were neither success nor a clear error.
func (r *Result) Unclear() int {
	n := 0
	for _, e := range r.Stats.Endpoints() {
		n += e.Outcomes[OutcomeUnclear] + e.Outcomes[OutcomeNetwork]
	}
	return n
}

func (c *Config) defaults() error {
	if c.BaseURL == "" || c.Dataset == nil {
		return errors.New("load: BaseURL and Dataset are required")
	}
	if c.Count <= 0 || c.Count > MaxCount {
		c.Count = MaxCount
	}
	if c.Duration <= 0 || c.Duration > MaxDuration {
		c.Duration = MaxDuration
	}
	if c.Workers <= 0 {
		c.Workers = 16
	}
	if c.Mix == nil {
		c.Mix = DefaultMix
	}
	if c.RetryFor <= 0 {
		c.RetryFor = 2 * time.Minute
	}
	if c.FollowUpAfter <= 0 {
		c.FollowUpAfter = 2 * time.Second
	}
	if c.Seed == 0 {
		c.Seed = uint64(time.Now().UnixNano())
	}
	if c.Source == "" {
		c.Source = "/load/" + uuid.NewString()
	}
	if c.Stats == nil {
		c.Stats = NewStats()
	}
	if c.HTTP == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		c.HTTP = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	}
	if c.Tokens == nil {
		c.Tokens = NewIssuerTokens(c.BaseURL, c.HTTP, c.Stats)
	}
	return nil
}

// Run sends load until Count submissions were sent, Duration passed or ctx
// ends, waits for the submissions in flight (retrying ones included) and
// returns what the client saw. It fails only for a bad Config.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	g, err := newGenerator(newPopulation(cfg.Dataset, time.Now()), cfg.Mix, cfg.Source, cfg.Seed, cfg.FollowUpAfter, time.Now)
	if err != nil {
		return nil, err
	}
	res := &Result{Source: cfg.Source, Started: time.Now(), Stats: cfg.Stats}
	stop, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()

	jobs := make(chan submission, cfg.Workers)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				// Retries go on after the sending stopped (not after ctx).
				a, f := post(context.WithoutCancel(ctx), &cfg, s)
				mu.Lock()
				if f != nil {
					res.Failed = append(res.Failed, *f)
				} else {
					res.Accepted = append(res.Accepted, a)
				}
				mu.Unlock()
				if f == nil {
					g.accepted(s, a.Stream)
				}
			}
		}()
	}
	lastProgress := time.Now()
	for i := 0; i < cfg.Count; i++ {
		if cfg.Rate > 0 {
			due := res.Started.Add(time.Duration(float64(i) / cfg.Rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				select {
				case <-stop.Done():
				case <-time.After(d):
				}
			}
		}
		if stop.Err() != nil {
			break
		}
		s, err := g.next()
		if err != nil {
			close(jobs)
			wg.Wait()
			return nil, err
		}
		select {
		case jobs <- s:
			res.Sent++
		case <-stop.Done():
		}
		if cfg.Progress != nil && time.Since(lastProgress) >= time.Second {
			lastProgress = time.Now()
			mu.Lock()
			n := len(res.Accepted)
			mu.Unlock()
			cfg.Progress(res.Sent, n)
		}
	}
	close(jobs)
	wg.Wait()
	res.Ended = time.Now()
	return res, nil
}

// receipt is intake's 202 answer.
type receipt struct {
	Receipt string `json:"receipt"`
	EventID string `json:"eventId"`
	Stream  string `json:"stream"`
}

// post sends one submission, retrying as cfg says.
func post(ctx context.Context, cfg *Config, s submission) (Accepted, *Failure) {
	a := Accepted{Kind: s.kind, ID: s.id, SentAt: time.Now()}
	endpoint := EventsEndpoint + string(s.kind)
	deadline := a.SentAt.Add(cfg.RetryFor)
	for {
		a.Attempts++
		status, out, body, retryAfter, err := once(ctx, cfg, s, endpoint)
		switch {
		case err == nil && status/100 == 2:
			a.Receipt, a.EventID, a.Stream, a.AcceptedAt = out.Receipt, out.EventID, out.Stream, time.Now()
			return a, nil
		case !cfg.Retry || time.Now().After(deadline) || ctx.Err() != nil:
			return a, &Failure{Kind: s.kind, ID: s.id, Status: status, Body: body}
		case status == http.StatusUnauthorized:
			if f, ok := cfg.Tokens.(interface{ Forget(Tenant) }); ok {
				f.Forget(s.tenant)
			}
		case status/100 == 4 && status != http.StatusTooManyRequests:
			return a, &Failure{Kind: s.kind, ID: s.id, Status: status, Body: body}
		}
		pause := 200 * time.Millisecond
		if retryAfter > 0 {
			pause = min(retryAfter, 2*time.Second)
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
}

// once posts s once and records the answer under endpoint.
func once(ctx context.Context, cfg *Config, s submission, endpoint string) (int, receipt, string, time.Duration, error) {
	var out receipt
	tok, err := cfg.Tokens.Token(ctx, s.tenant)
	if err != nil {
		return 0, out, err.Error(), time.Second, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(cfg.BaseURL, "/")+"/api/v1/events", bytes.NewReader(s.body))
	if err != nil {
		return 0, out, "", 0, err
	}
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	resp, err := cfg.HTTP.Do(req)
	if err != nil {
		cfg.Stats.recordBody(endpoint, time.Since(start), 0, OutcomeNetwork, err.Error())
		return 0, out, err.Error(), 0, err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	d := time.Since(start)
	var problem map[string]any
	isJSON := json.Unmarshal(b, &problem) == nil
	cfg.Stats.recordBody(endpoint, d, resp.StatusCode, classify(resp, isJSON), string(b))
	var ra time.Duration
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		ra = time.Duration(secs) * time.Second
	}
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, &out); err != nil {
			return resp.StatusCode, out, string(b), 0, fmt.Errorf("receipt: %w", err)
		}
	}
	return resp.StatusCode, out, string(b), ra, nil
}
