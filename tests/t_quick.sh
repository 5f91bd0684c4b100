#!/bin/sh
# The quick rebuild (gen/quick.h, issue 5): after edits of article bodies alone, a build
# renders just those bodies, their pages, the feeds that show them and the search index
# in place, and keeps every other published file; the site is byte-identical to a clean
# --no-cache build every time. Whatever the quick rebuild cannot vouch for makes the
# whole build: a front matter edit, a summary taken from the body that changes, a new
# file, a template, a body with a warning or a broken link, a file edited by hand in site/,
# a moment at which another article is published. GONGBAO_TIMING says which was taken.
. tests/lib.sh
top=$(pwd)
G=$top/gen/asan/gen # every build here under ASan+UBSan (the site is small)
sample_copy quick
NOW=2026-06-01T00:00:00+08:00

build() { (cd "$w" && GONGBAO_TIMING=1 "$G" build --now "${NOW}" "$@" >"$T/out.log" 2>"$T/err.log"); }
taken() { sed -n 's/^gen: quick: //p' "$T/err.log"; }
summary() { grep '^built' "$T/err.log"; }
same_as_clean() {
	rm -rf "$T/clean" "$T/.clean.prev" "$T/.clean.manifest"
	(cd "$w" && "$G" build --no-cache --now "${NOW}" --out "$T/clean" >/dev/null 2>"$T/clean.log")
	diff -r "$w/site" "$T/clean" >"$T/diff.log" 2>&1
}
# expect NAME WANT: the last build took the quick rebuild (WANT "quick") or the whole
# build because of WANT (a part of the reason printed), and its site is a clean build's.
expect() {
	got=$(taken)
	case "$2" in
	quick) want="the edited bodies alone built" ;;
	*) want=$2 ;;
	esac
	if [ "${got#*"$want"}" = "$got" ]; then
		fail "quick: $1: $2" "took: '$got'; $(summary)"
	elif ! same_as_clean; then
		fail "quick: $1: the same as a clean build" "$(head -n 5 "$T/diff.log")"
	else
		pass "quick: $1: $(echo "$got" | sed 's/the edited bodies alone built/quick/'), the same as a clean build"
	fi
}
art() { echo "$w/content/articles/$1.md"; }
append() { printf '\n%s\n' "$2" >>"$(art "$1")"; }

# An article whose summary comes from its body's first paragraph, one whose front matter
# sets it, one that cites a dataset, and one scheduled for later.
nosum=2023/cili-police-village-work
other=2023/wulingyuan-hospital-alliance
cites=$(cd "$w/content/articles" && grep -l '^datasets:' */*.md | head -n 1 | sed 's/\.md$//')
mkdir -p "$w/content/articles/2026"
cat >"$w/content/articles/2026/later-notice.md" <<'EOF'
---
title: "即将发布的通知"
date: 2026-09-01T09:00:00+08:00
topics: [rural-development]
tags: [驻村帮扶]
summary: "这篇通知定于九月发布。"
source: "测试"
---

这是一篇定于以后发布的通知，用来检查发布时间。
EOF
sleep 2 # inputs changed in the last 2 s are not trusted by the record (coarse times)
build && build
[ "$(taken)" = "the edited bodies alone built" ] && summary | grep -q '; 0 files written' &&
	pass "quick: a second build of the same input is quick and writes no file" ||
	fail "quick: a second build of the same input is quick and writes no file" "$(taken); $(summary)"
record=$(find "$XDG_CACHE_HOME/gongbao" -type f -name quick)
[ -n "$record" ] && [ -z "$(find "$w/site" -name quick)" ] && pass "quick: the record is kept in the cache, not published" ||
	fail "quick: the record is kept in the cache, not published"

append "$nosum" "工作队在年底又走访了十二户村民。"
build
expect "a paragraph added at the end (the article is in a feed)" quick
n=$(find "$w/content/articles" -name '*.md' | wc -l)
pub=$((n - 1)) # the scheduled one is not published
summary | grep -q "; $((pub - 1)) of $pub bodies from the cache" &&
	pass "quick: the summary counts one body rendered of $pub" || fail "quick: one body rendered" "$(summary)"
entries=$(find "$XDG_CACHE_HOME/gongbao" -type f ! -name lint ! -name briefs ! -name load ! -name search ! -name 'quick*' | wc -l)
[ "$entries" = "$pub" ] && pass "quick: the edited body's old cache entry is removed" ||
	fail "quick: the edited body's old cache entry is removed" "$entries entries for $pub articles"

append "$nosum" "随后又组织了一次法治宣传。"
build
expect "the same article edited again at once (its file too new to trust)" quick

$PY - "$(art "$other")" <<'EOF'
import sys
p = sys.argv[1]
s = open(p, encoding='utf-8').read()
head, sep, body = s.partition('\n---\n')
paras = body.split('\n\n')
paras.insert(len(paras) // 2, '联盟成员单位还将定期派出专家开展义诊。')
open(p, 'w', encoding='utf-8').write(head + sep + '\n\n'.join(paras))
EOF
append "$nosum" "村里的道路在春天完成了硬化。"
build
expect "two articles, one with a paragraph inserted in the middle" quick

cp "$(art "$nosum")" "$T/nosum.md"
$PY - "$(art "$nosum")" <<'EOF'
import sys
p = sys.argv[1]
s = open(p, encoding='utf-8').read()
head, sep, body = s.partition('\n---\n')
open(p, 'w', encoding='utf-8').write(head + sep + body.replace('慈利县公安局', '慈利县公安局派出的', 1))
EOF
build
expect "the first paragraph changed (the summary cards show)" "summary changed"

sed -i 's/^title: "\(.*\)"$/title: "\1（更新）"/' "$(art "$other")"
build
expect "a title changed" "front matter changed"

append "$other" "这句话里有半角逗号,夹在中文之间。"
build
grep -q 'warning' "$T/err.log" && expect "a body with a warning (printed by the whole build)" "has messages" ||
	fail "quick: a body with a warning: the whole build prints it" "$(cat "$T/err.log" | head -n 3)"
sed -i '$d' "$(art "$other")"
sed -i '$d' "$(art "$other")"
build
expect "the warning removed again (the last build, with a message, kept no record)" \
	"the published site is not the one recorded"

cp -r "$w/site" "$T/site.before"
append "$other" "详见[另一篇报道](/articles/no-such-article/)。"
if build; then
	fail "quick: a broken link is an error" "$(summary)"
else
	grep -q 'no-such-article' "$T/err.log" && diff -r "$T/site.before" "$w/site" >/dev/null &&
		pass "quick: a broken link in an edited body: the whole build reports it, site/ unchanged" ||
		fail "quick: a broken link in an edited body is reported, site/ unchanged" "$(head -n 3 "$T/err.log")"
fi
sed -i '$d' "$(art "$other")"
sed -i '$d' "$(art "$other")"
build

if [ -n "$cites" ]; then
	append "$cites" "有关数据仍在核对之中。"
	build
	expect "an article that cites a dataset" "cites a dataset"
fi

cp "$(art "$other")" "$w/content/articles/2023/copy-of-other.md"
sed -i 's/^title: .*/title: "复制的文章"/' "$w/content/articles/2023/copy-of-other.md"
build
expect "a new article" "added or removed"

printf '\n' >>"$w/templates/card.mustache"
append "$nosum" "又一段。"
build
expect "a template changed" "other than an article changed"

append "$nosum" "再一段。"
printf 'edited by hand' >>"$w/site/about/index.html"
build
expect "a file edited by hand in site/ (restored by the whole build)" "published file is not as recorded"

append "$nosum" "还有一段。"
NOW=2026-08-31T00:00:00+08:00
build
expect "a later moment with the same articles published" quick
NOW=2026-09-02T00:00:00+08:00
append "$nosum" "最后一段。"
build
expect "a moment at which another article is published" "published or expires in between"

# Rounds of random body edits (seeded): paragraphs inserted, removed or changed in one to
# three articles. Each round is a quick rebuild, or a whole one for a reason the quick
# rebuild gives (a summary, a chart), and the site is a clean build's; most are quick.
quick_rounds=0
for round in 1 2 3 4 5 6; do
	$PY - "$w/content/articles" "$round" <<'EOF'
import os, random, sys
top, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
arts = sorted(os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs if f.endswith('.md'))
# not those that cite a dataset (a whole build: tested above)
arts = [p for p in arts if '\ndatasets:' not in open(p, encoding='utf-8').read()]
for p in rng.sample(arts, rng.randint(1, 3)):
    s = open(p, encoding='utf-8').read()
    head, sep, body = s.partition('\n---\n')
    paras = body.split('\n\n')
    k = rng.randrange(1, len(paras)) if len(paras) > 1 else 0
    what = rng.choice(['insert', 'remove', 'change'])
    if what == 'insert' or len(paras) < 3:
        paras.insert(k, '第%d轮随机加入的段落，数字%d。' % (seed, rng.randrange(10**5)))
    elif what == 'remove' and not paras[k].startswith(('#', '```', '|', '>')):
        del paras[k]
    else:
        paras[k] = paras[k] + '（第%d轮补充）' % seed
    open(p, 'w', encoding='utf-8').write(head + sep + '\n\n'.join(paras))
EOF
	build || fail "quick: random round $round builds" "$(grep error "$T/err.log" | head -n 3)"
	got=$(taken)
	case "$got" in
	"the edited bodies alone built" | *summary* | *chart*)
		[ "$got" = "the edited bodies alone built" ] && quick_rounds=$((quick_rounds + 1))
		if same_as_clean; then
			pass "quick: random round $round ($(echo "$got" | sed 's/the edited bodies alone built/quick/')): the same as a clean build"
		else
			fail "quick: random round $round: the same as a clean build" "$(head -n 5 "$T/diff.log")"
		fi
		;;
	*) fail "quick: random round $round: quick, or whole for a reason of the edit" "$got" ;;
	esac
done
[ "$quick_rounds" -ge 4 ] && pass "quick: $quick_rounds of 6 random rounds quick" ||
	fail "quick: most random rounds quick" "$quick_rounds of 6"

# under valgrind: no errors, no leaks
NOW=2026-09-03T00:00:00+08:00
build # a record for this moment
append "$nosum" "在valgrind下加的一段。"
if command -v valgrind >/dev/null; then
	(cd "$w" && GONGBAO_TIMING=1 valgrind -q --error-exitcode=9 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$top/gen/gen" build --now "$NOW" \
		>"$T/out.log" 2>"$T/err.log")
	vg=$?
	# the record is another binary's: a whole build, which keeps a record for gen/gen
	append "$nosum" "再在valgrind下加一段。"
	(cd "$w" && GONGBAO_TIMING=1 valgrind -q --error-exitcode=9 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect "$top/gen/gen" build --now "$NOW" \
		>"$T/out.log" 2>"$T/err.log")
	if [ "$vg" = 0 ] && [ "$?" = 0 ]; then
		expect "a quick rebuild under valgrind (no errors, no leaks)" quick
	else
		fail "quick: under valgrind: no errors, no leaks" "$(head -n 5 "$T/err.log")"
	fi
	G=$top/gen/asan/gen
else
	fail "valgrind installed"
fi

# a damaged record is not used
record=$(find "$XDG_CACHE_HOME/gongbao" -type f -name quick)
build
$PY - "$record" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 1
open(p, 'wb').write(bytes(b))
EOF
append "$nosum" "记录损坏之后的一段。"
build
expect "a damaged record" "no record of the last build"
model=$(find "$XDG_CACHE_HOME/gongbao" -type f -name quick-model)
$PY - "$model" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 3] ^= 1
open(p, 'wb').write(bytes(b))
EOF
append "$nosum" "模型损坏之后的一段。"
build
expect "a damaged record of the model" "no record of the last build's model"

# what the quick rebuilds left is what a whole build expects: a whole build of the same
# input (site.yaml touched, not changed) writes nothing and reads every body from the cache
touch "$w/content/site.yaml"
build
summary | grep -q '; 0 files written' && [ "$(taken)" != "the edited bodies alone built" ] &&
	pass "quick: then a whole build of the same input writes no file" ||
	fail "quick: then a whole build of the same input writes no file" "$(taken); $(summary)"
