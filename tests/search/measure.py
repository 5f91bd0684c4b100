#!/usr/bin/python3
"""Size of the search index and what queries download, on the benchmark corpus.

    /usr/bin/python3 tests/search/measure.py [--n N] [--keep DIR]

Generates N articles (default 10,000) with bench/corpus.py, builds them with gen/gen, and
prints
  - the index size per page: every file under search/idx/ (shards, positions, records,
    meta) divided by the number of indexed pages, raw and gzip-compressed (as a web server
    would send it), with the share of each part;
  - for a set of four-character queries (and, for comparison, shorter, longer and Latin
    ones) the bytes the search page downloads to show the first screen of results, by
    running the real query logic of static/js/search.js in node (tests/search/query.mjs
    --cost): the index files it reads (meta, the shards of the query's keys, their
    positions when the query is a phrase, the records of the first ten results) and the
    result pages it fetches for snippets.
Targets (issue 4): at most 5 KB of index per page; a four-character query on 10,000 pages
downloads at most 300 KB. A measurement, not a test: it prints, it does not assert.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GEN = os.environ.get("GONGBAO_GEN", os.path.join(ROOT, "gen", "gen"))

FOUR = ["社会保险", "养老保险", "拖欠工资", "医保基金", "工伤保险", "失业保险", "法律援助", "人民调解",
        "技能培训", "临时救助", "驻村帮扶", "基金监管", "困难群众", "高校毕业", "乡镇卫生", "管理办法",
        "服务大厅", "便民措施"]
OTHER = ["险", "医", "的", "农民工", "医保", "社会保障卡", "农民工工资专用账户", "insurance", "pen",
         "2024年", "农民工 拖欠工资"]


def sizes(idx):
    parts = {}
    total = total_gz = 0
    for dp, _, fs in os.walk(idx):
        for f in fs:
            p = os.path.join(dp, f)
            with open(p, "rb") as fh:
                b = fh.read()
            part = os.path.relpath(p, idx).split(os.sep)[0]
            part = part if os.sep in os.path.relpath(p, idx) else "meta"
            gz = len(gzip.compress(b, 6, mtime=0))
            raw, cgz = parts.get(part, (0, 0))
            parts[part] = (raw + len(b), cgz + gz)
            total += len(b)
            total_gz += gz
    return total, total_gz, parts


def run_queries(site, queries):
    proc = subprocess.run(["node", os.path.join(ROOT, "tests", "search", "query.mjs"), site, "--cost"],
                          input="\n".join(queries) + "\n", capture_output=True, text=True, check=True)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def main(argv):
    n, keep = 10000, None
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
    tmp = keep or tempfile.mkdtemp(prefix="gongbao-measure-")
    try:
        corpus, site = os.path.join(tmp, "corpus"), os.path.join(tmp, "site")
        if not os.path.isfile(os.path.join(corpus, ".done-%d" % n)):
            shutil.rmtree(corpus, ignore_errors=True)
            subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "corpus.py"), corpus, str(n)], check=True)
            open(os.path.join(corpus, ".done-%d" % n), "w").close()
        shutil.rmtree(site, ignore_errors=True)
        subprocess.run([GEN, "build", "--content", corpus, "--out", site], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        idx = os.path.join(site, "search", "idx")
        with open(os.path.join(idx, "meta.json"), encoding="utf-8") as f:
            meta = json.load(f)
        docs = meta["docs"]
        total, total_gz, parts = sizes(idx)
        files = sum(len(fs) for _, _, fs in os.walk(idx))
        print("corpus: %d articles; index: %d pages, %d shards, %d files" % (n, docs, meta["shards"], files))
        print("index per page: %.2f KB raw, %.2f KB gzip (target: at most 5 KB)"
              % (total / docs / 1024, total_gz / docs / 1024))
        names = {"p": "postings (p/)", "q": "positions (q/)", "d": "records (d/)", "meta": "meta, word keys"}
        for part in ("p", "q", "d", "meta"):
            raw, gz = parts.get(part, (0, 0))
            print("  %-18s %6.2f KB raw %6.2f KB gzip per page" % (names[part], raw / docs / 1024, gz / docs / 1024))
        print()
        print("%-24s %7s %10s %10s %10s %6s" % ("query", "results", "index KB", "pages KB", "total KB", "files"))
        worst = 0
        for label, qs in (("four characters", FOUR), ("others", OTHER)):
            print("-- " + label)
            for r in run_queries(site, qs):
                c = r["cost"]
                t = c["index"] + c["pages"]
                if label == "four characters":
                    worst = max(worst, t)
                print("%-24s %7d %10.1f %10.1f %10.1f %6d" % (r["q"], r["count"], c["index"] / 1024,
                                                            c["pages"] / 1024, t / 1024, c["files"]))
        print()
        print("largest four-character query: %.1f KB (target: at most 300 KB on 10,000 pages)" % (worst / 1024))
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
