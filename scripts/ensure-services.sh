#!/usr/bin/env bash
# Make sure the services the test suite talks to are up: PostgreSQL and Redis on loopback,
# and Debian's Chromium for the browser tests. Installs what is missing (needs root and apt).
set -euo pipefail

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing $*; install it (Debian: apt-get install $*)" >&2; exit 1
  fi
  [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Redis: keeps nothing on disk; the tests wipe it.
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# PostgreSQL with trust auth on 127.0.0.1 and a database named `test`.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.1; done
fi
if ! psql -h 127.0.0.1 -U postgres -tAc "select 1" test >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -c "create database test" >/dev/null
fi

# Chromium for Playwright (Playwright's own browser download does not work offline).
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
echo "services: redis $(redis-cli -h 127.0.0.1 ping), postgres $(pg_isready -h 127.0.0.1 | cut -d' ' -f3-), chromium $(/usr/bin/chromium --version 2>/dev/null | cut -d' ' -f2)"
