#!/bin/sh
# Site search (issue 4): the browser's tokeniser against the shared vectors (the C side of
# the vectors is tests/unit/test_search.c, run by run.sh), recall and precision of the
# real query logic against a plain scan on a 2,600-article corpus and on the sample site
# (tests/search/recall.py), the search page in headless Chromium
# (tests/browser/search.test.mjs), and the ranking of a set of queries on the sample site
# (tests/search/ranking.expected). Needs node, npm and chromium (scripts/deps.sh test).
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

# The ranking (title hits, then occurrences, then newest first) and the year and topic
# filters, query by query, against tests/search/ranking.expected: the results in the
# order the search page shows them on the sample site (made with format 1 of the index,
# whose documents were numbered newest first; UPDATE=1 rewrites it after a content change).
if [ -s "$site/search/idx/meta.json" ]; then
	for f in "" "--year 2024" "--topic medical-insurance"; do
		echo "# filters: ${f:-none}"
		node tests/search/query.mjs "$site" $f <tests/search/ranking.queries
	done >"$TEST_OUT/search-ranking.out" 2>&1
	[ -n "${UPDATE:-}" ] && cp "$TEST_OUT/search-ranking.out" tests/search/ranking.expected
	if cmp -s "$TEST_OUT/search-ranking.out" tests/search/ranking.expected; then
		pass "search: ranking and filters on the sample site, $(grep -c '^{' tests/search/ranking.expected) queries"
	else
		fail "search: ranking and filters on the sample site" "$(diff "$TEST_OUT/search-ranking.out" tests/search/ranking.expected | head -n 3)"
	fi
fi
