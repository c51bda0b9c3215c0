package blanket

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
)

func TestConfigLoadsThroughAFunctionsOwnConfig(t *testing.T) {
	t.Setenv("REGISTERS_URL", "http://registers.test:1")
	t.Setenv("DATABASE_URL", "postgres://db.test/x")
	t.Setenv("AUTH_SIGNING_MAX_AGE", "7m")
	t.Setenv("OWN_SETTING", "mine")
	var c struct {
		Config
		Own string `envconfig:"OWN_SETTING"`
	}
	if err := config.Load(&c); err != nil {
		t.Fatal(err)
	}
	if c.RegistersURL != "http://registers.test:1" || c.DatabaseURL != "postgres://db.test/x" || c.SigningMaxAge != 7*time.Minute || c.Own != "mine" {
		t.Fatalf("loaded %+v", c)
	}
}

func TestMainExitCodes(t *testing.T) {
	var base config.Base
	if err := config.Load(&base); err != nil {
		t.Fatal(err)
	}
	def := Define(events.SicknessEmployerReported, decideNothing)
	preview := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

	t.Run("bad registers URL is a configuration error", func(t *testing.T) {
		if code := Main(context.Background(), Config{Base: base, RegistersURL: "not a url"}, Function{Name: "unused"}); code != 2 {
			t.Fatalf("exit code %d, want 2", code)
		}
	})
	t.Run("no database", func(t *testing.T) {
		b := base
		b.DatabaseURL = "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2"
		if code := Main(context.Background(), Config{Base: b, RegistersURL: "http://127.0.0.1:1"}, Function{Name: "unused"}); code != 1 {
			t.Fatalf("exit code %d, want 1", code)
		}
	})
	t.Run("serves the preview behind a login and stops cleanly", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		b := base
		b.Port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		name := fmt.Sprintf("blanket_main_t%d", rand.Uint32())
		t.Cleanup(func() {
			if db, err := pgxpool.New(context.Background(), base.DatabaseURL); err == nil {
				_, _ = db.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+name+" CASCADE")
				db.Close()
			}
		})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		code := make(chan int, 1)
		go func() {
			code <- Main(ctx, Config{Base: b, RegistersURL: "http://127.0.0.1:1"}, Function{Name: name, Definitions: []Definition{def},
				PreviewPath: "POST /api/v1/test/preview", Preview: preview, PreviewRoles: []auth.Role{auth.RoleEmployer}})
		}()
		origin := fmt.Sprintf("http://127.0.0.1:%d", b.Port)
		deadline := time.Now().Add(30 * time.Second)
		for {
			resp, err := http.Get(origin + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			select {
			case c := <-code:
				t.Fatalf("Main returned %d before serving", c)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatal("the function did not become ready")
			}
			time.Sleep(50 * time.Millisecond)
		}
		resp, err := http.Post(origin+"/api/v1/test/preview", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("preview without a token: %d, want 401", resp.StatusCode)
		}
		cancel()
		select {
		case c := <-code:
			if c != 0 {
				t.Fatalf("exit code %d after a clean shutdown, want 0", c)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Main did not stop")
		}
	})
}
