#!/usr/bin/env bash
# pgquota.sh OLD NEW PORT PORTS: what a quota check costs on PostgreSQL at PORTS ports, and
# what the upgrade that adds resource_counts (migration 0010) takes. On a new database of
# the server PG_ADDR names (host:port, user postgres, no password): OLD serves and makes
# PORTS ports by 8 clients with the quotas lifted, then 1,000 creates by 1 client with the
# project's quotas at 1,000,000 (each create checks its usage) and 1,000 with them lifted;
# then NEW serves the same database (upgrading it; the start-up's log line with the applied
# migrations is printed) and makes the same two sets of 1,000. Prints each set's p50/p99 and
# server CPU a create, and drops the database. Each server's creates begin 40 s after its
# /healthcheck said OK (the cluster's start-up load of the ports is over by then).
set -euo pipefail
old=$1 new=$2 port=$3 ports=$4
host=${PG_ADDR%:*} pgport=${PG_ADDR##*:}
db=pgquota_$$
createdb -h "$host" -p "$pgport" -U postgres "$db"
printf '[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = postgresql://postgres@%s/%s\n' "$PG_ADDR" "$db" > "pgq.conf"
url=http://127.0.0.1:$port
serve() { # serve BIN TAG
	rm -rf "pgqd-$2"
	"$1" serve --config-file pgq.conf --data-dir "pgqd-$2" --bind-port "$port" > "pgqs-$2.log" 2>&1 &
	pid=$!
	until [ "$(curl -s "$url/healthcheck")" = OK ]; do sleep 0.2; done
	up=$(date +%s.%N)
}
stop() { kill "$pid"; wait "$pid" || true; rm -rf "pgqd-$1"; }
creates() { # creates BIN TAG
	sleep 40
	for q in 1000000 0; do
		f=pgq$q-$2.json
		"$1" load --url "$url" --quiet --json --concurrency 1 --ports 1000 --list 0 --quota "$q" > "$f"
		ms() { jq -r "$1/1e4|round/100" "$f"; }
		echo "$2 quota $q: p50 $(ms .port_create.p50_ns) p99 $(ms .port_create.p99_ns) ms, CPU $(ms .server.cpu_per_port_ns) ms a create"
	done
}
serve "$old" old
sleep 40
"$old" load --url "$url" --quiet --json --concurrency 8 --ports "$ports" --list 0 > /dev/null
creates "$old" old
stop old
t0=$(date +%s.%N)
serve "$new" new
echo "new: upgraded and answering after $(echo "$up - $t0" | bc | cut -c1-5) s; $(grep -m1 -o 'database schema upgraded.*' pgqs-new.log || true)"
creates "$new" new
stop new
dropdb -h "$host" -p "$pgport" -U postgres "$db"
