#!/usr/bin/python3
"""vnu_report.py VNU_JSON PAGE_COUNT: reads the W3C Nu HTML Checker's --format json output
(one run over every page of the site) and prints PASS/FAIL lines for tests/lib.sh
count_lines: the run checked the pages (no "non-document-error", such as a page the
server could not give), no errors, no warnings. "info" messages without a subType are
not warnings: the trailing slash on void elements (<meta ... />), which the pages keep
on purpose so that xmllint reads them, is one. Warnings that docs/VALIDATION.md
justifies would be listed in ALLOWED (message prefix); there are none."""
import json
import sys
from collections import Counter
from urllib.parse import unquote, urlsplit

ALLOWED = ()


def where(m):
    path = unquote(urlsplit(m.get("url", "")).path)
    return "%s:%s: %s" % (path, m.get("lastLine", "?"), m.get("message", ""))


def report(ok, name, items=()):
    if ok:
        print("PASS " + name)
    else:
        kinds = Counter(m.get("message", "") for m in items)
        head = "; ".join(where(m) for m in items[:4])
        print("FAIL %s: %d (%d kinds) e.g. %s" % (name, len(items), len(kinds), head))


def main():
    path, pages = sys.argv[1], int(sys.argv[2])
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print("FAIL vnu: JSON output readable: %s" % e)
        return 1
    msgs = data.get("messages", [])
    broken = [m for m in msgs if m.get("type") == "non-document-error"]
    errors = [m for m in msgs if m.get("type") == "error"]
    warnings = [m for m in msgs if m.get("type") == "info" and m.get("subType") == "warning"
                and not m.get("message", "").startswith(ALLOWED or ("\0",))]
    report(not broken, "vnu: every one of %d pages fetched over HTTP and checked" % pages, broken)
    report(not errors, "vnu: 0 errors in %d pages" % pages, errors)
    report(not warnings, "vnu: 0 warnings in %d pages" % pages, warnings)
    return 1 if broken or errors or warnings else 0


if __name__ == "__main__":
    sys.exit(main())
