#!/bin/sh
# Write-if-changed, the body cache and page keys (issue 5): a second build of the same
# input writes no file (inodes and mtimes stay), every body comes from the cache, and
# after random edits (bodies, titles, tags, dates, new and removed articles, a dataset,
# site.yaml, templates) an incremental build -- which keeps the pages whose key did not
# change without rendering them -- is byte-identical to a clean --no-cache build; the
# search index is updated in place (one article tokenised, only the shards it is in coded,
# a few shard files written) and is still a clean build's after each kind of edit, and is
# built whole when its memo is damaged or missing or a shard was edited by hand. Then
# what must not be trusted: a cached body whose link target went away, a damaged manifest
# or cache entry, a file edited or deleted by hand in site/, a build killed half way.
. tests/lib.sh
top=$(pwd)
G=$top/gen/gen
sample_copy incremental
# the whole build's own machinery: the quick rebuild after body edits (t_quick.sh) is off,
# but for the rounds of random edits, where it and the whole build take turns
GONGBAO_QUICK=off
export GONGBAO_QUICK

build() { (cd "$w" && "$G" build "$@" >"$T/out.log" 2>"$T/err.log"); }
# files: path, inode and mtime of every file in site/.
files() { (cd "$w/site" && find . -type f -printf '%P %i %T@\n' | sort); }
summary() { grep '^built' "$T/err.log"; }
# same_as_clean NAME: site/ equals a clean --no-cache build of the same input.
same_as_clean() {
	rm -rf "$T/clean" "$T/.clean.prev" "$T/.clean.manifest"
	(cd "$w" && "$G" build --no-cache --out "$T/clean" >/dev/null 2>"$T/clean.log")
	if diff -r "$w/site" "$T/clean" >"$T/diff.log" 2>&1; then
		pass "incremental/$1: the same as a clean build ($(summary | sed 's/.*warnings\{0,1\}; //'))"
	else
		fail "incremental/$1: the same as a clean build" "$(head -n 5 "$T/diff.log")"
	fi
}

build || fail "incremental: first build" "$(tail -n 3 "$T/err.log")"
files >"$T/files.1"
build
files >"$T/files.2"
if cmp -s "$T/files.1" "$T/files.2" && summary | grep -q '; 0 files written'; then
	pass "incremental: a second build writes no file (every inode and mtime stays)"
else
	fail "incremental: a second build writes no file" "$(summary); $(diff "$T/files.1" "$T/files.2" | head -n 3)"
fi
n=$(find "$w/content/articles" -name '*.md' | wc -l)
summary | grep -q "; $n of $n bodies from the cache" && pass "incremental: all $n bodies from the cache" ||
	fail "incremental: all $n bodies from the cache" "$(summary)"
# besides the entries: the memos (lint: t_lint.sh; load, search: below) and the briefs
entries=$(find "$XDG_CACHE_HOME/gongbao" -type f ! -name lint ! -name briefs ! -name load ! -name search ! -name 'quick*' | wc -l)
[ "$entries" = "$n" ] && pass "incremental: the cache holds one entry per article, under \$XDG_CACHE_HOME/gongbao" ||
	fail "incremental: one cache entry per article" "$entries entries for $n articles"
briefs=$(find "$XDG_CACHE_HOME/gongbao" -type f -name briefs)
[ "$(sed 1,2d "$briefs" | grep -c '^[0-9a-f]\{64\}$')" = "$n" ] && tail -n 1 "$briefs" | grep -q '^end [0-9a-f]\{64\}$' &&
	pass "incremental: the cache keeps one brief per entry, its digest at the end" ||
	fail "incremental: one brief per entry" "$(sed 1,2d "$briefs" | grep -c '^[0-9a-f]\{64\}$') briefs for $n articles"
[ -z "$(find "$w/site" -path '*gongbao*')" ] && [ ! -e "$w/site/.site.manifest" ] &&
	pass "incremental: nothing of the cache or the manifest is published" ||
	fail "incremental: nothing of the cache or the manifest is published"

# The load memo: a file whose inode, size, mtime and ctime are the ones a build remembered
# is not read again; any other is.
remembered() { sed -n 's/^gen: load: \([0-9]*\) files remembered.*/\1/p' "$T/err.log"; }
md=$(find "$w/content/articles" "$w/content/pages" -name '*.md' | wc -l)
sleep 2 # files changed in the last 2 s are not remembered (coarse timestamps)
build
touch "$w/content/site.yaml" # not the quick rebuild (below): a whole build, which loads
(GONGBAO_TIMING=1 && export GONGBAO_TIMING && build)
[ "$(remembered)" = "$md" ] && pass "incremental: all $md files remembered by the load memo" ||
	fail "incremental: all $md files remembered by the load memo" "$(remembered) of $md"
# a title changed to one of the same length, the mtime put back: the change time tells
f=$(find "$w/content/articles" -name '*.md' | sort | sed -n 2p)
touch -r "$f" "$T/stamp"
/usr/bin/python3 - "$f" <<'PY'
import sys, re
p = sys.argv[1]
s = open(p, encoding='utf-8').read()
t = re.search(r'^title: *"?(.)', s, re.M)
s = s[:t.start(1)] + ('甲' if t.group(1) != '甲' else '乙') + s[t.end(1):]
open(p, 'w', encoding='utf-8').write(s)
PY
touch -r "$T/stamp" "$f"
(GONGBAO_TIMING=1 && export GONGBAO_TIMING && build)
[ "$(remembered)" = "$((md - 1))" ] && pass "incremental: a file rewritten with its size and mtime is read again" ||
	fail "incremental: a file rewritten with its size and mtime is read again" "$(remembered) of $md remembered"
same_as_clean "a title rewritten with the same size and mtime"
memo=$(find "$XDG_CACHE_HOME/gongbao" -type f -name load)
/usr/bin/python3 - "$memo" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.index(b'"title":"') + 9
b[i] = ord('X') if b[i] != ord('X') else ord('Y')
open(p, 'wb').write(bytes(b))
PY
(GONGBAO_TIMING=1 && export GONGBAO_TIMING && build)
[ "$(remembered)" = 0 ] && pass "incremental: a damaged load memo is not used" ||
	fail "incremental: a damaged load memo is not used" "$(remembered) remembered"
same_as_clean "a damaged load memo"

# The search index a build made from the cached bodies' tokens (no text tokenised again)
# is the one a build tokenising every text makes.
rm -rf "$T/clean" "$T/.clean.prev" "$T/.clean.manifest"
(cd "$w" && "$G" build --no-cache --out "$T/clean" >/dev/null 2>"$T/clean.log")
if [ -s "$w/site/search/idx/meta.json" ] && ls "$w/site/search/idx/q" | grep -q . &&
	diff -r "$w/site/search/idx" "$T/clean/search/idx" >"$T/diff.log" 2>&1; then
	pass "incremental: the search index from cached tokens is a --no-cache build's"
else
	fail "incremental: the search index from cached tokens is a --no-cache build's" "$(head -n 3 "$T/diff.log")"
fi

# Rounds of random edits (seeded): each round edits, builds, and compares.
edit() {
	$PY - "$w" "$1" <<'EOF'
import os, random, re, sys
w, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
arts = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(w, 'content/articles'))
              for f in fs if f.endswith('.md'))
def read(p): return open(p, encoding='utf-8').read()
def write(p, s): open(p, 'w', encoding='utf-8').write(s)
linked = set()
for p in arts:
    linked.update(re.findall(r'\]\(/articles/([^/)#]+)', read(p)))
kinds = ['body', 'body', 'title', 'tag', 'new', 'remove', 'summary', 'date', 'source', 'topic']
for _ in range(3):
    kind = rng.choice(kinds)
    p = rng.choice(arts)
    s = read(p)
    head, sep, body = s.partition('\n---\n')
    if kind == 'body':
        lines = body.split('\n')
        i = rng.randrange(len(lines))
        lines.insert(i, '\n第%d轮加入的一段文字，含有数字%d。\n' % (seed, rng.randrange(10**6)))
        write(p, head + sep + '\n'.join(lines))
    elif kind == 'title':
        write(p, re.sub(r'^title: *"?(.*?)"?$', lambda m: 'title: "%s（修订%d）"' % (m.group(1), seed),
                        s, count=1, flags=re.M))
    elif kind == 'summary':
        head = re.sub(r'^summary: .*\n?', '', head, flags=re.M).rstrip('\n')
        write(p, head + '\nsummary: "第%d轮改写的摘要。"' % seed + sep + body)
    elif kind == 'date':
        # front matter only: the article moves in every list, its neighbours change
        write(p, re.sub(r'^date: *(\d{4})-', lambda m: 'date: %d-' % (int(m.group(1)) - 1 - seed % 2),
                        s, count=1, flags=re.M))
    elif kind == 'source':
        # front matter only, and shown on cards (the lists and the related articles)
        head = re.sub(r'^(source|region): .*\n?', '', head, flags=re.M).rstrip('\n')
        write(p, head + '\nsource: "第%d轮来源"\nregion: "第%d轮地区"' % (seed, seed) + sep + body)
    elif kind == 'topic':
        # what the search index files under a topic, and the records' topic numbers
        new = 'education' if not re.search(r'^topics:.*education', head, flags=re.M) else 'water-supply'
        head = re.sub(r'^topics: .*\n?', '', head, flags=re.M).rstrip('\n')
        write(p, head + '\ntopics: [%s]' % new + sep + body)
    elif kind == 'tag':
        write(p, re.sub(r'^tags: *\[', 'tags: [轮次%d, ' % (seed % 3), s, count=1, flags=re.M))
    elif kind == 'new':
        slug = 'round-%d-%d' % (seed, rng.randrange(1000))
        src = read(rng.choice(arts))
        src = re.sub(r'^title: .*$', 'title: "新文章%s"' % slug, src, count=1, flags=re.M)
        src = re.sub(r'^slug: .*$', 'slug: %s' % slug, src, count=1, flags=re.M)
        if not re.search(r'^slug:', src, flags=re.M):
            src = src.replace('\n---\n', '\nslug: %s\n---\n' % slug, 1)
        write(os.path.join(w, 'content/articles', slug + '.md'), src)
    elif kind == 'remove':
        slug = re.search(r'^slug: *(\S+)', s, flags=re.M)
        slug = slug.group(1) if slug else os.path.basename(p)[:-3]
        if slug not in linked and 'aliases' not in s:
            os.remove(p)
            arts.remove(p)
EOF
}
for round in 1 2 3 4 5 6 7 8; do
	edit $round
	if GONGBAO_QUICK=on build; then
		same_as_clean "round $round"
	else
		fail "incremental/round $round: builds" "$(grep error "$T/err.log" | head -n 3)"
	fi
done

# The search index updated in place (gen/search.h), on a generated corpus large enough
# that an article's tokens are in only part of the shards: a rebuild after an edit
# tokenises the edited article alone, codes only the shards its tokens are in, and writes
# only the shard files whose bytes changed; after each kind of edit the whole site is a
# clean build's. A damaged or missing memo and a shard edited by hand in site/ make a whole
# index, still exact; the build after that is in place again.
big=$T/big
mkdir -p "$big"
$PY bench/corpus.py "$big/content" 300 >/dev/null
bbuild() { (cd "$big" && GONGBAO_TIMING=1 "$G" build --content content --templates "$top/templates" --static "$top/static" --out site >/dev/null 2>"$T/big.log"); }
# big_same NAME WANT: site/ equals a clean build, and the index was made as WANT says
# ("updated in place" or "built whole").
big_same() {
	rm -rf "$big/clean" "$big/.clean.prev" "$big/.clean.manifest"
	(cd "$big" && "$G" build --no-cache --content content --templates "$top/templates" --static "$top/static" --out clean >/dev/null 2>&1)
	how=$(grep 'search index' "$T/big.log" | sed 's/^gen: search index //')
	if ! diff -r "$big/site" "$big/clean" >"$T/diff.log" 2>&1; then
		fail "incremental/search: $1: the same as a clean build" "$(head -n 5 "$T/diff.log")"
	elif [ "${how#$2}" = "$how" ]; then
		fail "incremental/search: $1: the index $2" "$how"
	else
		pass "incremental/search: $1: the same as a clean build, the index $how"
	fi
}
# bcheck NAME WANT: builds, then big_same.
bcheck() {
	if bbuild; then
		big_same "$1" "$2"
	else
		fail "incremental/search: $1: builds" "$(grep error "$T/big.log" | head -n 3)"
	fi
}
# inodes: every shard file's inode, to count the files a build wrote.
inodes() { (cd "$big/site/search/idx" && find p q -type f -printf '%p %i\n' | sort); }
bart() { find "$big/content/articles" -name '*.md' | sort | sed -n "$1p"; }

# Huge pages (gen/main.c, exec_with_huge_pages): a build runs with glibc's transparent
# huge pages, unless GLIBC_TUNABLES already names the setting (the user's value stands).
# GONGBAO_TIMING prints how much of the heap is in them. Only where the kernel offers them.
huge_mb() { # [VAR=value]: MB in huge pages at the end of a clean build of the corpus
	(cd "$big" && env "$@" GONGBAO_TIMING=1 "$G" build --no-cache --content content \
		--templates "$top/templates" --static "$top/static" --out thp 2>&1 >/dev/null |
		sed -n 's/^gen: publish .*, \([0-9]*\) MB in huge pages.*/\1/p')
}
thp=/sys/kernel/mm/transparent_hugepage/enabled
if [ -r "$thp" ] && ! grep -q '\[never\]' "$thp"; then
	on=$(huge_mb)
	off=$(huge_mb GLIBC_TUNABLES=glibc.malloc.hugetlb=0)
	if [ "${on:-0}" -gt 0 ] && [ "$off" = 0 ]; then
		pass "huge pages: $on MB of the heap in them; none when GLIBC_TUNABLES turns them off"
	else
		fail "huge pages: some by default, none when turned off" "on: '$on' MB, off: '$off' MB"
	fi
else
	echo "(huge pages: the kernel offers none here, not checked)"
fi
rm -rf "$big/thp" "$big/.thp.prev" "$big/.thp.manifest"

bbuild && bbuild
inodes >"$T/inodes.1"
printf '\n此外，另有一段新增文字：夔魖。\n' >>"$(bart 100)"
bbuild
inodes >"$T/inodes.2"
line=$(grep 'search index' "$T/big.log")
written=$(join "$T/inodes.1" "$T/inodes.2" | awk '$2 != $3' | wc -l)
coded=$(echo "$line" | sed -n 's/.*tokenised, \([0-9]*\) of \([0-9]*\) shards coded/\1/p')
shards=$(echo "$line" | sed -n 's/.*tokenised, \([0-9]*\) of \([0-9]*\) shards coded/\2/p')
if echo "$line" | grep -q 'updated in place: 1 of [0-9]* documents tokenised' &&
	[ "${coded:-0}" -gt 0 ] && [ "$coded" -lt "$shards" ] && [ "$written" -gt 0 ] && [ "$written" -le 64 ]; then
	pass "incremental/search: one paragraph added: one article tokenised, $coded of $shards shards coded, $written shard files written"
else
	fail "incremental/search: one paragraph added: one article tokenised, some shards coded, a few files written" "$line; $written files written"
fi
big_same "one paragraph added" "updated in place"
bedit() {
	$PY - "$1" "$2" "$newest" <<'EOF2'
import re, sys
p, kind, newest = sys.argv[1], sys.argv[2], sys.argv[3]
s = open(p, encoding='utf-8').read()
if kind == 'title':
    s = re.sub(r'^title: *"?(.*?)"?$', lambda m: 'title: "%s（修订）"' % m.group(1), s, count=1, flags=re.M)
elif kind == 'newest':
    s = re.sub(r'^date: .*$', 'date: %s' % newest, s, count=1, flags=re.M)
elif kind == 'older':
    s = re.sub(r'^date: .*$', 'date: 2001-01-02T08:00:00+08:00', s, count=1, flags=re.M)
elif kind == 'topics':
    s = re.sub(r'^topics: .*$', 'topics: [employment, wage-arrears]', s, count=1, flags=re.M)
elif kind == 'body':
    head, sep, body = s.partition('\n---\n')
    lines = body.split('\n')
    lines.insert(len(lines) // 2, '\n中间插入的一段文字，含有数字2718。\n')
    s = head + sep + '\n'.join(lines)
open(p, 'w', encoding='utf-8').write(s)
EOF2
}
newest=$(date -d '-1 day' +%Y-%m-%dT08:00:00+08:00) # newer than the corpus, not in the future
bedit "$(bart 50)" body
bcheck "a paragraph inserted in the middle" "updated in place: 1 of"
bedit "$(bart 60)" title
bcheck "a title" "updated in place: 1 of"
bedit "$(bart 70)" older
bcheck "a date (the oldest: documents renumbered)" "updated in place"
bedit "$(bart 80)" newest
bcheck "a date (the newest)" "updated in place"
bedit "$(bart 90)" topics
bcheck "topics" "updated in place: 0 of"
sed "s/^title: .*/title: \"最新的一篇\"/; s/^date: .*/date: $newest/" "$(bart 110)" >"$big/content/articles/newest.md"
bcheck "the newest article added" "updated in place" # (the bodies with charts are rendered again: their key takes every dataset)
sed 's/^title: .*/title: "较早的一篇"/; s/^date: .*/date: 2019-05-06T08:00:00+08:00/' "$(bart 120)" >"$big/content/articles/older.md"
bcheck "an older article added" "updated in place: 1 of"
for n in $(seq 130 200); do # an article no other links to
	slug=$(basename "$(bart $n)" .md)
	grep -rq "/articles/$slug/" "$big/content/articles" || break
done
rm "$(bart $n)"
bcheck "an article removed" "updated in place"
for m in $(find "$XDG_CACHE_HOME/gongbao" -type f -name search); do
	printf 'garbage' | dd of="$m" bs=1 seek=100 conv=notrunc 2>/dev/null
done
bedit "$(bart 140)" body
bcheck "a damaged memo" "built whole"
bcheck "the same input after it" "updated in place: 0 of"
find "$XDG_CACHE_HOME/gongbao" -type f -name search -delete
bedit "$(bart 150)" body
bcheck "no memo" "built whole"
printf 'x' >>"$big/site/search/idx/p/001.bin"
bedit "$(bart 160)" body
bcheck "a shard edited by hand in site/" "built whole"
bedit "$(bart 170)" body
bcheck "after it" "updated in place: 1 of"
# Bodies known from their briefs alone (no feed shows them: 125 of the 300 are in one; the
# index does not want their text): their cache entries are not read. With the entries gone (the briefs and memos
# kept) and every page to be rendered again (a template edited), each page renders its
# body again from the Markdown, and the site is still a clean build's.
bbuild
briefed=$(sed -n 's/^gen: bodies: \([0-9]*\) known from their briefs alone/\1/p' "$T/big.log")
[ "${briefed:-0}" -gt 100 ] && pass "incremental: $briefed of 300 bodies known from their briefs alone" ||
	fail "incremental: most bodies known from their briefs alone" "${briefed:-none}"
cp -r "$top/templates" "$big/tpl"
sed -i 's|</footer>|<p>再版</p></footer>|' "$big/tpl/layout.mustache"
find "$XDG_CACHE_HOME/gongbao" -type f ! -name lint ! -name briefs ! -name load ! -name search -delete
(cd "$big" && GONGBAO_TIMING=1 "$G" build --content content --templates tpl --static "$top/static" --out site >/dev/null 2>"$T/big.log")
rm -rf "$big/clean" "$big/.clean.prev" "$big/.clean.manifest"
(cd "$big" && "$G" build --no-cache --content content --templates tpl --static "$top/static" --out clean >/dev/null 2>&1)
briefed=$(sed -n 's/^gen: bodies: \([0-9]*\) known from their briefs alone/\1/p' "$T/big.log")
if [ "${briefed:-0}" -gt 100 ] && diff -r "$big/site" "$big/clean" >"$T/diff.log" 2>&1; then
	pass "incremental: cache entries removed, briefs kept, every page rendered again: the same as a clean build"
else
	fail "incremental: cache entries removed, briefs kept, every page rendered again" "${briefed:-none} briefed; $(head -n 3 "$T/diff.log")"
fi

# Front matter only, one field at a time, on one article: its body (and so its body's
# cache entry) stays the same while its page, its neighbours' and the lists change.
fm=$(find "$w/content/articles" -name '*.md' | sort | sed -n 3p)
sed -i '0,/^title: /s/^title: *"\{0,1\}\([^"]*\)"\{0,1\}$/title: "\1（前言修订）"/' "$fm"
build && same_as_clean "front matter: a title"
sed -i '0,/^tags: *\[/s/^tags: *\[/tags: [前言标签, /' "$fm"
build && same_as_clean "front matter: tags"
sed -i '0,/^date: /s/^date: *[0-9]\{4\}/date: 2019/' "$fm"
build && same_as_clean "front matter: a date"
sed -i '0,/^date: /s/^date: *[0-9]\{4\}-[0-9]\{2\}/date: 2026-01/' "$fm"
build && same_as_clean "front matter: a date (the newest article)"

# A dataset a chart draws: the article with the chart is drawn again.
csv=$(ls "$w"/content/data/*/*.csv | head -n 1)
sed -i '2s/[0-9]\([,.]\)/7\1/' "$csv"
build && same_as_clean "a dataset edited"
# site.yaml and a template.
sed -i 's/^\(description: "[^"]*\)"/\1（增订）"/' "$w/content/site.yaml"
build && same_as_clean "site.yaml edited"
sed -i 's|</footer>|<p>增订</p></footer>|' "$w/templates/layout.mustache"
build && same_as_clean "a template edited"
# A partial only cards use, then one in a folder no page names yet (a partial's name may
# come from the data, so every template file is part of every page's key).
sed -i '1s|^|<!-- 卡片 -->|' "$w/templates/card.mustache"
build && same_as_clean "a partial edited"
mkdir -p "$w/templates/extra"
echo '<p>unused</p>' >"$w/templates/extra/unused.mustache"
build && same_as_clean "a template file added"
rm -r "$w/templates/extra"
build && same_as_clean "a template file removed"

# A cached body whose link target went away: reported, not served from the cache.
target=$(grep -rho '](/articles/[^/)#]*' "$w/content/articles" | head -n 1 | sed 's|](/articles/||')
victim=$(grep -rl "^slug: *$target\$" "$w/content/articles" | head -n 1)
[ -n "$victim" ] || victim=$(find "$w/content/articles" -name "$target.md" | head -n 1)
if [ -n "$victim" ]; then
	mv "$victim" "$T/victim.md"
	snap=$(files)
	if ! build && grep -q "link to /articles/$target/\{0,1\}: no article has that slug" "$T/err.log" &&
		[ "$snap" = "$(files)" ]; then
		pass "incremental: a cached body linking to a removed article is reported (site/ unchanged)"
	else
		fail "incremental: a cached body linking to a removed article is reported" "$(head -n 3 "$T/err.log")"
	fi
	mv "$T/victim.md" "$victim"
	build && same_as_clean "after a failed build"
else
	fail "incremental: found a linked article to remove"
fi

# What must not be trusted.
printf 'gongbao-output 1\nlive 1\nF zz\n' >"$w/.site.manifest"
build && same_as_clean "a damaged manifest"
rm -f "$w/.site.manifest"
build && same_as_clean "no manifest"
for f in $(find "$XDG_CACHE_HOME/gongbao" -type f | head -n 3); do printf 'garbage' >"$f"; done
build && same_as_clean "damaged cache entries"
# a brief's summary changed behind the briefs file's digest: the whole file is ignored
for briefs in $(find "$XDG_CACHE_HOME/gongbao" -type f -name briefs); do sed -i '4s/^./X/' "$briefs"; done
build && same_as_clean "a damaged briefs file"
bcheck "a damaged briefs file" "updated in place"
page=$(find "$w/site/articles" -name index.html | head -n 1)
echo "<p>hand edit</p>" >>"$page"
build && same_as_clean "a page edited by hand in site/"
rm "$page" "$w/site/tags/index.html"
build && same_as_clean "pages deleted by hand in site/"
# A build killed half way, then the next build.
sed -i 's/^\(description: "[^"]*\)"/\1。"/' "$w/content/site.yaml"
(cd "$w" && exec "$G" build --no-cache >/dev/null 2>&1) &
pid=$!
sleep 0.05
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
build && same_as_clean "after a killed build"
[ "$(ls -A "$w" | grep -c '^\.site\.tmp-')" = 0 ] && pass "incremental: the killed build's folder is swept" ||
	fail "incremental: the killed build's folder is swept" "$(ls -A "$w")"

# --no-cache neither reads nor writes the cache.
before=$(find "$XDG_CACHE_HOME" -type f -printf '%P %T@\n' | sort)
build --no-cache
summary | grep -q '; 0 of 0 bodies from the cache' && [ "$before" = "$(find "$XDG_CACHE_HOME" -type f -printf '%P %T@\n' | sort)" ] &&
	pass "incremental: --no-cache leaves the cache alone" || fail "incremental: --no-cache leaves the cache alone" "$(summary)"
# GONGBAO_CACHE=off likewise, and an unwritable cache home only costs time.
XDG_CACHE_HOME=/proc/gongbao-nowhere build && pass "incremental: a cache that cannot be created is no error" ||
	fail "incremental: a cache that cannot be created is no error" "$(tail -n 2 "$T/err.log")"
