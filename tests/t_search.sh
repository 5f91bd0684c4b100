#!/bin/sh
# Site search (issue 4): the browser's tokeniser against the shared vectors (the C side of
# the vectors is tests/unit/test_search.c, run by run.sh), recall and precision of the
# real query logic against a plain scan on a 2,600-article corpus and on the sample site
# (tests/search/recall.py), and the search page in headless Chromium
# (tests/browser/search.test.mjs). Needs node, npm and chromium (scripts/deps.sh test).
. tests/lib.sh

if ! command -v node >/dev/null 2>&1; then
	fail "search: node installed (scripts/deps.sh test)"
	exit 0
fi

if [ ! -d node_modules/playwright-core ]; then
	check "search: npm ci (playwright-core, no browser download)" \
		env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

if node --test tests/search/tokens.test.mjs >"$TEST_OUT/search-node.log" 2>&1; then
	pass "search: node tokeniser and query parsing ($(grep -c '^ok ' "$TEST_OUT/search-node.log") cases)"
else
	fail "search: node tokeniser and query parsing" "$(grep -A12 '^not ok' "$TEST_OUT/search-node.log" | head -n 20)"
fi

$PY tests/search/recall.py 2>"$TEST_OUT/search-recall.log" | count_lines
[ -s "$TEST_OUT/search-recall.log" ] && fail "search: recall.py ran cleanly" "$(tail -n 5 "$TEST_OUT/search-recall.log")"

site=$TEST_OUT/search-site
rm -rf "$site"
if ! ./gen/gen build --out "$site" >"$TEST_OUT/search-build.log" 2>&1; then
	fail "search: sample site builds" "$(tail -n 5 "$TEST_OUT/search-build.log")"
elif [ ! -x /usr/bin/chromium ]; then
	fail "search: chromium installed (/usr/bin/chromium; scripts/deps.sh test)"
else
	node tests/browser/search.test.mjs "$site" 2>"$TEST_OUT/search-browser.log" | count_lines
fi
