#!/bin/sh
# Runs every test: unit programs (plain and under ASan+UBSan), then each tests/t_*.sh.
# Last line: "N passed, N failed". Exit status 1 when anything failed.
set -u
cd "$(dirname "$0")/.."
TEST_OUT=$(pwd)/tests/out
export TEST_OUT
# the body cache of every build the tests run stays with the tests, not in ~/.cache
XDG_CACHE_HOME=$TEST_OUT/cache
export XDG_CACHE_HOME
rm -rf "$TEST_OUT"
mkdir -p "$TEST_OUT" tests/bin
: >"$TEST_OUT/passed"
: >"$TEST_OUT/failed"
. tests/lib.sh

CFLAGS="-std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -g $(pkg-config --cflags libcmark jansson libxml-2.0 yaml-0.1 libutf8proc libcrypto) -Igen"
LIBS="$(pkg-config --libs libcmark jansson libxml-2.0 yaml-0.1 libutf8proc libcrypto) -lcsv -lpthread -lm"
LIBOBJ=$(ls gen/*.o | grep -v '/main\.o$')
ASANOBJ=$(ls gen/asan/*.o | grep -v '/main\.o$')
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

for src in tests/unit/test_*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	if cc $CFLAGS -O1 -o "tests/bin/$name" "$src" $LIBOBJ $LIBS 2>"$TEST_OUT/cc.log"; then
		(cd tests/unit && "../bin/$name") 2>&1 | count_lines
	else
		fail "$name compiles" "$(head -n 20 "$TEST_OUT/cc.log")"
	fi
	if cc $CFLAGS -O1 $SAN -o "tests/bin/$name.asan" "$src" $ASANOBJ $LIBS 2>"$TEST_OUT/cc.log"; then
		out=$( (cd tests/unit && "../bin/$name.asan") 2>&1)
		st=$?
		if [ $st -eq 0 ] && ! printf '%s' "$out" | grep -q 'runtime error\|Sanitizer'; then
			pass "$name under ASan+UBSan"
		else
			fail "$name under ASan+UBSan" "$(printf '%s' "$out" | grep -v '^PASS' | head -n 20)"
		fi
	else
		fail "$name compiles with sanitizers" "$(head -n 20 "$TEST_OUT/cc.log")"
	fi
done

for t in tests/t_*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	sh "$t"
done

p=$(wc -l <"$TEST_OUT/passed")
f=$(wc -l <"$TEST_OUT/failed")
if [ "$f" -gt 0 ]; then
	echo "Failed:"
	sed 's/^/  /' "$TEST_OUT/failed"
fi
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
