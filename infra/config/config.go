// Package config holds the one envconfig struct every function embeds. Every
// address has a default pointing at 127.0.0.1, so a function started with no
// environment at all talks to the local stack.
package config

import (
	"fmt"
	"log/slog"

	"github.com/kelseyhightower/envconfig"
)

// Base is the configuration every function shares. Embed it in a function's
// own config struct and call Load.
type Base struct {
	// Port is where the function listens for CloudEvents and HTTP (Knative sets it).
	Port int `envconfig:"PORT" default:"8080"`
	// ListenHost is the address both listeners bind: 127.0.0.1 (the default,
	// and what the local stack uses) keeps a function off the network; a
	// cluster sets 0.0.0.0 (the kubelet probes the pod's address).
	ListenHost string `envconfig:"LISTEN_HOST" default:"127.0.0.1"`
	// MetricsPort is where GET /metrics is served, apart from the app's port
	// (so no route to the app reaches it); 0 serves no metrics. Knative
	// reserves 8012, 8013, 8022, 9090 and 9091.
	MetricsPort int `envconfig:"METRICS_PORT" default:"9464"`

	// EventsIssuer is the issuer of the token the broker sends with every
	// delivery (Authorization: Bearer): in a cluster the Kubernetes
	// service-account issuer Knative Eventing's authentication-oidc feature
	// uses (https://kubernetes.default.svc, whose OIDC discovery gives the
	// keys); in the local stack its embedded broker. Without it every event
	// is refused with 401.
	EventsIssuer string `envconfig:"EVENTS_ISSUER"`
	// EventsKeyFile is a PEM file of the public key(s) delivery tokens are
	// signed with (the local stack writes its broker's there at start).
	// Empty: the keys come from EventsIssuer's OIDC discovery.
	EventsKeyFile string `envconfig:"EVENTS_KEY_FILE"`
	// EventsAudience is the audience a delivery token must name: the
	// Trigger's subscriber audience. Empty: the function's name.
	EventsAudience string `envconfig:"EVENTS_AUDIENCE"`
	// SinkTokenFile, when set, is a file holding the token sent as
	// "Authorization: Bearer" with every event published to Sink (in a
	// cluster a projected service-account token with the Broker's
	// audience; the kubelet rotates it, so it is read again as it ages).
	SinkTokenFile string `envconfig:"K_SINK_TOKEN_FILE"`
	// Sink is the broker ingress events are published to (Knative SinkBinding sets K_SINK).
	Sink string `envconfig:"K_SINK" default:"http://127.0.0.1:8099/nemrefusion/default"`
	// CEOverrides is a JSON object of extensions to set on every emitted event.
	CEOverrides string `envconfig:"K_CE_OVERRIDES"`

	// DatabaseURL is what the function works with: in the local stack and a
	// cluster the application role, which owns nothing and may only read
	// and append to the ledger.
	DatabaseURL string `envconfig:"DATABASE_URL" default:"postgres://postgres@127.0.0.1:5432/test?sslmode=disable"`
	// MigrationDatabaseURL connects as the owner role that runs the
	// migrations at start (and grants DatabaseURL's role what it needs);
	// it is used for nothing else. Empty means DatabaseURL (one role for
	// both, as with a superuser URL: then nothing stops a function from
	// silencing the ledger's triggers).
	MigrationDatabaseURL string `envconfig:"MIGRATION_DATABASE_URL"`
	RedisURL             string `envconfig:"REDIS_URL" default:"redis://127.0.0.1:6379/0"`

	S3Endpoint       string `envconfig:"S3_ENDPOINT" default:"http://127.0.0.1:9000"`
	S3Region         string `envconfig:"S3_REGION" default:"eu-north-1"`
	S3AccessKey      string `envconfig:"S3_ACCESS_KEY"`
	S3SecretKey      string `envconfig:"S3_SECRET_KEY"`
	BucketQuarantine string `envconfig:"S3_BUCKET_QUARANTINE" default:"quarantine"`
	BucketDocuments  string `envconfig:"S3_BUCKET_DOCUMENTS" default:"documents"`
	BucketLetters    string `envconfig:"S3_BUCKET_LETTERS" default:"letters"`

	ClamdAddr string `envconfig:"CLAMD_ADDR" default:"127.0.0.1:3310"`

	OIDCIssuer   string `envconfig:"OIDC_ISSUER" default:"http://localhost:8080/dev-issuer"`
	OIDCAudience string `envconfig:"OIDC_AUDIENCE" default:"nemrefusion"`

	LogLevel string `envconfig:"LOG_LEVEL" default:"info"`
}

// Load fills cfg (a pointer to a struct that embeds Base, or to Base) from
// the environment, applying defaults.
func Load(cfg any) error {
	if err := envconfig.Process("", cfg); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// Level parses LogLevel; unknown values mean info.
func (b Base) Level() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(b.LogLevel)); err != nil {
		return slog.LevelInfo
	}
	return l
}
