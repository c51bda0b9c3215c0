package k8scheck

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Subdirs returns the names of the directories directly under dir, sorted.
func Subdirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// Commands returns the subfolders of dir that hold a command (main.go):
// the deployable functions. A shared module under functions/ (the domain
// kernel) has none and needs no Service.
func Commands(dir string) ([]string, error) {
	names, err := Subdirs(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n, "main.go")); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// ReadAllowlist reads a file of names, one a line; blank lines and lines
// starting with # are ignored. A missing file is an empty list.
func ReadAllowlist(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open allowlist: %w", err)
	}
	defer f.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			names[line] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read allowlist %s: %w", path, err)
	}
	return names, nil
}

// EveryNameHasService returns an error naming each of names (other than the
// allowed ones) that has no Knative Service in docs. what says where the
// names came from, for the message.
func EveryNameHasService(docs []Document, names []string, allow map[string]bool, what string) error {
	ksvc := KnativeServices(docs)
	var errs []error
	for _, n := range names {
		if ksvc[n] == nil && !allow[n] {
			errs = append(errs, fmt.Errorf("%s %q has no Knative Service named %q in the build", what, n, n))
		}
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
