#!/bin/sh
# Bad input: each tests/bad/<case>/ overlays content/ or templates/ files on a good
# fixture (tests/bad/base). A good build is made first; then the bad build must exit 1,
# print every line of <case>/expect (each a prefix of a `path:line:col: error:` line),
# and leave the previous site/ byte-for-byte as it was. Run with the plain build and the
# ASan+UBSan build.
. tests/lib.sh
top=$(pwd)

snapshot() { (cd "$1" && find . -print0 | sort -z | xargs -0 ls -ld --time-style=+%s.%N | awk '{print $1, $5, $6, $7}'; find . -type f -print0 | sort -z | xargs -0 sha256sum); }

run_case() { # gen label case-dir
	gen=$1 label=$2 dir=$3
	name=$(basename "$dir")
	w=$TEST_OUT/bad-$label/$name
	rm -rf "$w" && mkdir -p "$w"
	cp -r tests/bad/base/content "$w/content"
	cp -r templates "$w/templates"
	cp -r static "$w/static"
	if ! (cd "$w" && "$gen" build >"$w/good.log" 2>&1); then
		fail "$label bad/$name: fixture builds" "$(tail -n 5 "$w/good.log")"
		return
	fi
	snapshot "$w/site" >"$w/before"
	for part in content templates; do
		[ -d "$dir/$part" ] && cp -r "$dir/$part/." "$w/$part/"
	done
	(cd "$w" && "$gen" build >"$w/out.log" 2>"$w/err.log")
	st=$?
	why=""
	[ $st -eq 1 ] || why="exit status $st, want 1"
	while IFS= read -r want; do
		grep -qF -- "$want" "$w/err.log" || why="$why; no line with: $want"
	done <"$dir/expect"
	grep -q 'AddressSanitizer\|runtime error' "$w/err.log" && why="$why; sanitizer report"
	snapshot "$w/site" >"$w/after"
	cmp -s "$w/before" "$w/after" || why="$why; site/ changed"
	if [ -z "$why" ]; then pass "$label bad/$name"; else fail "$label bad/$name" "$why
$(head -n 5 "$w/err.log")"; fi
}

for dir in tests/bad/*/; do
	dir=${dir%/}
	[ "$(basename "$dir")" = base ] && continue
	run_case "$top/gen/gen" plain "$dir"
	run_case "$top/gen/asan/gen" asan "$dir"
done

# An output folder that cannot be written: its parent is a regular file.
w=$TEST_OUT/bad-unwritable
rm -rf "$w" && mkdir -p "$w" && cp -r tests/bad/base/content templates static "$w/"
: >"$w/blocker"
(cd "$w" && "$top/gen/gen" build --out blocker/site >out.log 2>err.log)
st=$?
if [ $st -eq 1 ] && grep -q '^blocker/site: error: cannot create the build folder' "$w/err.log"; then
	pass "bad/unwritable-output"
else
	fail "bad/unwritable-output" "status $st: $(head -n 3 "$w/err.log")"
fi
