#!/usr/bin/env bash
# install-test-deps.sh: install the Debian packages the tests and the smoke
# test use, skipping what is already installed (a rerun takes a second).
#
#   postgresql            tests start their own private instance from
#                         /usr/lib/postgresql/*/bin (the system service is not used)
#   mariadb-server        tests start their own private mariadbd (mariadb-install-db
#                         in a temporary directory; the system service is not used)
#   keystone, uwsgi-*     what ../shared/tools/keystone-up.sh runs Keystone with
#   python3-openstackclient, python3-neutronclient
#                         the `openstack` and `neutron` CLIs (smoke test)
#   etcd-server           an external etcd for the NSDB tests
#   curl, jq              smoke test and keystone-up.sh
#   bird2, iproute2       the BGP test's real peer router, in a network namespace
#   busybox, iputils-ping the datapath test's VMs: udhcpc as DHCP client, ping
#   strongswan-charon, strongswan-swanctl, libcharon-extra-plugins
#                         the IPsec test's tunnels: charon (driven over VICI), its
#                         kernel-libipsec plugin (userspace ESP); tcpdump captures the link
#   chromium              the topology page's browser tests (test/ui, headless)
#   openvswitch-common, openvswitch-vtep
#                         a real ovsdb-server with the hardware_vtep schema for the
#                         OVSDB client and hardware VTEP tests (started by the tests)
#   systemd               systemd-analyze verify of contrib/systemd (test/contrib)
#   buildah               builds and runs contrib/container/Dockerfile (.ci/run)
#
# Needs root (or password-less sudo). No service is started: while packages
# configure, a temporary policy-rc.d denies every service start.
set -euo pipefail

PKGS=(postgresql mariadb-server keystone uwsgi-core uwsgi-plugin-python3
	python3-openstackclient python3-neutronclient etcd-server curl jq bird2 iproute2 busybox iputils-ping chromium
	strongswan-charon strongswan-swanctl libcharon-extra-plugins tcpdump
	openvswitch-common openvswitch-vtep systemd buildah)

log() { printf 'install-test-deps: %s\n' "$*" >&2; }

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

missing=()
for p in "${PKGS[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
	log "all ${#PKGS[@]} packages already installed"
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
		log "missing ${missing[*]}; run as root: apt-get install --no-install-recommends ${missing[*]}"
		exit 1
	fi
	sudo=(sudo -n)
fi

log "installing ${missing[*]}"
prc=/usr/sbin/policy-rc.d
if [ ! -e "$prc" ]; then
	printf '#!/bin/sh\n# temporary, from install-test-deps.sh: no service starts during install\nexit 101\n' |
		"${sudo[@]}" tee "$prc" >/dev/null
	"${sudo[@]}" chmod 755 "$prc"
	trap 'grep -qs "from install-test-deps.sh" '"$prc"' && '"${sudo[*]}"' rm -f '"$prc" EXIT
fi
# The keystone package must not set up a database or an admin of its own
# (keystone-up.sh does its own set-up; same answers as it gives).
printf '%s\n' 'keystone keystone/configure_db boolean false' \
	'keystone keystone/create-admin-tenant boolean false' \
	'keystone keystone/register-endpoint boolean false' | "${sudo[@]}" debconf-set-selections

apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q
	-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
"${apt[@]}" update
"${apt[@]}" install --no-install-recommends "${missing[@]}"

# Packages that ship a service (keystone, etcd, postgresql, mariadb) must not hold
# their ports: the tests start their own instances.
for svc in keystone etcd mariadb; do
	if [ -x "/etc/init.d/$svc" ]; then "${sudo[@]}" update-rc.d "$svc" disable >/dev/null 2>&1 || true; fi
done
log "installed ${missing[*]}"
