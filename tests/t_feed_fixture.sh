# Checks the feeds and sitemap that tests/unit/test_feed.c wrote into tests/out/feed-fixture/:
# well-formed XML (xmllint), the sitemap against the sitemaps.org schema when it is there,
# and each feed read back by feedparser / json (tests/feeds_check.py). Also makes sure
# feeds_check.py does fail on a broken feed.
. tests/lib.sh
dir=$TEST_OUT/feed-fixture
xsd=../shared/spec/sitemaps/sitemap.xsd

if [ ! -f "$dir/feed.xml" ]; then
	fail "feed fixture written" "no $dir/feed.xml: did test_feed run?"
	exit 0
fi
for f in feed.xml topic.xml atom.xml empty-feed.xml empty-atom.xml sitemap.xml; do
	check "xmllint feed-fixture/$f" xmllint --noout --nonet "$dir/$f"
done
if [ -f "$xsd" ]; then
	check "sitemap.xml valid against sitemap.xsd" xmllint --noout --nonet --schema "$xsd" "$dir/sitemap.xml"
	check "a split sitemap's part valid against sitemap.xsd" xmllint --noout --nonet --schema "$xsd" "$dir/sitemap-part.xml"
	check "a split sitemap's index valid against siteindex.xsd" xmllint --noout --nonet --schema "$(dirname "$xsd")/siteindex.xsd" "$dir/sitemap-index.xml"
else
	echo "(no $xsd: sitemap schema check skipped)"
fi
check "robots.txt names the sitemap" grep -qx 'Sitemap: https://.*/sitemap.xml' "$dir/robots.txt"

$PY tests/feeds_check.py "$dir/feed.xml" "$dir/topic.xml" "$dir/atom.xml" "$dir/feed.json" \
	"$dir/empty-feed.xml" "$dir/empty-atom.xml" "$dir/empty-feed.json" 2>&1 | count_lines

# The checker must catch what it claims to: an item without a guid or date, malformed
# XML, a JSON Feed item without content_html.
bad=$TEST_OUT/feeds-bad
mkdir -p "$bad"
cat >"$bad/noguid.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title><link>https://x.org/</link><description/>
<item><title>a</title><link>https://x.org/a/</link></item></channel></rss>
XML
printf '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t &</title></channel></rss>\n' >"$bad/broken.xml"
printf '{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": "x", "url": "https://x.org/", "title": "a", "date_published": "2025-01-20"}]}\n' >"$bad/nocontent.json"
for f in noguid.xml broken.xml nocontent.json; do
	if $PY tests/feeds_check.py "$bad/$f" >"$TEST_OUT/last.log" 2>&1; then
		fail "feeds_check.py rejects $f" "$(cat "$TEST_OUT/last.log")"
	else
		pass "feeds_check.py rejects $f"
	fi
done
