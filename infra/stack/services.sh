#!/usr/bin/env bash
# services.sh start|stop|status|check [--test]
#
# Makes PostgreSQL, Redis, MinIO and ClamAV (clamd) answer at the addresses
# the application reads from its environment. For each service it first asks
# the configured address; if something answers it is used as it is. Otherwise
# (and only for addresses on this machine) it starts its own server with data
# under ${NR_DATA:-$PWD/.data}, records its PID in $NR_DATA/<service>.pid, and
# waits until it answers. `stop` stops only what this script started.
# `start` writes $NR_DATA/stack.env with every address and credential the
# application needs (shell syntax: `. .data/stack.env`).
# `check` scans the EICAR test string and a clean text through clamd
# (INSTREAM) and fails unless the first is found and the second is not.
# --test is accepted for the test targets; tests use the same services.
#
# Environment (defaults in brackets):
#   DATABASE_URL  [postgres://postgres@127.0.0.1:5432/test?sslmode=disable]
#   REDIS_URL     [redis://127.0.0.1:6379/0]
#   S3_ENDPOINT   [http://127.0.0.1:9000]
#   S3_ACCESS_KEY, S3_SECRET_KEY, MINIO_ROOT_USER, MINIO_ROOT_PASSWORD
#                 [generated once into ~/.config/nemrefusion/minio-credentials.env]
#   CLAMD_ADDR    [127.0.0.1:3310]
#   NR_DATA       [$PWD/.data]
#   NR_WAIT       seconds to wait for postgres, redis, minio [30]
#   NR_WAIT_CLAMD seconds to wait for clamd to load its databases [120]
# Intentional: single-quoted scripts for bash -c, A && B || die, sourcing a generated file.
# shellcheck disable=SC2016,SC2015,SC1090
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
S3_ENDPOINT=${S3_ENDPOINT:-http://127.0.0.1:9000}
CLAMD_ADDR=${CLAMD_ADDR:-127.0.0.1:3310}
NR_DATA=$(realpath -m "${NR_DATA:-$PWD/.data}")
NR_WAIT=${NR_WAIT:-30}
NR_WAIT_CLAMD=${NR_WAIT_CLAMD:-120}

say() { printf 'stack: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# tail_log prints the end of a log file to stderr, to explain a failure.
tail_log() { [ -f "$1" ] && { say "last lines of $1:"; tail -n 15 "$1" >&2; }; true; }

# is_local tells whether a host name is this machine (only then do we start servers).
is_local() { case "$1" in 127.* | localhost | ::1 | '[::1]' | '') return 0 ;; *) return 1 ;; esac; }

# pid_alive PIDFILE NAME: the PID in the file runs a program whose command line contains NAME.
pid_alive() {
	local pid
	[ -s "$1" ] || return 1
	pid=$(head -n 1 "$1")
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	[ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2"
}

# same_addr PIDFILE ADDR LABEL: our server recorded in PIDFILE (line 1 PID,
# line 2 address) listens on ADDR; otherwise the configuration changed under it.
same_addr() {
	local a
	a=$(sed -n 2p "$1")
	[ -z "$a" ] || [ "$a" = "$2" ] ||
		die "our $3 (pid $(head -n 1 "$1")) listens on $a, not on $2: run infra/stack/services.sh stop first"
}

# running PID: the process exists and is not a zombie waiting to be reaped.
running() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# stop_pid PIDFILE NAME: TERM the process, wait up to 20 s, then KILL.
stop_pid() {
	local pid i
	if pid_alive "$1" "$2"; then
		pid=$(head -n 1 "$1")
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			running "$pid" || break
			sleep 0.1
		done
		running "$pid" && kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$1"
}

# wait_for SECONDS CHECK-FUNCTION [ARGS]: poll every 0.2 s.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# wait_own SECONDS PIDFILE NAME CHECK-FUNCTION: like wait_for, but gives up
# early once the server we started has written its PID file and died.
wait_own() {
	local deadline=$((SECONDS + $1)) pidfile=$2 name=$3
	shift 3
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		if [ -s "$pidfile" ] && ! pid_alive "$pidfile" "$name"; then
			sleep 0.5
			"$@" && return 0
			rm -f "$pidfile"
			return 1
		fi
		sleep 0.2
	done
}

# port_free NAME HOST PORT: fail unless nothing listens there (something that
# listens but did not answer the service's own check is another program).
port_free() {
	if timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$2" "$3" 2>/dev/null; then
		die "$2:$3 is taken by a program that does not answer as $1; free the port or point the address elsewhere"
	fi
}

# shq quotes a value for POSIX sh.
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# ---------------------------------------------------------------- URL parsing

# PostgreSQL: postgres[ql]://user[:pass]@host[:port]/db[?query]
PG_RE='^(postgres(ql)?)://(([^:@/]*)(:[^@/]*)?@)?(\[[^]]*\]|[^:/?]*)(:([0-9]+))?(/([^?]*))?(\?(.*))?$'
[[ "$DATABASE_URL" =~ $PG_RE ]] || die "DATABASE_URL is not a postgres:// URL"
PG_SCHEME=${BASH_REMATCH[1]}
PG_USERINFO=${BASH_REMATCH[3]}
PG_USER=${BASH_REMATCH[4]:-postgres}
PG_HOST=${BASH_REMATCH[6]:-127.0.0.1}
PG_PORT=${BASH_REMATCH[8]:-5432}
PG_DB=${BASH_REMATCH[10]:-$PG_USER}
PG_QUERY=${BASH_REMATCH[11]}
# PG_ADMIN_URL is the same server, maintenance database "postgres".
PG_ADMIN_URL="$PG_SCHEME://$PG_USERINFO$PG_HOST:$PG_PORT/postgres$PG_QUERY"
[[ "$PG_DB" =~ ^[A-Za-z0-9_-]+$ ]] || die "database name in DATABASE_URL must be [A-Za-z0-9_-]+"
[[ "$PG_USER" =~ ^[A-Za-z0-9_-]+$ ]] || die "user name in DATABASE_URL must be [A-Za-z0-9_-]+"

# Redis: redis://[user][:pass]@host[:port][/db]
RD_RE='^rediss?://(([^:@/]*)(:([^@/]*))?@)?([^:/]*)(:([0-9]+))?(/.*)?$'
[[ "$REDIS_URL" =~ $RD_RE ]] || die "REDIS_URL is not a redis:// URL"
RD_PASS=${BASH_REMATCH[4]}
RD_HOST=${BASH_REMATCH[5]:-127.0.0.1}
RD_PORT=${BASH_REMATCH[7]:-6379}

# S3: http(s)://host[:port]
S3_RE='^(https?)://([^:/]+)(:([0-9]+))?/?$'
[[ "$S3_ENDPOINT" =~ $S3_RE ]] || die "S3_ENDPOINT must look like http://host:port"
S3_HOST=${BASH_REMATCH[2]}
S3_PORT=${BASH_REMATCH[4]:-80}

# clamd: host:port
[[ "$CLAMD_ADDR" =~ ^([^:]+):([0-9]+)$ ]] || die "CLAMD_ADDR must be host:port"
CL_HOST=${BASH_REMATCH[1]}
CL_PORT=${BASH_REMATCH[2]}

# ------------------------------------------------------------------ PostgreSQL

PG_DATA_LINK="$NR_DATA/postgres"
PG_PIDFILE="$NR_DATA/postgres.pid"
# pg_log: the server log, next to the data directory (postgres must be able to write it).
pg_log() { printf '%s.log' "$(readlink -f "$PG_DATA_LINK" 2>/dev/null || echo "$PG_DATA_LINK")"; }

pg_bin() {
	local d
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin | grep -v '\*' | sort -V | tail -n 1 || true)
	if [ -n "${PG_BIN:-}" ]; then
		d=$PG_BIN
	elif [ -z "$d" ]; then
		d=$(dirname "$(command -v initdb || command -v pg_ctl || echo /nonexistent/x)")
	fi
	[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || die "PostgreSQL server binaries not found (run infra/stack/deps.sh, or set PG_BIN)"
	echo "$d"
}

pg_answers() { pg_isready -q -d "$PG_ADMIN_URL" -t 2 >/dev/null 2>&1; }

# as_pg runs a command as the OS user that owns our cluster (postgres refuses root).
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# pg_datadir prints the real data directory, creating it if needed. When we are
# root and the postgres user cannot reach $NR_DATA (say under /root), the
# cluster lives under /var/tmp and $NR_DATA/postgres is a symlink to it.
pg_datadir() {
	if [ -L "$PG_DATA_LINK" ]; then
		readlink -f "$PG_DATA_LINK"
		return
	fi
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "OS user postgres is missing (install the postgresql package: infra/stack/deps.sh)"
		if ! runuser -u postgres -- test -x "$NR_DATA"; then
			local alt
			alt="/var/tmp/nemrefusion-pg-$(printf '%s' "$NR_DATA" | cksum | cut -d' ' -f1)"
			mkdir -p "$alt"
			chown postgres: "$alt"
			chmod 700 "$alt"
			ln -sfn "$alt" "$PG_DATA_LINK"
			say "note: user postgres cannot reach $NR_DATA; PostgreSQL data lives in $alt"
			echo "$alt"
			return
		fi
	fi
	mkdir -p "$PG_DATA_LINK"
	chmod 700 "$PG_DATA_LINK"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DATA_LINK"
	echo "$PG_DATA_LINK"
}

pg_start_own() {
	local bin data
	is_local "$PG_HOST" || die "PostgreSQL at $PG_HOST:$PG_PORT does not answer (not a local address, so not starting one)"
	port_free PostgreSQL "$PG_HOST" "$PG_PORT"
	bin=$(pg_bin)
	data=$(pg_datadir)
	if [ ! -s "$data/PG_VERSION" ]; then
		as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$NR_DATA/initdb.log" 2>&1 9>&- ||
			{ tail_log "$NR_DATA/initdb.log"; die "initdb failed"; }
		rm -f "$NR_DATA/initdb.log"
	fi
	local log
	log=$(pg_log)
	touch "$log"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$log"
	# No Unix socket (paths under a deep $NR_DATA can exceed its length limit);
	# everything, pg_ctl's own readiness wait included, goes over TCP.
	# fsync and full_page_writes stay on (PostgreSQL's defaults): make run's
	# server holds accepted submissions and the ledger, and a crash must not
	# lose what was answered 2xx. Tests measured no slower with them on
	# (issue 16: ledger and nrctl packages 18.1 s on, 19.3 s off).
	as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t "$NR_WAIT" -s \
		-o "-c listen_addresses=${PG_HOST//[\[\]]/} -p $PG_PORT -c unix_socket_directories= -c max_connections=300" \
		start >/dev/null 2>&1 9>&- || { tail_log "$(pg_log)"; die "PostgreSQL did not start on $PG_HOST:$PG_PORT"; }
	printf '%s\n%s\n' "$(head -n 1 "$data/postmaster.pid")" "$PG_HOST:$PG_PORT" >"$PG_PIDFILE"
	wait_for "$NR_WAIT" pg_answers || { tail_log "$(pg_log)"; die "PostgreSQL started but does not answer at $PG_HOST:$PG_PORT"; }
	# The role named in the URL, as a superuser, when it is not there yet.
	if [ "$PG_USER" != postgres ]; then
		psql -X -q -v ON_ERROR_STOP=1 "${PG_ADMIN_URL/\/\/$PG_USERINFO///postgres@}" \
			-c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN CREATE ROLE \"$PG_USER\" SUPERUSER LOGIN; END IF; END\$\$" \
			>/dev/null || die "could not create role $PG_USER"
	fi
	say "started PostgreSQL on $PG_HOST:$PG_PORT (data in $data)"
}

pg_ensure_db() {
	local out
	if ! out=$(psql -X -q -At -v ON_ERROR_STOP=1 "$PG_ADMIN_URL" -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" 2>&1); then
		die "PostgreSQL at $PG_HOST:$PG_PORT answers but refuses DATABASE_URL's user $PG_USER ($out).
  Give DATABASE_URL with working credentials, or point it at a free port
  (e.g. postgres://postgres@127.0.0.1:55432/test?sslmode=disable) to get the stack's own server."
	fi
	if [ "$out" != 1 ]; then
		psql -X -q -v ON_ERROR_STOP=1 "$PG_ADMIN_URL" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null 2>&1 ||
			psql -X -q -At "$PG_ADMIN_URL" -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1 ||
			die "could not create database $PG_DB at $PG_HOST:$PG_PORT"
	fi
}

pg_start() {
	if ! pg_answers; then
		if pid_alive "$PG_PIDFILE" postgres; then
			same_addr "$PG_PIDFILE" "$PG_HOST:$PG_PORT" PostgreSQL
			wait_for "$NR_WAIT" pg_answers || { tail_log "$(pg_log)"; die "our PostgreSQL (pid $(cat "$PG_PIDFILE")) does not answer at $PG_HOST:$PG_PORT"; }
		else
			pg_start_own
		fi
	fi
	pg_ensure_db
}

pg_stop() {
	local bin data
	if pid_alive "$PG_PIDFILE" postgres; then
		bin=$(pg_bin)
		data=$(readlink -f "$PG_DATA_LINK")
		as_pg "$bin/pg_ctl" -D "$data" -m fast -w -s stop >/dev/null 2>&1 || stop_pid "$PG_PIDFILE" postgres
	fi
	rm -f "$PG_PIDFILE"
}

# ----------------------------------------------------------------------- Redis

RD_PIDFILE="$NR_DATA/redis.pid"

rd_answers() {
	local r
	r=$(REDISCLI_AUTH="$RD_PASS" timeout 3 redis-cli -h "$RD_HOST" -p "$RD_PORT" ping 2>/dev/null) && [ "$r" = PONG ]
}

rd_start() {
	rd_answers && return
	if pid_alive "$RD_PIDFILE" redis-server; then
		same_addr "$RD_PIDFILE" "$RD_HOST:$RD_PORT" Redis
		wait_for "$NR_WAIT" rd_answers && return
		die "our Redis (pid $(cat "$RD_PIDFILE")) does not answer at $RD_HOST:$RD_PORT"
	fi
	is_local "$RD_HOST" || die "Redis at $RD_HOST:$RD_PORT does not answer (not a local address, so not starting one)"
	have redis-server || die "redis-server not found (run infra/stack/deps.sh)"
	port_free Redis "$RD_HOST" "$RD_PORT"
	mkdir -p "$NR_DATA/redis"
	local auth=()
	[ -n "$RD_PASS" ] && auth=(--requirepass "$RD_PASS")
	# In the background under setsid rather than --daemonize, so that $! is its PID
	# from the first moment and a failed start is seen at once.
	setsid redis-server --daemonize no --bind "$RD_HOST" --port "$RD_PORT" --save "" --appendonly no \
		--dir "$NR_DATA/redis" --logfile "$NR_DATA/redis/redis.log" "${auth[@]}" \
		</dev/null >/dev/null 2>&1 9>&- &
	printf '%s\n%s\n' $! "$RD_HOST:$RD_PORT" >"$RD_PIDFILE"
	wait_own "$NR_WAIT" "$RD_PIDFILE" redis-server rd_answers || { tail_log "$NR_DATA/redis/redis.log"; stop_pid "$RD_PIDFILE" redis-server; die "Redis does not answer at $RD_HOST:$RD_PORT"; }
	say "started Redis on $RD_HOST:$RD_PORT"
}

rd_stop() { stop_pid "$RD_PIDFILE" redis-server; }

# ----------------------------------------------------------------------- MinIO

MN_PIDFILE="$NR_DATA/minio.pid"
# Machine-wide, not per data folder: every checkout on this machine (a CI
# clone next to a developer's tree) can then use a MinIO another one started.
MN_CREDS="${NR_MINIO_CREDENTIALS:-${XDG_CONFIG_HOME:-$HOME/.config}/nemrefusion/minio-credentials.env}"

mn_answers() { curl -fsS -m 3 -o /dev/null "$S3_ENDPOINT/minio/health/live" 2>/dev/null; }

minio_bin() {
	local b gobin
	if b=$(command -v minio); then
		echo "$b"
		return
	fi
	if have go; then
		gobin=$(go env GOBIN)
		[ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
		[ -x "$gobin/minio" ] && { echo "$gobin/minio"; return; }
	fi
	die "minio not found on PATH or in \$(go env GOPATH)/bin (run infra/stack/deps.sh)"
}

# mn_credentials OWN sets S3_ACCESS_KEY/S3_SECRET_KEY: from MINIO_ROOT_*, else
# from S3_*; for our own MinIO (OWN=yes) else the stored dev-only pair, which is
# generated on first start. A server that is not ours gets only what the
# environment says.
mn_credentials() {
	local own=$1 user pass
	user=${MINIO_ROOT_USER:-${S3_ACCESS_KEY:-}}
	pass=${MINIO_ROOT_PASSWORD:-${S3_SECRET_KEY:-}}
	if [ "$own" = no ] && { [ -z "$user" ] || [ -z "$pass" ]; } && [ -s "$MN_CREDS" ]; then
		# A MinIO started by another checkout on this machine uses the stored pair.
		user=$(. "$MN_CREDS" && echo "$MINIO_ROOT_USER")
		pass=$(. "$MN_CREDS" && echo "$MINIO_ROOT_PASSWORD")
	fi
	if [ "$own" = yes ] && { [ -z "$user" ] || [ -z "$pass" ]; }; then
		if [ -s "$MN_CREDS" ]; then
			user=$(. "$MN_CREDS" && echo "$MINIO_ROOT_USER")
			pass=$(. "$MN_CREDS" && echo "$MINIO_ROOT_PASSWORD")
		else
			user="nr-dev-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
			pass=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
			mkdir -p "$(dirname "$MN_CREDS")"
			(
				umask 077
				printf '# Development-only MinIO root credentials, generated by infra/stack/services.sh.\nMINIO_ROOT_USER=%s\nMINIO_ROOT_PASSWORD=%s\n' "$user" "$pass" >"$MN_CREDS"
			)
		fi
	fi
	S3_ACCESS_KEY=$user
	S3_SECRET_KEY=$pass
}

# mn_verify: the endpoint accepts the credentials (signed ListBuckets).
mn_verify() {
	local code
	[ -n "$S3_ACCESS_KEY" ] && [ -n "$S3_SECRET_KEY" ] ||
		die "S3 at $S3_ENDPOINT answers but is not ours: set S3_ACCESS_KEY and S3_SECRET_KEY for it"
	code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:${S3_REGION:-eu-north-1}:s3" \
		--user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "$S3_ENDPOINT/" 2>/dev/null) || code=000
	[ "$code" = 200 ] ||
		die "S3 at $S3_ENDPOINT refuses access key $S3_ACCESS_KEY (HTTP $code): set S3_ACCESS_KEY/S3_SECRET_KEY (or MINIO_ROOT_USER/MINIO_ROOT_PASSWORD) to its credentials"
}

mn_start() {
	if mn_answers; then
		if pid_alive "$MN_PIDFILE" minio; then mn_credentials yes; else mn_credentials no; fi
		mn_verify
		return
	fi
	if pid_alive "$MN_PIDFILE" minio; then
		same_addr "$MN_PIDFILE" "$S3_ENDPOINT" MinIO
		mn_credentials yes
		wait_for "$NR_WAIT" mn_answers && { mn_verify; return; }
		die "our MinIO (pid $(cat "$MN_PIDFILE")) does not answer at $S3_ENDPOINT"
	fi
	is_local "$S3_HOST" || die "S3 at $S3_ENDPOINT does not answer (not a local address, so not starting one)"
	local bin log="$NR_DATA/minio/minio.log" console_port=$((S3_PORT + 1))
	bin=$(minio_bin)
	port_free MinIO "$S3_HOST" "$S3_PORT"
	mn_credentials yes
	mkdir -p "$NR_DATA/minio/data"
	# setsid: its own session, so a Ctrl-C in the terminal running `make` does not reach it.
	MINIO_ROOT_USER=$S3_ACCESS_KEY MINIO_ROOT_PASSWORD=$S3_SECRET_KEY MINIO_BROWSER=on \
		MINIO_UPDATE=off MINIO_CALLHOME_ENABLE=off \
		setsid "$bin" server "$NR_DATA/minio/data" --quiet --anonymous \
		--address "$S3_HOST:$S3_PORT" --console-address "$S3_HOST:$console_port" \
		</dev/null >"$log" 2>&1 9>&- &
	printf '%s\n%s\n' $! "$S3_ENDPOINT" >"$MN_PIDFILE"
	wait_own "$NR_WAIT" "$MN_PIDFILE" minio mn_answers || { tail_log "$log"; stop_pid "$MN_PIDFILE" minio; die "MinIO does not answer at $S3_ENDPOINT"; }
	mn_verify
	say "started MinIO on $S3_HOST:$S3_PORT (console $S3_HOST:$console_port)"
}

mn_stop() { stop_pid "$MN_PIDFILE" minio; }

# ---------------------------------------------------------------------- clamd

CL_PIDFILE="$NR_DATA/clamd.pid"
CL_DIR="$NR_DATA/clamav"
CL_CONF="$CL_DIR/clamd.conf"
CL_DB="$CL_DIR/db"

# clamd_cmd COMMAND: send one z-command to clamd, print the reply.
clamd_cmd() {
	timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf "z%s\0" "$3" >&3
		IFS= read -r -d "" reply <&3 || [ -n "$reply" ]
		printf "%s" "$reply"' _ "$CL_HOST" "$CL_PORT" "$1" 2>/dev/null
}

cl_answers() { [ "$(clamd_cmd PING)" = PONG ]; }

# clamd_instream FILE: send the file to clamd as one INSTREAM chunk (so at most
# StreamMaxLength bytes), print the reply ("stream: OK" or "stream: <name> FOUND").
clamd_instream() {
	timeout 30 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
		n=$(stat -c %s "$3")
		printf "zINSTREAM\0" >&3
		printf "$(printf "\\\\x%02x" $((n >> 24 & 255)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))" >&3
		cat "$3" >&3
		printf "\0\0\0\0" >&3
		IFS= read -r -d "" reply <&3 || [ -n "$reply" ]
		printf "%s" "$reply"' _ "$CL_HOST" "$CL_PORT" "$1" 2>/dev/null
}

# cl_sync_db fills the database directory: the project's test signatures, and
# the official databases from /var/lib/clamav when present (symlinked, so
# freshclam updates are seen; no network needed).
cl_sync_db() {
	local f
	mkdir -p "$CL_DB"
	find "$CL_DB" -mindepth 1 -maxdepth 1 \( -type l -o -type f \) -delete
	for f in "$HERE"/clamav/*.ndb "$HERE"/clamav/*.hdb "$HERE"/clamav/*.ldb; do
		[ -f "$f" ] && cp "$f" "$CL_DB/"
	done
	for f in /var/lib/clamav/*.cvd /var/lib/clamav/*.cld; do
		[ -f "$f" ] && ln -s "$f" "$CL_DB/"
	done
	true
}

cl_write_conf() {
	local sock="$CL_DIR/clamd.sock"
	{
		echo "# Generated by infra/stack/services.sh; edits are overwritten."
		echo "TCPSocket $CL_PORT"
		echo "TCPAddr $CL_HOST"
		# Unix socket paths are limited to 107 bytes.
		[ "${#sock}" -lt 100 ] && echo "LocalSocket $sock"
		echo "Foreground no"
		echo "PidFile $CL_DIR/clamd.pid"
		echo "LogFile $CL_DIR/clamd.log"
		echo "LogTime yes"
		echo "DatabaseDirectory $CL_DB"
		echo "TemporaryDirectory ${TMPDIR:-/tmp}"
		echo "StreamMaxLength 25M"
		echo "MaxFileSize 25M"
		echo "MaxScanSize 100M"
		echo "MaxThreads 4"
		echo "ReadTimeout 30"
		echo "CommandReadTimeout 10"
		echo "SelfCheck 600"
		echo "ConcurrentDatabaseReload no"
		echo "BytecodeSecurity TrustSigned"
	} >"$CL_CONF"
	# The user running this script (root, or whoever owns $NR_DATA) runs clamd
	# and can read the database directory: no User directive.
}

cl_start() {
	cl_answers && return
	if pid_alive "$CL_PIDFILE" clamd; then
		same_addr "$CL_PIDFILE" "$CLAMD_ADDR" clamd
		wait_for "$NR_WAIT_CLAMD" cl_answers && return
		die "our clamd (pid $(cat "$CL_PIDFILE")) does not answer at $CLAMD_ADDR"
	fi
	is_local "$CL_HOST" || die "clamd at $CLAMD_ADDR does not answer (not a local address, so not starting one)"
	local bin
	bin=$(command -v clamd || echo /usr/sbin/clamd)
	[ -x "$bin" ] || die "clamd not found (run infra/stack/deps.sh)"
	port_free clamd "$CL_HOST" "$CL_PORT"
	mkdir -p "$CL_DIR"
	rm -f "$CL_DIR/clamd.sock"
	cl_sync_db
	cl_write_conf
	: >"$CL_DIR/clamd.log"
	"$bin" --config-file="$CL_CONF" </dev/null >>"$CL_DIR/clamd.log" 2>&1 9>&- ||
		{ tail_log "$CL_DIR/clamd.log"; die "clamd did not start"; }
	wait_own "$NR_WAIT_CLAMD" "$CL_DIR/clamd.pid" clamd cl_answers ||
		{ tail_log "$CL_DIR/clamd.log"; stop_pid "$CL_DIR/clamd.pid" clamd; die "clamd does not answer at $CLAMD_ADDR after ${NR_WAIT_CLAMD}s"; }
	printf '%s\n%s\n' "$(head -n 1 "$CL_DIR/clamd.pid")" "$CLAMD_ADDR" >"$CL_PIDFILE"
	local n
	n=$(find "$CL_DB" -name '*.cvd' -o -name '*.cld' | wc -l)
	if [ "$n" -eq 0 ]; then
		say "started clamd on $CLAMD_ADDR (test signatures only: no official database in /var/lib/clamav)"
	else
		say "started clamd on $CLAMD_ADDR"
	fi
}

cl_stop() { stop_pid "$CL_PIDFILE" clamd; }

# ------------------------------------------------------------------- commands

write_env() {
	local f="$NR_DATA/stack.env" tmp
	tmp=$(mktemp "$NR_DATA/.stack.env.XXXXXX")
	{
		echo "# Written by infra/stack/services.sh start; holds dev-only credentials. Source it: . $f"
		for k in DATABASE_URL REDIS_URL S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY CLAMD_ADDR; do
			printf 'export %s=%s\n' "$k" "$(shq "${!k}")"
		done
		[ -n "${S3_REGION:-}" ] && printf 'export S3_REGION=%s\n' "$(shq "$S3_REGION")"
		true
	} >"$tmp"
	chmod 600 "$tmp"
	mv "$tmp" "$f"
}

status_line() {
	local name=$1 addr=$2 check=$3 pidfile=$4 proc=$5 who
	if pid_alive "$pidfile" "$proc" && (same_addr "$pidfile" "$6" "$name") 2>/dev/null; then who="ours, pid $(head -n 1 "$pidfile")"; else who="not ours"; fi
	if "$check"; then
		printf '%-9s up    %s (%s)\n' "$name" "$addr" "$who"
	else
		printf '%-9s down  %s\n' "$name" "$addr"
		return 1
	fi
}

cmd=${1:-}
shift || true
for a in "$@"; do
	case "$a" in
	--test) ;; # same services for tests
	*) die "unknown option $a" ;;
	esac
done

mkdir -p "$NR_DATA"
# One start/stop at a time per data folder (parallel `make test` runs). The
# servers we start get fd 9 closed (9>&-) so that they do not keep the lock.
exec 9>"$NR_DATA/.lock"

case "$cmd" in
start)
	flock -w 300 9 || die "another services.sh holds $NR_DATA/.lock"
	have pg_isready && have psql && have redis-cli && have curl || die "client tools missing (run infra/stack/deps.sh)"
	pg_start
	rd_start
	mn_start
	cl_start
	write_env
	;;
stop)
	flock -w 300 9 || die "another services.sh holds $NR_DATA/.lock"
	cl_stop
	mn_stop
	rd_stop
	pg_stop
	;;
status)
	rc=0
	status_line postgres "$PG_HOST:$PG_PORT/$PG_DB" pg_answers "$PG_PIDFILE" postgres "$PG_HOST:$PG_PORT" || rc=1
	status_line redis "$RD_HOST:$RD_PORT" rd_answers "$RD_PIDFILE" redis-server "$RD_HOST:$RD_PORT" || rc=1
	status_line minio "$S3_ENDPOINT" mn_answers "$MN_PIDFILE" minio "$S3_ENDPOINT" || rc=1
	status_line clamd "$CLAMD_ADDR" cl_answers "$CL_PIDFILE" clamd "$CLAMD_ADDR" || rc=1
	exit "$rc"
	;;
check)
	# EICAR, assembled here so that no file in the repository holds it.
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-'
	printf '%sTEST-FILE!$H+H*' "$eicar" >"$tmp/eicar"
	printf 'Sygemelding, helt almindelig tekst.\n' >"$tmp/clean"
	r=$(clamd_instream "$tmp/eicar") || die "clamd at $CLAMD_ADDR: INSTREAM failed"
	[[ "$r" == *FOUND ]] || die "clamd at $CLAMD_ADDR did not flag the EICAR test string (reply: $r)"
	r=$(clamd_instream "$tmp/clean") || die "clamd at $CLAMD_ADDR: INSTREAM failed"
	[ "$r" = "stream: OK" ] || die "clamd at $CLAMD_ADDR flagged a clean text (reply: $r)"
	;;
*)
	echo "usage: $0 start|stop|status|check [--test]" >&2
	exit 2
	;;
esac
