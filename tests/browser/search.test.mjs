// The search page in a real browser: Debian's chromium, headless, driven by playwright-core
// (no browser download), against a built site served on 127.0.0.1 under a sub-path
// (/portal/), as an operator may deploy it.
//
//   node tests/browser/search.test.mjs SITE_DIR
//
// Prints one PASS/FAIL line per check; exits 1 when any failed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const TIMEOUT = 15000;

let failures = 0;
function pass(name) {
  console.log('PASS search browser: ' + name);
}
function fail(name, why) {
  failures++;
  console.log('FAIL search browser: ' + name + (why ? ': ' + String(why).split('\n')[0] : ''));
}
async function check(name, fn) {
  try {
    const r = await fn();
    if (r === false) fail(name);
    else pass(name);
  } catch (e) {
    fail(name, e && e.message ? e.message : e);
  }
}

/* Serves dir under /portal/ with python's http.server on a free port of 127.0.0.1.
 * Returns {proc, base}. */
async function serve(site) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gongbao-browser-'));
  fs.symlinkSync(path.resolve(site), path.join(root, 'portal'));
  const proc = spawn('/usr/bin/python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('http.server did not start')), 10000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => reject(new Error('http.server exited ' + code)));
  });
  proc.stderr.resume();
  return { proc, root, base: 'http://127.0.0.1:' + port + '/portal/' };
}

async function main() {
  const site = process.argv[2];
  if (!site || !fs.existsSync(path.join(site, 'search', 'index.html'))) {
    fail('the built site has search/index.html', site);
    return;
  }
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    fail('playwright-core is installed (npm ci)', e.message);
    return;
  }
  if (!fs.existsSync(CHROMIUM)) {
    fail('chromium is installed (' + CHROMIUM + '; scripts/deps.sh test installs it)');
    return;
  }
  const server = await serve(site);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const base = server.base;

    await check('the page without JavaScript says so and links to topics and archive', async () => {
      const html = await (await fetch(base + 'search/')).text();
      const ns = /<noscript>([\s\S]*?)<\/noscript>/.exec(html);
      return !!ns && /JavaScript/.test(ns[1]) && ns[1].includes('href="../topics/"') &&
        ns[1].includes('href="../archive/"');
    });

    await check('typing a query shows results with highlights', async () => {
      await page.goto(base + 'search/');
      await page.fill('#search-q', '农民工');
      await page.press('#search-q', 'Enter');
      await page.waitForSelector('#search-results li mark');
      const marks = await page.$$eval('#search-results mark', (ms) => ms.map((m) => m.textContent));
      const status = await page.textContent('#search-status');
      if (!marks.length || !marks.every((m) => m === '农民工')) throw new Error('marks: ' + marks.slice(0, 5));
      if (!/找到 \d+ 条/.test(status)) throw new Error('status: ' + status);
      return page.url().includes('?q=');
    });

    await check('the result count is in an aria-live region', async () => {
      const live = await page.getAttribute('#search-status', 'aria-live');
      const role = await page.getAttribute('#search-status', 'role');
      return live === 'polite' && role === 'status';
    });

    await check('a click on a result opens the article', async () => {
      const href = await page.getAttribute('#search-results li a', 'href');
      const title = (await page.textContent('#search-results li a')).trim();
      await Promise.all([page.waitForURL((u) => u.href === href), page.click('#search-results li a')]);
      const h1 = (await page.textContent('main h1')).trim();
      if (h1 !== title) throw new Error(h1 + ' != ' + title);
      return page.url().startsWith(base + 'articles/');
    });

    await check('search/?q=农民工 from the address bar shows results', async () => {
      await page.goto(base + 'search/?q=' + encodeURIComponent('农民工'));
      await page.waitForSelector('#search-results li');
      return (await page.inputValue('#search-q')) === '农民工';
    });

    await check('a snippet from the page body is highlighted', async () => {
      await page.goto(base + 'search/?q=' + encodeURIComponent('过程结算'));
      await page.waitForSelector('#search-results .search-hit-snippet mark');
      const m = await page.textContent('#search-results .search-hit-snippet mark');
      return m === '过程结算';
    });

    await check('a query without results says so', async () => {
      await page.goto(base + 'search/?q=' + encodeURIComponent('量子计算机'));
      await page.waitForFunction(() => /没有找到/.test(document.getElementById('search-status').textContent));
      return (await page.$$('#search-results li')).length === 0;
    });

    await check('"more" reaches every result, by keyboard, and moves focus to them', async () => {
      await page.goto(base + 'search/?q=' + encodeURIComponent('的'));
      await page.waitForSelector('#search-results li');
      const total = Number(/找到 (\d+) 条/.exec(await page.textContent('#search-status'))[1]);
      if (total <= 10) throw new Error('only ' + total + ' results for 的');
      for (let guard = 0; guard < 100; guard++) {
        const shown = (await page.$$('#search-results li')).length;
        if (shown >= total) break;
        await page.focus('#search-more');
        await page.keyboard.press('Enter');
        await page.waitForFunction((n) => document.querySelectorAll('#search-results li').length > n, shown);
        const focused = await page.evaluate(() => document.activeElement && document.activeElement.closest('#search-results') !== null);
        if (!focused) throw new Error('focus did not move to the new results');
      }
      const shown = (await page.$$('#search-results li')).length;
      return shown === total && (await page.isHidden('#search-more'));
    });

    await check('the topic filter narrows the results and goes into the address', async () => {
      await page.goto(base + 'search/?q=' + encodeURIComponent('的'));
      await page.waitForSelector('#search-results li');
      const all = Number(/找到 (\d+) 条/.exec(await page.textContent('#search-status'))[1]);
      const value = await page.$eval('#search-topic option:nth-child(2)', (o) => o.value);
      await page.selectOption('#search-topic', value);
      await page.waitForFunction((n) => {
        const m = /找到 (\d+) 条|没有找到/.exec(document.getElementById('search-status').textContent);
        return m && (!m[1] || Number(m[1]) !== n);
      }, all);
      const st = await page.textContent('#search-status');
      const some = /找到 (\d+) 条/.exec(st);
      const n = some ? Number(some[1]) : 0;
      return n < all && page.url().includes('topic=' + value);
    });

    await check('the header search form leads to the results', async () => {
      await page.goto(base);
      await page.fill('#site-search-q', '医保');
      await Promise.all([page.waitForURL(/\/search\/\?q=/), page.press('#site-search-q', 'Enter')]);
      await page.waitForSelector('#search-results li');
      return true;
    });

    await check('no script errors or CSP violations', async () => {
      if (errors.length) throw new Error(errors.slice(0, 3).join(' | '));
      return true;
    });
  } catch (e) {
    fail('the browser runs', e.message);
  } finally {
    if (browser) await browser.close().catch(() => {});
    server.proc.kill();
    fs.rmSync(server.root, { recursive: true, force: true });
  }
}

main().then(() => process.exit(failures ? 1 : 0), (e) => {
  fail('browser test', e.message);
  process.exit(1);
});
