#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.c, each linked with every gen/*.c but
# main.c, clang -fsanitize=fuzzer,address,undefined) and runs each one: first over its
# seed corpus tests/fuzz/corpus/<target>/ (the regression cases), then fuzzing for
# FUZZ_SECONDS seconds (default 10). Prints "PASS <target> ..." or "FAIL <target>: ..."
# per target; exits 1 when any failed. A crash, leak, timeout or sanitizer report leaves
# the input in $FUZZ_OUT/crashes/ and prints how to replay it.
#
#   FUZZ_SECONDS=N     seconds of fuzzing per target (0: replay the corpus only)
#   FUZZ_JOBS=N        targets run at once (default 1)
#   FUZZ_TARGETS="a b" only these targets (names without fuzz_)
#   FUZZ_OUT=DIR       build and scratch folder (default tests/fuzz/build, git-ignored)
#
# New inputs the fuzzer finds go to $FUZZ_OUT/corpus/<target>/, never into the checked-in
# seeds; copy the interesting ones (and every crash, once fixed) into tests/fuzz/corpus/.
set -u
cd "$(dirname "$0")/../.."
top=$(pwd)
secs=${FUZZ_SECONDS:-10}
jobs=${FUZZ_JOBS:-1}
out=${FUZZ_OUT:-$top/tests/fuzz/build}
CC=${FUZZ_CC:-clang}
mkdir -p "$out/obj" "$out/bin" "$out/crashes" "$out/log"

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "FAIL fuzz build: $CC not found (apt-get install clang)"
	exit 1
fi
pkgs="libcmark jansson libxml-2.0 yaml-0.1 libutf8proc libcrypto"
cflags="-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Wno-unused-function $(pkg-config --cflags $pkgs) -iquote gen -DGONGBAO_ROOT=\"$top\""
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
libs="$(pkg-config --libs $pkgs) -lcsv -lpthread -lm"

# The library objects, rebuilt when their source, a header or the flags changed (keyed by
# content, not time: a copied or checked-out tree must not reuse stale objects).
hsum=$( (echo "$CC $cflags $san"; cat gen/*.h) | sha256sum | cut -c1-64)
objs=""
tobuild=""
for src in gen/*.c; do
	name=$(basename "$src" .c)
	[ "$name" = main ] && continue
	obj=$out/obj/$name.o
	objs="$objs $obj"
	key="$(sha256sum <"$src" | cut -c1-64) $hsum"
	if [ ! -e "$obj" ] || [ "$(cat "$out/obj/$name.key" 2>/dev/null)" != "$key" ]; then
		tobuild="$tobuild $src"
		rm -f "$obj"
		echo "$key" >"$out/obj/$name.key.new"
	fi
done
# Compiles one library source into $out/obj; its messages go to $out/log/cc-NAME.log.
compile_obj() {
	n=$(basename "$1" .c)
	# shellcheck disable=SC2086
	$CC $cflags $san -fsanitize=fuzzer-no-link -c -o "$out/obj/$n.o" "$1" >"$out/log/cc-$n.log" 2>&1 ||
		{ rm -f "$out/obj/$n.o"; echo x >"$out/log/cc-$n.failed"; }
}
if [ -n "$tobuild" ]; then
	rm -f "$out"/log/cc-*.failed
	set -- $tobuild
	while [ $# -gt 0 ]; do
		compile_obj "$1" &
		shift
		if [ $# -gt 0 ]; then
			compile_obj "$1" &
			shift
		fi
		wait
	done
	for k in "$out"/obj/*.key.new; do
		n=$(basename "$k" .key.new)
		[ -e "$out/obj/$n.o" ] && mv "$k" "$out/obj/$n.key"
	done
	if ls "$out"/log/cc-*.failed >/dev/null 2>&1; then
		for f in "$out"/log/cc-*.failed; do
			n=$(basename "$f" .failed)
			echo "FAIL fuzz build: ${n#cc-}.c does not compile with $CC: $(head -n 5 "$out/log/$n.log")"
		done
		exit 1
	fi
fi

targets=""
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	if [ -n "${FUZZ_TARGETS:-}" ]; then
		case " $FUZZ_TARGETS " in *" $name "*) ;; *) continue ;; esac
	fi
	targets="$targets $name"
done

# Links one target (again when the library, the target or fuzz_common.h changed).
# Returns 1 when it does not build.
build_target() {
	t=$1
	bin=$out/bin/fuzz_$t
	src=tests/fuzz/fuzz_$t.c
	key="$(cat "$src" tests/fuzz/fuzz_common.h "$out"/obj/*.key | sha256sum | cut -c1-64)"
	if [ -e "$bin" ] && [ "$(cat "$bin.key" 2>/dev/null)" = "$key" ]; then
		return 0
	fi
	rm -f "$bin"
	# shellcheck disable=SC2086
	$CC $cflags $san -fsanitize=fuzzer -o "$bin" "$src" $objs $libs >"$out/log/link-$t.log" 2>&1 &&
		echo "$key" >"$bin.key"
}

# Replays the seeds, then fuzzes for $secs seconds; prints one PASS or FAIL line.
run_target() {
	t=$1
	bin=$out/bin/fuzz_$t
	seeds=$top/tests/fuzz/corpus/$t
	scratch=$out/corpus/$t
	log=$out/log/run-$t.log
	mkdir -p "$seeds" "$scratch"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/gongbao-fuzz-$t-XXXXXX")
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	opts="-timeout=20 -rss_limit_mb=2560 -malloc_limit_mb=2048 -max_len=65536 -artifact_prefix=$out/crashes/$t- -print_final_stats=1"
	nseeds=$(find "$seeds" -type f | wc -l)
	# shellcheck disable=SC2086
	if ! TMPDIR=$tmp "$bin" $opts $dict -runs=0 "$seeds" >"$log" 2>&1; then
		rm -rf "$tmp"
		echo "FAIL fuzz_$t: a seed of tests/fuzz/corpus/$t fails: $(grep -m1 -E 'ERROR|runtime error|fuzz:' "$log")
  log: $log
  replay: $bin $(grep -o "$out/crashes/[^ ]*" "$log" | head -n 1)"
		return
	fi
	if [ "$secs" -gt 0 ]; then
		# shellcheck disable=SC2086
		if ! TMPDIR=$tmp "$bin" $opts $dict -max_total_time="$secs" "$scratch" "$seeds" >>"$log" 2>&1; then
			rm -rf "$tmp"
			crash=$(grep -o "$out/crashes/[^ ]*" "$log" | tail -n 1)
			echo "FAIL fuzz_$t: $(grep -m1 -E 'ERROR|runtime error|fuzz:|Timeout|Out of memory' "$log")
  log: $log
  replay: $bin $crash"
			return
		fi
	fi
	rm -rf "$tmp"
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
	echo "PASS fuzz_$t ($nseeds seeds, ${secs}s, ${execs:-0} runs, coverage ${cov:-?})"
}

status=0
set -- $targets
while [ $# -gt 0 ]; do
	batch=""
	i=0
	while [ $# -gt 0 ] && [ $i -lt "$jobs" ]; do
		batch="$batch $1"
		shift
		i=$((i + 1))
	done
	for t in $batch; do
		if ! build_target "$t"; then
			echo "FAIL fuzz_$t: does not build: $(head -n 5 "$out/log/link-$t.log")"
			status=1
			continue
		fi
		run_target "$t" >"$out/log/result-$t" &
	done
	wait
	for t in $batch; do
		[ -f "$out/log/result-$t" ] || continue
		cat "$out/log/result-$t"
		grep -q '^FAIL' "$out/log/result-$t" && status=1
		rm -f "$out/log/result-$t"
	done
done
exit $status
