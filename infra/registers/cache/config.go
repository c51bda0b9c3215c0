package cache

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers/client"
)

// Config is the registers configuration a function embeds next to
// config.Base (which holds REDIS_URL) to read the registers through the
// cache.
type Config struct {
	// RegistersURL is the base URL of the CPR, CVR and eIndkomst API (the
	// local stack serves the stand-ins there).
	RegistersURL string `envconfig:"REGISTERS_URL" default:"http://127.0.0.1:8098"`
	// CacheTTL is how long a register answer is cached.
	CacheTTL time.Duration `envconfig:"REGISTERS_CACHE_TTL" default:"10m"`
	// KeySecret keys the HMAC that pseudonymises CPR numbers in cache keys
	// and ledger stream names. Every function must use the same value; set
	// it from a secret in production.
	KeySecret string `envconfig:"REGISTERS_KEY_SECRET" default:"nemrefusion-development-only"`
}

// Open returns the registers at cfg.RegistersURL behind a cache in the
// Redis at redisURL, and a func that closes the Redis client. Redis need
// not be up: lookups then go to the registers.
func Open(cfg Config, redisURL string, log *slog.Logger) (*Cache, func() error, error) {
	cl, err := client.New(cfg.RegistersURL)
	if err != nil {
		return nil, nil, err
	}
	var rdb *redis.Client
	if rdb, err = NewClient(redisURL); err != nil {
		return nil, nil, err
	}
	if cfg.KeySecret == "" {
		return nil, nil, fmt.Errorf("cache: REGISTERS_KEY_SECRET is empty")
	}
	c := New(rdb, cl, Options{TTL: cfg.CacheTTL, KeySecret: []byte(cfg.KeySecret), Log: log})
	return c, rdb.Close, nil
}

// Pseudonym returns a stable name for the person cpr that reveals nothing
// without the key secret: "person-" and 32 hex digits of a keyed HMAC. Use
// it wherever a person must be named outside their data (ledger stream
// names, cache keys, metrics); a plain hash would not do, as the few
// million valid CPR numbers are quickly tried.
func (c *Cache) Pseudonym(cpr ids.CPR) string { return "person-" + c.hash(cpr) }

func (c *Cache) hash(cpr ids.CPR) string {
	m := hmac.New(sha256.New, c.o.KeySecret)
	m.Write([]byte("cpr:" + cpr.String()))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
