#!/bin/sh
# Every golden chart (tests/charts/*.svg) is well-formed XML; the unit test test_chart
# checks that the charts render to exactly these bytes.
. tests/lib.sh
count=0
for f in tests/charts/*.svg; do
	[ -e "$f" ] || continue
	count=$((count + 1))
	check "xmllint: $f" xmllint --noout --nonet "$f"
done
[ "$count" -ge 14 ] && pass "charts: $count golden SVGs" || fail "charts: $count golden SVGs" "expected at least 14 in tests/charts/"
