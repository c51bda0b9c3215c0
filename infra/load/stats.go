package load

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Outcome classifies one answer as the user sees it.
type Outcome string

// The outcomes. OK, ClientError and Retryable are clear answers; Unclear
// and Network are not (a bare 500, a 503 without Retry-After, an error
// without problem JSON, a broken connection).
const (
	OutcomeOK          Outcome = "ok"
	OutcomeClientError Outcome = "4xx-problem"
	OutcomeRetryable   Outcome = "retryable"
	OutcomeUnclear     Outcome = "unclear"
	outcomeNetwork     Outcome = "network"
)

// OutcomeNetwork is a request that got no HTTP answer.
const OutcomeNetwork = outcomeNetwork

// classify decides the outcome of an answer; problem says the body was
// JSON the client could decode.
func classify(resp *http.Response, problem bool) Outcome {
	ct := resp.Header.Get("Content-Type")
	json := problem && (strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "application/problem+json"))
	switch s := resp.StatusCode; {
	case s/100 == 2:
		return OutcomeOK
	case (s == http.StatusServiceUnavailable || s == http.StatusTooManyRequests) && resp.Header.Get("Retry-After") != "":
		return OutcomeRetryable
	case s/100 == 4 && json:
		return OutcomeClientError
	}
	return OutcomeUnclear
}

// Endpoint is what the client saw of one endpoint.
type Endpoint struct {
	Name     string
	Requests int
	Statuses map[int]int
	Outcomes map[Outcome]int
	// Unclear holds up to five unclear answers ("status body"), to
	// explain them.
	Unclear []string
	lat     []time.Duration
}

// Percentile returns the q-quantile (0..1) of the latencies, nearest rank.
func (e *Endpoint) Percentile(q float64) time.Duration {
	if len(e.lat) == 0 {
		return 0
	}
	s := slices.Clone(e.lat)
	slices.Sort(s)
	return s[rank(len(s), q)]
}

// Errors counts the answers that were not 2xx (with network failures).
func (e *Endpoint) Errors() int { return e.Requests - e.Outcomes[OutcomeOK] }

func rank(n int, q float64) int {
	i := int(math.Ceil(q*float64(n))) - 1
	return min(max(i, 0), n-1)
}

// Stats collects per-endpoint figures; the zero value is not usable, use
// NewStats. A nil *Stats records nothing.
type Stats struct {
	mu        sync.Mutex
	endpoints map[string]*Endpoint
}

// NewStats returns empty stats.
func NewStats() *Stats { return &Stats{endpoints: map[string]*Endpoint{}} }

func (s *Stats) record(name string, d time.Duration, status int, o Outcome) {
	s.recordBody(name, d, status, o, "")
}

func (s *Stats) recordBody(name string, d time.Duration, status int, o Outcome, body string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.endpoints[name]
	if e == nil {
		e = &Endpoint{Name: name, Statuses: map[int]int{}, Outcomes: map[Outcome]int{}}
		s.endpoints[name] = e
	}
	e.Requests++
	e.Statuses[status]++
	e.Outcomes[o]++
	e.lat = append(e.lat, d)
	if (o == OutcomeUnclear || o == OutcomeNetwork) && len(e.Unclear) < 5 {
		e.Unclear = append(e.Unclear, fmt.Sprintf("%d %.300s", status, body))
	}
}

// Endpoints returns a copy of every endpoint's figures, by name.
func (s *Stats) Endpoints() []*Endpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Endpoint, 0, len(s.endpoints))
	for _, e := range s.endpoints {
		c := *e
		c.Statuses, c.Outcomes, c.lat, c.Unclear = cloneMap(e.Statuses), cloneMap(e.Outcomes), slices.Clone(e.lat), slices.Clone(e.Unclear)
		out = append(out, &c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Total merges every endpoint whose name starts with prefix.
func (s *Stats) Total(prefix string) *Endpoint {
	t := &Endpoint{Name: prefix + "*", Statuses: map[int]int{}, Outcomes: map[Outcome]int{}}
	for _, e := range s.Endpoints() {
		if !strings.HasPrefix(e.Name, prefix) {
			continue
		}
		t.Requests += e.Requests
		for k, v := range e.Statuses {
			t.Statuses[k] += v
		}
		for k, v := range e.Outcomes {
			t.Outcomes[k] += v
		}
		t.lat = append(t.lat, e.lat...)
		t.Unclear = append(t.Unclear, e.Unclear...)
	}
	return t
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Quantiles returns the p50, p95 and p99 of ds (nearest rank), and the max.
func Quantiles(ds []time.Duration) (p50, p95, p99, maxD time.Duration) {
	if len(ds) == 0 {
		return
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[rank(len(s), .50)], s[rank(len(s), .95)], s[rank(len(s), .99)], s[len(s)-1]
}
