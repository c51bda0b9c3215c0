package security

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"nemrefusion.dk/infra/localstack"
)

// authzRoute is one route the public origin reaches: a ServeMux pattern of
// a function (or of a handler the local stack mounts on the origin).
type authzRoute struct {
	Method  string // "GET", …; "*" for a pattern without a method
	Pattern string // the path part of the pattern, e.g. /api/v1/deliveries/{recipient}
	Backend string // the function (HTTPRoute backendRef) or mount that serves it
	Source  string // file:line of the pattern
}

// Key is how the fixture table names the route: "GET /api/v1/deliveries/{recipient}".
func (r authzRoute) Key() string { return r.Method + " " + r.Pattern }

// authzGatewayRule is one rule of the public origin: requests whose path
// starts with Prefix go to Backend (a mount, when Mount is set).
type authzGatewayRule struct {
	localstack.Route
	Mount bool
}

// authzMountSources names the code behind each handler the local stack
// mounts on the public origin (tests/stack): the issuer and the stand-ins
// are not functions, so their patterns are read from these packages. A
// mount found in tests/stack that is not here fails the matrix.
var authzMountSources = map[string]string{
	"/dev-issuer/":            "infra/devissuer",
	"/_standins/digitalpost/": "infra/digitalpost",
	"/_standins/nemsms/":      "infra/nemsms",
}

// authzPatternRe matches a method-qualified ServeMux pattern.
var authzPatternRe = regexp.MustCompile(`^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) ((?:/|\{\?\})\S*)$`)

// authzGateway reads the HTTPRoutes under k8s/base (as the local stack does:
// overlays skipped, longest prefix first) and the mounts of tests/stack.
func authzGateway(root string) ([]authzGatewayRule, error) {
	var rules []authzGatewayRule
	// The local stack's own reader and matcher, so the matrix routes
	// requests exactly as the gateway does.
	routes, err := localstack.ReadRoutes(filepath.Join(root, "k8s", "base"))
	if err != nil {
		return nil, err
	}
	for _, r := range routes {
		rules = append(rules, authzGatewayRule{Route: r})
	}
	mounts, err := authzStackMounts(filepath.Join(root, "tests", "stack"))
	if err != nil {
		return nil, err
	}
	for _, m := range mounts {
		rules = append(rules, authzGatewayRule{Route: localstack.Route{Prefix: m, Backend: m}, Mount: true})
	}
	// Mounts first (they are on the ServeMux before the catch-all), then
	// the longest prefix.
	sort.SliceStable(rules, func(i, j int) bool {
		if rules[i].Mount != rules[j].Mount {
			return rules[i].Mount
		}
		return len(rules[i].Prefix) > len(rules[j].Prefix)
	})
	return rules, nil
}

// authzStackMounts returns the path prefixes tests/stack mounts on the
// public origin: the keys of map[string]http.Handler literals and of
// assignments mounts[KEY] = …, evaluated from literals and constants.
func authzStackMounts(dir string) ([]string, error) {
	files, consts, err := authzParseDir(dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range files {
		ast.Inspect(f.file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				mt, ok := n.Type.(*ast.MapType)
				if !ok {
					return true
				}
				if sel, ok := mt.Value.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Handler" {
					return true
				}
				for _, e := range n.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						if s, ok := authzEval(kv.Key, consts, ""); ok {
							seen[s] = true
						}
					}
				}
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					ix, ok := l.(*ast.IndexExpr)
					if !ok {
						continue
					}
					if id, ok := ix.X.(*ast.Ident); !ok || id.Name != "mounts" {
						continue
					}
					if s, ok := authzEval(ix.Index, consts, ""); ok {
						seen[s] = true
					}
				}
			}
			return true
		})
	}
	var out []string
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out, nil
}

type authzFile struct {
	path string
	fset *token.FileSet
	file *ast.File
}

// authzParseDir parses the non-test Go files of one package directory and
// returns them with the package's string constants.
func authzParseDir(dir string) ([]authzFile, map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var files []authzFile
	consts := map[string]string{}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, 0)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, authzFile{path: filepath.Join(dir, n), fset: fset, file: f})
	}
	// Constants may refer to each other; two rounds settle the simple cases.
	for round := 0; round < 2; round++ {
		for _, f := range files {
			for _, d := range f.file.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST {
					continue
				}
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if v, ok := authzEval(vs.Values[i], consts, ""); ok {
								consts[name.Name] = v
							}
						}
					}
				}
			}
		}
	}
	return files, consts, nil
}

// authzEval evaluates a string expression made of literals, constants and
// +; any other operand is replaced by hole when hole is not empty.
func authzEval(e ast.Expr, consts map[string]string, hole string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		if s, ok := consts[e.Name]; ok {
			return s, true
		}
	case *ast.ParenExpr:
		return authzEval(e.X, consts, hole)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		l, ok1 := authzEval(e.X, consts, hole)
		r, ok2 := authzEval(e.Y, consts, hole)
		return l + r, ok1 && ok2
	}
	if hole != "" {
		return hole, true
	}
	return "", false
}

// authzPatterns collects the ServeMux patterns in the packages under dirs
// (recursively, test files and testdata skipped): every string expression
// of the form "METHOD /path" anywhere (handler helpers and constants
// included), and every literal path passed to a Handle or HandleFunc call.
// hole stands for non-constant parts ("GET "+i.base+"/jwks").
func authzPatterns(root string, dirs []string, hole string) ([]authzRoute, error) {
	var out []authzRoute
	seen := map[string]bool{}
	for _, top := range dirs {
		err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				return nil
			}
			if d.Name() == "testdata" || (path != top && strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			files, consts, err := authzParseDir(path)
			if err != nil {
				return err
			}
			for _, f := range files {
				add := func(s string, pos token.Pos, method string) {
					if method == "" {
						m := authzPatternRe.FindStringSubmatch(s)
						if m == nil {
							return
						}
						method, s = m[1], m[2]
					}
					src, _ := filepath.Rel(root, f.path)
					key := method + " " + s
					if seen[key] {
						return
					}
					seen[key] = true
					out = append(out, authzRoute{Method: method, Pattern: s, Source: fmt.Sprintf("%s:%d", src, f.fset.Position(pos).Line)})
				}
				ast.Inspect(f.file, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.BinaryExpr:
						if s, ok := authzEval(n, consts, hole); ok {
							add(s, n.Pos(), "")
						}
						return false
					case *ast.BasicLit:
						if s, ok := authzEval(n, consts, ""); ok {
							add(s, n.Pos(), "")
						}
					case *ast.CallExpr:
						sel, ok := n.Fun.(*ast.SelectorExpr)
						if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") || len(n.Args) == 0 {
							return true
						}
						if s, ok := authzEval(n.Args[0], consts, hole); ok && strings.HasPrefix(s, "/") {
							add(s, n.Args[0].Pos(), "*")
						}
					}
					return true
				})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// authzImports returns the directories of the nemrefusion.dk/infra packages
// the packages under dir import, transitively (infra/runtime's receiver
// routes are on every function's mux).
func authzImports(root, dir string) ([]string, error) {
	seen := map[string]bool{}
	var queue []string
	scan := func(d string) error {
		return filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() && e.Name() == "testdata" {
				return filepath.SkipDir
			}
			if e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, im := range f.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				if rest, ok := strings.CutPrefix(p, "nemrefusion.dk/infra/"); ok && !seen[rest] {
					seen[rest] = true
					queue = append(queue, rest)
				}
			}
			return nil
		})
	}
	if err := scan(dir); err != nil {
		return nil, err
	}
	var out []string
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		d := filepath.Join(root, "infra", filepath.FromSlash(p))
		out = append(out, d)
		// One package at a time: its files, not its sub-packages.
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(d, e.Name()), nil, parser.ImportsOnly)
			if err != nil {
				return nil, err
			}
			for _, im := range f.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				if rest, ok := strings.CutPrefix(p, "nemrefusion.dk/infra/"); ok && !seen[rest] {
					seen[rest] = true
					queue = append(queue, rest)
				}
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// authzSamplePath is a concrete path the pattern matches: {x} → x, {x...}
// → x/y, {$} → nothing.
func authzSamplePath(pattern string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); {
		j := strings.IndexByte(pattern[i:], '{')
		if j < 0 {
			b.WriteString(pattern[i:])
			break
		}
		b.WriteString(pattern[i : i+j])
		k := strings.IndexByte(pattern[i+j:], '}')
		if k < 0 {
			b.WriteString(pattern[i+j:])
			break
		}
		name := pattern[i+j+1 : i+j+k]
		switch {
		case name == "$":
		case strings.HasSuffix(name, "..."):
			b.WriteString("x/y")
		default:
			b.WriteString("x")
		}
		i += j + k + 1
	}
	return b.String()
}

// authzBackendOf is who serves method path on the public origin (the
// first rule that matches, as the local stack's gateway takes them; a
// pattern without a method is taken as GET).
func authzBackendOf(rules []authzGatewayRule, method, path string) string {
	if method == "*" {
		method = "GET"
	}
	for _, r := range rules {
		if r.Matches(method, path) {
			return r.Backend
		}
	}
	return ""
}

// authzRouteTable derives the routes the public origin reaches: for every
// function (functions/<name> with a main.go) the patterns of its own code
// and of the infra packages it imports, kept when the gateway sends the
// pattern's sample path to that function; and the patterns of the mounted
// handlers under their mount. Problems (a mount with no known source) come
// back as errors in problems.
func authzRouteTable(root string) (routes []authzRoute, rules []authzGatewayRule, problems []string, err error) {
	rules, err = authzGateway(root)
	if err != nil {
		return nil, nil, nil, err
	}
	fns, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, nil, nil, err
	}
	for _, fn := range fns {
		dir := filepath.Join(root, "functions", fn.Name())
		if _, err := os.Stat(filepath.Join(dir, "main.go")); err != nil {
			continue
		}
		deps, err := authzImports(root, dir)
		if err != nil {
			return nil, nil, nil, err
		}
		// Dependencies one package each (not their sub-packages): walk them
		// flat by listing them as separate roots without recursion.
		pats, err := authzPatterns(root, []string{dir}, "{?}")
		if err != nil {
			return nil, nil, nil, err
		}
		for _, d := range deps {
			more, err := authzPatternsFlat(root, d)
			if err != nil {
				return nil, nil, nil, err
			}
			pats = append(pats, more...)
		}
		dedupe := map[string]bool{}
		for _, p := range pats {
			if dedupe[p.Key()] {
				continue
			}
			dedupe[p.Key()] = true
			if strings.Contains(p.Pattern, "{?}") {
				problems = append(problems, fmt.Sprintf("%s: pattern %q has a part that is not a constant; the matrix cannot derive it", p.Source, p.Key()))
				continue
			}
			if authzBackendOf(rules, p.Method, authzSamplePath(p.Pattern)) == fn.Name() {
				p.Backend = fn.Name()
				routes = append(routes, p)
			}
		}
	}
	for _, r := range rules {
		if !r.Mount {
			continue
		}
		src, ok := authzMountSources[r.Prefix]
		if !ok {
			problems = append(problems, fmt.Sprintf("tests/stack mounts %q on the public origin and the matrix does not know what serves it (authzMountSources)", r.Prefix))
			continue
		}
		base := strings.TrimSuffix(r.Prefix, "/")
		pats, err := authzPatternsFlat(root, filepath.Join(root, filepath.FromSlash(src)))
		if err != nil {
			return nil, nil, nil, err
		}
		for _, p := range pats {
			// The issuer registers under its own base ("GET "+i.base+"/jwks");
			// the stand-ins are mounted with StripPrefix.
			if after, ok := strings.CutPrefix(p.Pattern, "{?}"); ok {
				p.Pattern = base + after
			} else {
				p.Pattern = base + p.Pattern
			}
			if authzBackendOf(rules, p.Method, authzSamplePath(p.Pattern)) == r.Prefix {
				p.Backend = src
				routes = append(routes, p)
			}
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].Key() < routes[j].Key() })
	return routes, rules, problems, nil
}

// authzPatternsFlat is authzPatterns for one package directory alone.
func authzPatternsFlat(root, dir string) ([]authzRoute, error) {
	tmp, err := authzPatterns(root, []string{dir}, "{?}")
	if err != nil {
		return nil, err
	}
	var out []authzRoute
	for _, r := range tmp {
		if filepath.Dir(filepath.Join(root, strings.Split(r.Source, ":")[0])) == dir {
			out = append(out, r)
		}
	}
	return out, nil
}
