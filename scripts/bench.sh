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
rm -rf "$out" "$W/.site-$N.prev" "$W/.site-$N.manifest" "$W/floor-$N" "$W/bodies-$N" "$W/cache"
XDG_CACHE_HOME=$(pwd)/$W/cache # the bench's own body cache
export XDG_CACHE_HOME
jobs_opt=""
[ -n "$JOBS" ] && jobs_opt="--jobs $JOBS"

measure() { # label command...: prints wall, user+sys, peak RSS
	label=$1
	shift
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
measure full-build $gen_build --no-cache
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
measure floor-cmark cmark "$W/bodies-$N/all.md"
measure floor-write cp -r "$out" "$W/floor-$N"
files=$(find "$out" -type f | wc -l)
bytes=$(du -sb "$out" | cut -f1)
full=$(cat "$W/wall-full-build")
floor=$(echo "$(cat "$W/wall-floor-cmark") + $(cat "$W/wall-floor-write")" | bc)
echo "site: $files files, $((bytes / 1024 / 1024)) MB"
printf 'articles/s: %.0f   floor: %.2f s   full build / floor: %.2f\n' \
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
