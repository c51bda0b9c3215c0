package broker

import (
	"crypto/ed25519"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Resolver maps a Knative object named in a Destination ref (kind, name) to
// its base URL, such as "http://127.0.0.1:8101". The local stack maps
// Knative Service names to the ports it started them on. Refs to a Broker
// never reach the Resolver: they resolve to the broker's own ingress. It is
// called for every delivery, from many goroutines at once, so it must be
// safe for concurrent use and cheap.
type Resolver func(kind, name string) (baseURL string, err error)

// Config configures a Broker. Only DataDir is required.
type Config struct {
	// Namespace is used for manifests without metadata.namespace (default "nemrefusion").
	Namespace string
	// DataDir holds the JetStream store; reuse it to keep accepted events across restarts.
	DataDir string
	// Addr is the ingress listen address (default "127.0.0.1:8099"; ":0" style ports pick a free one).
	Addr string
	// ManifestsDir is walked recursively for Broker, Trigger and PingSource manifests.
	ManifestsDir string
	// SkipDirs are directory base names not walked, such as "overlays".
	SkipDirs []string
	// Resolver resolves refs other than Brokers. Nil refuses every such ref.
	Resolver Resolver
	// Logger receives JSON-friendly structured logs (default slog.Default()).
	Logger *slog.Logger
	// Registerer receives the broker's metrics (default prometheus.DefaultRegisterer).
	// If it is also a prometheus.Gatherer, GET /metrics serves it.
	Registerer prometheus.Registerer
	// MaxInFlight bounds the deliveries in progress per Trigger (default 32).
	MaxInFlight int
	// AckWait is how long an unacknowledged delivery stays with a crashed
	// broker before JetStream hands it out again (default 30s). Deliveries
	// in progress extend it, so it does not bound the subscriber's time.
	AckWait time.Duration
	// DefaultTimeout bounds one HTTP delivery when the Trigger has no delivery.timeout (default 30s).
	DefaultTimeout time.Duration
	// MaxAge is how long JetStream keeps an event no Trigger has acknowledged (default 7 days).
	MaxAge time.Duration
	// DeliveryKey, when set, signs a token for every delivery to a
	// subscriber, dead-letter sink or PingSource sink (see NewDeliveryKey):
	// "Authorization: Bearer <JWT>" with the destination's audience, as
	// Knative Eventing's authentication-oidc feature sends. Nil sends none.
	DeliveryKey ed25519.PrivateKey
	// DeliveryIssuer is the tokens' issuer claim (default DefaultDeliveryIssuer).
	DeliveryIssuer string
	// SyncAlways makes JetStream fsync every accepted event before the 202
	// (survives power loss, slower). Without it an accepted event survives a
	// process crash but may be lost by an operating system crash.
	SyncAlways bool
}

func (c Config) withDefaults() (Config, error) {
	if c.DataDir == "" {
		return c, errors.New("broker config: DataDir is empty")
	}
	if c.Namespace == "" {
		c.Namespace = "nemrefusion"
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8099"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Registerer == nil {
		c.Registerer = prometheus.DefaultRegisterer
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 32
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.DefaultTimeout <= 0 {
		c.DefaultTimeout = 30 * time.Second
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 7 * 24 * time.Hour
	}
	return c, nil
}
