#!/usr/bin/env bash
# A PostgreSQL image for the pair's container test (docker-compose.pair.yml's `postgres` service),
# made here because no image registry is reachable: the base image of scripts/container-base-image.sh
# (Debian bookworm) with Debian's postgresql-15. It behaves as the official postgres image does for
# what the compose file uses: on the first start (an empty /var/lib/postgresql/data, a volume) it
# makes the cluster with the superuser POSTGRES_USER (default postgres), whose password is
# POSTGRES_PASSWORD (required), and the database POSTGRES_DB (default: the user's name); it listens
# on 5432 on every interface, with password authentication (scram-sha-256) over the network;
# pg_isready is on the PATH; the server runs as the user postgres, in the foreground, and stops
# cleanly (a fast shutdown: sessions ended, the data checkpointed) on SIGTERM or SIGINT.
# Kept between runs: made again only when `docker image inspect` cannot find it (its tag names this
# script's contents, so a changed script makes a new image).
set -euo pipefail
DOCKER=${DOCKER:-/usr/bin/docker}
image=${1:-riohub-test/postgres:15-$(sha256sum "$0" | cut -c1-12)}
if "$DOCKER" image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi
base=$(bash "$(dirname "$0")/container-base-image.sh")
context=$(mktemp -d /tmp/riohub-postgres-image-XXXXXX)
trap 'rm -rf "$context"' EXIT
echo "riohub: making the PostgreSQL image $image (Debian's postgresql-15, under a minute)" >&2

cat >"$context/entrypoint.sh" <<'EOF'
#!/bin/sh
# As root: the data folder made the postgres user's, then this script again as that user.
set -eu
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 0700 "$PGDATA"
  export HOME=/var/lib/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres: the database is uninitialized and POSTGRES_PASSWORD is not set: set it, the password of the superuser ${POSTGRES_USER:-postgres}" >&2
    exit 1
  fi
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA"
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # On the socket only while the database is made: nobody on the network sees a half-made server.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
    psql -v ON_ERROR_STOP=1 --username="$user" --dbname=postgres --set=db="$db" <<'SQL'
CREATE DATABASE :"db";
SQL
    pg_ctl -D "$PGDATA" -m fast -w stop
  fi
  echo "postgres: made the cluster, the superuser $user and the database $db" >&2
fi
# In the foreground under tini; SIGTERM (docker stop, compose down) and SIGINT are a fast shutdown:
# a smart one (postgres's own answer to SIGTERM) would wait for every client to leave first.
postgres "$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true' TERM INT
while :; do
  status=0
  wait "$pid" || status=$?
  kill -0 "$pid" 2>/dev/null || exit "$status"
done
EOF

cat >"$context/Dockerfile" <<EOF
FROM $base
# Debian's package makes no cluster of its own: the entrypoint makes one in the volume.
RUN mkdir -p /etc/postgresql-common/createcluster.d \\
 && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/riohub.conf \\
 && apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \\
 && apt-get clean && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \\
 && chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql \\
 && chmod 0700 /var/lib/postgresql/data
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 0755 /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:\$PATH \\
    PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["tini", "--", "docker-entrypoint.sh"]
EOF
DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$image" "$context" >&2
echo "$image"
