#!/bin/sh
# Installs the Debian packages a step needs: `deps.sh build` for `make`, `deps.sh test`
# for `make test`. As root (or with passwordless sudo) it runs apt-get; otherwise it
# prints the exact command and fails, so nothing half-works on a machine without them.
set -eu
build_pkgs="gcc make pkg-config libcmark-dev libjansson-dev libxml2-dev libyaml-dev libcsv-dev libutf8proc-dev libssl-dev python3"
test_pkgs="$build_pkgs bc libxml2-utils python3-feedparser valgrind cmark clang-format time nodejs npm chromium newsboat openjdk-17-jre-headless clang libclang-rt-14-dev"
case "${1:-build}" in
build) want=$build_pkgs ;;
test) want=$test_pkgs ;;
*) echo "usage: deps.sh build|test" >&2; exit 2 ;;
esac
# Some tools may come from elsewhere than Debian's package of that name (Node.js from
# NodeSource bundles npm; Java from another JDK): a working command is enough for those.
provided() {
	case "$1" in
	nodejs) command -v node >/dev/null 2>&1 ;;
	npm) command -v npm >/dev/null 2>&1 ;;
	openjdk-17-jre-headless) command -v java >/dev/null 2>&1 ;;
	*) return 1 ;;
	esac
}
missing=""
for p in $want; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in *"ok installed"*) continue ;; esac
	provided "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"
else
	echo "gongbao: missing Debian packages:$missing" >&2
	echo "run: sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y$missing" >&2
	exit 1
fi
echo "gongbao: installing$missing" >&2
# A fresh Debian has no package lists until the first update.
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
