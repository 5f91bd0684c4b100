#!/bin/sh
# Scheduled publishing, expiry and moved pages: a future article appears only in a build
# at or after its date (--now, or SOURCE_DATE_EPOCH); an expired one is left out; each
# alias gets a redirect page.
. tests/lib.sh
c=tests/golden/basic
run() { ./gen/gen build --content $c/content --templates $c/templates --static $c/static "$@" >/dev/null 2>&1; }
o=$TEST_OUT/schedule
rm -rf "$o"
run --out "$o/now"
[ ! -e "$o/now/articles/future" ] && pass "schedule: a future article is left out" || fail "schedule: a future article is left out"
[ ! -e "$o/now/articles/expired" ] && pass "schedule: an expired article is left out" || fail "schedule: an expired article is left out"
run --now 2099-01-01T09:00:00+08:00 --out "$o/later"
[ -f "$o/later/articles/future/index.html" ] && pass "schedule: --now at its date publishes it" || fail "schedule: --now at its date publishes it"
SOURCE_DATE_EPOCH=4070912400 run --out "$o/sde"
[ -f "$o/sde/articles/future/index.html" ] && pass "schedule: SOURCE_DATE_EPOCH is the build time" || fail "schedule: SOURCE_DATE_EPOCH is the build time"
run --now 2019-06-01 --out "$o/past"
[ -f "$o/past/articles/expired/index.html" ] && pass "schedule: before expires it is shown" || fail "schedule: before expires it is shown"
./gen/gen build --content $c/content --templates $c/templates --static $c/static --now yesterday --out "$o/bad" 2>"$o/bad.err"
st=$?; [ $st -eq 1 ] && grep -q "now 'yesterday'" "$o/bad.err" && pass "schedule: a bad --now is an error" || fail "schedule: a bad --now is an error" "$(cat "$o/bad.err")"
r=$o/now/2025/old-alpha.html
if grep -q 'http-equiv="refresh" content="0; url=../articles/alpha/"' "$r" && grep -q 'rel="canonical" href="https://example.org/portal/articles/alpha/"' "$r" && grep -q '<a href="../articles/alpha/">' "$r"; then
	pass "aliases: redirect page with refresh, canonical and a visible link"
else
	fail "aliases: redirect page with refresh, canonical and a visible link" "$(cat "$r" 2>&1)"
fi
check "aliases: folder alias written as index.html" grep -q 'url=../../articles/alpha/' "$o/now/old/alpha/index.html"
check "aliases: redirect pages are well-formed" xmllint --noout "$r" "$o/now/old/alpha/index.html"
