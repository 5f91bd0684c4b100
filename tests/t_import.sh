#!/bin/sh
# gen import: the five newspaper pages of ../shared/seeds (properties: articles found per
# page, bylines and datelines read, no paragraph twice, no sentence left broken, every
# draft passes gen check --drafts, refusal without a date, never overwriting) and the
# golden cases tests/import/<case>/ (input.txt written for the tests, args, expected/
# compared byte for byte; UPDATE=1 rewrites expected/). Nothing imported is committed:
# the drafts go to $TEST_OUT. GEN may name another build of gen to try.
. tests/lib.sh
top=$(pwd)
G=${GEN:-$top/gen/gen}
C=$G
w=$TEST_OUT/import
rm -rf "$w" && mkdir -p "$w"

if ! "$G" import --help >/dev/null 2>&1; then
	fail "gen import not wired yet" "'gen/gen import --help' failed: add cmd_import to gen/main.c"
	exit 0
fi

# A content folder with the fixture's site.yaml, the theme, and the drafts of $1.
check_drafts() { # name drafts-dir
	site=$w/site-$1
	rm -rf "$site" && mkdir -p "$site/content/articles/imported"
	cp tests/bad/base/content/site.yaml "$site/content/"
	cp "$2"/*.md "$site/content/articles/imported/"
	if (cd "$site" && "$C" check --drafts --templates "$top/templates" --static "$top/static" >check.log 2>&1); then
		pass "import $1: every draft passes gen check --drafts"
	else
		fail "import $1: every draft passes gen check --drafts" "$(grep -v warning "$site/check.log" | head -n 5)"
	fi
}

# Checks the drafts of one page: count within [min, max], front matter, no paragraph twice
# (page-wide), every paragraph ends a sentence or is marked 【待核】, no dateline left in
# the text. Prints problems; exit status 1 if any.
props() { # dir min max
	$PY - "$@" <<'EOF'
import os, re, sys
d, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
files = sorted(f for f in os.listdir(d) if f.endswith('.md'))
bad = []
if not lo <= len(files) <= hi:
    bad.append('%d articles, expected %d to %d' % (len(files), lo, hi))
keys = {'title', 'date', 'updated', 'topics', 'tags', 'summary', 'source', 'author',
        'region', 'slug', 'draft', 'image', 'image_alt', 'datasets', 'corrections'}
seen = {}
final = '。！？…!?.）)'
for f in files:
    text = open(os.path.join(d, f), encoding='utf-8').read()
    m = re.match(r'---\n(.*?)\n---\n\n(.*)$', text, re.S)
    if not m:
        bad.append(f + ': no front matter'); continue
    fm, body = m.group(1), m.group(2)
    for line in fm.split('\n'):
        k = line.split(':', 1)[0]
        if k not in keys:
            bad.append('%s: key %s' % (f, k))
    if not re.search(r'^date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$', fm, re.M):
        bad.append(f + ': date without a zone')
    if 'draft: true' not in fm.split('\n'):
        bad.append(f + ': not a draft')
    if not re.search(r'^slug: [a-z0-9]+(-[a-z0-9]+)*$', fm, re.M):
        bad.append(f + ': slug')
    paras = [p for p in body.split('\n\n') if p.strip()]
    for i, p in enumerate(paras):
        if p.startswith('## ') or p.startswith('> '):
            continue
        if re.match(r'(本报讯|新华社\S{0,8}\d+月\d+日电)', p):
            bad.append('%s: a dateline left in the text: %s' % (f, p[:20]))
        key = re.sub(r'\s', '', p)
        if len(key) >= 10:
            if key in seen:
                bad.append('%s: paragraph also in %s: %s' % (f, seen[key], p[:20]))
            seen[key] = f
        end = p.rstrip()[-1]
        ok = end in final or p.rstrip().endswith('”') and p.rstrip()[-2] in final
        marked = i + 1 < len(paras) and paras[i + 1].startswith('> 【待核】')
        if not ok and not marked:
            bad.append('%s: paragraph ends mid-sentence, unmarked: …%s' % (f, p.rstrip()[-15:]))
print('\n'.join(bad))
sys.exit(1 if bad else 0)
EOF
}

# page  --date  --source  min max: the counts come from reading the pages (see below)
seeds=$top/../shared/seeds
while read -r page date source lo hi; do
	case $page in '#'* | '') continue ;; esac
	src=$seeds/$page.txt
	if [ ! -f "$src" ]; then
		fail "import $page: page exists" "$src missing"
		continue
	fi
	out=$w/$page
	if "$G" import "$src" --date "$date" --source "$source" --into "$out" >"$w/$page.log" 2>&1; then
		pass "import $page: exits 0"
	else
		fail "import $page: exits 0" "$(head -n 5 "$w/$page.log")"
		continue
	fi
	if props "$out" "$lo" "$hi" >"$w/$page.props" 2>&1; then
		pass "import $page: $lo-$hi articles, front matter, no repeats, no broken sentences"
	else
		fail "import $page: $lo-$hi articles, front matter, no repeats, no broken sentences" "$(head -n 8 "$w/$page.props")"
	fi
	[ -f "$out"/*.report.txt ] && pass "import $page: report beside the drafts" ||
		fail "import $page: report beside the drafts"
	check_drafts "$page" "$out"
done <<'EOF'
# 000 (法治日报): 医保基金 (byline 赵晨熙); the 北京政协 headline set over the 西柏坡 text,
# whose own headline is the last line of the page; 北京政协 (本报讯, no headline beside
# it); 民进中央 and 吕红兵 (both 蒲晓磊, with repeated paragraphs spilled over other
# articles); the 欠薪 commentary (社会时评). 6 articles.
000_daf324f9db3ab79e 2025-01-15 法治日报 6 6
# 001 (a Zhangjiajie paper): the Xinhua 欠薪 report, 武陵源 编办, 永定区妇幼保健院, the
# photo item 假日里的坚守 (caption + credit only), 莓茶, 驻村更是驻心, 平时考核,
# 油茶飘香赵家坪, 武陵源区人民医院: 9, or 8 if a photo item is not counted.
001_9146ea71f4d9067e 2024-01-02 张家界日报 8 9
# 002: two reprints from 山西日报, each closed by (据《山西日报》).
002_fde17263223a65f1 2024-08-10 大同日报 2 2
# 003 (乌兰察布日报): 欠薪治理, 卓资县综治中心, the Xinhua phone-call story, 四中全会宣讲,
# 化德县净水厂.
003_2ed4941ed24e5612 2025-11-25 乌兰察布日报 5 5
# 004 (Xinhua pages): 个账跨省共济, 交管改革, the 时评, and the photo item 大熊猫: 4, or 3
# without the photo item.
004_ab8ddcef40433bee 2024-12-03 新华社 3 4
EOF

# What the bylines and datelines gave.
has() { # name dir pattern
	if grep -qE -- "$3" "$2"/*.md 2>/dev/null; then pass "import $1"; else fail "import $1" "no draft in $2 matches: $3"; fi
}
has "000: byline □ 本报记者 赵晨熙" "$w/000_daf324f9db3ab79e" '^author: "赵晨熙"$'
has "000: 本报讯 记者徐伟伦" "$w/000_daf324f9db3ab79e" '^author: "徐伟伦"$'
has "000: the 西柏坡 headline found at the end of the page" "$w/000_daf324f9db3ab79e" '^title: "西柏坡：'
has "000: column label made a tag" "$w/000_daf324f9db3ab79e" '^tags: \["社会时评"\]$'
has "001: Xinhua dateline (新华社北京2023年12月31日电)" "$w/001_9146ea71f4d9067e" '^date: 2023-12-31T00:00:00\+08:00$'
has "001: byline 新华社记者 gives the source" "$w/001_9146ea71f4d9067e" '^source: "新华社"$'
has "001: 本报讯（鲁选泽）" "$w/001_9146ea71f4d9067e" '^author: "鲁选泽"$'
has "002: (据《山西日报》) gives the source" "$w/002_fde17263223a65f1" '^source: "山西日报"$'
has "003: dateline 新华社北京11月24日电" "$w/003_2ed4941ed24e5612" '^date: 2025-11-24T00:00:00\+08:00$'
has "003: dateline place" "$w/003_2ed4941ed24e5612" '^region: "北京"$'
has "003: byline with 通讯员" "$w/003_2ed4941ed24e5612" '^author: "高睿、胡燕灵"$'
has "004: dateline 新华社南京12月2日电" "$w/004_ab8ddcef40433bee" '^region: "南京"$'
has "004: photo caption made a note" "$w/004_ab8ddcef40433bee" '^> 【图】.*（新华社发）$'
if $PY -c '
import re, sys, glob
bad = [f for f in glob.glob(sys.argv[1] + "/*.md")
       if re.search("[\u4e00-\u9fff][,;:?!][\u4e00-\u9fff]", open(f, encoding="utf-8").read())]
print(" ".join(bad)); sys.exit(1 if bad else 0)' "$w/002_fde17263223a65f1" >"$w/punct.log" 2>&1; then
	pass "import 002: half-width punctuation made full width"
else
	fail "import 002: half-width punctuation made full width" "$(cat "$w/punct.log")"
fi

# No date anywhere: refused, nothing written.
printf '村里通了公交车\n\n村民出行更方便了。\n' >"$w/nodate.txt"
"$G" import "$w/nodate.txt" --into "$w/nodate" >"$w/nodate.log" 2>&1
st=$?
if [ $st -eq 1 ] && grep -q 'no date for the article' "$w/nodate.log" && grep -q -- '--date' "$w/nodate.log" && [ ! -e "$w/nodate" ]; then
	pass "import: refuses a page without a date and writes nothing"
else
	fail "import: refuses a page without a date and writes nothing" "status $st: $(cat "$w/nodate.log")"
fi

# Never overwrites: a second import of the same page takes new names.
p4=$w/004_ab8ddcef40433bee
before=$(cat "$p4"/004-ab8ddcef40433bee-[1-4].md "$p4"/*.report.txt | sha256sum)
"$G" import "$seeds/004_ab8ddcef40433bee.txt" --date 2024-12-03 --into "$p4" >"$w/again.log" 2>&1
after=$(cat "$p4"/004-ab8ddcef40433bee-[1-4].md "$p4"/004-ab8ddcef40433bee.report.txt | sha256sum)
n=$(ls "$p4"/*.md | wc -l)
if [ "$before" = "$after" ] && [ "$n" -eq 8 ] && [ -f "$p4/004-ab8ddcef40433bee.report-2.txt" ] &&
	grep -q '^slug: 004-ab8ddcef40433bee-1-2$' "$p4/004-ab8ddcef40433bee-1-2.md"; then
	pass "import: never overwrites (next free name, slug to match)"
else
	fail "import: never overwrites (next free name, slug to match)" "$(ls "$p4")"
fi
check_drafts "twice" "$p4"

# Golden cases.
for dir in tests/import/*/; do
	[ -f "$dir/input.txt" ] || continue
	name=$(basename "$dir")
	out=$w/golden-$name
	# shellcheck disable=SC2046
	"$G" import "tests/import/$name/input.txt" $(cat "$dir/args" 2>/dev/null) --into "$out" >"$w/golden-$name.log" 2>&1
	st=$?
	if [ "${UPDATE:-}" = 1 ]; then
		rm -rf "$dir/expected" && mkdir -p "$dir/expected" && cp "$out"/* "$dir/expected/"
	fi
	if [ $st -eq 0 ] && diff -r "$dir/expected" "$out" >"$w/golden-$name.diff" 2>&1; then
		pass "import golden/$name"
	else
		fail "import golden/$name" "status $st; $(head -n 20 "$w/golden-$name.diff")"
	fi
	check_drafts "golden-$name" "$out"
done
