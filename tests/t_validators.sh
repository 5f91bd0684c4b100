#!/bin/sh
# The sample site in the tools its readers and their software rely on (issue 7; what each
# check means and why: docs/VALIDATION.md). The site is built into a scratch folder and
# served over HTTP under a sub-path (/portal/, as base_url has it) on 127.0.0.1:
#   - the W3C Nu HTML Checker (npm vnu-jar, run with Java) over every HTML page, in one run:
#     0 errors, 0 warnings;
#   - headless Chromium (Debian's, driven by playwright-core; no browser download) on nine
#     kinds of page: axe-core at WCAG 2.1 A and AA, keyboard (Tab reaches every link and
#     the search fields, focus always visible), light and dark; screenshots at 390 and
#     1280 px in $TEST_OUT/screens/, no sideways scroll at 390 px, tables and charts
#     scrolling in their own box; home and article under 100 KB of HTML+CSS+JS with no
#     render-blocking request to another host (tests/validators/browser.mjs);
#   - every RSS and Atom file in newsboat, every item shown (newsboat_check.py), and the
#     JSON Feed in feedsmith (jsonfeed.mjs), newsboat having no JSON Feed support.
# feedparser, the link check and the sitemap schema run in t_site.sh. The npm packages
# are tests/validators/package.json's, installed here from its lock file when missing.
. tests/lib.sh
V=tests/validators

missing=""
for tool in node npm java /usr/bin/chromium newsboat; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	fail "validators: tools installed (scripts/deps.sh test)" "missing:$missing"
	exit 0
fi
pass "validators: node, npm, java, chromium and newsboat installed"

if [ ! -f $V/node_modules/vnu-jar/build/dist/vnu.jar ] || [ ! -f $V/node_modules/axe-core/axe.min.js ] ||
	[ ! -d $V/node_modules/playwright-core ] || [ ! -d $V/node_modules/feedsmith ]; then
	# --ignore-scripts: vnu-jar's install script would fetch a Java runtime when it finds
	# none; Debian's openjdk is there, and nothing here needs an install script.
	check "validators: npm ci in tests/validators (no browser or Java download)" \
		env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 sh -c "cd $V && npm ci --ignore-scripts --no-audit --no-fund"
fi

site=$TEST_OUT/validators-site
www=$TEST_OUT/validators-www
rm -rf "$site" "$www"
if ! ./gen/gen build --out "$site" >"$TEST_OUT/validators-build.log" 2>&1; then
	fail "validators: sample site builds" "$(tail -n 5 "$TEST_OUT/validators-build.log")"
	exit 0
fi
mkdir -p "$www"
ln -s "$site" "$www/portal"

# A static server on a free port of 127.0.0.1; the port is read from its first line.
$PY -u -m http.server 0 --bind 127.0.0.1 --directory "$www" >"$TEST_OUT/validators-http.log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
port=""
i=0
while [ -z "$port" ] && [ $i -lt 50 ]; do
	port=$(sed -n 's/.* port \([0-9][0-9]*\) .*/\1/p' "$TEST_OUT/validators-http.log" | head -n 1)
	[ -n "$port" ] || { sleep 0.2; i=$((i + 1)); }
done
if [ -z "$port" ]; then
	fail "validators: local HTTP server starts" "$(tail -n 3 "$TEST_OUT/validators-http.log")"
	exit 0
fi
base="http://127.0.0.1:$port/portal/"

# HTML: every page, percent-encoded (tag pages have Chinese paths), in one JVM. Over HTTP,
# not from disk: from disk the checker guesses wrong about the CSP meta and stylesheets.
(cd "$site" && find . -name '*.html' -not -path './_dev/*' | sort) >"$TEST_OUT/validators-pages.txt"
pages=$(wc -l <"$TEST_OUT/validators-pages.txt")
$PY -c 'import sys, urllib.parse
for l in sys.stdin: print(sys.argv[1] + urllib.parse.quote(l.strip()[2:]))' "$base" \
	<"$TEST_OUT/validators-pages.txt" >"$TEST_OUT/validators-urls.txt"
# shellcheck disable=SC2046
java -Xss1024k -Dnu.validator.servlet.allow-forbidden-hosts=true -jar $V/node_modules/vnu-jar/build/dist/vnu.jar \
	--format json $(cat "$TEST_OUT/validators-urls.txt") 2>"$TEST_OUT/vnu.json" >"$TEST_OUT/vnu.out"
$PY $V/vnu_report.py "$TEST_OUT/vnu.json" "$pages" | count_lines

# Accessibility, keyboard, layout and weight in Chromium.
mkdir -p "$TEST_OUT/screens"
node $V/browser.mjs "$base" "$TEST_OUT/screens" 2>"$TEST_OUT/validators-browser.log" | count_lines
[ -s "$TEST_OUT/validators-browser.log" ] && fail "validators: browser.mjs ran cleanly" "$(tail -n 5 "$TEST_OUT/validators-browser.log")"

kill $srv 2>/dev/null
trap - EXIT

# Feeds in a second reader.
xmlfeeds=$(find "$site" -name 'feed.xml' -o -name 'atom.xml' | sort)
jsonfeeds=$(find "$site" -name 'feed.json' | sort)
rm -rf "$TEST_OUT/newsboat"
# shellcheck disable=SC2086
$PY $V/newsboat_check.py "$TEST_OUT/newsboat" $xmlfeeds | count_lines
# shellcheck disable=SC2086
node $V/jsonfeed.mjs $jsonfeeds | count_lines
