#!/bin/sh
# The command line: help, version, usage errors (exit 2), gen new, gen check writing
# nothing, and render-template.
. tests/lib.sh
top=$(pwd)
G=$top/gen/gen
w=$TEST_OUT/cli
rm -rf "$w" && mkdir -p "$w"

check "gen --help exits 0 and names build" sh -c "'$G' --help | grep -q 'gen build'"
check "gen --version" sh -c "'$G' --version | grep -q '^gen [0-9]'"
"$G" frobnicate >/dev/null 2>&1; st=$?
[ $st -eq 2 ] && pass "unknown command exits 2" || fail "unknown command exits 2" "got $st"
"$G" build --bogus >/dev/null 2>&1; st=$?
[ $st -eq 2 ] && pass "unknown option exits 2" || fail "unknown option exits 2" "got $st"
"$G" >/dev/null 2>&1; st=$?
[ $st -eq 2 ] && pass "no command exits 2" || fail "no command exits 2" "got $st"

cp -r tests/bad/base/content "$w/content"
cp -r templates static "$w/"
(cd "$w" && "$G" check >check.log 2>&1); st=$?
[ $st -eq 0 ] && [ ! -e "$w/site" ] && pass "gen check passes and writes nothing" ||
	fail "gen check passes and writes nothing" "status $st $(cat "$w/check.log")"

made=$(cd "$w" && SOURCE_DATE_EPOCH=1737338400 "$G" new article "医保基金 Report 2025")
[ "$made" = "content/articles/2025/report-2025.md" ] && pass "gen new article path" ||
	fail "gen new article path" "got '$made'"
again=$(cd "$w" && SOURCE_DATE_EPOCH=1737338400 "$G" new article "医保基金 Report 2025")
[ "$again" = "content/articles/2025/report-2025-2.md" ] && pass "gen new never overwrites" ||
	fail "gen new never overwrites" "got '$again'"
check "gen new writes a draft that passes gen check" sh -c "cd '$w' && grep -q '^draft: true' '$made' && '$G' check --drafts"
zh=$(cd "$w" && SOURCE_DATE_EPOCH=1737338400 "$G" new article "只有中文标题")
[ "$zh" = "content/articles/2025/article-20250120.md" ] && pass "gen new slug for a Chinese title" ||
	fail "gen new slug for a Chinese title" "got '$zh'"

printf '{{#items}}<{{name}}>{{/items}}{{>p}}' >"$w/t.mustache"
printf 'P{{x}}' >"$w/p.mustache"
printf '{"items":[{"name":"a&b"},{"name":"医保"}],"x":1}' >"$w/d.json"
got=$("$G" render-template "$w/t.mustache" "$w/d.json")
[ "$got" = "<a&amp;b><医保>P1" ] && pass "render-template renders with partials beside it" ||
	fail "render-template renders with partials beside it" "got '$got'"
printf '{bad json' >"$w/bad.json"
"$G" render-template "$w/t.mustache" "$w/bad.json" 2>"$w/rt.err"; st=$?
[ $st -eq 1 ] && grep -q "bad.json:1:" "$w/rt.err" && pass "render-template reports bad JSON with its place" ||
	fail "render-template reports bad JSON with its place" "status $st: $(cat "$w/rt.err")"
