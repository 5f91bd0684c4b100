#!/bin/sh
# A build killed with SIGKILL at several moments leaves the previous site/ exactly as it
# was (never a mix), and the next build sweeps the killed build's temporary folder.
. tests/lib.sh
top=$(pwd)
w=$TEST_OUT/atomic
rm -rf "$w" && mkdir -p "$w/content/articles"
cp tests/bad/base/content/site.yaml "$w/content/"
cp -r templates static "$w/"
# Enough articles that a build takes a while to write.
i=0
while [ $i -lt 1500 ]; do
	printf -- '---\ntitle: "第%d篇"\ndate: 2025-01-02T09:00:00+08:00\ntopics: [health]\ntags: [t%d]\n---\n\n正文%d。\n\n## 小标题\n\n更多文字。\n' $i $((i % 40)) $i >"$w/content/articles/a$i.md"
	i=$((i + 1))
done
snapshot() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
(cd "$w" && "$top/gen/gen" build >/dev/null 2>&1) || fail "atomic: first build"
snapshot "$w/site" >"$w/before"
sed -i 's/正文1。/改过的正文1。/' "$w/content/articles/a1.md"
ok=1
for delay in 0.05 0.15 0.3 0.5; do
	(cd "$w" && exec "$top/gen/gen" build >/dev/null 2>&1) &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	snapshot "$w/site" >"$w/after"
	if ! cmp -s "$w/before" "$w/after"; then
		# the build finished before the kill: then it must be the whole new build
		if grep -q '改过的正文1' "$w/site/articles/a1/index.html" &&
			[ "$(wc -l <"$w/after")" = "$(wc -l <"$w/before")" ]; then
			snapshot "$w/site" >"$w/before"
		else
			ok=0
			fail "atomic: site after kill -9 at ${delay}s is a mix"
		fi
	fi
done
[ $ok = 1 ] && pass "atomic: kill -9 during builds leaves the old or the new site"
(cd "$w" && "$top/gen/gen" build >/dev/null 2>&1)
left=$(ls -A "$w" | grep -c '^\.site\.tmp-')
[ "$left" = 0 ] && pass "atomic: next build sweeps killed builds' folders" || fail "atomic: next build sweeps killed builds' folders" "$(ls -A "$w")"
grep -q '改过的正文1' "$w/site/articles/a1/index.html" && pass "atomic: next build publishes" || fail "atomic: next build publishes"
