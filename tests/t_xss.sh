#!/bin/sh
# Hostile content (tests/xss/): every payload of payloads.txt in every field a writer
# controls (make_site.py), built; the feeds, JSON and sitemap checked (check_feeds.py);
# every page opened in headless Chromium (xss.test.mjs): no dialog, no payload runs, no
# dangerous markup in the DOM, a CSP without inline script. Plus: unsafe image URLs in
# Markdown are refused, unsafe link URLs are emptied. Needs node, npm and chromium.
. tests/lib.sh
top=$(pwd)
w=$TEST_OUT/xss
rm -rf "$w" && mkdir -p "$w"
n=$($PY tests/xss/make_site.py tests/xss/payloads.txt "$w" 2>"$w/make.log")
if [ "${n:-0}" -ge 50 ]; then pass "xss: $n payloads (at least 50)"; else fail "xss: at least 50 payloads" "${n:-none}: $(tail -n 3 "$w/make.log")"; fi
cp -r templates static "$w/"
if ! (cd "$w" && "$top/gen/gen" build >"$w/build.log" 2>&1); then
	fail "xss: the hostile site builds" "$(grep -m 5 error "$w/build.log")"
	exit 0
fi
pass "xss: the hostile site builds ($(tail -n 1 "$w/build.log"))"
if (cd "$w" && "$top/gen/asan/gen" build --out site-asan >"$w/asan.log" 2>&1) && ! grep -q 'AddressSanitizer\|runtime error' "$w/asan.log"; then
	pass "xss: the hostile site builds under ASan+UBSan"
else
	fail "xss: the hostile site builds under ASan+UBSan" "$(grep -m 3 'error\|Sanitizer' "$w/asan.log")"
fi
$PY tests/xss/check_feeds.py "$w/site" | count_lines
bad=""
for f in "$w"/site/feed.xml "$w"/site/atom.xml "$w"/site/sitemap.xml "$w"/site/topics/t01/feed.xml; do
	xmllint --noout "$f" 2>>"$w/xmllint.log" || bad="$bad $(basename "$f")"
done
[ -z "$bad" ] && pass "xss: feeds and sitemap pass xmllint" || fail "xss: feeds and sitemap pass xmllint" "$bad"

# Link URLs with unsafe schemes are emptied (cmark's safe mode); raw HTML is dropped.
a=$w/site/articles
hrefs=$(cat "$a"/a*/index.html | grep -o 'href="[^"]*"' | grep -ic 'href="[[:space:]]*\(javascript\|vbscript\|data\):')
[ "$hrefs" = 0 ] && pass "xss: no javascript:, vbscript: or data: link in any article" || fail "xss: no javascript:, vbscript: or data: link in any article" "$hrefs"
raw=$(cat "$a"/a*/index.html | grep -c '<script>\(alert\|xss\)\|<img src=x onerror\|<svg onload\|<iframe')
[ "$raw" = 0 ] && pass "xss: raw HTML from Markdown never reaches a page" || fail "xss: raw HTML from Markdown never reaches a page" "$raw lines"

# Images: an unsafe URL is an error at its line, not a silent fix.
i=0
for url in 'javascript:alert(1)' 'JaVaScRiPt:alert(1)' '&#106;avascript:alert(1)' 'vbscript:msgbox(1)' 'data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+' ' javascript:alert(1)'; do
	i=$((i + 1))
	b=$w/img-$i
	mkdir -p "$b" && cp -r tests/bad/base/content templates static "$b/"
	printf -- '---\ntitle: "图片"\ndate: 2025-01-02T09:00:00+08:00\n---\n\n正文。\n\n![图](<%s>)\n' "$url" >"$b/content/articles/img.md"
	(cd "$b" && "$top/gen/gen" build >"$b/out.log" 2>"$b/err.log")
	st=$?
	if [ $st = 1 ] && grep -q '^content/articles/img.md:8:1: error: image URL .* is not allowed' "$b/err.log"; then
		pass "xss: image URL $url refused at its line"
	else
		fail "xss: image URL $url refused at its line" "status $st: $(head -n 2 "$b/err.log")"
	fi
done

if ! command -v node >/dev/null 2>&1; then
	fail "xss: node installed (needed for the browser test)"
	exit 0
fi
if [ ! -d node_modules/playwright-core ]; then
	check "xss: npm ci (playwright-core, no browser download)" \
		env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
node tests/xss/xss.test.mjs "$w/site" 2>"$w/browser.log" | count_lines
[ -s "$w/browser.log" ] && fail "xss: browser test ran cleanly" "$(tail -n 5 "$w/browser.log")"
exit 0
