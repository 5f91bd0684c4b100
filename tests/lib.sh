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
