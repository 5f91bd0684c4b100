#!/bin/sh
# Hard inputs, accepted or refused.
#
# Accepted (built correctly, in bounded time and memory: under 60 s and 2 GB each, measured
# with /usr/bin/time; nothing written outside site/): each tests/hard/<case>/ overlays
# content/ files on the good fixture (tests/bad/base) and lists in <case>/check the lines
# "FILE<TAB>TEXT" (site/FILE must contain TEXT); then inputs too big for git, generated
# here: a 20 MB article, 100,000 nested blockquotes and list items, 20,000 headings of the
# same name, a 1,000,000-row CSV.
#
# Refused (exit 1, the expected message, previous site/ byte-identical, no hang), for what
# git cannot hold or the test must make at run time: symbolic link loops and links out of
# the tree (articles, static, media, datasets, site.yaml, whole folders), FIFOs, a folder
# where a file should be, a full disk (ulimit -f), an output path that is a file or the
# content folder. Then kill -9 at random moments of a build.
. tests/lib.sh
top=$(pwd)
G=$top/gen/gen
H=$TEST_OUT/hard
rm -rf "$H" && mkdir -p "$H"
MAX_S=60
MAX_KB=$((2 * 1024 * 1024))

# fixture W: a good content folder with the theme.
fixture() {
	rm -rf "$1" && mkdir -p "$1"
	cp -r tests/bad/base/content "$1/content"
	cp -r templates static "$1/"
}

snapshot() { (cd "$1" && find . -print0 | sort -z | xargs -0 ls -ld --time-style=+%s.%N | awk '{print $1, $5, $6, $7}'; find . -type f -print0 | sort -z | xargs -0 sha256sum); }

# Everything in W but site/ and gen's own state beside it: the previous build kept for
# write-if-changed (.site.prev) and its manifest (what a build must not touch).
inputs() { (cd "$1" && find . -mindepth 1 \( -path ./site -o -path ./.site.prev -o -path ./.site.manifest \) -prune -o -print0 | sort -z | xargs -0 ls -ld --time-style=+%s.%N | awk '{print $1, $5, $6, $7}'); }

# build W [args...]: gen build in W under /usr/bin/time; sets st, secs, kb.
build() {
	w=$1
	shift
	(cd "$w" && /usr/bin/time -v -o "$w/time.log" timeout 120 "$G" build "$@" >"$w/out.log" 2>"$w/err.log")
	st=$?
	secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$w/time.log" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
	kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$w/time.log")
}

# accept NAME W: builds W, which must succeed within the bounds and stay in site/;
# further checks follow with has.
accept() {
	name=$1 w=$2
	inputs "$w" >"$w/inputs.before"
	build "$w"
	why=""
	[ "$st" = 0 ] || why="exit status $st: $(grep -m 3 'error' "$w/err.log")"
	[ -n "$secs" ] && awk -v s="$secs" -v m=$MAX_S 'BEGIN { exit !(s < m) }' || why="$why; took ${secs}s"
	[ -n "$kb" ] && [ "$kb" -lt $MAX_KB ] || why="$why; used ${kb} kB"
	grep -q 'AddressSanitizer\|runtime error' "$w/err.log" && why="$why; sanitizer report"
	inputs "$w" | grep -v ' ./time.log$\| ./out.log$\| ./err.log$\| ./inputs\.' >"$w/inputs.after"
	grep -v ' ./time.log$\| ./out.log$\| ./err.log$\| ./inputs\.' "$w/inputs.before" | cmp -s - "$w/inputs.after" || why="$why; files outside site/ changed"
	[ -z "$(find "$w/site" -type l 2>/dev/null)" ] || why="$why; links in site/"
	if [ -z "$why" ]; then
		pass "hard/$name: built in ${secs}s, $((kb / 1024)) MB"
		return 0
	fi
	fail "hard/$name" "$why"
	return 1
}

# has NAME W FILE TEXT: site/FILE contains TEXT.
has() {
	if [ -f "$2/site/$3" ] && grep -qF -- "$4" "$2/site/$3"; then
		pass "hard/$1: $3 has $4"
	elif [ -f "$2/site/$3" ]; then
		fail "hard/$1: $3 has $4"
	else
		fail "hard/$1: $3 has $4" "no such file"
	fi
}

# ---- accepted: the checked-in cases ----
for dir in tests/hard/*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	w=$H/$name
	fixture "$w"
	cp -r "$dir/content/." "$w/content/"
	accept "$name" "$w" || continue
	while IFS="	" read -r file text; do
		[ -n "$file" ] && has "$name" "$w" "$file" "$text"
	done <"$dir/check"
done

# ---- accepted: generated ----
w=$H/big-article
fixture "$w"
$PY - "$w/content/articles/big.md" <<'EOF'
import sys
parts = ['---\ntitle: "二十兆字节的长文"\ndate: 2025-01-06T09:00:00+08:00\ntags: [长文]\n---\n\n']
para = ('医保基金运行平稳，收支总体平衡。见[第二篇](/articles/second/)。'
        'The quick brown fox jumps over the lazy dog. ' * 4) + '\n\n'
size, i = 0, 0
while size < 20 * 1024 * 1024:
    if i % 50 == 0:
        parts.append('## 第%d节\n\n' % i)
    parts.append(para)
    size += len(para.encode())
    i += 1
parts.append('全文结束标记。\n')
open(sys.argv[1], 'w').write(''.join(parts))
EOF
if accept big-article "$w"; then
	has big-article "$w" articles/big/index.html '全文结束标记。'
	has big-article "$w" articles/big/index.html '<h2 id="第2000节">'
	has big-article "$w" index.html '二十兆字节的长文'
fi

w=$H/deep-nesting
fixture "$w"
$PY - "$w/content/articles" <<'EOF'
import sys
d = sys.argv[1]
head = '---\ntitle: "%s"\ndate: 2025-01-06T09:00:00+08:00\n---\n\n'
open(d + '/quotes.md', 'w').write(head % '十万层引用' + '> ' * 100000 + '最深处的引用\n')
open(d + '/lists.md', 'w').write(head % '十万层列表' + '- ' * 100000 + '最深处的列表\n')
open(d + '/mixed.md', 'w').write(head % '交替嵌套' + '> - ' * 50000 + '最深处的混合\n')
open(d + '/headings.md', 'w').write(head % '两万个同名标题' + '## 同名\n\n正文。\n\n' * 20000)
EOF
if accept deep-nesting "$w"; then
	has deep-nesting "$w" articles/quotes/index.html '最深处的引用'
	has deep-nesting "$w" articles/lists/index.html '最深处的列表'
	has deep-nesting "$w" articles/mixed/index.html '最深处的混合'
	has deep-nesting "$w" articles/headings/index.html 'id="同名-19999"'
	n=$(grep -o '<blockquote>' "$w/site/articles/quotes/index.html" | wc -l)
	[ "$n" = 100000 ] && pass "hard/deep-nesting: 100,000 blockquotes" || fail "hard/deep-nesting: 100,000 blockquotes" "$n"
fi

w=$H/million-rows
fixture "$w"
mkdir -p "$w/content/data/big"
$PY - "$w/content/data/big/big.csv" <<'EOF'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('id,region,value\n')
    for i in range(1000000):
        f.write('%d,地区%d,%d.%d\n' % (i, i % 31, i % 977, i % 10))
EOF
cat >"$w/content/data/big/datapackage.json" <<'EOF'
{"name": "big", "title": "一百万行的数据", "unit": "元",
 "chart": {"type": "line", "x": "id", "y": ["value"]},
 "resources": [{"name": "big", "path": "big.csv", "schema": {"fields": [
   {"name": "id", "type": "integer"}, {"name": "region", "type": "string"},
   {"name": "value", "type": "number"}], "primaryKey": "id"}}]}
EOF
if accept million-rows "$w"; then
	has million-rows "$w" data/big/index.html '一百万行的数据'
	cmp -s "$w/content/data/big/big.csv" "$w/site/data/big/big.csv" && pass "hard/million-rows: CSV download is the file" || fail "hard/million-rows: CSV download is the file"
	size=$(wc -c <"$w/site/data/big/index.html")
	[ "$size" -lt $((50 * 1024 * 1024)) ] && pass "hard/million-rows: page under 50 MB" || fail "hard/million-rows: page under 50 MB" "$size bytes"
fi

# ---- refused at run time ----
# refuse NAME SETUP TEXT [build args]: a good build of a fresh fixture, then SETUP (a shell
# function run in the work folder), then the build must exit 1 with a line containing
# TEXT, leave site/ as it was, and not hang.
refuse() {
	name=$1 setup=$2 text=$3
	shift 3
	w=$H/refuse-$name
	fixture "$w"
	if ! (cd "$w" && "$G" build >"$w/good.log" 2>&1); then
		fail "hard/$name: fixture builds" "$(tail -n 3 "$w/good.log")"
		return
	fi
	snapshot "$w/site" >"$w/before"
	(cd "$w" && $setup)
	build "$w" "$@"
	why=""
	[ "$st" = 124 ] && why="hung (killed after 120 s)"
	[ "$st" = 1 ] || why="$why; exit status $st, want 1"
	grep -qF -- "$text" "$w/err.log" || why="$why; no line with: $text"
	grep -q 'AddressSanitizer\|runtime error' "$w/err.log" && why="$why; sanitizer report"
	snapshot "$w/site" >"$w/after"
	cmp -s "$w/before" "$w/after" || why="$why; site/ changed"
	if [ -z "$why" ]; then pass "hard/$name: refused"; else fail "hard/$name" "$why
$(head -n 3 "$w/err.log")"; fi
}

link_loop() { ln -s loop-b.md content/articles/loop-a.md && ln -s loop-a.md content/articles/loop-b.md; }
refuse symlink-loop link_loop 'content/articles/loop-a.md: error: symbolic links are not followed'
dir_loop() { ln -s .. content/articles/up; }
refuse symlink-dir-loop dir_loop 'content/articles/up: error: symbolic links are not followed'
link_out() { ln -s /etc/passwd content/articles/passwd.md; }
refuse symlink-out link_out 'content/articles/passwd.md: error: symbolic links are not followed'
link_pages() { mv content/pages content/pages.real && ln -s "$(pwd)/content/pages.real" content/pages; }
refuse symlink-pages-folder link_pages 'content/pages: error: symbolic links are not followed'
link_static() { ln -s /etc static/etc; }
refuse symlink-static link_static 'static/etc: error: symbolic links are not followed'
static_folder() { mv static static.real && ln -s /etc static; }
refuse symlink-static-folder static_folder 'static: error: symbolic links are not followed'
link_media() { mkdir -p content/media && ln -s /etc/passwd content/media/passwd.txt; }
refuse symlink-media link_media 'content/media/passwd.txt: error: symbolic links are not followed'
media_folder() { ln -s /etc content/media; }
refuse symlink-media-folder media_folder 'content/media: error: symbolic links are not followed'
link_yaml() { mv content/site.yaml site.yaml && ln -s "$(pwd)/site.yaml" content/site.yaml; }
refuse symlink-site-yaml link_yaml 'content/site.yaml: error: cannot read: a symbolic link'
link_csv() {
	mkdir -p content/data/fund
	printf '{"name": "fund", "title": "t", "chart": {"x": "a", "y": ["b"]}, "resources": [{"name": "fund", "path": "fund.csv", "schema": {"fields": [{"name": "a"}, {"name": "b", "type": "number"}]}}]}' >content/data/fund/datapackage.json
	ln -s /etc/passwd content/data/fund/fund.csv
}
refuse symlink-dataset-csv link_csv "resources[0].path 'fund.csv': content/data/fund/fund.csv is a symbolic link"
link_dataset() { mkdir -p content/data && ln -s /etc content/data/etc; }
refuse symlink-dataset-folder link_dataset 'content/data/etc: error: symbolic links are not followed'
fifo_article() { mkfifo content/articles/pipe.md; }
refuse fifo-article fifo_article 'content/articles/pipe.md: error: not a regular file or folder'
fifo_yaml() { rm content/site.yaml && mkfifo content/site.yaml; }
refuse fifo-site-yaml fifo_yaml 'content/site.yaml: error: cannot read: not a regular file'
dir_yaml() { rm content/site.yaml && mkdir content/site.yaml; }
refuse folder-site-yaml dir_yaml 'content/site.yaml: error: cannot read: a folder, not a file'
fifo_template() { rm templates/card.mustache && mkfifo templates/card.mustache; }
refuse fifo-template fifo_template 'templates/card.mustache'
# A full disk: writes past the file size limit fail with EFBIG (SIGXFSZ ignored, as a
# shell can arrange; then gen must report it).
w=$H/refuse-full-disk
fixture "$w"
(cd "$w" && "$G" build >/dev/null 2>&1)
snapshot "$w/site" >"$w/before"
sed -i 's/第一段。/改过的第一段。/' "$w/content/articles/first.md"
(cd "$w" && trap '' XFSZ && ulimit -f 1 && exec "$G" build >"$w/out.log" 2>"$w/err.log")
st=$?
snapshot "$w/site" >"$w/after"
if [ $st = 1 ] && grep -q 'error: cannot write: File too large' "$w/err.log" && cmp -s "$w/before" "$w/after"; then
	pass "hard/full-disk: exit 1, 'File too large', site/ unchanged"
else
	fail "hard/full-disk" "status $st; $(head -n 2 "$w/err.log")"
fi
(cd "$w" && ulimit -f 1 && exec "$G" build >"$w/out.log" 2>"$w/err.log")
st=$?
snapshot "$w/site" >"$w/after"
if [ $st = 1 ] && grep -q 'File too large' "$w/err.log" && cmp -s "$w/before" "$w/after"; then
	pass "hard/full-disk-signal: gen ignores SIGXFSZ: exit 1, site/ unchanged"
else
	fail "hard/full-disk-signal: gen ignores SIGXFSZ (exit 1 and a message, not death by signal)" "status $st; site/ $(cmp -s "$w/before" "$w/after" && echo unchanged || echo CHANGED)"
fi
(cd "$w" && "$G" build >/dev/null 2>&1)
left=$(ls -A "$w" | grep -c '^\.site\.tmp-')
grep -q '改过的第一段' "$w/site/articles/first/index.html" && [ "$left" = 0 ] && pass "hard/full-disk: next build publishes and sweeps" || fail "hard/full-disk: next build publishes and sweeps" "$(ls -A "$w")"

# The output path names something that is not a site: a file, or the content folder.
w=$H/refuse-out-file
fixture "$w"
echo "keep me" >"$w/notes.txt"
build "$w" --out notes.txt
if [ "$st" = 1 ] && [ -f "$w/notes.txt" ] && grep -q 'keep me' "$w/notes.txt"; then
	pass "hard/out-is-a-file: refused, file kept"
else
	fail "hard/out-is-a-file: --out naming a file is refused and the file kept" "status $st; notes.txt $([ -f "$w/notes.txt" ] && echo kept || echo REPLACED)"
fi
w=$H/refuse-out-content
fixture "$w"
build "$w" --out content
if [ "$st" = 1 ] && [ -f "$w/content/site.yaml" ] && [ -f "$w/content/articles/first.md" ]; then
	pass "hard/out-is-content: refused, content kept"
else
	fail "hard/out-is-content: --out content is refused and content/ kept" "status $st; content/ $([ -f "$w/content/site.yaml" ] && echo kept || echo REPLACED)"
fi

# ---- kill -9 at random moments ----
w=$H/random-kill
fixture "$w"
$PY - "$w/content/articles" <<'EOF'
import sys
for i in range(800):
    open('%s/k%d.md' % (sys.argv[1], i), 'w').write(
        '---\ntitle: "第%d篇"\ndate: 2025-01-02T09:00:00+08:00\ntopics: [health]\ntags: [t%d]\n---\n\n正文%d。\n' % (i, i % 30, i))
EOF
ms=$(
	cd "$w" && s=$(date +%s%N) && "$G" build >/dev/null 2>&1
	echo $((($(date +%s%N) - s) / 1000000))
)
snapshot "$w/site" >"$w/before"
sed -i 's/正文1。/改过的正文1。/' "$w/content/articles/k1.md"
ok=1
for r in 1 2 3 4 5 6; do
	delay=$(awk -v ms="$ms" -v seed="$$$r" 'BEGIN { srand(seed); printf "%.3f", rand() * ms * 1.2 / 1000 }')
	(cd "$w" && exec "$G" build >/dev/null 2>&1) &
	pid=$!
	sleep "$delay"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	snapshot "$w/site" >"$w/after"
	if ! cmp -s "$w/before" "$w/after"; then
		if grep -q '改过的正文1' "$w/site/articles/k1/index.html" &&
			[ "$(wc -l <"$w/after")" = "$(wc -l <"$w/before")" ]; then
			snapshot "$w/site" >"$w/before"
		else
			ok=0
			fail "hard/random-kill: site after kill -9 at ${delay}s is a mix"
		fi
	fi
done
[ $ok = 1 ] && pass "hard/random-kill: kill -9 at 6 random moments (build ${ms} ms) leaves the old or the new site"

# A template whose source holds a NUL byte (gen render-template registers sources from
# memory): rendered whole, without reading past the copy (under ASan).
w=$H/template-nul
mkdir -p "$w"
printf 'a{{x}}\000b{{x}}\n' >"$w/t.mustache"
echo '{"x": "<y>"}' >"$w/d.json"
if [ -x "$top/gen/asan/gen" ]; then
	"$top/gen/asan/gen" render-template "$w/t.mustache" "$w/d.json" >"$w/out" 2>"$w/err"
	st=$?
	if [ $st = 0 ] && ! grep -q 'AddressSanitizer\|runtime error' "$w/err" && [ "$(od -An -c "$w/out" | tr -d ' \n')" = 'a&lt;y&gt;\0b&lt;y&gt;\n' ]; then
		pass "hard/template-nul: a NUL in a template source is kept, nothing read past it"
	else
		fail "hard/template-nul" "status $st; $(head -n 3 "$w/err")"
	fi
fi

# File and folder names a message could not show on one line, or not as text: refused at
# the name (with the control character shown as '?'), never silently left out.
ctrl_name() { printf -- '---\ntitle: "x"\ndate: 2025-01-02T09:00:00+08:00\n---\n' >"content/articles/$(printf 'a\nb').md"; }
refuse control-in-file-name ctrl_name 'content/articles/a?b.md: error: a file name with a control character'
ctrl_folder() {
	d="content/data/$(printf 'fu\nnd')"
	mkdir -p "$d" && printf 'a\n1\n' >"$d/f.csv"
	echo '{"name": "fund", "title": "t", "resources": [{"name": "fund", "path": "f.csv", "schema": {"fields": [{"name": "a"}]}}]}' >"$d/datapackage.json"
}
refuse control-in-dataset-folder ctrl_folder 'content/data/fu?nd: error: a folder name with a control character'
latin1_name() { printf -- '---\ntitle: "x"\ndate: 2025-01-02T09:00:00+08:00\n---\n' >"content/articles/$(printf 'caf\351').md"; }
refuse non-utf8-file-name latin1_name 'error: a file name that is not UTF-8'

# Permissions: an unreadable file and an output folder that cannot be written. Root reads
# and writes through any mode, so as root these run as the user nobody (setpriv), in a
# folder under /tmp that nobody can reach, with a copy of gen.
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}
# refuse_perm NAME SETUP TEXT: as refuse, with the builds run as_user.
refuse_perm() {
	name=$1 setup=$2 text=$3
	p=$(mktemp -d /tmp/gongbao-perm.XXXXXX)
	chmod 755 "$p"
	w=$p/w
	fixture "$w"
	cp "$G" "$p/gen"
	[ "$(id -u)" = 0 ] && chown -R 65534:65534 "$w"
	if ! (cd "$w" && as_user "$p/gen" build >"$p/good.log" 2>&1); then
		fail "hard/$name: fixture builds as an unprivileged user" "$(tail -n 3 "$p/good.log")"
		rm -rf "$p"
		return
	fi
	snapshot "$w/site" >"$p/before"
	(cd "$w" && $setup)
	(cd "$w" && as_user timeout 120 "$p/gen" build >"$p/out.log" 2>"$p/err.log")
	st=$?
	chmod -R u+rwX "$w"
	why=""
	[ "$st" = 1 ] || why="exit status $st, want 1"
	grep -qF -- "$text" "$p/err.log" || why="$why; no line with: $text"
	snapshot "$w/site" >"$p/after"
	cmp -s "$p/before" "$p/after" || why="$why; site/ changed"
	if [ -z "$why" ]; then pass "hard/$name: refused"; else fail "hard/$name" "$why
$(head -n 3 "$p/err.log")"; fi
	rm -rf "$p"
}
unreadable_article() { chmod 000 content/articles/first.md; }
refuse_perm unreadable-article unreadable_article 'content/articles/first.md: error: cannot read: Permission denied'
unreadable_folder() { chmod 000 content/articles; }
refuse_perm unreadable-folder unreadable_folder 'content/articles: error: '
unwritable_parent() { sed -i 's/第一段。/改过的第一段。/' content/articles/first.md && chmod 555 .; }
refuse_perm unwritable-output-parent unwritable_parent 'error: cannot create the build folder'
unwritable_site() { sed -i 's/第一段。/改过的第一段。/' content/articles/first.md && chmod 555 site; }
refuse_perm unwritable-output-folder unwritable_site 'site: error: '
