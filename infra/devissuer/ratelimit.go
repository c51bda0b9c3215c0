package devissuer

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of the token endpoint's limit on failed client authentications.
const (
	// DefaultFailureBurst failures are allowed at once per client id, and
	// AddressFactor times as many per remote address (one address may
	// serve several clients, and every client of the local stack comes
	// from 127.0.0.1)…
	DefaultFailureBurst = 5
	AddressFactor       = 4
	// …and one more each DefaultFailureWindow / DefaultFailureBurst
	// (5 a minute).
	DefaultFailureWindow = time.Minute
	// failureKeys bounds the limiter table; above it, keys whose budget is
	// full again are forgotten.
	failureKeys = 10000
)

// failureLimiter counts failed client authentications at the token endpoint
// by key (a client id, a remote address) in token buckets: each failure
// takes a token, and while a key has none left every request for it is
// refused with 429 before its secret is looked at, so guessing a secret
// costs a minute per five guesses and a right guess inside the lockout
// tells nothing. Successes take nothing. It is safe for concurrent use.
type failureLimiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

func newFailureLimiter(burst int, window time.Duration, now func() time.Time) *failureLimiter {
	if window <= 0 {
		window = DefaultFailureWindow
	}
	return &failureLimiter{limit: rate.Every(window / time.Duration(max(burst, 1))), burst: burst, now: now, keys: map[string]*rate.Limiter{}}
}

// retryAfter is how long key must wait until it may fail again, or 0.
func (f *failureLimiter) retryAfter(key string) time.Duration {
	if f.burst < 0 {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.keys[key]
	if !ok {
		return 0
	}
	if t := l.TokensAt(f.now()); t < 1 {
		return time.Duration((1 - t) / float64(f.limit) * float64(time.Second))
	}
	return 0
}

// fail takes one failure from key.
func (f *failureLimiter) fail(key string) {
	if f.burst < 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if len(f.keys) > failureKeys {
		for k, l := range f.keys {
			if l.TokensAt(now) >= float64(f.burst) {
				delete(f.keys, k)
			}
		}
	}
	l, ok := f.keys[key]
	if !ok {
		l = rate.NewLimiter(f.limit, f.burst)
		f.keys[key] = l
	}
	l.AllowN(now, 1)
}

// failureKeysOf are the keys a token request is counted under: the client
// id it names (HTTP Basic or form) and the address it comes from (the
// connection's, never a forwarded header, which the caller could set).
func failureKeysOf(r *http.Request) (client, addr string) {
	id, _, basic := r.BasicAuth()
	if !basic {
		id = r.PostForm.Get("client_id")
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "client:" + id, "addr:" + host
}

// tokenFailures limits failed client authentications per client id and,
// more loosely, per remote address.
type tokenFailures struct{ byClient, byAddr *failureLimiter }

func newTokenFailures(burst int, window time.Duration, now func() time.Time) tokenFailures {
	if burst == 0 {
		burst = DefaultFailureBurst
	}
	return tokenFailures{newFailureLimiter(burst, window, now), newFailureLimiter(burst*AddressFactor, window, now)}
}

// retryAfter is how long r must wait before its client id and address
// may try again, or 0.
func (t tokenFailures) retryAfter(r *http.Request) time.Duration {
	c, a := failureKeysOf(r)
	return max(t.byClient.retryAfter(c), t.byAddr.retryAfter(a))
}

// fail counts a failed authentication of r.
func (t tokenFailures) fail(r *http.Request) {
	c, a := failureKeysOf(r)
	t.byClient.fail(c)
	t.byAddr.fail(a)
}

// tooManyFailures answers 429 with Retry-After (whole seconds, at least 1)
// and an OAuth error body that also says it in Danish and English.
func tooManyFailures(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Max(1, math.Ceil(wait.Seconds())))))
	writeJSON(w, http.StatusTooManyRequests, map[string]string{
		"error":             "temporarily_unavailable",
		"error_description": "too many failed client authentications; try again after Retry-After seconds",
		"da":                "For mange forkerte forsøg på at logge ind som klient. Prøv igen om lidt.",
		"en":                "Too many failed client authentications. Please try again shortly.",
	})
}
