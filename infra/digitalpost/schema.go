package digitalpost

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// schemaFiles is the MeMo 1.1 schema (memo-1.1/README.md says where it is
// from): MeMo_core.xsd and the schemas it imports.
//
//go:embed memo-1.1/*.xsd
var schemaFiles embed.FS

// ErrNoValidator means the schema cannot be checked here: xmllint (Debian
// package libxml2-utils, installed by infra/stack/deps.sh) is missing.
var ErrNoValidator = errors.New("digitalpost: xmllint (libxml2-utils) is not installed, so MeMo messages cannot be checked against the schema")

var (
	schemaOnce sync.Once
	schemaMain string
	schemaErr  error
)

// schemaPath writes the embedded schema to a temporary directory once, so
// xmllint can follow MeMo_core.xsd's imports, and returns MeMo_core.xsd.
func schemaPath() (string, error) {
	schemaOnce.Do(func() {
		dir, err := os.MkdirTemp("", "memo-1.1-")
		if err != nil {
			schemaErr = fmt.Errorf("digitalpost: write the MeMo schema: %w", err)
			return
		}
		err = fs.WalkDir(schemaFiles, "memo-1.1", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := schemaFiles.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644)
		})
		if err != nil {
			schemaErr = fmt.Errorf("digitalpost: write the MeMo schema: %w", err)
			return
		}
		schemaMain = filepath.Join(dir, "MeMo_core.xsd")
	})
	return schemaMain, schemaErr
}

// Validate checks b against the MeMo 1.1 schema with xmllint (no network;
// entities are not loaded from outside). A message the schema refuses gives
// an error wrapping ErrInvalid with xmllint's first findings (element names
// and line numbers; they can quote a value of the message); ErrNoValidator
// when xmllint is missing; another error when xmllint could not run.
func Validate(ctx context.Context, b []byte) error {
	xsd, err := schemaPath()
	if err != nil {
		return err
	}
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		return ErrNoValidator
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--noout", "--nonet", "--schema", xsd, "-")
	cmd.Stdin = bytes.NewReader(b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if err == nil {
		return nil
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || ctx.Err() != nil {
		return fmt.Errorf("digitalpost: run xmllint: %w", err)
	}
	switch exit.ExitCode() {
	case 1, 3: // not well-formed XML; valid XML the schema refuses
		return fmt.Errorf("%w: against the MeMo 1.1 schema: %s", ErrInvalid, findings(stderr.String()))
	default: // the schema itself did not load, or xmllint failed
		return fmt.Errorf("digitalpost: xmllint failed (exit %d): %s", exit.ExitCode(), findings(stderr.String()))
	}
}

// findings is xmllint's report cut to its first three errors, one line each.
func findings(report string) string {
	var out []string
	for _, line := range strings.Split(report, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line == "- fails to validate" || strings.HasPrefix(line, "^") {
			continue
		}
		out = append(out, strings.TrimPrefix(line, "-:"))
		if len(out) == 3 {
			break
		}
	}
	if len(out) == 0 {
		return "refused"
	}
	return strings.Join(out, "; ")
}
