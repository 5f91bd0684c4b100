#!/bin/sh
# make bench: a benchmark, not a test. Generates the synthetic corpus (BENCH_N articles,
# default 10,000), builds it from scratch (--no-cache, no previous site), and prints
# articles/s, wall time, user+sys CPU and peak RSS, next to the floor measured in the
# same run: the cmark CLI rendering the same bodies plus copying the same number of files
# and bytes (cp -r of the built site). Then what an editor's rebuilds cost: a build that
# fills the body cache, a rebuild of the same input, and a rebuild after editing one
# article (the edit is undone afterwards). The time per article is kept per N, so that a
# run at BENCH_N=100000 after one at 10,000 prints how it scales.
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_N:-10000}
JOBS=${BENCH_JOBS:-}
W=${BENCH_DIR:-build/bench}
mkdir -p "$W"
corpus="$W/corpus-$N"
# regenerated when bench/corpus.py changes
stamp=$(sha256sum bench/corpus.py | cut -c1-16)
if [ "$(cat "$corpus/.done" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$corpus"
	echo "bench: generating $N articles in $corpus"
	/usr/bin/python3 bench/corpus.py "$corpus" "$N"
	echo "$stamp" >"$corpus/.done"
fi
out="$W/site-$N"
old=$(ls -d "$out" "$W/.site-$N.prev" "$W/floor-$N" "$W/cache" "$W/site-$N-first" 2>/dev/null || true)
rm -rf "$out" "$W/.site-$N.prev" "$W/.site-$N.manifest" "$W/floor-$N" "$W/bodies-$N" "$W/cache" \
	"$W/site-$N-first" "$W/.site-$N-first.prev" "$W/.site-$N-first.manifest" "$W/floor-$N-first"
# ext4 does not reuse an inode for some time after it was freed (recently_deleted: up to
# dirty_expire_centisecs, 30 s here): creating 24,000 files right after removing the last
# run's 50,000 made both the build and the floor's cp -r 2-3x slower in system time, and
# the numbers depended on what ran before. So the removal settles first.
if [ -n "$old" ]; then
	sync
	wait_s=$(($(cat /proc/sys/vm/dirty_expire_centisecs 2>/dev/null || echo 3000) / 100 + 5))
	echo "bench: waiting ${wait_s} s for the removal of the last run to settle"
	sleep "$wait_s"
fi
XDG_CACHE_HOME=$(pwd)/$W/cache # the bench's own body cache
export XDG_CACHE_HOME
jobs_opt=""
[ -n "$JOBS" ] && jobs_opt="--jobs $JOBS"

measure() { # label command...: prints wall, user+sys, peak RSS
	label=$1
	shift
	sync # the last step's writes reach the disk before this one is timed, not during it
	/usr/bin/time -f "%e %U %S %M" -o "$W/time.txt" "$@" >/dev/null 2>"$W/err.txt" || {
		cat "$W/err.txt"
		exit 1
	}
	set -- $(cat "$W/time.txt")
	printf '%-28s wall %7.2f s   cpu %7.2f s   peak RSS %6d MB\n' "$label" "$1" \
		"$(echo "$2 + $3" | bc)" $(($4 / 1024))
	echo "$1" >"$W/wall-$label"
}

echo "bench: $N articles, $(nproc) CPUs, gen $(./gen/gen --version)"
gen_build="./gen/gen build $jobs_opt --content $corpus --templates templates --static static --out $out"
# The clean build and the floor run twice each (into fresh folders) and the faster run
# counts: this virtual machine's disk is shared, and one run can be twice another.
measure full-build-1 ./gen/gen build $jobs_opt --content "$corpus" --templates templates \
	--static static --out "$W/site-$N-first" --no-cache
measure full-build $gen_build --no-cache
min_of() { # label: the smaller wall time of label-1 and label
	echo "if ($(cat "$W/wall-$1-1") < $(cat "$W/wall-$1")) $(cat "$W/wall-$1-1") else $(cat "$W/wall-$1")" |
		bc -l >"$W/wall-$1-min"
}
min_of full-build
measure rebuild-fill-cache $gen_build
measure rebuild-same-input $gen_build
# One article edited: a sentence added to its body.
one=$(find "$corpus/articles" -name '*.md' | sort | head -n 1)
cp "$one" "$W/one.md"
printf '\n编辑追加的一句话。\n' >>"$one"
measure rebuild-one-edit $gen_build
cp "$W/one.md" "$one"

# The floor: cmark over the same bodies (front matter stripped), then writing as many
# files and bytes as the site has.
mkdir -p "$W/bodies-$N"
find "$corpus/articles" -name '*.md' | sort | while read -r f; do
	awk 'BEGIN{n=0} n>=2{print; next} /^---[[:space:]]*$/{n++}' "$f"
done >"$W/bodies-$N/all.md"
measure floor-cmark-1 cmark "$W/bodies-$N/all.md"
measure floor-cmark cmark "$W/bodies-$N/all.md"
measure floor-write-1 cp -r "$out" "$W/floor-$N-first"
measure floor-write cp -r "$out" "$W/floor-$N"
min_of floor-cmark
min_of floor-write
files=$(find "$out" -type f | wc -l)
bytes=$(du -sb "$out" | cut -f1)
full=$(cat "$W/wall-full-build-min")
floor=$(echo "$(cat "$W/wall-floor-cmark-min") + $(cat "$W/wall-floor-write-min")" | bc)
rm -rf "$W/site-$N-first" "$W/floor-$N-first" # after timing: see the wait above
echo "site: $files files, $((bytes / 1024 / 1024)) MB"
printf 'articles/s: %.0f   floor: %.2f s   full build / floor: %.2f (faster of two runs each)\n' \
	"$(echo "$N / $full" | bc -l)" "$floor" "$(echo "$full / $floor" | bc -l)"
printf 'one edit / full build: %.3f   same input / full build: %.3f\n' \
	"$(echo "$(cat "$W/wall-rebuild-one-edit") / $full" | bc -l)" \
	"$(echo "$(cat "$W/wall-rebuild-same-input") / $full" | bc -l)"
per=$(echo "$full * 1000 / $N" | bc -l)
echo "$per" >"$W/per-article-$N"
printf 'ms per article: %.3f\n' "$per"
if [ "$N" != 10000 ] && [ -f "$W/per-article-10000" ]; then
	printf 'ms per article at %d / at 10000: %.2f\n' "$N" "$(echo "$per / $(cat "$W/per-article-10000")" | bc -l)"
fi
