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

// CitizenEndpoint prefixes the citizen's calls in the stats
// ("POST /api/v1/citizen/absences/{id}/legal-text").
const CitizenEndpoint = "POST /api/v1/citizen/absences/{id}/"

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
	deadline := a.SentAt.Add(cfg.RetryFor)
	// The steps of the submission: one post of a CloudEvent, or a
	// citizen's two calls (legal text, then the answer).
	type call struct{ endpoint, path, contentType string }
	calls := []call{{EventsEndpoint + string(s.kind), "/api/v1/events", "application/cloudevents+json"}}
	bodies := [][]byte{s.body}
	if s.kind == KindCitizenAnswer {
		base := "/api/v1/citizen/absences/" + s.absence
		calls = []call{{CitizenEndpoint + "legal-text", base + "/legal-text", "application/json"},
			{CitizenEndpoint + "tasks/comment/answer", base + "/tasks/comment/answer", "application/json"}}
		bodies = [][]byte{[]byte(`{"acknowledged": true}`), s.body}
	}
	for i := 0; i < len(calls); {
		a.Attempts++
		c := calls[i]
		status, b, retryAfter, err := once(ctx, cfg, s.tenant, c.endpoint, c.path, c.contentType, bodies[i])
		// A citizen's step repeated after a lost answer finds it done (409).
		done := err == nil && (status/100 == 2 || (s.kind == KindCitizenAnswer && status == http.StatusConflict && a.Attempts > 1))
		switch {
		case done:
			if i == len(calls)-1 {
				var out receipt
				_ = json.Unmarshal(b, &out)
				a.Receipt, a.EventID, a.Stream, a.AcceptedAt = out.Receipt, out.EventID, out.Stream, time.Now()
				if s.kind == KindCitizenAnswer {
					a.Stream = s.absence
				}
				return a, nil
			}
			i++
			continue
		case !cfg.Retry || time.Now().After(deadline) || ctx.Err() != nil:
			return a, &Failure{Kind: s.kind, ID: s.id, Status: status, Body: string(b)}
		case status == http.StatusUnauthorized:
			if f, ok := cfg.Tokens.(interface{ Forget(Tenant) }); ok {
				f.Forget(s.tenant)
			}
		case status == http.StatusNotFound && s.kind == KindCitizenAnswer:
			// The citizen's tasks are not there yet: the pipeline is behind.
			retryAfter = time.Second
		case status/100 == 4 && status != http.StatusTooManyRequests:
			return a, &Failure{Kind: s.kind, ID: s.id, Status: status, Body: string(b)}
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
	return a, &Failure{Kind: s.kind, ID: s.id, Body: "no steps"}
}

// once posts body to path once as tenant and records the answer under
// endpoint. It returns the status, the body and the Retry-After.
func once(ctx context.Context, cfg *Config, tenant Tenant, endpoint, path, contentType string, body []byte) (int, []byte, time.Duration, error) {
	tok, err := cfg.Tokens.Token(ctx, tenant)
	if err != nil {
		return 0, []byte(err.Error()), time.Second, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(cfg.BaseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+tok)
	start := time.Now()
	resp, err := cfg.HTTP.Do(req)
	if err != nil {
		cfg.Stats.recordBody(endpoint, time.Since(start), 0, OutcomeNetwork, err.Error())
		return 0, []byte(err.Error()), 0, err
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
	if resp.StatusCode/100 == 2 && strings.HasPrefix(endpoint, EventsEndpoint) {
		var out receipt
		if err := json.Unmarshal(b, &out); err != nil || out.EventID == "" {
			return resp.StatusCode, b, 0, fmt.Errorf("receipt %q: %v", b, err)
		}
	}
	return resp.StatusCode, b, ra, nil
}
