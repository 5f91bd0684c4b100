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
# Where the timed runs write: the sites, the floor's copies and the body cache. ext4
# without a journal (this machine's disk) does not reuse an inode freed less than 60 s
# before, or 360 s while its inode table block is dirty (fs/ext4/ialloc.c,
# recently_deleted), and skips each such inode one by one: creating 24,000 files after
# removing the last run's made the same cp -r take 1.5 to 6.9 s, mostly system time, and
# both the build and the floor varied by that much (docs/PERFORMANCE.md, item 29). A
# tmpfs has no such rule, so the runs write to /dev/shm when it has room (about 110 KB per
# article); BENCH_OUT=dir writes elsewhere.
O=${BENCH_OUT:-}
if [ -z "$O" ]; then
	need_kb=$((N * 110))
	free_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ "${free_kb:-0}" -gt "$need_kb" ]; then
		O=/dev/shm/gongbao-bench-$(id -u)
	else
		O=$W
	fi
fi
mkdir -p "$O"
O=$(cd "$O" && pwd)
tmpfs=false
[ "$(stat -f -c %T "$O")" = tmpfs ] && tmpfs=true
echo "bench: the runs write to $O"
out="$O/site-$N"
old=$(ls -d "$out" "$O/.site-$N.prev" "$O/floor-$N" "$O/cache" "$O/site-$N-first" 2>/dev/null || true)
rm -rf "$out" "$O/.site-$N.prev" "$O/.site-$N.manifest" "$O/floor-$N" "$W/bodies-$N" "$O/cache" \
	"$O/site-$N-first" "$O/.site-$N-first.prev" "$O/.site-$N-first.manifest" "$O/floor-$N-first"
# what runs before BENCH_OUT existed left in $W
[ "$O" = "$(cd "$W" && pwd)" ] || rm -rf "$W/site-$N" "$W/.site-$N.prev" "$W/.site-$N.manifest" \
	"$W/.site-$N-first.manifest" "$W/floor-$N" "$W/cache"
if [ -n "$old" ] && ! $tmpfs; then
	sync # the freed inodes' blocks clean: then ext4 skips them for 60 s, not 360
	echo "bench: not a tmpfs: waiting 65 s for the last run's removal to settle"
	sleep 65
fi
XDG_CACHE_HOME=$O/cache # the bench's own body cache
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
# counts: this virtual machine's CPU is shared, and one run can be slower by a third.
measure full-build-1 ./gen/gen build $jobs_opt --content "$corpus" --templates templates \
	--static static --out "$O/site-$N-first" --no-cache
$tmpfs && rm -rf "$O/site-$N-first" "$O/.site-$N-first.manifest" # room (on a disk: see above)
measure full-build $gen_build --no-cache
min_of() { # label: the smaller wall time of label-1 and label
	echo "if ($(cat "$W/wall-$1-1") < $(cat "$W/wall-$1")) $(cat "$W/wall-$1-1") else $(cat "$W/wall-$1")" |
		bc -l >"$W/wall-$1-min"
}
min_of full-build
measure rebuild-fill-cache $gen_build
# The rebuilds run twice too, the faster counting: a second edit adds another sentence
# to the same article.
measure rebuild-same-input-1 $gen_build
measure rebuild-same-input $gen_build
min_of rebuild-same-input
one=$(find "$corpus/articles" -name '*.md' | sort | head -n 1)
cp "$one" "$W/one.md"
printf '\n编辑追加的一句话。\n' >>"$one"
measure rebuild-one-edit-1 $gen_build
printf '\n又追加了一句。\n' >>"$one"
measure rebuild-one-edit $gen_build
min_of rebuild-one-edit
cp "$W/one.md" "$one"

# The floor: cmark over the same bodies (front matter stripped), then writing as many
# files and bytes as the site has.
mkdir -p "$W/bodies-$N"
# one awk over all the files (one per file took minutes at 100,000)
find "$corpus/articles" -name '*.md' | sort | xargs awk 'FNR == 1 { n = 0 } n >= 2 { print; next }
	/^---[[:space:]]*$/ { n++ }' >"$W/bodies-$N/all.md"
# cmark with the heap gen gives itself (transparent huge pages, see gen/main.c): without
# them its page faults and TLB misses over one 50 MB document doubled its time here
measure floor-cmark-1 env GLIBC_TUNABLES=glibc.malloc.hugetlb=1 cmark "$W/bodies-$N/all.md"
measure floor-cmark env GLIBC_TUNABLES=glibc.malloc.hugetlb=1 cmark "$W/bodies-$N/all.md"
measure floor-write-1 cp -r "$out" "$O/floor-$N-first"
$tmpfs && rm -rf "$O/floor-$N-first"
measure floor-write cp -r "$out" "$O/floor-$N"
min_of floor-cmark
min_of floor-write
$tmpfs || rm -rf "$O/site-$N-first" "$O/floor-$N-first" # after timing: see the wait above
files=$(find "$out" -type f | wc -l)
bytes=$(du -sb "$out" | cut -f1)
full=$(cat "$W/wall-full-build-min")
floor=$(echo "$(cat "$W/wall-floor-cmark-min") + $(cat "$W/wall-floor-write-min")" | bc)
echo "site: $files files, $((bytes / 1024 / 1024)) MB"
printf 'articles/s: %.0f   floor: %.2f s   full build / floor: %.2f (faster of two runs each)\n' \
	"$(echo "$N / $full" | bc -l)" "$floor" "$(echo "$full / $floor" | bc -l)"
printf 'one edit / full build: %.3f   same input / full build: %.3f (faster of two each)\n' \
	"$(echo "$(cat "$W/wall-rebuild-one-edit-min") / $full" | bc -l)" \
	"$(echo "$(cat "$W/wall-rebuild-same-input-min") / $full" | bc -l)"
per=$(echo "$full * 1000 / $N" | bc -l)
echo "$per" >"$W/per-article-$N"
printf 'ms per article: %.3f\n' "$per"
if [ "$N" != 10000 ] && [ -f "$W/per-article-10000" ]; then
	printf 'ms per article at %d / at 10000: %.2f\n' "$N" "$(echo "$per / $(cat "$W/per-article-10000")" | bc -l)"
fi
# A tmpfs holds its files in memory (11 GB at 100,000 articles): given back at the end.
# Set BENCH_KEEP=1 to look at the site afterwards.
if $tmpfs && [ -z "${BENCH_KEEP:-}" ]; then
	rm -rf "$O"
fi
