# Shared by the test scripts: pass/fail counters kept in files so that every script,
# whatever shell it runs in, adds to the same totals. Sourced, not run.
: "${TEST_OUT:?}"
pass() { echo "PASS $1"; echo x >>"$TEST_OUT/passed"; }
fail() { echo "FAIL $1${2:+: $2}"; echo "$1" >>"$TEST_OUT/failed"; }
# check NAME COMMAND...: passes when the command exits 0.
check() { n=$1; shift; if "$@" >"$TEST_OUT/last.log" 2>&1; then pass "$n"; else fail "$n" "$(tail -n 5 "$TEST_OUT/last.log")"; fi; }
# Counts the PASS/FAIL lines a program printed into the totals.
count_lines() {
	while IFS= read -r line; do
		case "$line" in
		"PASS "*) echo x >>"$TEST_OUT/passed" ;;
		"FAIL "*) echo "${line#FAIL }" >>"$TEST_OUT/failed"; echo "$line" ;;
		esac
	done
}
PY=/usr/bin/python3
# sample_copy NAME: T=$TEST_OUT/NAME made afresh, the sample site (content, templates,
# static) copied to w=$T/w, and a body cache of its own (XDG_CACHE_HOME=$T/cache).
sample_copy() {
	T=$TEST_OUT/$1
	rm -rf "$T" && mkdir -p "$T"
	w=$T/w
	mkdir -p "$w"
	cp -r content templates static "$w/"
	XDG_CACHE_HOME=$T/cache
	export XDG_CACHE_HOME
}
