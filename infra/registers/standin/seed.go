package standin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
)

// The synthetic Denmark the local stack serves is generated at start from a
// seed file, data/registers/seed.json ({"seed","reference","persons",
// "companies"}), which `nrctl seed` writes. Without the file the stack uses
// seed 1 and the current month as reference month, so the personas' income
// fits a first absence day this month. Generating is deterministic and takes
// well under a second, so nothing else is stored: the file is the dataset.

// SeedPath is where the seed file lives under a data directory.
func SeedPath(dataDir string) string { return filepath.Join(dataDir, "registers", "seed.json") }

// seedFile is the seed file's JSON.
type seedFile struct {
	Seed      uint64          `json:"seed"`
	Reference registers.Month `json:"reference"`
	Persons   int             `json:"persons"`
	Companies int             `json:"companies"`
}

// DefaultSeed is the config used when there is no seed file.
func DefaultSeed(now time.Time) synth.Config {
	return synth.DefaultConfig(1, registers.MonthOf(now))
}

// ReadSeed reads the seed file at path; a missing file gives
// DefaultSeed(now). Missing sizes take the defaults.
func ReadSeed(path string, now time.Time) (synth.Config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultSeed(now), nil
	}
	if err != nil {
		return synth.Config{}, fmt.Errorf("read seed file: %w", err)
	}
	var f seedFile
	if err := json.Unmarshal(b, &f); err != nil {
		return synth.Config{}, fmt.Errorf("seed file %s: %w", path, err)
	}
	cfg := synth.DefaultConfig(f.Seed, f.Reference)
	if f.Reference.IsZero() {
		cfg.Reference = registers.MonthOf(now)
	}
	if f.Persons > 0 {
		cfg.Persons = f.Persons
	}
	if f.Companies > 0 {
		cfg.Companies = f.Companies
	}
	return cfg, nil
}

// WriteSeed writes cfg to the seed file at path (atomically, creating the
// directory).
func WriteSeed(path string, cfg synth.Config) error {
	b, err := json.MarshalIndent(seedFile{Seed: cfg.Seed, Reference: cfg.Reference, Persons: cfg.Persons, Companies: cfg.Companies}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write seed file: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write seed file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write seed file: %w", err)
	}
	return nil
}

// Live is a Source serving the dataset of a seed file; Watch regenerates it
// when the file changes, so `nrctl seed` takes effect in a running stack.
// It is safe for concurrent use.
type Live struct {
	path string
	cur  atomic.Pointer[synth.Dataset]

	mu  sync.Mutex
	mod time.Time // modification time of the file last loaded; zero when absent
}

var _ Source = (*Live)(nil)

// NewLive generates the dataset of the seed file at path (or the default).
func NewLive(path string) (*Live, error) {
	l := &Live{path: path}
	if _, err := l.Reload(); err != nil {
		return nil, err
	}
	if l.cur.Load() == nil {
		if err := l.load(time.Time{}); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Dataset returns the dataset being served.
func (l *Live) Dataset() *synth.Dataset { return l.cur.Load() }

// Reload regenerates the dataset when the seed file changed since the last
// load and reports whether it did.
func (l *Live) Reload() (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var mod time.Time
	if st, err := os.Stat(l.path); err == nil {
		mod = st.ModTime()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("seed file: %w", err)
	}
	if l.cur.Load() != nil && mod.Equal(l.mod) {
		return false, nil
	}
	if err := l.load(mod); err != nil {
		return false, err
	}
	return true, nil
}

func (l *Live) load(mod time.Time) error {
	cfg, err := ReadSeed(l.path, time.Now())
	if err != nil {
		return err
	}
	d, err := synth.Generate(cfg)
	if err != nil {
		return fmt.Errorf("generate synthetic registers: %w", err)
	}
	l.cur.Store(d)
	l.mod = mod
	return nil
}

// Watch calls Reload every interval until ctx ends; onErr (may be nil)
// receives reload errors, while the previous dataset stays in service.
func (l *Live) Watch(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := l.Reload(); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}

// Person looks the person up in the current dataset.
func (l *Live) Person(ctx context.Context, cpr ids.CPR) (registers.Person, error) {
	return l.cur.Load().Person(ctx, cpr)
}

// Company looks the company up in the current dataset.
func (l *Live) Company(ctx context.Context, cvr ids.CVR) (registers.Company, error) {
	return l.cur.Load().Company(ctx, cvr)
}

// PUnit looks the production unit up in the current dataset.
func (l *Live) PUnit(ctx context.Context, p ids.PNumber) (registers.PUnit, error) {
	return l.cur.Load().PUnit(ctx, p)
}

// IncomeByEmployer reads income from the current dataset.
func (l *Live) IncomeByEmployer(ctx context.Context, cpr ids.CPR, employer ids.CVR, from, to registers.Month) ([]registers.IncomeMonth, error) {
	return l.cur.Load().IncomeByEmployer(ctx, cpr, employer, from, to)
}

// Membership reads the a-kasse membership from the current dataset.
func (l *Live) Membership(ctx context.Context, cpr ids.CPR) (registers.Membership, error) {
	return l.cur.Load().Membership(ctx, cpr)
}
