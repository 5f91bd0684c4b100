#!/bin/sh
# The official Mustache spec (all but ~lambdas) through `gen render-template`, with the
# plain build and with the ASan+UBSan build.
. tests/lib.sh
if [ -x gen/gen ]; then
	$PY tests/spec/mustache_spec.py --gen gen/gen --prefix spec | count_lines
else
	fail "spec: gen/gen is built"
fi
if [ -x gen/asan/gen ]; then
	$PY tests/spec/mustache_spec.py --gen gen/asan/gen --prefix asan/spec | count_lines
else
	fail "asan/spec: gen/asan/gen is built"
fi
