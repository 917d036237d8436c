#!/usr/bin/env bash
# build-test.sh: build contrib/container/Dockerfile with Debian's buildah and run the image:
# `midonet --version`, then `midonet serve` answering /healthcheck and the Neutron API, and
# stopping on SIGTERM. Needs root and buildah (apt-get install buildah); no registry: the
# builder image (GO_IMAGE) is made here from this host's Go toolchain, and modules come from
# this host's module cache (GOPROXY=off), so only the Dockerfile's own steps are exercised.
#
#   contrib/container/build-test.sh       exit 0 when the image builds and runs
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v buildah >/dev/null || { echo "build-test: buildah not found (apt-get install buildah)" >&2; exit 2; }
B=(buildah --storage-driver vfs)
TAG=localhost/midonet-build-test:$$
GO_TAG=localhost/midonet-build-test-go:$$
GOROOT=$(go env GOROOT)
MODCACHE=$(go env GOMODCACHE)
PORT=${BUILD_TEST_PORT:-19696}
TMP=$(mktemp -d)
ctrs=()
cleanup() {
	if [ -n "${SERVE_PID:-}" ]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
	for c in "${ctrs[@]}"; do "${B[@]}" rm "$c" >/dev/null 2>&1 || true; done
	"${B[@]}" rmi -f "$TAG" "$GO_TAG" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT

echo "build-test: the builder image from $GOROOT (a shell, libc, CA certificates, Go)"
g=$("${B[@]}" from scratch); ctrs+=("$g")
for f in /bin/sh /usr/bin/dash /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libc.so.6 /etc/ssl/certs/ca-certificates.crt; do
	"${B[@]}" copy "$g" "$(readlink -f "$f")" "$f" >/dev/null
done
"${B[@]}" copy "$g" "$GOROOT" /usr/local/go >/dev/null
"${B[@]}" config --env PATH=/usr/local/go/bin:/usr/bin:/bin --env GOPROXY=off --env GOFLAGS=-mod=mod \
	--env GOMODCACHE=/go/pkg/mod --env GOCACHE=/tmp/gocache --env HOME=/tmp "$g"
"${B[@]}" commit -q "$g" "$GO_TAG" >/dev/null

echo "build-test: buildah bud -f contrib/container/Dockerfile"
"${B[@]}" bud -q --pull-never --isolation chroot --build-arg GO_IMAGE="$GO_TAG" --build-arg VERSION=build-test \
	-v "$MODCACHE:/go/pkg/mod:ro" -f contrib/container/Dockerfile -t "$TAG" . >/dev/null

c=$("${B[@]}" from "$TAG"); ctrs+=("$c")
got=$("${B[@]}" inspect --format '{{.OCIv1.Config.User}} {{.OCIv1.Config.Entrypoint}} {{.OCIv1.Config.Cmd}}' "$TAG")
echo "build-test: image config: $got"
case "$got" in
"10001:10001 [/usr/bin/midonet] [serve --config-file /etc/midonet/neutron.conf --data-dir /var/lib/midonet --bind-host 0.0.0.0]") ;;
*) echo "build-test: unexpected user, entrypoint or command" >&2; exit 1 ;;
esac
ver=$("${B[@]}" run --isolation chroot --user 10001:10001 "$c" -- /usr/bin/midonet --version)
echo "build-test: $ver"
[[ $ver == *build-test* ]] || { echo "build-test: --version does not name the build" >&2; exit 1; }

echo "build-test: midonet serve in the image, on port $PORT"
printf '[DEFAULT]\nauth_strategy = noauth\nbind_port = %s\n' "$PORT" >"$TMP/neutron.conf"
chmod 644 "$TMP/neutron.conf"
"${B[@]}" run --isolation chroot --user 10001:10001 -v "$TMP/neutron.conf:/etc/midonet/neutron.conf:ro" "$c" -- \
	/usr/bin/midonet serve --config-file /etc/midonet/neutron.conf --data-dir /var/lib/midonet --bind-host 127.0.0.1 \
	>"$TMP/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 300); do
	if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthcheck")" = 200 ]; then break; fi
	kill -0 "$SERVE_PID" 2>/dev/null || { cat "$TMP/serve.log" >&2; echo "build-test: serve exited" >&2; exit 1; }
	sleep 0.2
done
code=$(curl -s -o "$TMP/net.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	-d '{"network": {"name": "in-the-image"}}' "http://127.0.0.1:$PORT/v2.0/networks")
[ "$code" = 201 ] || { cat "$TMP/serve.log" >&2; echo "build-test: POST /v2.0/networks answered $code" >&2; exit 1; }
# SIGTERM to the server itself (buildah run does not pass a SIGTERM on; it kills): the
# midonet process among the descendants of the buildah run started here.
descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }
mid=
for p in $(descendants "$SERVE_PID"); do
	if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = midonet ]; then mid=$p; break; fi
done
[ -n "$mid" ] || { echo "build-test: the midonet process of the image is not found" >&2; exit 1; }
kill -TERM "$mid"
wait "$SERVE_PID" || true
SERVE_PID=
grep -q 'INFO midonet \[-\] stopped' "$TMP/serve.log" || { cat "$TMP/serve.log" >&2; echo "build-test: no clean stop" >&2; exit 1; }
echo "build-test: ok (built, --version, serve answered, stopped cleanly)"
