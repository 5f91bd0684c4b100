#!/usr/bin/python3
"""newsboat_check.py WORKDIR FEED...: reads each RSS or Atom file in newsboat, a real feed
reader (Debian's package), through a file:// URL in its urls file, run unattended
(`-x reload print-unread`), and checks that it shows every item of the feed: the count
it prints and the items in its cache (title and link of each) match the items in the
file. Each feed gets a cache of its own: newsboat keeps one copy of an item whose guid
it has seen in another feed, and the topic feeds repeat the site feed's items.

newsboat cannot read JSON Feed (https://github.com/newsboat/newsboat/issues/426); a
file whose first non-blank character is "{" is refused here, see jsonfeed.mjs.
Prints one PASS/FAIL line per feed (tests/lib.sh count_lines reads them)."""
import os
import re
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"


def items_in_file(path):
    """(feed title, [(title, link)]) as the file states them."""
    root = ET.parse(path).getroot()
    if root.tag == "rss":
        ch = root.find("channel")
        return ch.findtext("title", ""), [
            (i.findtext("title", "").strip(), i.findtext("link", "").strip()) for i in ch.findall("item")]
    if root.tag == ATOM + "feed":
        out = []
        for e in root.findall(ATOM + "entry"):
            link = ""
            for l in e.findall(ATOM + "link"):
                if l.get("rel", "alternate") == "alternate":
                    link = l.get("href", "")
            out.append((e.findtext(ATOM + "title", "").strip(), link))
        return root.findtext(ATOM + "title", ""), out
    raise ValueError("neither RSS nor Atom: <%s>" % root.tag)


def check(work, n, path):
    name = "newsboat %s" % path
    with open(path, "rb") as f:
        if f.read().lstrip()[:1] == b"{":
            return "FAIL %s: a JSON Feed; newsboat does not read JSON Feed" % name
    want_title, want = items_in_file(path)
    d = os.path.join(work, str(n))
    os.makedirs(d, exist_ok=True)
    url = "file://" + os.path.abspath(path)
    with open(os.path.join(d, "urls"), "w", encoding="utf-8") as f:
        f.write(url + "\n")
    open(os.path.join(d, "config"), "w").close()
    env = dict(os.environ, HOME=d, XDG_CONFIG_HOME=d, XDG_DATA_HOME=d, TERM="dumb")
    cmd = ["newsboat", "-C", os.path.join(d, "config"), "-u", os.path.join(d, "urls"),
           "-c", os.path.join(d, "cache.db"), "-x", "reload", "print-unread"]
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "FAIL %s: newsboat did not run: %s" % (name, e)
    m = re.search(r"(\d+) unread articles", r.stdout)
    if r.returncode != 0 or not m:
        return "FAIL %s: exit %d, output %r %r" % (name, r.returncode, r.stdout[-200:], r.stderr[-200:])
    db = sqlite3.connect(os.path.join(d, "cache.db"))
    try:
        feeds = db.execute("SELECT title FROM rss_feed WHERE rssurl = ?", (url,)).fetchall()
        got = db.execute("SELECT title, url FROM rss_item WHERE feedurl = ? AND deleted = 0",
                         (url,)).fetchall()
    finally:
        db.close()
    problems = []
    if int(m.group(1)) != len(want):
        problems.append("newsboat shows %s unread, the file has %d items" % (m.group(1), len(want)))
    if not feeds or feeds[0][0] != want_title:
        problems.append("feed title %r, expected %r" % (feeds[0][0] if feeds else None, want_title))
    missing = sorted(set(want) - {(t.strip(), u.strip()) for t, u in got})
    if len(got) != len(want) or missing:
        problems.append("%d items in newsboat's cache for %d in the file; not shown: %s"
                        % (len(got), len(want), "; ".join("%s <%s>" % x for x in missing[:3])))
    if problems:
        return "FAIL %s: %s" % (name, "; ".join(problems))
    return "PASS %s: all %d items shown" % (name, len(want))


def main():
    work, paths = sys.argv[1], sys.argv[2:]
    if not paths:
        print("FAIL newsboat: no feeds given")
        return 1
    failed = 0
    for n, path in enumerate(paths):
        try:
            line = check(work, n, path)
        except Exception as e:  # a broken file is a failure of this feed, not a crash
            line = "FAIL newsboat %s: %s" % (path, e)
        print(line, flush=True)
        failed += line.startswith("FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
