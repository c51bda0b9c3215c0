// Command baseimage writes the base image every function image is built on:
// a static, distroless-like image (no shell, no package manager) holding only
// the CA certificates, the time zone database, /etc/passwd and /etc/group
// with the nonroot user 65532, /home/nonroot and /tmp. It is made from this
// machine's Debian files, so `make images` needs no registry and no
// internet: the image is appended to an OCI image layout (ko's KOCACHE
// layout, from which ko reads a base named by digest) and its digest is
// printed, for KO_DEFAULTBASEIMAGE=<repo>@<digest>.
//
// The image is reproducible: every file has the time SOURCE_DATE_EPOCH (0
// when unset) and uid/gid 0 (65532 for /home/nonroot), entries are sorted,
// and the config's created time is the same epoch. Two runs on the same
// Debian files give the same digest.
//
//	baseimage -layout .data/images/kocache/img [-digest-file f]
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// NonRoot is the uid and gid the images run as (distroless's "nonroot").
const NonRoot = 65532

func main() {
	var (
		out        = flag.String("layout", ".data/images/kocache/img", "OCI image layout to append the base image to (created if missing)")
		digestFile = flag.String("digest-file", "", "also write the image digest (sha256:...) to this file")
		certs      = flag.String("certs", "/etc/ssl/certs/ca-certificates.crt", "CA certificate bundle to include")
		zoneinfo   = flag.String("zoneinfo", "/usr/share/zoneinfo", "time zone database to include")
	)
	flag.Parse()
	epoch, err := sourceDateEpoch()
	if err != nil {
		fail(err)
	}
	img, err := build(*certs, *zoneinfo, epoch)
	if err != nil {
		fail(err)
	}
	d, err := img.Digest()
	if err != nil {
		fail(err)
	}
	p, err := layout.FromPath(*out)
	if err != nil {
		if p, err = layout.Write(*out, empty.Index); err != nil {
			fail(fmt.Errorf("create layout %s: %w", *out, err))
		}
	}
	if err := p.ReplaceImage(img, func(desc v1.Descriptor) bool { return desc.Digest == d }); err != nil {
		fail(fmt.Errorf("write image to %s: %w", *out, err))
	}
	if *digestFile != "" {
		if err := os.WriteFile(*digestFile, []byte(d.String()+"\n"), 0o644); err != nil {
			fail(err)
		}
	}
	fmt.Println(d.String())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "baseimage:", err)
	os.Exit(1)
}

func sourceDateEpoch() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", s, err)
	}
	return time.Unix(n, 0).UTC(), nil
}

// entry is one file or directory of the layer.
type entry struct {
	name string // without leading slash
	dir  bool
	mode int64
	uid  int
	link string // symlink target
	data []byte
}

func build(certs, zoneinfo string, epoch time.Time) (v1.Image, error) {
	ca, err := os.ReadFile(certs)
	if err != nil {
		return nil, fmt.Errorf("CA certificates (install ca-certificates): %w", err)
	}
	if len(ca) == 0 {
		return nil, errors.New("CA certificate bundle is empty")
	}
	entries := []entry{
		{name: "etc", dir: true, mode: 0o755},
		{name: "etc/ssl", dir: true, mode: 0o755},
		{name: "etc/ssl/certs", dir: true, mode: 0o755},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: ca},
		{name: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{name: "etc/group", mode: 0o644, data: []byte("root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n")},
		{name: "etc/nsswitch.conf", mode: 0o644, data: []byte("hosts: files dns\n")},
		{name: "home", dir: true, mode: 0o755},
		{name: "home/nonroot", dir: true, mode: 0o700, uid: NonRoot},
		{name: "root", dir: true, mode: 0o700},
		{name: "tmp", dir: true, mode: 0o1777},
		{name: "usr", dir: true, mode: 0o755},
		{name: "usr/share", dir: true, mode: 0o755},
	}
	zi, err := zoneEntries(zoneinfo)
	if err != nil {
		return nil, err
	}
	entries = append(entries, zi...)
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.uid, ModTime: epoch, Format: tar.FormatPAX}
		switch {
		case e.dir:
			h.Typeflag, h.Name = tar.TypeDir, e.name+"/"
		case e.link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
	if err != nil {
		return nil, err
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Created = v1.Time{Time: epoch}
	cf.Config.User = strconv.Itoa(NonRoot)
	cf.Config.WorkingDir = "/home/nonroot"
	cf.Config.Env = []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
		"ZONEINFO=/usr/share/zoneinfo",
	}
	cf.Config.Labels = map[string]string{"org.opencontainers.image.title": "nemrefusion static base (CA certificates, tzdata, nonroot 65532)"}
	cf.History = []v1.History{{Created: v1.Time{Time: epoch}, CreatedBy: "infra/cmd/baseimage", Comment: "ca-certificates, tzdata, passwd"}}
	return mutate.ConfigFile(img, cf)
}

// zoneEntries walks the time zone database (files, directories, symlinks
// within it); Debian's legacy "posix" and "right" trees are skipped.
func zoneEntries(root string) ([]entry, error) {
	var out []entry
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if rel == "posix" || rel == "right" || strings.HasPrefix(rel, "posix/") || strings.HasPrefix(rel, "right/") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		name := "usr/share/zoneinfo"
		if rel != "." {
			name += "/" + filepath.ToSlash(rel)
		}
		switch {
		case d.IsDir():
			out = append(out, entry{name: name, dir: true, mode: 0o755})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if filepath.IsAbs(target) || strings.Contains(target, "posix") || strings.Contains(target, "right") {
				// Resolve links that leave the tree or point at the skipped
				// trees: copy the file's content instead.
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				out = append(out, entry{name: name, mode: 0o644, data: b})
				return nil
			}
			out = append(out, entry{name: name, mode: 0o777, link: target})
		case d.Type().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out = append(out, entry{name: name, mode: 0o644, data: b})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("time zone database %s (install tzdata): %w", root, err)
	}
	return out, nil
}
