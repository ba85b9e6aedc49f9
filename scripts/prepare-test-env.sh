#!/usr/bin/env bash
# Installs and starts what the tests need beyond npm packages: Debian's Chromium for the browser tests,
# and a PostgreSQL server answering on 127.0.0.1:5432 with a database `test` for the integration tests.
# Needs root (apt-get); touches the PostgreSQL configuration only of a server it installed itself.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
updated=""
apt_install() {
  [[ -n "$updated" ]] || { apt-get update -qq; updated=1; }
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [[ ! -x /usr/bin/chromium ]]; then
  echo "Installing Debian's Chromium for the browser tests" >&2
  apt_install chromium
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "Installing PostgreSQL for the integration tests" >&2
  apt_install postgresql
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  # The tests connect as postgres over TCP without a password, as on the CI machines.
  sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "/etc/postgresql/$version/main/pg_hba.conf"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  su postgres -c "createdb test" 2>/dev/null || true
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "Starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p 5432 >/dev/null
fi
