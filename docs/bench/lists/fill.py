# fill.py URL FROM TO NET SUB: bulk-creates ports FROM..TO-1 (names p<i>, device vm<i/4>).
import json, sys, urllib.request
url, a, b, net, sub = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
H = {"Content-Type": "application/json", "X-Project-Id": "bench", "X-User-Id": "bench"}
for k in range(a, b, 250):
    ports = []
    for i in range(k, min(k + 250, b)):
        n = i + 2
        ports.append({"network_id": net, "name": "p%d" % i, "device_owner": "compute:nova", "device_id": "vm%d" % (i // 4),
                      "fixed_ips": [{"subnet_id": sub, "ip_address": "10.%d.%d.%d" % (n >> 16, (n >> 8) & 255, n & 255)}]})
    req = urllib.request.Request(url + "/v2.0/ports", data=json.dumps({"ports": ports}).encode(), headers=H, method="POST")
    with urllib.request.urlopen(req, timeout=600) as r:
        assert r.status == 201, r.status
