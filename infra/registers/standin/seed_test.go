package standin_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/standin"
	"nemrefusion.dk/infra/registers/synth"
)

// A missing seed file serves the default; writing one (as nrctl seed does)
// makes Reload serve the new dataset; an unchanged file is not regenerated.
func TestLiveFollowsTheSeedFile(t *testing.T) {
	t.Parallel()
	path := standin.SeedPath(t.TempDir())
	l, err := standin.NewLive(path)
	if err != nil {
		t.Fatal(err)
	}
	now := registers.MonthOf(time.Now())
	if c := l.Dataset().Config; c.Seed != 1 || c.Reference != now || c.Persons != synth.DefaultPersons {
		t.Fatalf("default config: %+v", c)
	}
	before := l.Dataset().Persons[len(l.Dataset().Persons)-1].CPR

	cfg := synth.Config{Seed: 42, Persons: synth.MinPersons, Companies: synth.MinCompanies, Reference: registers.NewMonth(2024, 3)}
	if err := standin.WriteSeed(path, cfg); err != nil {
		t.Fatal(err)
	}
	got, err := standin.ReadSeed(path, time.Now())
	if err != nil || got != cfg {
		t.Fatalf("ReadSeed = %+v, %v; want %+v", got, err, cfg)
	}
	changed, err := l.Reload()
	if err != nil || !changed {
		t.Fatalf("Reload after writing the seed: %v %v", changed, err)
	}
	if l.Dataset().Config != cfg || len(l.Dataset().Persons) != synth.MinPersons {
		t.Fatalf("serving %+v", l.Dataset().Config)
	}
	if _, err := l.Person(context.Background(), before); !errors.Is(err, registers.ErrNotFound) {
		t.Fatalf("a person of the old dataset is still served: %v", err)
	}
	emp, _ := synth.PersonaByKey(synth.PersonaEmployee)
	if _, err := l.Person(context.Background(), emp.CPR); err != nil {
		t.Fatalf("personas are in every dataset: %v", err)
	}
	if changed, err := l.Reload(); err != nil || changed {
		t.Fatalf("Reload of an unchanged file: %v %v", changed, err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "seed.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reload(); err == nil {
		t.Fatal("a broken seed file must be reported")
	}
	if l.Dataset().Config != cfg {
		t.Fatal("a broken seed file must leave the dataset in service")
	}
}
