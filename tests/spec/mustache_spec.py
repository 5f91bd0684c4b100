#!/usr/bin/python3
"""Runs the official Mustache spec through `gen render-template`.

For every test of every spec file (except ~lambdas: lambdas are not supported) it writes
the template, the data as JSON and the partials (as DIR/NAME.mustache) to a temporary
directory, runs `GEN render-template T.mustache DATA.json --partials DIR` and compares
stdout byte for byte with the expected output. Prints one line per test:
"PASS <prefix>/<file>/<name>" or "FAIL <prefix>/<file>/<name>: got ... want ...".

usage: mustache_spec.py [--gen PATH] [--prefix NAME] [--spec DIR]
Exit status 1 when a test failed.
"""
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    gen = os.path.join(REPO, "gen", "gen")
    prefix = "spec"
    spec_dir = os.path.join(os.path.dirname(REPO), "shared", "spec", "mustache")
    args = sys.argv[1:]
    while args:
        opt = args.pop(0)
        if opt in ("--gen", "--prefix", "--spec") and args:
            val = args.pop(0)
            if opt == "--gen":
                gen = os.path.abspath(val)
            elif opt == "--prefix":
                prefix = val
            else:
                spec_dir = val
        else:
            sys.stderr.write(__doc__)
            return 2
    files = sorted(f for f in os.listdir(spec_dir)
                   if f.endswith(".json") and "lambdas" not in f)
    if not files:
        print("FAIL %s: no spec files in %s" % (prefix, spec_dir))
        return 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="mustache-spec-") as tmp:
        for fname in files:
            with open(os.path.join(spec_dir, fname), encoding="utf-8") as f:
                spec = json.load(f)
            base = fname[:-len(".json")]
            for i, test in enumerate(spec["tests"]):
                label = "%s/%s/%s" % (prefix, base, test["name"])
                work = os.path.join(tmp, "%s-%d" % (base, i))
                pdir = os.path.join(work, "partials")
                os.makedirs(pdir)
                tpath = os.path.join(work, "template.mustache")
                dpath = os.path.join(work, "data.json")
                with open(tpath, "wb") as f:
                    f.write(test["template"].encode("utf-8"))
                with open(dpath, "w", encoding="utf-8") as f:
                    json.dump(test["data"], f, ensure_ascii=False)
                for name, text in test.get("partials", {}).items():
                    with open(os.path.join(pdir, name + ".mustache"), "wb") as f:
                        f.write(text.encode("utf-8"))
                proc = subprocess.run([gen, "render-template", tpath, dpath, "--partials", pdir],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                got = proc.stdout.decode("utf-8", "replace")
                want = test["expected"]
                if proc.returncode == 0 and got == want:
                    print("PASS %s" % label)
                else:
                    failed += 1
                    err = proc.stderr.decode("utf-8", "replace").strip()
                    print("FAIL %s: got %r want %r%s" % (
                        label, got, want,
                        " (exit %d: %s)" % (proc.returncode, err) if proc.returncode else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
