#!/usr/bin/env bash
# Starts local PostgreSQL and Redis for development and CI, where they are
# installed (Debian packages), unless they already answer. Idempotent.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then echo "$name is up"; return 0; fi
    sleep 0.5
  done
  echo "$name did not come up" >&2
  return 1
}

if pg_isready -h "$PGHOST" -p "$PGPORT" -q 2>/dev/null; then
  echo "PostgreSQL is up"
elif command -v pg_ctlcluster >/dev/null 2>&1; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL pg_isready -h "$PGHOST" -p "$PGPORT"
else
  echo "PostgreSQL is not running and pg_ctlcluster is not installed" >&2
  exit 1
fi

if redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
  echo "Redis is up"
elif command -v redis-server >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no
  wait_for Redis sh -c "redis-cli -p $REDIS_PORT ping | grep -q PONG"
else
  echo "Redis is not running and redis-server is not installed" >&2
  exit 1
fi
