#!/usr/bin/env bash
# measure-scale.sh: issue 14's goals measured in one go, the way BENCHMARKS.md quotes them.
#
#   scripts/measure-scale.sh BINARY DATA100K OUTDIR [BASEPORT]
#
# BINARY is a built `midonet`; DATA100K is a data dir holding 100,000 ports (never written:
# every phase starts the server cold on a fresh `cp -a` of it under OUTDIR); OUTDIR receives
# each `midonet load --json` report, the server logs, a heap profile, and summary.txt, one
# line a figure. BASEPORT (default 9960) and the next port are used. Set PG_ADDR to a
# PostgreSQL server's host:port whose user postgres connects without a password (section 1 of
# BENCHMARKS.md starts one) to add the PostgreSQL rows: one new database a run.
# Run it on a quiet machine: it records the load average beside each phase. Each copy is
# synced before its server starts: the kernel writes a copy's dirty pages out about 30 s
# later otherwise, in one burst that stalled every sync of the server under test for
# ~150-200 ms in the middle of a run (BENCHMARKS.md, "The checkpoint's syncs paced").
set -euo pipefail
bin=$(readlink -f "$1"); src=$(readlink -f "$2"); out=$3; base=${4:-9960}
mkdir -p "$out"; out=$(readlink -f "$out"); cd "$out"
port=$base; pprof=$((base + 1))
summary=$out/summary.txt; : > "$summary"
say() { echo "$*" | tee -a "$summary"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
ms() { jq -r "$1 / 1e6 | . * 100 | round / 100" "$2"; }

serve() { # serve DATADIR TAG [extra serve flags…]: start cold, wait for the first answer and OK
	local dir=$1 tag=$2; shift 2
	local t0; t0=$(date +%s.%N)
	MIDONET_PPROF_ADDR=127.0.0.1:$pprof "$bin" serve --data-dir "$dir" --bind-port "$port" "$@" > "serve-$tag.log" 2>&1 &
	pid=$!
	until curl -sf -o /dev/null -H 'X-Project-Id: loadgen' "http://127.0.0.1:$port/v2.0/networks"; do
		kill -0 $pid 2>/dev/null || { echo "server $tag died; see serve-$tag.log" >&2; exit 1; }
		sleep 0.02
	done
	first=$(echo "$(date +%s.%N) - $t0" | bc)
	until [ "$(curl -s "http://127.0.0.1:$port/healthcheck")" = OK ]; do sleep 0.2; done
	synced=$(echo "$(date +%s.%N) - $t0" | bc)
}
stop() { kill "$pid"; wait "$pid" || true; }
run() { # run TAG load flags…
	local tag=$1; shift
	"$bin" load --url "http://127.0.0.1:$port" --quiet --json "$@" > "load-$tag.json"
}
creates() { # creates TAG FILE: a port_create line, then commit→applied's stages (p50 / p99)
	say "$1: p50 $(ms .port_create.p50_ns "$2") ms, p99 $(ms .port_create.p99_ns "$2") ms, $(jq -r '.port_create.ports_per_s | round' "$2") /s, CPU $(ms .server.cpu_per_port_ns "$2") ms a port, commit→applied p50 $(ms .server.commit_to_applied.p50_ns "$2") / p99 $(ms .server.commit_to_applied.p99_ns "$2") ms (load $(load))"
	say "  stages: $(jq -r '.server.commit_to_applied_stages // {} | to_entries | map("\(.key) \(.value.p50_ns / 1e4 | round / 100) / \(.value.p99_ns / 1e4 | round / 100)") | join(", ")' "$2") ms"
}

# --- 100,000 ports ---
rm -rf data100k; cp -a "$src" data100k; sync
serve data100k 100k
say "100k first answer ${first} s, synced ${synced} s (load $(load))"
sleep 15
say "100k idle: $(grep -E 'VmRSS|RssAnon|RssFile|VmHWM' /proc/$pid/status | tr -s ' \t' ' ' | tr '\n' ' ')"
curl -s -o heap-100k.pb.gz "http://127.0.0.1:$pprof/debug/pprof/heap?gc=1"
say "100k live heap after GC: $(go tool pprof -top -sample_index=inuse_space heap-100k.pb.gz 2>/dev/null | grep -m1 'total' || true)"
for round in 1 2; do
	line="100k pages of 100 p50 (round $round):"
	for s in id:asc id:desc name:asc name:desc mac_address:asc mac_address:desc created_at:asc created_at:desc; do
		run "page-$s-$round" --ports 0 --list 0 --page 100 --pages 50 --page-sort "$s"
		line="$line $s $(ms .page_walk.p50_ns "load-page-$s-$round.json")"
	done
	say "$line ms (load $(load))"
done
run filter --concurrency 1 --ports 200 --list 0 --mix list=100 --mix-ops 300
say "100k device_id filter: p50 $(ms .mix.operations.list.p50_ns load-filter.json) ms, p99 $(ms .mix.operations.list.p99_ns load-filter.json) ms"
run c1-100k --concurrency 1 --ports 2000 --list 0
creates "100k 1 client" load-c1-100k.json
run c8-100k --concurrency 8 --ports 3000 --list 0
creates "100k 8 clients" load-c8-100k.json
say "100k after the runs: $(grep -E 'VmRSS' /proc/$pid/status | tr -s ' \t' ' ')"
stop
rm -rf data100k; cp -a "$src" data100k; sync
/usr/bin/time -f "%e s wall, %U s user, %S s system, %M KB max RSS" -o verify.time "$bin" db-manage --data-dir data100k verify > verify.out 2>&1 || true
say "100k verify: $(cat verify.time); $(tail -1 verify.out)"
rm -rf data100k

# --- 10,000 ports, SQLite ---
rm -rf data10k
serve data10k 10k
run c8-10k --concurrency 8 --ports 10000 --list 0
creates "10k 8 clients" load-c8-10k.json
run list-10k --ports 0 --list 9
say "10k full list: min $(ms .port_list.min_ns load-list-10k.json) ms, p50 $(ms .port_list.p50_ns load-list-10k.json) ms"
run c1-10k --concurrency 1 --ports 3000 --list 0
creates "10k 1 client" load-c1-10k.json
stop
rm -rf data10k

# --- PostgreSQL (optional) ---
if [ -n "${PG_ADDR:-}" ]; then
	pghost=${PG_ADDR%:*} pgport=${PG_ADDR##*:}
	for c in 1 8; do
		db=measure_$$_$c
		createdb -h "$pghost" -p "$pgport" -U postgres "$db"
		rm -rf datapg; mkdir datapg
		printf '[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = postgresql://postgres@%s/%s\n' "$PG_ADDR" "$db" > pg.conf
		serve datapg "pg-$c" --config-file pg.conf
		run "pg-c$c" --concurrency "$c" --ports 3000 --list 0 --postgres
		creates "PostgreSQL $c client(s), 3,000 ports" "load-pg-c$c.json"
		stop
		dropdb -h "$pghost" -p "$pgport" -U postgres "$db"
	done
	rm -rf datapg
fi
echo "summary in $summary"
