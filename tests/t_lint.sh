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

# The findings are remembered in the cache between builds (keyed by the article's path,
# body, source and cited datasets): a rebuild replays them, and they follow every edit
# exactly as a build that lints everything finds them.
findings() { grep -E 'warning:|error:' "$1" | sort; }
lint_build() { (cd "$w" && "$G" build "$@" --templates "$top/templates" --static "$top/static" --out site 2>&1); }
lint_build >"$w/memo1.log"
lint_build --no-cache >"$w/fresh1.log"
why=""
findings "$w/build.log" >"$w/f0"
findings "$w/memo1.log" >"$w/f1"
findings "$w/fresh1.log" >"$w/f2"
cmp -s "$w/f0" "$w/f1" || why="a rebuild replays other findings: $(diff "$w/f0" "$w/f1" | head -n 5)"
cmp -s "$w/f1" "$w/f2" || why="$why; --no-cache finds other ones"
[ -s "$w/f1" ] || why="$why; no findings at all"
memo=$(grep -l 'differs from dataset fund' $(find "$TEST_OUT/cache" -path '*bodies-1*' -name lint) /dev/null | head -n 1)
[ -n "$memo" ] && grep -q '^gongbao-lint 2' "$memo" || why="$why; no memo file in the cache"
if [ -z "$why" ]; then pass "lint: a rebuild replays the remembered findings, the same as a full lint"; else fail "lint: a rebuild replays the remembered findings, the same as a full lint" "$why"; fi

# reseal MEMO: the memo's last line made the digest of all before it again, as gen seals
# its memos (so that an edit made here is not taken for damage)
reseal() {
	/usr/bin/python3 - "$1" <<'PY'
import hashlib, sys
p = sys.argv[1]
b = open(p, 'rb').read()
body = b[:b.rindex(b'end ')]
open(p, 'wb').write(body + b'end ' + hashlib.sha256(body).hexdigest().encode() + b'\n')
PY
}
# the replay is real: a message changed in the memo is what the next build prints; and
# the same change behind the memo's digest makes the memo unused
cp "$memo" "$w/memo.orig"
sed -i 's/half-width/HALF-WIDTH/' "$memo"
reseal "$memo"
lint_build >"$w/memo-tampered.log"
cp "$w/memo.orig" "$memo"
sed -i 's/half-width/HALF-WIDTH/' "$memo"
lint_build >"$w/memo-unsealed.log"
if grep -qF 'lint-all.md:7:13: warning: HALF-WIDTH' "$w/memo-tampered.log"; then
	pass "lint: a rebuild takes the findings from the memo"
else
	fail "lint: a rebuild takes the findings from the memo" "$(grep -i half "$w/memo-tampered.log" | head -n 3)"
fi
if grep -qF 'lint-all.md:7:13: warning: half-width' "$w/memo-unsealed.log"; then
	pass "lint: a memo changed behind its digest is not used"
else
	fail "lint: a memo changed behind its digest is not used" "$(grep -i half "$w/memo-unsealed.log" | head -n 3)"
fi
cp "$w/memo.orig" "$memo"

lint_build --strict >"$w/memo-strict.log"
st=$?
if [ $st -eq 1 ] && grep -qF 'content/articles/lint-all.md:7:13: error: half-width' "$w/memo-strict.log"; then
	pass "lint: remembered findings are errors under --strict"
else
	fail "lint: remembered findings are errors under --strict" "status $st: $(head -n 5 "$w/memo-strict.log")"
fi

# edits: the body (a finding fixed, one line added above the others), the source, the
# dataset the article cites; then a damaged memo
a="$w/content/articles/lint-all.md"
ok=1
step() {
	lint_build >"$w/memo-$1.log"
	lint_build --no-cache >"$w/fresh-$1.log"
	findings "$w/memo-$1.log" >"$w/m-$1"
	findings "$w/fresh-$1.log" >"$w/n-$1"
	if ! cmp -s "$w/m-$1" "$w/n-$1"; then
		ok=0
		why="$why; after $1: $(diff "$w/m-$1" "$w/n-$1" | head -n 4)"
	fi
}
why=""
sed -i 's|^!\[\](/media/dot.png)|![一个点](/media/dot.png)|' "$a"
step image-fixed
sed -i 's/^城区供水/新的一段文字。\n\n城区供水/' "$a"
step line-added
sed -i 's/^title: \(.*\)$/title: \1\nsource: 新华社/' "$a"
step source-added
sed -i 's/^职工医保,23700$/职工医保,24700/' "$w/content/data/fund/fund.csv"
step dataset-changed
# a damaged record under a good seal: the records from it on are not used
sed -i '3s/.*/'"$(printf '%064d' 0)"' 3 1/' "$memo"
reseal "$memo"
step memo-damaged
printf 'garbage' >"$memo"
step memo-garbage
if [ $ok -eq 1 ]; then pass "lint: remembered findings follow edits to the body, source and datasets, and a damaged memo"; else fail "lint: remembered findings follow edits to the body, source and datasets, and a damaged memo" "$why"; fi
