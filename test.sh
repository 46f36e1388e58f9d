#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole eddns test suite. Run it as root (the kernel-facing tests create
# network namespaces); as root it also installs the Debian packages it needs.
#   sudo env "PATH=$PATH" ./test.sh
# CI runs exactly this (through .ci/run) with CI=true, where no kernel test may
# skip.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n=== %s\n' "$*"; }

if [ "$(id -u)" = 0 ]; then
	need=()
	command -v shellcheck >/dev/null || need+=(shellcheck)
	command -v qemu-mipsel-static >/dev/null || need+=(qemu-user-static)
	command -v ip >/dev/null || need+=(iproute2)
	command -v node >/dev/null || need+=(nodejs)
	command -v busybox >/dev/null || need+=(busybox)
	command -v make >/dev/null || need+=(make)
	command -v tar >/dev/null || need+=(tar)
	command -v setpriv >/dev/null || need+=(util-linux)
	# Real DNS servers for the rfc2136, powerdns and verify 'authoritative'
	# tests (they start their own instances on loopback ports). Installing
	# them may try to start the system services; the tests never use those.
	[ -x /usr/sbin/named ] || need+=(bind9)
	[ -x /usr/sbin/pdns_server ] || need+=(pdns-server)
	[ -e /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql ] || need+=(pdns-backend-sqlite3)
	command -v sqlite3 >/dev/null || need+=(sqlite3)
	if [ ${#need[@]} -gt 0 ]; then
		step "installing ${need[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		apt-get install -y -q "${need[@]}"
		# Where the packages started their services (systemd, sysv), stop
		# them: nothing of the tests' may sit on port 53 or 8081.
		for svc in named bind9 pdns; do
			if command -v systemctl >/dev/null && systemctl is-active -q "$svc" 2>/dev/null; then
				systemctl stop "$svc" || true
				systemctl disable -q "$svc" 2>/dev/null || true
			elif [ -x "/etc/init.d/$svc" ]; then
				"/etc/init.d/$svc" stop >/dev/null 2>&1 || true
			fi
		done
	fi
elif [ "${CI:-}" = true ]; then
	echo "CI=true but not root: the network-namespace tests cannot run" >&2
	exit 1
fi

step "gofmt"
bad=$(gofmt -l .)
if [ -n "$bad" ]; then
	echo "gofmt would change:" >&2
	echo "$bad" >&2
	exit 1
fi

step "shellcheck (test scripts; the router scripts are checked by tools/packaging)"
shellcheck test.sh .ci/run bench/run.sh

step "go vet"
go vet ./...

step "go test -race"
go test -race -count=1 ./...

step "fuzz (each target briefly, seed corpus in testdata/fuzz)"
# A count, not a duration: with a duration Go's fuzz coordinator can report a
# spurious "context deadline exceeded" when -fuzztime expires on a loaded
# machine (go.dev/issue/75804, fixed only in Go 1.27). -timeout bounds the time.
fuzztime=${FUZZTIME:-100000x}
targets=$(git ls-files -z '*_test.go' | xargs -0 grep -Ho '^func Fuzz[A-Za-z0-9_]*' | sed 's/:func / /' | sort -u)
echo "$targets" | while read -r file fz; do
	pkg="./$(dirname "$file")"
	if [ "$fz" = FuzzLibuciDifferential ] && [ -z "${EDDNS_LIBUCI:-}" ]; then
		# It compares with a real libuci build; without one every input skips.
		echo "--- $pkg $fz: not run (set EDDNS_LIBUCI, see uci/testdata/libuci/gen.sh)"
		continue
	fi
	echo "--- $pkg $fz ($fuzztime)"
	go test -run='^$' -fuzz="^${fz}\$" -fuzztime="$fuzztime" -timeout=5m "$pkg"
done

step "benchmark (report only; targets in DESIGN.md)"
EDDNS_BENCH_IDLE=${EDDNS_BENCH_IDLE:-20s} bench/run.sh

step "packages: .ipk + .apk + feeds built twice and compared, .apk verified, sizes (report only)"
# One `make reproducible` (two full builds with throwaway feed keys) also
# provides the packages the size report measures.
tmp=$(mktemp -d)
make --no-print-directory reproducible BUILD="$tmp/build"
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
go run ./tools/mkpkg verify -epoch "$epoch" "$tmp"/build/repro-a/apk/*/*.apk
go run ./tools/mkpkg size -out "$tmp/build/repro-a" -bindir "$tmp/build/repro-a/bin"
rm -rf "$tmp"

echo
echo "all tests passed"
