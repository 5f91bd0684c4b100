#!/usr/bin/python3
"""Every dataset download in a built site parses back: the CSV with the csv module (its
header names the schema's fields, every row has as many cells), the JSON with json (its
rows match the CSV), datapackage.json with json (name, title, resources with a schema).
usage: datacheck.py SITE_DIR"""
import csv
import io
import json
import os
import sys


def check(d):
    name = os.path.basename(d)
    problems = []
    with open(os.path.join(d, "datapackage.json"), encoding="utf-8") as f:
        pkg = json.load(f)
    for key in ("name", "title", "resources"):
        if key not in pkg:
            problems.append(f"datapackage.json has no {key}")
    if pkg.get("name") != name:
        problems.append(f"datapackage.json name {pkg.get('name')!r} != folder {name!r}")
    for res in pkg.get("resources", []):
        fields = [f["name"] for f in res["schema"]["fields"]]
        with open(os.path.join(d, res["path"]), encoding="utf-8", newline="") as f:
            rows = list(csv.reader(io.StringIO(f.read())))
        if rows[0] != fields:
            problems.append(f"{res['path']}: header {rows[0]} != fields {fields}")
        bad = [i for i, r in enumerate(rows[1:], 2) if len(r) != len(fields)]
        if bad:
            problems.append(f"{res['path']}: rows {bad[:5]} have the wrong number of cells")
    with open(os.path.join(d, name + ".json"), encoding="utf-8") as f:
        data = json.load(f)
    first = pkg["resources"][0]
    with open(os.path.join(d, first["path"]), encoding="utf-8", newline="") as f:
        csv_rows = list(csv.DictReader(io.StringIO(f.read())))
    if len(data.get("data", [])) != len(csv_rows):
        problems.append(f"{name}.json has {len(data.get('data', []))} rows, the CSV {len(csv_rows)}")
    for j, c in zip(data.get("data", []), csv_rows):
        for k, v in c.items():
            got = j.get(k)
            if v == "" and got is None:
                continue
            if isinstance(got, (int, float)) and not isinstance(got, bool):
                try:
                    if abs(float(v) - got) > 1e-9 * max(1, abs(got)):
                        problems.append(f"{name}.json {k}: {got} != CSV {v}")
                except ValueError:
                    problems.append(f"{name}.json {k}: {got} is a number, CSV has {v!r}")
            elif isinstance(got, str) and got != v:
                problems.append(f"{name}.json {k}: {got!r} != CSV {v!r}")
    return problems


def main():
    root = os.path.join(sys.argv[1], "data")
    failed = 0
    names = sorted(n for n in os.listdir(root) if os.path.isdir(os.path.join(root, n)))
    if not names:
        print("FAIL datacheck: no datasets in the site")
        return 1
    for n in names:
        problems = check(os.path.join(root, n))
        if problems:
            failed += 1
            print(f"FAIL datacheck {n}: " + "; ".join(problems[:5]))
        else:
            print(f"PASS datacheck {n}: CSV, JSON and datapackage.json parse back and agree")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
