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
	// Sink is the broker ingress events are published to (Knative SinkBinding sets K_SINK).
	Sink string `envconfig:"K_SINK" default:"http://127.0.0.1:8099/nemrefusion/default"`
	// CEOverrides is a JSON object of extensions to set on every emitted event.
	CEOverrides string `envconfig:"K_CE_OVERRIDES"`

	DatabaseURL string `envconfig:"DATABASE_URL" default:"postgres://postgres@127.0.0.1:5432/test?sslmode=disable"`
	RedisURL    string `envconfig:"REDIS_URL" default:"redis://127.0.0.1:6379/0"`

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
