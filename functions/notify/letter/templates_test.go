package letter_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/notify/letter"
)

// root is the repository root, from this package's directory.
const root = "../../.."

// kindConsts maps each letter kind to the name of its constant in
// events/letters.go.
func kindConsts(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, "events", "letters.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if v, ok := n.(*ast.ValueSpec); ok && len(v.Names) == 1 && len(v.Values) == 1 {
			if lit, ok := v.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, _ := strconv.Unquote(lit.Value); slices.Contains(events.LetterKinds, s) {
					out[s] = v.Names[0].Name
				}
			}
		}
		return true
	})
	return out
}

// uses returns, per directory under root (relative), the events.<name>
// selectors its non-test Go files use.
func uses(t *testing.T) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	fset := token.NewFileSet()
	for _, top := range []string{"functions", "infra"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			rel = filepath.ToSlash(rel)
			ast.Inspect(f, func(n ast.Node) bool {
				if s, ok := n.(*ast.SelectorExpr); ok {
					if x, ok := s.X.(*ast.Ident); ok && x.Name == "events" {
						if out[rel] == nil {
							out[rel] = map[string]bool{}
						}
						out[rel][s.Sel.Name] = true
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// Issue 21: no letter template exists that nothing requests, and nothing
// requests a letter without a template. events.LetterRequesters is the
// table; this holds it to the code: every kind of the contract
// (letter.requested.v1's enum) is events.LetterKinds, composes in Danish
// and English, has a requester, each requester's code names the kind, and
// every code outside notify that names a kind is in the table.
func TestEveryLetterTemplateIsRequestedAndEveryRequestHasATemplate(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "schemas", "letter.requested.v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties struct {
			Kind struct {
				Enum []string `json:"enum"`
			} `json:"kind"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(schema.Properties.Kind.Enum, events.LetterKinds) {
		t.Errorf("letter.requested.v1 kinds %v, events.LetterKinds %v", schema.Properties.Kind.Enum, events.LetterKinds)
	}
	for _, kind := range events.LetterKinds {
		for _, lang := range []string{"da", "en"} {
			if _, err := letter.Compose(letter.Input{Kind: kind, Language: lang, Sender: "Københavns Kommune", Date: date, Reference: "x", Data: data(kind)}); err != nil {
				t.Errorf("no %s template for %s: %v", lang, kind, err)
			}
		}
		if len(events.LetterRequesters[kind]) == 0 {
			t.Errorf("letter template %s is requested by nothing", kind)
		}
	}
	for kind := range events.LetterRequesters {
		if !slices.Contains(events.LetterKinds, kind) {
			t.Errorf("events.LetterRequesters has %s, which has no template", kind)
		}
	}
	consts, used := kindConsts(t), uses(t)
	for kind, paths := range events.LetterRequesters {
		for _, p := range paths {
			if !used[p][consts[kind]] {
				t.Errorf("%s is listed as requesting %s, but its code never names events.%s", p, kind, consts[kind])
			}
		}
	}
	for dir, names := range used {
		if strings.HasPrefix(dir, "functions/notify") {
			continue // the templates themselves
		}
		for kind, name := range consts {
			if names[name] && !slices.Contains(events.LetterRequesters[kind], dir) {
				t.Errorf("%s names events.%s but is not in events.LetterRequesters[%q]", dir, name, kind)
			}
		}
	}
}
