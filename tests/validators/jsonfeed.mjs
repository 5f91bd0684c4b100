// JSON Feed in a second client. newsboat does not read JSON Feed
// (https://github.com/newsboat/newsboat/issues/426) and neither does Debian 12's
// python3-feedparser (6.0), so tests/feeds_check.py reads it with python's json module and
// this reads it with feedsmith (npm), a feed parser for RSS, Atom and JSON Feed: it must
// detect the file as JSON Feed, parse it, and give every item with its id, url, title,
// content and a date that parses, the same items as the file.
//
//   node tests/validators/jsonfeed.mjs FEED.json...
//
// Prints one PASS/FAIL line per file.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let failures = 0;

function check(file, parseFeed) {
  const name = `feedsmith ${file}`;
  const text = fs.readFileSync(file, 'utf8');
  const raw = JSON.parse(text);
  const r = parseFeed(text);
  const problems = [];
  if (r.format !== 'json') problems.push(`detected as ${r.format}, not JSON Feed`);
  const feed = r.feed || {};
  if (feed.title !== raw.title) problems.push(`title ${JSON.stringify(feed.title)}`);
  const items = feed.items || [];
  if (items.length !== (raw.items || []).length) problems.push(`${items.length} items read, the file has ${raw.items.length}`);
  items.forEach((it, i) => {
    const miss = ['id', 'url', 'title', 'content_html', 'date_published'].filter((k) => !it[k]);
    if (miss.length) problems.push(`item ${i + 1}: no ${miss.join(', ')}`);
    else if (Number.isNaN(Date.parse(it.date_published))) problems.push(`item ${i + 1}: date ${it.date_published}`);
    else if (raw.items[i] && it.id !== raw.items[i].id) problems.push(`item ${i + 1}: id ${it.id}`);
  });
  if (problems.length) {
    failures++;
    console.log(`FAIL ${name}: ${problems.slice(0, 5).join('; ')}`);
  } else {
    console.log(`PASS ${name}: all ${items.length} items read`);
  }
}

let parseFeed;
try {
  ({ parseFeed } = require('feedsmith'));
} catch (e) {
  console.log(`FAIL feedsmith is installed (npm ci in tests/validators): ${e.message}`);
  process.exit(1);
}
const files = process.argv.slice(2);
if (!files.length) {
  console.log('FAIL feedsmith: no JSON Feed given');
  failures++;
}
for (const f of files) {
  try {
    check(f, parseFeed);
  } catch (e) {
    failures++;
    console.log(`FAIL feedsmith ${f}: ${e.message}`);
  }
}
process.exitCode = failures ? 1 : 0;
