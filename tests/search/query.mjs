// Runs the real query logic of static/js/search.js in node, against a built site.
//
//   node tests/search/query.mjs SITE_DIR [--cost] [--topic SLUG] [--year YYYY] < queries
//
// reads one query per line and prints one JSON line per query:
//   {"q": ..., "count": N, "urls": [...every result, ranked...],
//    "cost": {"index": bytes, "pages": bytes, "files": n}}      (cost with --cost)
// cost is what the search page downloads to show the first screen of results: the index
// files the query reads (meta, shards, positions, word keys, the records of the first
// results) plus the pages fetched for snippets (G.needsPage), as in the browser.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/* Loads search.js without a DOM and returns its GongbaoSearch namespace. */
export function loadSearch(file = path.join(here, '../../static/js/search.js')) {
  const ctx = { TextDecoder, console };
  vm.createContext(ctx);
  vm.runInContext(fs.readFileSync(file, 'utf8'), ctx, { filename: file });
  return ctx.GongbaoSearch;
}

/* Opens the index of a built site; every file read is counted in stats. */
export function openSite(G, site, stats) {
  return G.open(async (rel) => {
    const p = path.join(site, 'search', 'idx', rel);
    let b;
    try {
      b = fs.readFileSync(p);
    } catch (e) {
      if (e.code === 'ENOENT') return null;
      throw e;
    }
    if (stats) {
      stats.index += b.length;
      stats.files += 1;
    }
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  });
}

const PAGE = 10;

async function main() {
  const args = process.argv.slice(2);
  const site = args[0];
  if (!site) {
    console.error('usage: query.mjs SITE_DIR [--cost] [--topic SLUG] [--year YYYY] < queries');
    process.exit(2);
  }
  const cost = args.includes('--cost');
  const opt = (name) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : '');
  const filters = { topic: opt('--topic'), year: opt('--year') };
  const G = loadSearch();
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const q = line.trim();
    if (!q) continue;
    const stats = { index: 0, files: 0 };
    const ix = openSite(G, site, stats);
    const res = await ix.search(q, filters);
    const out = { q, count: res.ids.length };
    if (cost) {
      let pages = 0;
      for (const id of res.ids.slice(0, PAGE)) {
        const rec = await ix.record(id);
        if (G.needsPage(rec, res.terms)) pages += fs.statSync(path.join(site, rec.url, 'index.html')).size;
      }
      out.cost = { index: stats.index, pages, files: stats.files };
    }
    const all = openSite(G, site, null);
    out.urls = [];
    for (const id of res.ids) out.urls.push((await all.record(id)).url);
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
