#!/bin/sh
# make bench: a benchmark, not a test. Generates the synthetic corpus (BENCH_N articles,
# default 10,000), builds it, and prints articles/s, wall time, user+sys CPU and peak RSS,
# next to the floor measured in the same run: the cmark CLI rendering the same bodies
# plus copying the same number of files and bytes (cp -r of the built site). Then a
# second build of the same input (what an editor's rebuild costs today).
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_N:-10000}
JOBS=${BENCH_JOBS:-}
W=${BENCH_DIR:-build/bench}
mkdir -p "$W"
corpus="$W/corpus-$N"
if [ ! -f "$corpus/.done" ]; then
	rm -rf "$corpus"
	echo "bench: generating $N articles in $corpus"
	/usr/bin/python3 bench/corpus.py "$corpus" "$N"
	touch "$corpus/.done"
fi
out="$W/site-$N"
rm -rf "$out" "$W/floor-$N" "$W/bodies-$N"
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
measure full-build ./gen/gen build $jobs_opt --content "$corpus" --templates templates \
	--static static --out "$out"
measure rebuild-same-input ./gen/gen build $jobs_opt --content "$corpus" --templates templates \
	--static static --out "$out"

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
