#!/usr/bin/env bash
# pg.sh BIN TAG PORT CLIENTS PORTS: port creates on PostgreSQL. Makes a new database on the
# server PG_ADDR names (host:port, user postgres without a password; BENCHMARKS.md section 1
# starts one), serves on it from a new data dir, makes 500 ports to warm up, then PORTS ports
# by CLIENTS clients (`midonet load --json`, kept as pg-TAG.json), prints one line (rate, p50,
# p99, server CPU a create, commit → applied p99), and drops the database. With PROF=1 a 6 s
# CPU profile of the timed phase is kept as pgcpu-TAG.pb.gz (the server's pprof on PORT+1).
# With STATS=1 it prints PostgreSQL's own time a statement of the timed phase; that needs the
# server started with -c shared_preload_libraries=pg_stat_statements. With QUOTA=N the
# project's quotas are N (`midonet load --quota`: each create checks its usage) instead of
# lifted.
set -euo pipefail
bin=$1 tag=$2 port=$3 clients=$4 ports=$5
. "$(dirname "$0")/../keyindex/lib.sh"
host=${PG_ADDR%:*} pgport=${PG_ADDR##*:}
db=pgbench_$tag
psql() { command psql -h "$host" -p "$pgport" -U postgres -d "$db" -qX "$@"; }
createdb -h "$host" -p "$pgport" -U postgres "$db"
printf '[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = postgresql://postgres@%s/%s\n' "$PG_ADDR" "$db" > "pg-$tag.conf"
rm -rf "pgd-$tag"
MIDONET_PPROF_ADDR=127.0.0.1:$((port + 1)) "$bin" serve --config-file "pg-$tag.conf" --data-dir "pgd-$tag" --bind-port "$port" > "pgs-$tag.log" 2>&1 &
pid=$!
until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.2; done
url=http://127.0.0.1:$port
quota=(--quota "${QUOTA:-0}")
"$bin" load --url "$url" --quiet --json --concurrency "$clients" --ports 500 --list 0 "${quota[@]}" > /dev/null
if [ "${STATS:-}" = 1 ]; then
	psql -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" > /dev/null
fi
profile=
[ "${PROF:-}" != 1 ] || profile=pgcpu-$tag.pb.gz
load_profiled "$bin" "$url" "pg-$tag.json" "$profile" 6 $((port + 1)) --concurrency "$clients" --ports "$ports" --list 0 "${quota[@]}"
f=pg-$tag.json
ms() { jq -r "$1 / 1e4 | round / 100" "$f"; }
echo "$tag, $clients client(s): $(jq '.port_create.ports_per_s | round' "$f") /s, p50 $(ms .port_create.p50_ns) ms," \
	"p99 $(ms .port_create.p99_ns) ms, CPU $(ms .server.cpu_per_port_ns) ms a create," \
	"commit → applied p99 $(ms .server.commit_to_applied.p99_ns) ms"
if [ "${STATS:-}" = 1 ]; then
	psql -c "SELECT calls, round(total_exec_time::numeric, 1) AS ms, round((total_exec_time / calls)::numeric, 3) AS ms_a_call,
		wal_records, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS statement
		FROM pg_stat_statements WHERE calls >= $ports / 2 ORDER BY total_exec_time DESC"
fi
kill "$pid"; wait "$pid" || true
rm -rf "pgd-$tag"
dropdb -h "$host" -p "$pgport" -U postgres "$db"
