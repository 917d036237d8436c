# fulllist.py URL N REPS: p50/min of the full list of N ports (GET /v2.0/ports), as an admin
# and as a member of the project owning the ports, one client, keep-alive off; the first
# list of each (which fills the server's decoded-document cache) is not counted. With the
# server's PID as a fourth argument it also reports the CPU time the server spent per list
# (user + system, from /proc/PID/stat: what the machine's load does not inflate as much).
import json, os, sys, time, urllib.request, statistics
url, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pid = sys.argv[4] if len(sys.argv) > 4 else None
def cpu_ms():
    if not pid:
        return 0.0
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
callers = [("admin", {"X-Project-Id": "bench", "X-User-Id": "bench"}),
           ("member", {"X-Project-Id": "bench", "X-User-Id": "bench", "X-Roles": "member"})]
for name, h in callers:
    ts = []
    for i in range(reps + 1):
        if i == 1:
            c0 = cpu_ms()
        t = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(url + "/v2.0/ports", headers=h), timeout=600) as r:
            body = r.read()
        dt = (time.perf_counter() - t) * 1000
        assert len(json.loads(body)["ports"]) == n
        if i > 0:
            ts.append(dt)
    cpu = (cpu_ms() - c0) / reps
    print("full list as %-6s (%d ports, %.1f MB)  p50 %7.1f ms  min %7.1f ms  (n=%d)%s" % (name, n, len(body) / 1e6, statistics.median(ts), min(ts), len(ts),
          "  server CPU %.0f ms a list" % cpu if pid else ""))
