package k8scheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const operatorProvidedPath = "testdata/operator-provided.txt"

func operatorProvided(t *testing.T) map[string]bool {
	t.Helper()
	p, err := ReadAllowlist(operatorProvidedPath)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Issue 23: Services registers, digitalpost, nemsms and the Gateway public
// were referenced and defined nowhere; REGISTERS_KEY_SECRET was required and
// undocumented. Every reference resolves in the build or is on the
// operator-provided list.
func TestNoDanglingReferences(t *testing.T) {
	t.Parallel()
	for _, o := range overlays {
		t.Run(o, func(t *testing.T) {
			t.Parallel()
			if err := CheckReferences(build(t, o), operatorProvided(t)); err != nil {
				t.Errorf("%s:\n%v", o, err)
			}
		})
	}
}

// Every operator-provided entry is documented in k8s/README.md (a Secret key
// by its key, anything else by its name), so the list cannot hold what an
// operator could not know to create.
func TestOperatorProvidedIsDocumented(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(k8sDir + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for e := range operatorProvided(t) {
		name := e[strings.Index(e, "/")+1:]
		if i := strings.Index(name, ":"); i >= 0 {
			name = name[i+1:]
		}
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("%s is operator-provided but k8s/README.md does not name `%s`", e, name)
		}
	}
}

// Each kind of dangling reference fails the check.
func TestDanglingReferencesFail(t *testing.T) {
	t.Parallel()
	docs := build(t, "dev")
	provided := operatorProvided(t)
	for _, drop := range []string{"Service/registers", "Gateway/public", "Secret/nemrefusion-secrets:REGISTERS_KEY_SECRET", "Secret/nemrefusion-secrets:LEDGER_ED25519_KEY"} {
		p := map[string]bool{}
		for k := range provided {
			p[k] = k != drop
		}
		if err := CheckReferences(docs, p); err == nil || !strings.Contains(err.Error(), drop) {
			t.Errorf("without %s on the list: %v", drop, err)
		}
	}
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  X: http://nowhere.nemrefusion.svc.cluster.local\n"
	if err := CheckReferences(mustDocs(t, cm), provided); err == nil || !strings.Contains(err.Error(), "Service/nowhere") {
		t.Errorf("a ConfigMap address to a missing Service passed: %v", err)
	}
	svc := strings.Replace(goodService("audit"), "          env:\n", "          env:\n            - name: YY\n              valueFrom:\n                configMapKeyRef: {name: nemrefusion-config, key: NOPE}\n", 1)
	if err := CheckReferences(mustDocs(t, svc), provided); err == nil || !strings.Contains(err.Error(), "ConfigMap/nemrefusion-config:NOPE") {
		t.Errorf("a missing ConfigMap key passed: %v", err)
	}
}

// Issue 23: the ledger signing key was mounted into four functions though
// only audit reads it. A Knative Service may mount LEDGER_ED25519_KEY only
// if its function's Go code reads LEDGER_KEY_FILE.
func TestLedgerKeyOnlyWhereRead(t *testing.T) {
	t.Parallel()
	for name, s := range KnativeServices(build(t, "prod")) {
		mounts := false
		for _, v := range s.Spec.Template.Spec.Volumes {
			if v.Secret != nil {
				for _, it := range v.Secret.Items {
					mounts = mounts || it.Key == "LEDGER_ED25519_KEY"
				}
			}
		}
		if !mounts {
			continue
		}
		reads := false
		_ = filepath.WalkDir(filepath.Join(functionsDir, name), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
				b, _ := os.ReadFile(p)
				reads = reads || strings.Contains(string(b), `"LEDGER_KEY_FILE"`)
			}
			return nil
		})
		if !reads {
			t.Errorf("ksvc/%s mounts the ledger signing key, but functions/%s never reads LEDGER_KEY_FILE", name, name)
		}
	}
}
