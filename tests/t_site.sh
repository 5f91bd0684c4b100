#!/bin/sh
# The sample portal: builds content/ into a scratch folder, then checks that every page
# and feed is well-formed XML, that every feed reads in feedparser, that every internal
# link and fragment resolves, that two builds are byte-identical, that builds work from
# any working directory, and that a build under valgrind reports no errors or leaks.
. tests/lib.sh
top=$(pwd)
out=$TEST_OUT/site
rm -rf "$out"
check "sample site builds" ./gen/gen build --out "$out"
check "sample site builds under ASan+UBSan" ./gen/asan/gen build --out "$TEST_OUT/site-asan"
check "ASan build is byte-identical" diff -r "$out" "$TEST_OUT/site-asan"
# again into a fresh folder: the files from the load memo, every body from the cache and
# read from it again for its page
rm -rf "$TEST_OUT/site-asan" "$TEST_OUT/.site-asan.prev" "$TEST_OUT/.site-asan.manifest"
check "sample site rebuilds from the caches under ASan+UBSan" ./gen/asan/gen build --out "$TEST_OUT/site-asan"
check "ASan rebuild from the caches is byte-identical" diff -r "$out" "$TEST_OUT/site-asan"

bad=""
for f in $(find "$out" -name '*.html' -o -name '*.xml' | sort); do
	xmllint --noout --nonet "$f" 2>>"$TEST_OUT/xmllint.log" || bad="$bad ${f#$out/}"
done
if [ -z "$bad" ]; then pass "every page and feed is well-formed XML"; else fail "every page and feed is well-formed XML" "$bad $(head -n 5 "$TEST_OUT/xmllint.log")"; fi

feeds=$(find "$out" -name 'feed.xml' -o -name 'atom.xml' -o -name 'feed.json' | sort)
$PY tests/feeds_check.py $feeds | count_lines
$PY tests/linkcheck.py "$out" | count_lines
$PY tests/datacheck.py "$out" | count_lines
$PY tests/toccheck.py "$out" 10 | count_lines

check "sitemap validates against sitemaps.org 0.9" xmllint --noout --nonet --schema ../shared/spec/sitemaps/sitemap.xsd "$out/sitemap.xml"

./gen/gen build --out "$TEST_OUT/site2" >/dev/null 2>&1
check "two builds are byte-identical" diff -r "$out" "$TEST_OUT/site2"

# Built from another working directory with explicit folders: same bytes.
(cd /tmp && "$top/gen/gen" build --content "$top/content" --templates "$top/templates" \
	--static "$top/static" --out "$TEST_OUT/site3" >/dev/null 2>&1)
check "build from another directory is byte-identical" diff -r "$out" "$TEST_OUT/site3"

check "gen check passes on the sample" ./gen/gen check

if command -v valgrind >/dev/null; then
	check "sample build under valgrind: no errors, no leaks" valgrind -q --error-exitcode=9 \
		--leak-check=full --errors-for-leak-kinds=definite,indirect \
		./gen/gen build --out "$TEST_OUT/site-vg"
else
	fail "valgrind installed"
fi

# Parallel rendering: the same bytes whatever the number of threads.
./gen/gen build --jobs 1 --out "$TEST_OUT/site-j1" >/dev/null 2>&1
./gen/gen build --jobs 3 --out "$TEST_OUT/site-j3" >/dev/null 2>&1
check "--jobs 1 and --jobs 3 give identical output" diff -r "$TEST_OUT/site-j1" "$TEST_OUT/site-j3"
check "--jobs 3 output equals the default" diff -r "$out" "$TEST_OUT/site-j3"
