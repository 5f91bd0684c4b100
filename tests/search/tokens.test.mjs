// The browser's tokeniser (static/js/search.js) against the shared vectors that
// tests/unit/test_search.c checks gen's tokeniser with: node --test tests/search/
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSearch } from './query.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(fs.readFileSync(path.join(here, 'vectors.json'), 'utf8'));
const G = loadSearch();

for (const v of vectors) {
  test('tokens: ' + v.name, () => {
    assert.deepEqual([...G.tokens(v.input)], v.tokens);
  });
}

test('a query is split into terms at spaces and punctuation', () => {
  const terms = [...G.parse('农民工  拖欠工资，2024年 Insurance').map((t) => t.text)];
  assert.deepEqual(terms, ['农民工', '拖欠工资', '2024年', 'insurance']);
});

test('a term keeps Han and Latin segments together', () => {
  const [t] = G.parse('中文ABC混排');
  assert.equal(t.text, '中文abc混排');
  assert.deepEqual([...t.segs.map((s) => (s.cjk ? s.chars.join('') : s.word))], ['中文', 'abc', '混排']);
});

test('repeated terms count once', () => {
  assert.equal(G.parse('医保 医保 ＡＢＣ abc').length, 2);
});

test('highlight ranges map folded matches back to the original text', () => {
  const text = '关于ＡＢＣ的农民工工资，reinsurance 与 Insurance';
  const ranges = G.find(text, G.parse('农民工 abc insurance'));
  assert.deepEqual([...ranges.map(([a, b]) => text.slice(a, b))], ['ＡＢＣ', '农民工', 'Insurance']);
});

test('a snippet window holds the first match with ellipses', () => {
  const text = '甲'.repeat(200) + '社会保险' + '乙'.repeat(200);
  const w = G.window(text, G.parse('社会保险'), 60);
  assert.ok(w.text.startsWith('…') && w.text.endsWith('…'));
  assert.deepEqual([...w.ranges.map(([a, b]) => w.text.slice(a, b))], ['社会保险']);
});

test('a snippet shows every term, in separate windows when far apart', () => {
  const text = '农民工' + '甲'.repeat(300) + '过程结算' + '乙'.repeat(300);
  const w = G.window(text, G.parse('过程结算 农民工'), 120);
  assert.deepEqual([...w.ranges.map(([a, b]) => w.text.slice(a, b))], ['农民工', '过程结算']);
  assert.ok(w.text.length < 140);
});
