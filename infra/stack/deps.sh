#!/usr/bin/env bash
# deps.sh installs what the local stack needs and is missing: PostgreSQL,
# Redis, ClamAV (clamscan + clamd), Chromium (browser tests), curl and CA
# certificates from the Debian packages, and MinIO with `go install`.
# Idempotent and silent when everything is already there.
#
# Environment:
#   NR_NO_BROWSER=1   do not install chromium
#   NR_NO_APT=1       never call apt-get (fail with a list of what is missing)
#   MINIO_VERSION     module version of github.com/minio/minio to build
set -euo pipefail

MINIO_VERSION=${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}

say() { printf 'stack deps: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

have() { command -v "$1" >/dev/null 2>&1; }

# as_root runs a command as root: directly, or through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif have sudo; then
		sudo "$@"
	else
		die "need root to run: $* (run this script as root, or install sudo)"
	fi
}

missing=()
have_initdb=no
for f in /usr/lib/postgresql/*/bin/initdb; do
	[ -x "$f" ] && have_initdb=yes
done
[ "$have_initdb" = yes ] && have pg_isready && have psql || missing+=(postgresql)
have redis-server && have redis-cli || missing+=(redis-server)
have clamscan || missing+=(clamav)
[ -x /usr/sbin/clamd ] || have clamd || missing+=(clamav-daemon)
if [ "${NR_NO_BROWSER:-}" != 1 ]; then
	have chromium || have chromium-browser || missing+=(chromium)
fi
have curl || missing+=(curl)
have pdftotext || missing+=(poppler-utils) # letter tests read the PDFs back as text
have xmllint || missing+=(libxml2-utils) # MeMo messages are checked against the MeMo 1.1 schema (infra/digitalpost)
have qpdf || missing+=(qpdf)                   # letter tests check the PDF/A structure (qpdf --json)
[ -s /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)

if [ "${#missing[@]}" -gt 0 ]; then
	[ "${NR_NO_APT:-}" = 1 ] && die "missing packages: ${missing[*]} (NR_NO_APT=1 forbids installing them)"
	have apt-get || die "missing packages: ${missing[*]}, and apt-get is not available: install them by hand"
	say "installing ${missing[*]} (one time)"
	export DEBIAN_FRONTEND=noninteractive
	apt_install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; }
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
	as_root apt-get update -q >"$log" 2>&1 || { cat "$log" >&2; die "apt-get update failed"; }
	if [[ " ${missing[*]} " == *" postgresql "* ]]; then
		# Debian creates and starts a "main" cluster on port 5432 that asks for
		# passwords over TCP, which would shadow the stack's own trust-auth server
		# on the same port. Tell postgresql-common not to create it (documented
		# way: create_main_cluster = false in createcluster.conf).
		apt_install postgresql-common >"$log" 2>&1 || { cat "$log" >&2; die "apt-get install postgresql-common failed"; }
		conf=/etc/postgresql-common/createcluster.conf
		if [ -f "$conf" ] && ! grep -q '^[[:space:]]*create_main_cluster' "$conf"; then
			as_root sh -c "printf '%s\n' '# set by nemrefusion infra/stack/deps.sh: the stack runs its own cluster' 'create_main_cluster = false' >> $conf"
		fi
	fi
	apt_install "${missing[@]}" >"$log" 2>&1 || { cat "$log" >&2; die "apt-get install ${missing[*]} failed"; }
fi

# MinIO is not packaged by Debian: build it once from source.
if ! have minio; then
	have go || die "go is not on PATH: needed to build MinIO (go install github.com/minio/minio@$MINIO_VERSION)"
	gobin=$(go env GOBIN)
	[ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
	if [ ! -x "$gobin/minio" ]; then
		say "building MinIO with go install (one time, takes several minutes)"
		log=$(mktemp)
		(cd / && GOWORK=off GOFLAGS='' go install "github.com/minio/minio@$MINIO_VERSION") >"$log" 2>&1 || {
			cat "$log" >&2
			rm -f "$log"
			die "go install github.com/minio/minio@$MINIO_VERSION failed"
		}
		rm -f "$log"
	fi
fi
