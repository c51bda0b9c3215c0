package auth

import (
	"math"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"nemrefusion.dk/infra/runtime"
)

// Defaults of the per-tenant limit on submissions (SubmissionLimitFromEnv).
// They are far above what one sender needs (a payroll system filing a
// whole company's sickness reports sends a few a second) and above what the
// load tools send per tenant (infra/load, tests/load, tests/faults and
// make bench-system spread their 100+ submissions a second over the
// synthetic population's many employers and citizens), so they stop one
// tenant flooding intake without ever slowing a real one.
const (
	DefaultSubmissionRate  = 500  // per second per tenant
	DefaultSubmissionBurst = 1000 // at once per tenant
	limiterKeys            = 100000
)

// TenantLimiter is a token bucket per tenant (Principal.Tenant; the
// subject when there is none). It is safe for concurrent use. The zero
// value and nil limit nothing.
type TenantLimiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

// NewTenantLimiter allows each tenant perSecond requests a second with
// bursts of burst; perSecond <= 0 turns the limit off.
func NewTenantLimiter(perSecond float64, burst int) *TenantLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &TenantLimiter{limit: rate.Limit(perSecond), burst: max(burst, 1), now: time.Now, keys: map[string]*rate.Limiter{}}
}

// SubmissionLimitFromEnv is the limiter of POST /api/v1/events:
// INTAKE_TENANT_RATE requests a second (default DefaultSubmissionRate; 0
// or negative: no limit) with bursts of INTAKE_TENANT_BURST (default
// DefaultSubmissionBurst). Values that are not numbers fall back to the
// defaults.
func SubmissionLimitFromEnv() *TenantLimiter {
	perSecond, burst := float64(DefaultSubmissionRate), DefaultSubmissionBurst
	if v, err := strconv.ParseFloat(os.Getenv("INTAKE_TENANT_RATE"), 64); err == nil {
		perSecond = v
	}
	if v, err := strconv.Atoi(os.Getenv("INTAKE_TENANT_BURST")); err == nil && v > 0 {
		burst = v
	}
	return NewTenantLimiter(perSecond, burst)
}

// wait takes one request from key's bucket and returns 0, or how long to
// wait when the bucket is empty (nothing is taken then).
func (l *TenantLimiter) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.keys) > limiterKeys {
		for k, b := range l.keys {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.keys, k)
			}
		}
	}
	b, ok := l.keys[key]
	if !ok {
		b = rate.NewLimiter(l.limit, l.burst)
		l.keys[key] = b
	}
	if b.AllowN(now, 1) {
		return 0
	}
	return time.Duration((1 - b.TokensAt(now)) / float64(l.limit) * float64(time.Second))
}

// LimitPerTenant refuses a tenant's requests beyond l with 429, a
// Retry-After in whole seconds and a problem in Danish and English. It
// goes inside Require (it needs the principal); without one, or with a nil
// l, it passes the request on.
func LimitPerTenant(l *TenantLimiter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if l == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := FromContext(r.Context())
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			key := p.Tenant()
			if key == "" {
				key = "subject:" + p.Subject
			}
			if d := l.wait(key); d > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Max(1, math.Ceil(d.Seconds())))))
				runtime.WriteError(w, runtime.Fail(runtime.KindTooMany, "rate-limited",
					"Der er sendt for mange indberetninger på kort tid. Prøv igen om lidt.",
					"Too many submissions in a short time. Please try again shortly.", nil))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
