# measure.py URL N REPS: p50/min of pages, the device_id filter and (at <= 20,000 ports) the full list.
import json, sys, time, urllib.request, statistics
url, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
H = {"X-Project-Id": "bench", "X-User-Id": "bench"}
def get(path):
    t = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url + path, headers=H), timeout=600) as r:
        body = r.read()
    return time.perf_counter() - t, body
_, b = get("/v2.0/ports?fields=id&name=p%d" % (n // 2))
marker = json.loads(b)["ports"][0]["id"]
cases = [("page id", ""), ("page name asc", "&sort_key=name&sort_dir=asc"), ("page name desc", "&sort_key=name&sort_dir=desc"),
         ("page created_at desc", "&sort_key=created_at&sort_dir=desc"), ("page status asc", "&sort_key=status&sort_dir=asc"),
         ("page status desc", "&sort_key=status&sort_dir=desc"), ("page mac asc reverse", "&sort_key=mac_address&sort_dir=asc&page_reverse=True")]
out = {}
for name, q in cases:
    ts = []
    for _ in range(reps):
        dt, body = get("/v2.0/ports?limit=100&marker=" + marker + q)
        assert len(json.loads(body)["ports"]) == 100
        ts.append(dt * 1000)
    out[name] = ts
ts = []
for i in range(reps * 3):
    dt, body = get("/v2.0/ports?device_id=vm%d" % ((i * 7919) % (n // 4)))
    assert len(json.loads(body)["ports"]) == 4
    ts.append(dt * 1000)
out["filter device_id"] = ts
if n <= 20000:
    ts = []
    for _ in range(max(5, reps // 2)):
        dt, body = get("/v2.0/ports")
        assert len(json.loads(body)["ports"]) == n
        ts.append(dt * 1000)
    out["full list (%d ports, %.1f MB)" % (n, len(body) / 1e6)] = ts
for k, ts in out.items():
    print("%-40s p50 %8.1f ms  min %8.1f ms  (n=%d)" % (k, statistics.median(ts), min(ts), len(ts)))
