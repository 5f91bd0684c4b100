#!/usr/bin/python3
"""Link check over a built site: every internal link and fragment in every HTML page
resolves to a file and an id in the site, and every page is reachable from the home
page. Prints one PASS/FAIL line per page plus a reachability line.
usage: linkcheck.py SITE_DIR"""
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.redirect = set(), [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.redirect = True  # a moved page: reached by its old address, not by links
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "form" and a.get("action"):
            self.links.append(a["action"])  # a search form reaches its results page
        for key in ("href", "src"):
            if a.get(key) is not None and not (tag == "link" and a.get("rel") == "canonical"):
                self.links.append(a[key])


def parse(path, cache):
    if path not in cache:
        p = Page()
        with open(path, encoding="utf-8") as f:
            p.feed(f.read())
        cache[path] = p
    return cache[path]


def resolve(site, page_path, url):
    """The file a link points to (None for external links) and its fragment."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None, None
    base = os.path.dirname(page_path)
    target = page_path if parts.path == "" else os.path.normpath(os.path.join(base, unquote(parts.path)))
    if os.path.isdir(target) or parts.path.endswith("/"):
        target = os.path.join(target, "index.html")
    return target, unquote(parts.fragment) if parts.fragment else None


def main():
    site = os.path.abspath(sys.argv[1])
    cache, failed = {}, 0
    pages = []
    for d, _, files in os.walk(site):
        if "/_dev" in d:
            continue
        pages += [os.path.join(d, f) for f in files if f.endswith(".html")]
    pages.sort()
    graph = {}
    for page in pages:
        rel = os.path.relpath(page, site)
        problems, outs = [], set()
        for url in parse(page, cache).links:
            target, frag = resolve(site, page, url)
            if target is None:
                continue
            if not target.startswith(site + os.sep) and target != site:
                if rel != "404.html":
                    problems.append(f"{url} leaves the site")
                continue
            if not os.path.isfile(target):
                problems.append(f"{url} -> missing {os.path.relpath(target, site)}")
                continue
            if target.endswith(".html"):
                outs.add(target)
                if frag and frag not in parse(target, cache).ids:
                    problems.append(f"{url} -> no id '{frag}'")
        graph[page] = outs
        if problems:
            failed += 1
            print(f"FAIL links {rel}: " + "; ".join(problems[:5]))
        else:
            print(f"PASS links {rel}")
    seen, todo = set(), [os.path.join(site, "index.html")]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo += graph.get(p, ())
    orphans = [os.path.relpath(p, site) for p in pages
               if p not in seen and not p.endswith("404.html") and not parse(p, cache).redirect]
    if orphans:
        failed += 1
        print("FAIL every page reachable from the home page: " + ", ".join(orphans[:10]))
    else:
        print("PASS every page reachable from the home page")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
