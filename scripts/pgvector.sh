#!/bin/sh
# pgvector.sh starts and stops a real PostgreSQL 17 + pgvector server for the
# chains/rag integration tests.
#
#   scripts/pgvector.sh start    # prints `export PGVECTOR_URL=…` lines; eval them
#   scripts/pgvector.sh stop
#   scripts/pgvector.sh status
#
# Debian 12 has no pgvector package, and trixie's postgresql-17-pgvector needs
# a newer libc than bookworm's. So the server runs from a Debian trixie root
# made with debootstrap (see /work/shared/infra.md §1(c)). The root is cached
# in $PGVECTOR_ROOT and reused when it already holds vector.so; building it
# takes about a minute and 700 MB.
#
# start creates three databases (rag1, rag2, rag3) for the sharded-store test
# and prints PGVECTOR_URL, PGVECTOR_URL_2 and PGVECTOR_URL_3. It also starts a
# host pgbouncer (installed with apt if missing) in transaction pooling mode in
# front of the databases and prints PGVECTOR_PGBOUNCER_URL; if pgbouncer cannot
# be had, that variable is left out and its test skips.
#
# start is idempotent: if the server already runs it only prints the exports.
# The data directory is created fresh by every start and deleted by stop.
# Needs root (debootstrap, mount, chroot).
#
# Environment (all optional):
#   PGVECTOR_ROOT      cached trixie root   (default /var/cache/langserve-go/trixie)
#   PGVECTOR_PORT      server port          (default 54317)
#   PGBOUNCER_PORT     pgbouncer port       (default 54318)
#   DEBIAN_MIRROR      debootstrap mirror   (default http://deb.debian.org/debian)
set -eu

ROOT=${PGVECTOR_ROOT:-/var/cache/langserve-go/trixie}
PORT=${PGVECTOR_PORT:-54317}
BOUNCER_PORT=${PGBOUNCER_PORT:-54318}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PGBIN=/usr/lib/postgresql/17/bin
# Paths inside the chroot.
DATA=/var/lib/postgresql/langserve-$PORT
LOG=/tmp/langserve-pg-$PORT.log
# pgbouncer runs on the host, as the host's postgres user.
BOUNCER_DIR=/tmp/langserve-pgbouncer-$BOUNCER_PORT
DBS="rag1 rag2 rag3"

log() { echo "pgvector.sh: $*" >&2; }

in_root() { chroot "$ROOT" su postgres -s /bin/sh -c "$1"; }

is_mounted() { mountpoint -q "$1"; }

mount_root() {
	is_mounted "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
	is_mounted "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
}

umount_root() {
	# Servers on other ports may share the root; leave it mounted for them.
	for d in "$ROOT"/var/lib/postgresql/langserve-*; do
		[ -e "$d" ] && [ "$d" != "$ROOT$DATA" ] && return 0
	done
	# Each unmount is tried on its own so that one failure does not leave
	# the other mounted.
	if is_mounted "$ROOT/dev"; then umount "$ROOT/dev" || umount -l "$ROOT/dev" || true; fi
	if is_mounted "$ROOT/proc"; then umount "$ROOT/proc" || umount -l "$ROOT/proc" || true; fi
}

server_running() {
	[ -f "$ROOT$DATA/postmaster.pid" ] || return 1
	is_mounted "$ROOT/proc" || return 1
	in_root "$PGBIN/pg_ctl -D $DATA status" >/dev/null 2>&1
}

bouncer_running() {
	[ -f "$BOUNCER_DIR/pgbouncer.pid" ] && kill -0 "$(cat "$BOUNCER_DIR/pgbouncer.pid")" 2>/dev/null
}

print_env() {
	base="postgres://postgres@127.0.0.1:$PORT"
	echo "export PGVECTOR_URL='$base/rag1?sslmode=disable'"
	echo "export PGVECTOR_URL_2='$base/rag2?sslmode=disable'"
	echo "export PGVECTOR_URL_3='$base/rag3?sslmode=disable'"
	if bouncer_running; then
		# Transaction pooling breaks pgx's default statement cache (42P05),
		# so the URL selects cache_describe.
		echo "export PGVECTOR_PGBOUNCER_URL='postgres://postgres@127.0.0.1:$BOUNCER_PORT/rag1?sslmode=disable&default_query_exec_mode=cache_describe'"
	fi
}

ensure_root() {
	if [ -f "$ROOT/usr/lib/postgresql/17/lib/vector.so" ]; then
		return
	fi
	if ! command -v debootstrap >/dev/null; then
		log "installing debootstrap"
		apt-get install -y --no-install-recommends debootstrap >&2 ||
			{ apt-get update >&2 && apt-get install -y --no-install-recommends debootstrap >&2; } || {
			log "debootstrap is missing and could not be installed: apt-get install -y debootstrap"
			exit 1
		}
	fi
	log "building the trixie root in $ROOT (takes about a minute)"
	mkdir -p "$(dirname "$ROOT")"
	tmp="$ROOT.partial.$$"
	rm -rf "$tmp"
	# Build into a temporary directory and rename, so an interrupted build
	# never looks like a usable cache.
	debootstrap --variant=minbase \
		--include=postgresql-17,postgresql-17-pgvector,postgresql-17-age \
		trixie "$tmp" "$MIRROR" >&2
	rm -rf "$ROOT"
	mv "$tmp" "$ROOT"
}

ensure_bouncer() {
	command -v pgbouncer >/dev/null && return 0
	command -v apt-get >/dev/null || return 1
	log "installing pgbouncer (for the transaction-pooling tests)"
	apt-get install -y --no-install-recommends pgbouncer >&2 ||
		{ apt-get update >&2 && apt-get install -y --no-install-recommends pgbouncer >&2; }
}

start_bouncer() {
	# pgbouncer is optional: without it the pgbouncer test skips.
	ensure_bouncer || { log "pgbouncer unavailable; PGVECTOR_PGBOUNCER_URL not set"; return 0; }
	# It refuses to run as root, and Debian's package creates the postgres user.
	id postgres >/dev/null 2>&1 || return 0
	bouncer_running && return 0
	mkdir -p "$BOUNCER_DIR"
	echo '"postgres" ""' >"$BOUNCER_DIR/users.txt"
	{
		echo "[databases]"
		for db in $DBS; do echo "$db = host=127.0.0.1 port=$PORT dbname=$db"; done
		echo "[pgbouncer]"
		echo "listen_addr = 127.0.0.1"
		echo "listen_port = $BOUNCER_PORT"
		echo "unix_socket_dir ="
		echo "auth_type = trust"
		echo "auth_file = $BOUNCER_DIR/users.txt"
		echo "pool_mode = transaction"
		echo "default_pool_size = 4"
		echo "logfile = $BOUNCER_DIR/pgbouncer.log"
		echo "pidfile = $BOUNCER_DIR/pgbouncer.pid"
	} >"$BOUNCER_DIR/pgbouncer.ini"
	chown -R postgres "$BOUNCER_DIR"
	# pgbouncer refuses to run as root.
	su postgres -s /bin/sh -c "pgbouncer -d $BOUNCER_DIR/pgbouncer.ini" >&2
	i=0
	until bouncer_running; do
		i=$((i + 1))
		[ $i -lt 100 ] || { log "pgbouncer did not start; see $BOUNCER_DIR/pgbouncer.log"; return 1; }
		sleep 0.05
	done
}

stop_bouncer() {
	if bouncer_running; then
		pid=$(cat "$BOUNCER_DIR/pgbouncer.pid")
		kill "$pid"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.05; done
	fi
	rm -rf "$BOUNCER_DIR"
}

start() {
	if server_running; then
		start_bouncer || log "pgbouncer did not start; its test will skip"
		print_env
		return
	fi
	[ "$(id -u)" = 0 ] || { log "must run as root (debootstrap, mount, chroot)"; exit 1; }
	ensure_root
	# Until everything is up, any failure stops the server and unmounts.
	trap 'stop' EXIT
	trap 'exit 1' INT TERM HUP
	mount_root
	rm -rf "$ROOT$DATA"
	in_root "$PGBIN/initdb -D $DATA -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/tmp/langserve-initdb-$PORT.log"
	in_root "$PGBIN/pg_ctl -D $DATA -l $LOG -w -o '-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=/tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200' start" >&2
	for db in $DBS; do
		in_root "$PGBIN/psql -q -h 127.0.0.1 -p $PORT -d postgres -c 'CREATE DATABASE $db'" >&2
	done
	trap - EXIT INT TERM HUP
	# pgbouncer is optional (a busy port must not fail the database).
	start_bouncer || log "pgbouncer did not start; its test will skip"
	print_env
}

stop() {
	stop_bouncer
	if [ -f "$ROOT$DATA/postmaster.pid" ] && is_mounted "$ROOT/proc"; then
		in_root "$PGBIN/pg_ctl -D $DATA -m fast -w stop" >&2 || true
	fi
	rm -rf "$ROOT$DATA"
	umount_root
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status)
	if server_running; then echo "running on 127.0.0.1:$PORT"; print_env; else
		echo "stopped"
		exit 1
	fi
	;;
*)
	echo "usage: $0 start|stop|status" >&2
	exit 2
	;;
esac
