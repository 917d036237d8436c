#!/usr/bin/env bash
# pgwal.sh BIN TAG PGPORT PORT CLIENTS N: as root, start a private PostgreSQL 15 on PGPORT (a
# new cluster in ./pg-TAG, default durability), serve a new data dir on it, create 2,000 ports
# with one client, then N with CLIENTS clients, and print the WAL PostgreSQL wrote a port
# (pg_current_wal_lsn before and after) with the run's rate and server CPU a port.
set -euo pipefail
bin=$1 tag=$2 pgport=$3 port=$4 clients=$5 n=$6
pgbin=/usr/lib/postgresql/15/bin
dir=$PWD/pg-$tag
rm -rf "$dir"; mkdir -p "$dir"; chown postgres "$dir"
su postgres -c "$pgbin/initdb -D $dir/data -A trust -U postgres" > "$dir/initdb.log"
su postgres -c "$pgbin/pg_ctl -D $dir/data -o '-p $pgport -k /tmp' -l $dir/pg.log -w start" > /dev/null
trap 'su postgres -c "$pgbin/pg_ctl -D $dir/data -m fast stop" > /dev/null; rm -rf "$dir"' EXIT
psql() { command psql -h 127.0.0.1 -p "$pgport" -U postgres -Atq "$@"; }
psql -c "CREATE DATABASE mn"
printf '[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = postgresql://postgres@127.0.0.1:%s/mn\n' "$pgport" > "$dir/mn.conf"
"$bin" serve --config-file "$dir/mn.conf" --data-dir "$dir/d" --bind-port "$port" > "$dir/serve.log" 2>&1 &
pid=$!
until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.3; done
url=http://127.0.0.1:$port
"$bin" load --url "$url" --quiet --json --concurrency 1 --ports 2000 --list 0 > "$dir/warm.json"
lsn0=$(psql -d mn -c "SELECT pg_current_wal_lsn()")
"$bin" load --url "$url" --quiet --json --concurrency "$clients" --ports "$n" --list 0 > "$dir/run.json"
bytes=$(psql -d mn -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0')")
echo "$tag $clients client(s): $(( ${bytes%.*} / n )) bytes of PostgreSQL WAL a port;" \
	"$(jq '.port_create.ports_per_s|round' "$dir/run.json")/s, CPU $(jq '.server.cpu_per_port_ns/1e4|round/100' "$dir/run.json") ms a port (the server's)"
kill "$pid"; wait "$pid" || true
