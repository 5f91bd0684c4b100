#!/usr/bin/python3
"""Every article page's table of contents lists its body's headings: the links of its
nav.toc, in order, are the ids of the body's h2 and h3 elements (with their levels), and
at least MIN_TOCS pages have one (the sample's long articles). An article without a
table of contents has none of the nav's markup.
usage: toccheck.py SITE_DIR MIN_TOCS"""
import html.parser
import os
import sys


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_toc = 0  # depth inside nav.toc
        self.in_body = 0  # depth inside the article's body
        self.toc = []  # (level, href) in order
        self.heads = []  # (level, id) of the body's h2/h3 in order
        self.toc_li_level = None
        self.tocs = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if self.in_toc:
            self.in_toc += tag not in ("br", "img")
            if tag == "li":
                lv = [c for c in classes if c.startswith("toc-")]
                self.toc_li_level = int(lv[0][4:]) if lv else None
            if tag == "a" and self.toc_li_level is not None:
                self.toc.append((self.toc_li_level, a.get("href", "")))
            return
        if tag == "nav" and "toc" in classes:
            self.in_toc = 1
            self.tocs += 1
            return
        if self.in_body:
            self.in_body += tag not in ("br", "img", "hr", "input", "meta", "link")
            if tag in ("h2", "h3") and a.get("id"):
                self.heads.append((int(tag[1]), "#" + a["id"]))
        elif tag == "div" and "prose" in classes:
            self.in_body = 1

    def handle_endtag(self, tag):
        if self.in_toc:
            self.in_toc -= 1
        elif self.in_body:
            self.in_body -= 1


def main():
    site, least = sys.argv[1], int(sys.argv[2])
    root = os.path.join(site, "articles")
    with_toc = 0
    problems = []
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name, "index.html")
        if not os.path.isfile(path):
            continue
        p = Page()
        with open(path, encoding="utf-8") as f:
            p.feed(f.read())
        if p.tocs > 1:
            problems.append(f"{name}: {p.tocs} tables of contents")
        if p.tocs:
            with_toc += 1
            if not p.toc or p.toc != p.heads:
                problems.append(f"{name}: toc {p.toc[:4]} != headings {p.heads[:4]}")
    label = f"tables of contents list their article's headings ({with_toc} pages)"
    if problems:
        print(f"FAIL {label}: {'; '.join(problems[:3])}")
    else:
        print(f"PASS {label}")
    label = f"at least {least} article pages have a table of contents"
    print(f"{'PASS' if with_toc >= least else 'FAIL'} {label}{'' if with_toc >= least else f': {with_toc}'}")


main()
