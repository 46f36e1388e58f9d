#!/bin/sh
# Regenerates the golden files from a real libuci build (openwrt/uci, the
# `uci` command line tool built from file.c, libuci.c, util.c, delta.c,
# parse.c and cli.c; without cmake or libubox:
#   : > uci_config.h && gcc -std=gnu99 -DUCI_PREFIX='"/tmp"' -I. -o uci \
#       cli.c libuci.c file.c util.c delta.c parse.c
# ). Usage: UCI=/path/to/uci sh gen.sh
# The same binary drives FuzzLibuciDifferential: EDDNS_LIBUCI=/path/to/uci.
#   NAME.export  `uci -N -S export`: what libuci reads, unnamed sections bare
#   NAME.named   `uci -n -S export`: the same with generated section names
#   NAME.errors  every error libuci reports in non-strict mode (-S)
#   NAME.strict  the error that stops libuci in its default strict mode
set -eu
: "${UCI:?set UCI to a libuci uci binary}"
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/conf" "$tmp/save"
for f in "$here"/*.uci; do
	n=$(basename "$f" .uci)
	cp "$f" "$tmp/conf/$n"
	u() { "$UCI" -c "$tmp/conf" -t "$tmp/save" "$@"; }
	u -N -S export "$n" >"$here/$n.export" 2>/dev/null || true
	u -n -S export "$n" >"$here/$n.named" 2>/dev/null || true
	u -N -S export "$n" 2>&1 >/dev/null | sed 's/^.*Parse error (\(.*\)) at line \([0-9]*\), byte.*$/\2: \1/' >"$here/$n.errors" || true
	u -N export "$n" 2>&1 >/dev/null | sed 's/^.*Parse error (\(.*\)) at line \([0-9]*\), byte.*$/\2: \1/' >"$here/$n.strict" || true
done
