#!/usr/bin/python3
"""Recall and precision of the site search against a plain substring scan.

    /usr/bin/python3 tests/search/recall.py [--n N] [--keep DIR]

Generates a corpus of N articles (default 2600, of which at least 2,000 are Chinese) with
bench/corpus.py, builds it with gen/gen into a scratch folder, and builds the sample site
(content/). For each site and each query of a list (domain terms, single characters,
pairs, 5+ characters, Latin words and prefixes, digits, mixed Han and Latin, several
terms), compares

  (a) the pages whose visible text contains the query, by a plain scan of the built HTML,
  (b) the result set of the real query logic of static/js/search.js, run in node
      (tests/search/query.mjs) against the built index files,

and prints one PASS/FAIL line per query: the sets must be equal (recall 1, precision 1).

Visible text, the same on both sides: a page's title (its h1), its summary (the meta
description; for a dataset the lead paragraph and the table's column headings) and its
body (the .prose element), one line per block. Both sides fold the text with NFKC and
full case folding and ignore invisible format characters. A query is split into terms at
spaces and punctuation; a page matches when it contains every term as a contiguous string,
where a term that starts with a letter or digit must start a word (Latin words match by
prefix, as the search page says). A line break inside a paragraph between two non-ASCII
characters is no space (cmark's soft break between Han characters), as gen reads it.
"""
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PY = "/usr/bin/python3"
GEN = os.environ.get("GONGBAO_GEN", os.path.join(ROOT, "gen", "gen"))

CORPUS_QUERIES = [
    # the domain terms of the issue
    "社会保险", "养老保险", "农民工", "拖欠工资", "医保基金",
    # one character, two, five and more
    "险", "欠", "霞", "〇", "工资", "医保", "调解", "基本养老金", "社会保障卡", "长期护理保险",
    "农民工工资专用账户", "人力资源社会保障部", "养老保险全国统筹",
    # Latin words and prefixes, case and width folded
    "insurance", "Insur", "PENSION", "ｍｉｇｒａｎｔ", "wage", "json", "region", "z",
    # digits and Han next to digits
    "2023", "12", "2024年", "12月", "年底",
    # several terms (AND)
    "农民工 拖欠工资", "养老保险 北京", "医保基金 2023年", "social insurance", "退休人员，待遇领取",
    # nothing
    "量子计算", "quantumx",
]

SAMPLE_QUERIES = [
    "医保", "医保基金", "农民工", "拖欠工资", "欠薪", "社会保险", "养老", "个人账户", "跨省共济",
    "法治", "供水", "乡村振兴", "医院", "张家界", "新华社", "仲裁", "App", "2024年", "12月",
    "共济", "险", "水", "亿元", "医疗保障局", "Gongbao", "RSS", "农民工 工资",
    # text only a chart shows (its caption, its data table) and words only its source has
    "同一统筹区内", "查看图表数据", "共济人次", "hbar", "dataset", "万人次",
]

SKIP_CATS = {"Cf"}


def is_ideograph(c):
    return 0x3400 <= c <= 0x4DBF or 0x4E00 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF or 0x20000 <= c <= 0x3FFFF


CJK_BLOCKS = [(0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3040, 0x30FF),
              (0x3100, 0x312F), (0x3130, 0x318F), (0x3190, 0x31FF), (0xA000, 0xA4CF),
              (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xFF65, 0xFFDC), (0x16FE0, 0x16FFF),
              (0x17000, 0x18DFF), (0x1AFF0, 0x1B2FF)]


def klass(ch):
    """'cjk', 'word', 'skip' or 'sep', as classify() in gen/search.c."""
    c = ord(ch)
    if 0xFE00 <= c <= 0xFE0F or 0xE0100 <= c <= 0xE01EF:
        return "skip"
    if is_ideograph(c):
        return "cjk"
    cat = unicodedata.category(ch)
    if cat in SKIP_CATS:
        return "skip"
    if cat[0] in "LMN":
        return "cjk" if any(a <= c <= b for a, b in CJK_BLOCKS) else "word"
    return "sep"


def fold(s):
    s = unicodedata.normalize("NFKC", s.replace("\0", " ")).casefold()
    s = unicodedata.normalize("NFKC", s)
    return "".join(ch for ch in s if klass(ch) != "skip")


def terms(q):
    out, cur = [], ""
    for ch in fold(q):
        if klass(ch) == "sep":
            if cur and cur not in out:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur and cur not in out:
        out.append(cur)
    return out


def contains(text, term):
    """term occurs in text; a term starting with a letter or digit only at a word start."""
    word_start = klass(term[0]) == "word"
    at = text.find(term)
    while at >= 0:
        if not word_start or at == 0 or klass(text[at - 1]) != "word":
            return True
        at = text.find(term, at + 1)
    return False


# as search_html_text in gen/search.c
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "td", "th", "tr", "caption", "dt",
          "dd", "div", "table", "ul", "ol", "figure", "section", "details", "summary", "figcaption",
          "blockquote", "br", "hr", "article", "header", "footer", "aside", "dl", "thead", "tbody",
          "tfoot", "main", "nav"}
HIDDEN = {"svg", "script", "style"}


class Visible(html.parser.HTMLParser):
    """Collects a built page's title, summary and body text (see the module comment)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []      # open elements: (tag, region) where region is what they collect
        self.parts = {"title": [], "summary": [], "body": []}
        self.in_main = False
        self.pre = 0
        self.hidden = 0

    def region(self):
        for tag, reg in reversed(self.stack):
            if reg:
                return reg
        return None

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
            return
        if self.hidden:
            return
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "meta" and a.get("name") == "description":
            self.parts["summary"].append(a.get("content") or "")
        if tag in ("meta", "link", "img", "input", "br", "hr", "source", "col", "wbr"):
            if tag == "img" and self.region() == "body":
                self.parts["body"].append(a.get("alt") or "")
            if tag in BLOCKS and self.region():
                self.end_line(self.region())
            return
        reg = None
        if tag == "main":
            self.in_main = True
        if self.in_main and tag == "h1" and not self.parts["title"]:
            reg = "title"
        elif "prose" in cls:
            reg = "body"
        elif "lead" in cls and self.in_main:
            reg = "summary"
        elif tag == "thead" and self.in_main and self.region() is None:
            reg = "body"
        if tag == "pre":
            self.pre += 1
        self.stack.append((tag, reg))
        r = self.region()
        if r and tag in BLOCKS:
            self.end_line(r)

    def end_line(self, r):
        last = self.last(r)
        if last and last != "\n":
            self.parts[r].append("\n")

    def last(self, r):
        for piece in reversed(self.parts[r]):
            if piece:
                return piece[-1]
        return ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("meta", "link", "img", "input", "br", "hr", "source", "col", "wbr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if self.hidden:
            return
        while self.stack:
            t, reg = self.stack.pop()
            if t == "pre":
                self.pre -= 1
            r = self.region() or reg
            if r and t in BLOCKS:
                self.end_line(r)
            if t == tag:
                break
        if tag == "main":
            self.in_main = False

    def handle_data(self, data):
        r = self.region()
        if not r or self.hidden:
            return
        if self.pre:
            self.parts[r].append(data)
            return
        # a line break in running text (cmark's soft break): a space after an ASCII
        # character, nothing after another one or at the start of a line
        for i, piece in enumerate(data.split("\n")):
            if i:
                last = self.last(r)
                if last and last != "\n" and ord(last) < 0x80:
                    self.parts[r].append(" ")
            self.parts[r].append(piece)

    def text(self):
        return "\n".join("".join(self.parts[k]) for k in ("title", "summary", "body"))


def visible(path):
    v = Visible()
    with open(path, encoding="utf-8") as f:
        v.feed(f.read())
    v.close()
    return fold(v.text())


def pages(site, content):
    """The pages the search should cover, found without the index: every article, every
    dataset and every standalone page of the content folder. Returns {url: path}."""
    out = {}
    for section in ("articles", "data"):
        base = os.path.join(site, section)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            p = os.path.join(base, name, "index.html")
            if os.path.isfile(p):
                out["%s/%s/" % (section, name)] = p
    pdir = os.path.join(content, "pages")
    if os.path.isdir(pdir):
        for name in sorted(os.listdir(pdir)):
            if name.endswith(".md"):
                slug = name[:-3]
                p = os.path.join(site, slug, "index.html")
                if os.path.isfile(p):
                    out[slug + "/"] = p
    return out


def indexed_urls(site):
    urls = set()
    d = os.path.join(site, "search", "idx", "d")
    for name in os.listdir(d):
        with open(os.path.join(d, name), encoding="utf-8") as f:
            urls.update(r[0] for r in json.load(f))
    return urls


def search(site, queries):
    proc = subprocess.run(["node", os.path.join(ROOT, "tests", "search", "query.mjs"), site],
                          input="\n".join(queries) + "\n", capture_output=True, text=True, check=True)
    out = {}
    for line in proc.stdout.splitlines():
        r = json.loads(line)
        out[r["q"]] = set(r["urls"])
    return out


def check(label, site, content, queries):
    found = pages(site, content)
    if not os.path.isfile(os.path.join(site, "search", "idx", "meta.json")):
        print("FAIL %s: gen wrote the search index (no search/idx/meta.json)" % label)
        return False
    idx = indexed_urls(site)
    missing, extra = sorted(set(found) - idx), sorted(idx - set(found))
    if missing or extra:
        print("FAIL %s: every page is in the index, nothing else: missing %s, extra %s"
              % (label, missing[:5], extra[:5]))
    else:
        print("PASS %s: every page (%d) is in the index" % (label, len(found)))
    texts = {url: visible(p) for url, p in found.items()}
    got = search(site, queries)
    ok = True
    for q in queries:
        ts = terms(q)
        want = {url for url, t in texts.items() if ts and all(contains(t, term) for term in ts)}
        have = got.get(q, set())
        if want == have:
            print("PASS %s: %s: %d pages" % (label, q, len(want)))
        else:
            ok = False
            print("FAIL %s: %s: scan %d, search %d; only in scan %s; only in search %s"
                  % (label, q, len(want), len(have), sorted(want - have)[:3], sorted(have - want)[:3]))
    return ok


def build(content, out):
    proc = subprocess.run([GEN, "build", "--content", content, "--out", out],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        print("FAIL gen builds %s: %s" % (content, proc.stderr.strip()[-300:]))
        return False
    return True


def main(argv):
    n = 2600
    keep = None
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--n":
            n = int(args.pop(0))
        elif a == "--keep":
            keep = args.pop(0)
        else:
            sys.stderr.write(__doc__)
            return 2
    tmp = keep or tempfile.mkdtemp(prefix="gongbao-recall-")
    try:
        corpus = os.path.join(tmp, "corpus")
        site = os.path.join(tmp, "site")
        sample = os.path.join(tmp, "sample")
        for d in (corpus, site, sample):
            shutil.rmtree(d, ignore_errors=True)
        subprocess.run([PY, os.path.join(ROOT, "bench", "corpus.py"), corpus, str(n)], check=True)
        zh = 0
        for dp, _, fs in os.walk(os.path.join(corpus, "articles")):
            for f in fs:
                with open(os.path.join(dp, f), encoding="utf-8") as fh:
                    title = fh.read(200).split("\n")[1]
                zh += any(is_ideograph(ord(c)) for c in title)
        print("%s search recall: the corpus has at least 2,000 Chinese pages (%d of %d)"
              % ("PASS" if zh >= 2000 else "FAIL", zh, n))
        if build(corpus, site):
            check("search recall, corpus", site, corpus, CORPUS_QUERIES)
        if build(os.path.join(ROOT, "content"), sample):
            check("search recall, sample", sample, os.path.join(ROOT, "content"), SAMPLE_QUERIES)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
