#!/usr/bin/python3
"""feeds_check.py FILE...: checks each feed as a feed reader would read it.

RSS and Atom files are parsed with feedparser: the parse must be clean (bozo == 0), the
feed must have a title, and every entry needs a title, a link, an id (guid) and a
published date that feedparser understands; RSS entries also need their full content
(content:encoded). A file whose first non-blank character is "{" is a JSON Feed 1.1,
checked with the json module: version, title, items, and each item's id, url, title,
content_html and an RFC 3339 date_published. Ids must be unique within a feed.

Prints one PASS or FAIL line per file and check (tests/lib.sh count_lines reads them)
and exits 1 when anything failed.
"""
import json
import re
import sys

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

failures = 0


def report(ok, name, why=""):
    global failures
    if ok:
        print("PASS %s" % name)
    else:
        failures += 1
        print("FAIL %s%s" % (name, ": " + why if why else ""))


def entry_problems(entries, need, label):
    """Lists 'entry N: missing X' for the first few entries missing a needed field."""
    problems = []
    for i, e in enumerate(entries, 1):
        missing = [k for k in need if not need[k](e)]
        if missing:
            problems.append("%s %d (%s): no %s" % (label, i, e.get("id") or e.get("link") or "?",
                                                  ", ".join(missing)))
    return problems


def check_ids(entries, name, get):
    ids = [get(e) for e in entries]
    dups = sorted({i for i in ids if i and ids.count(i) > 1})
    report(not dups, "%s: ids unique" % name, ", ".join(dups[:5]))


def check_xml_feed(path, name):
    import feedparser

    d = feedparser.parse(path)
    report(not d.bozo, "%s: parses cleanly" % name, repr(d.get("bozo_exception")))
    version = d.get("version", "")
    report(version.startswith("rss") or version.startswith("atom"),
           "%s: is RSS or Atom" % name, "feedparser version %r" % version)
    report(bool(d.feed.get("title")), "%s: feed has a title" % name)
    need = {
        "title": lambda e: bool(e.get("title")),
        "link": lambda e: bool(e.get("link")),
        "id": lambda e: bool(e.get("id")),
        "published": lambda e: bool(e.get("published")) and e.get("published_parsed") is not None,
    }
    if version.startswith("rss"):
        need["content"] = lambda e: "content" in e and len(e.content) > 0
    problems = entry_problems(d.entries, need, "entry")
    report(not problems, "%s: %d entries have %s" % (name, len(d.entries), ", ".join(need)),
           "; ".join(problems[:5]))
    check_ids(d.entries, name, lambda e: e.get("id"))


def check_json_feed(text, name):
    try:
        feed = json.loads(text)
    except ValueError as e:
        report(False, "%s: parses as JSON" % name, str(e))
        return
    report(True, "%s: parses as JSON" % name)
    report(isinstance(feed, dict) and feed.get("version") == "https://jsonfeed.org/version/1.1",
           "%s: JSON Feed version 1.1" % name)
    if not isinstance(feed, dict):
        return
    report(isinstance(feed.get("title"), str) and feed["title"] != "", "%s: feed has a title" % name)
    items = feed.get("items")
    report(isinstance(items, list), "%s: has an items array" % name)
    if not isinstance(items, list):
        return

    def string(k):
        return lambda e: isinstance(e, dict) and isinstance(e.get(k), str) and (
            k == "content_html" or e[k] != "")

    need = {k: string(k) for k in ("id", "url", "title", "content_html")}
    need["date_published"] = lambda e: isinstance(e, dict) and isinstance(
        e.get("date_published"), str) and RFC3339.match(e["date_published"]) is not None
    dicts = [e if isinstance(e, dict) else {} for e in items]
    problems = entry_problems(dicts, need, "item")
    report(not problems, "%s: %d items have %s" % (name, len(items), ", ".join(need)),
           "; ".join(problems[:5]))
    check_ids(dicts, name, lambda e: e.get("id"))


def main(paths):
    if not paths:
        print("usage: feeds_check.py FILE...", file=sys.stderr)
        return 2
    for path in paths:
        name = "feeds_check %s" % path
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            report(False, "%s: readable" % name, str(e))
            continue
        if data.lstrip()[:1] == b"{":
            check_json_feed(data.decode("utf-8", "replace"), name)
        else:
            check_xml_feed(path, name)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
