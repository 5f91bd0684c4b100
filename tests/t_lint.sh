#!/bin/sh
# Content lint in gen check and gen build: the sample portal has no warnings; the fixture
# tests/lint/content (overlaid on tests/bad/base) gets one warning per rule at its
# path:line:col (tests/lint/expect) and still passes; --strict turns them into errors.
# (tests/unit/test_lint.c checks each rule alone, and the sample content without gen.)
. tests/lib.sh
top=$(pwd)
G=${GEN:-$top/gen/gen} # GEN: another build to try
w=$TEST_OUT/lint
rm -rf "$w" && mkdir -p "$w"

"$G" check --strict >"$w/sample.log" 2>&1
st=$?
if [ $st -eq 2 ]; then
	fail "lint not wired into gen check yet" "'gen check --strict' is a usage error: call lint_content from cmd_build"
	exit 0
fi
if [ $st -eq 0 ] && ! grep -q 'warning:\|error:' "$w/sample.log"; then
	pass "lint: the sample portal has no warnings (gen check --strict)"
else
	fail "lint: the sample portal has no warnings (gen check --strict)" "$(head -n 10 "$w/sample.log")"
fi

cp -r tests/bad/base/content "$w/content"
cp -r tests/lint/content/. "$w/content/"
(cd "$w" && "$G" check --templates "$top/templates" --static "$top/static" >check.log 2>&1)
st=$?
why=""
[ $st -eq 0 ] || why="exit status $st, want 0"
while IFS= read -r want; do
	grep -qF -- "$want" "$w/check.log" || why="$why; no line with: $want"
done <tests/lint/expect
n=$(grep -c 'lint-all.md:.*warning:' "$w/check.log")
[ "$n" -eq "$(wc -l <tests/lint/expect)" ] || why="$why; $n warnings for lint-all.md"
if [ -z "$why" ]; then pass "lint: one warning per rule at path:line:col"; else fail "lint: one warning per rule at path:line:col" "$why
$(head -n 12 "$w/check.log")"; fi

(cd "$w" && "$G" check --strict --templates "$top/templates" --static "$top/static" >strict.log 2>&1)
st=$?
if [ $st -eq 1 ] && grep -qF 'content/articles/lint-all.md:7:13: error: half-width' "$w/strict.log"; then
	pass "lint: --strict makes the warnings errors"
else
	fail "lint: --strict makes the warnings errors" "status $st: $(head -n 5 "$w/strict.log")"
fi

(cd "$w" && "$G" build --templates "$top/templates" --static "$top/static" --out site >build.log 2>&1)
st=$?
if [ $st -eq 0 ] && grep -q 'warning' "$w/build.log" && [ -f "$w/site/index.html" ]; then
	pass "lint: gen build builds and counts the warnings"
else
	fail "lint: gen build builds and counts the warnings" "status $st: $(tail -n 3 "$w/build.log")"
fi
