// The sample site in a real browser: Debian's chromium, headless, driven by playwright-core
// (no browser download), on pages served over HTTP under a sub-path, as an operator
// deploys them. For each page of PAGES:
//   - axe-core: no violation of WCAG 2.1 A and AA, in light and dark, at 390 and 1280 px;
//   - keyboard: Tab from the top reaches every shown link and the search fields, and the
//     focused element always has a visible focus indicator (light and dark);
//   - layout: full-page screenshots at 390 and 1280 px under SCREENS; no horizontal scroll
//     at 390 px; tables and charts scroll inside their own box;
// and for the home page and an article, the weight before images (HTML+CSS+JS) and no
// render-blocking request to another host.
//
//   node tests/validators/browser.mjs BASE_URL SCREENS_DIR
//
// BASE_URL is the served site root, ending in "/". Prints one PASS/FAIL line per check
// (tests/lib.sh count_lines reads them).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const WEIGHT_LIMIT = 100 * 1024;

// name, path below the site root. The tag and topic are ones the sample content has.
const PAGES = [
  ['home', ''],
  ['article-chart', 'articles/medical-fund-2024/'],
  ['topic', 'topics/medical-insurance/'],
  ['tag', 'tags/' + encodeURIComponent('医保基金') + '/'],
  ['archive', 'archive/'],
  ['data-index', 'data/'],
  ['dataset', 'data/medical-fund-2024/'],
  ['search', 'search/'],
  ['404', '404.html'],
];
const WEIGH = ['home', 'article-chart'];

let failures = 0;
function pass(name) {
  console.log('PASS validators: ' + name);
}
function fail(name, why) {
  failures++;
  console.log('FAIL validators: ' + name + (why ? ': ' + String(why).replace(/\s+/g, ' ').slice(0, 600) : ''));
}
function result(name, problems) {
  if (problems.length) fail(name, problems.slice(0, 6).join('; ') + (problems.length > 6 ? ` (+${problems.length - 6} more)` : ''));
  else pass(name);
}

async function open(context, url, errors) {
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  if (errors) {
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
  }
  const resp = await page.goto(url, { waitUntil: 'load' });
  if (!resp || !resp.ok()) throw new Error(`${url}: HTTP ${resp ? resp.status() : 'no response'}`);
  return page;
}

// axe-core over the whole page; returns "rule (n): target" strings.
async function axeViolations(page) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const r = await page.evaluate(async (tags) => {
    const res = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return res.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
  }, TAGS);
  return r;
}

// Tabs through the page from the top. Returns the problems found.
async function keyboard(page) {
  const expected = await page.evaluate(() => {
    const sel = 'a[href], input:not([type=hidden]), select, textarea, button, summary, [tabindex]';
    let n = 0;
    const want = [];
    for (const el of document.querySelectorAll(sel)) {
      el.setAttribute('data-kb', String(n++));
      const shown = el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true });
      const must = el.matches('a[href]') || el.matches('input[type=search]');
      if (shown && must && el.tabIndex >= 0)
        want.push({ id: el.getAttribute('data-kb'), what: el.tagName.toLowerCase() + ' ' + (el.getAttribute('href') || el.id || el.textContent.trim().slice(0, 20)) });
    }
    return { want, total: n };
  });
  const problems = [];
  const seen = new Set();
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); });
  const limit = expected.total + 20;
  let first = null;
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1 &&
        !/rgba\(.*, 0\)$/.test(cs.outlineColor) && cs.outlineColor !== 'transparent';
      const shadow = cs.boxShadow && cs.boxShadow !== 'none';
      const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
        r.top < innerHeight && r.left < innerWidth;
      return {
        id: el.getAttribute('data-kb'),
        what: el.tagName.toLowerCase() + ' ' + (el.getAttribute('href') || el.id || el.textContent.trim().slice(0, 20)),
        visible: (outline || shadow) && inView,
        style: `outline ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}; box-shadow ${cs.boxShadow}; rect ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}`,
        focusVisible: el.matches(':focus-visible'),
      };
    });
    if (!f) { if (seen.size) break; else continue; }
    if (f.id === first) break;
    if (first === null) first = f.id;
    if (seen.has(f.id)) continue;
    seen.add(f.id);
    if (!f.visible || !f.focusVisible) problems.push(`focus not visible on ${f.what} (${f.style})`);
  }
  for (const w of expected.want)
    if (!seen.has(w.id)) problems.push(`Tab never reaches ${w.what}`);
  return { problems, reached: seen.size, wanted: expected.want.length };
}

async function layout(page, name, width, screens, scheme) {
  const problems = [];
  await page.setViewportSize({ width, height: 900 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(screens, `${name}-${width}${scheme === 'dark' ? '-dark' : ''}.png`), fullPage: true });
  if (width > 400 || scheme === 'dark') return problems;
  const m = await page.evaluate(() => {
    const de = document.documentElement;
    const out = { scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, overflow: [], boxes: [], wide: [] };
    for (const el of [de, document.body]) {
      const ox = getComputedStyle(el).overflowX;
      if (ox === 'hidden' || ox === 'clip') out.overflow.push(`${el.tagName.toLowerCase()} overflow-x ${ox}`);
    }
    for (const box of document.querySelectorAll('.table-wrap, .chart-figure')) {
      const cs = getComputedStyle(box);
      const r = box.getBoundingClientRect();
      const shown = box.checkVisibility();
      out.boxes.push({ cls: box.className, id: box.id, ox: cs.overflowX, shown, sw: box.scrollWidth, cw: box.clientWidth, right: r.right });
    }
    // Anything sticking out of the viewport that is not inside a scrolling box.
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= de.clientWidth + 0.5) continue;
      let p = el.parentElement, inside = false;
      while (p && p !== document.body) {
        const ox = getComputedStyle(p).overflowX;
        if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') { inside = true; break; }
        p = p.parentElement;
      }
      if (!inside && !el.closest('.vh')) out.wide.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') || ''} right=${Math.round(r.right)}`);
    }
    return out;
  });
  if (m.scrollWidth > m.clientWidth) problems.push(`page scrolls sideways: scrollWidth ${m.scrollWidth} > ${m.clientWidth}`);
  problems.push(...m.overflow);
  for (const w of m.wide.slice(0, 3)) problems.push(`sticks out: ${w}`);
  for (const b of m.boxes) {
    if (b.ox !== 'auto' && b.ox !== 'scroll') problems.push(`.${b.cls}${b.id ? '#' + b.id : ''} has overflow-x ${b.ox}`);
    if (b.shown && b.right > m.clientWidth + 0.5) problems.push(`.${b.cls} is wider than the screen (${Math.round(b.right)})`);
  }
  return problems;
}

// HTML + CSS + JS the page loads (decoded bytes; images left out), and requests that
// block rendering on another host.
async function weight(page) {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    let total = nav.decodedBodySize;
    const parts = [`html ${nav.decodedBodySize}`];
    for (const r of performance.getEntriesByType('resource')) {
      const u = new URL(r.name);
      if (r.initiatorType === 'img' || r.initiatorType === 'image' || /\.(png|jpe?g|gif|webp|avif|svg|ico)$/i.test(u.pathname)) continue;
      total += r.decodedBodySize;
      parts.push(`${u.pathname.split('/').pop()} ${r.decodedBodySize}`);
    }
    const blocking = [];
    for (const el of document.querySelectorAll('link[rel~="stylesheet"][href], script[src], link[rel~="preload"][href], link[rel~="modulepreload"][href]')) {
      const u = new URL(el.getAttribute('href') || el.getAttribute('src'), document.baseURI);
      if (u.origin !== location.origin) blocking.push(u.href);
    }
    for (const r of performance.getEntriesByType('resource'))
      if (new URL(r.name).origin !== location.origin && r.renderBlockingStatus === 'blocking') blocking.push(r.name);
    return { total, parts, blocking };
  });
}

// axe in a context that bypasses the pages' CSP (script-src 'self' forbids the injected
// script); one load per page, both colour schemes and both widths.
async function axePages(browser, base, out) {
  const ctx = await browser.newContext({ bypassCSP: true, locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(30000);
  for (const [name, rel] of PAGES) {
    try {
      const resp = await page.goto(base + rel, { waitUntil: 'load' });
      if (!resp || !resp.ok()) throw new Error(`HTTP ${resp ? resp.status() : 'no response'}`);
      await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        for (const scheme of ['light', 'dark']) {
          await page.emulateMedia({ colorScheme: scheme });
          out.push([`axe ${name} (${scheme}, ${width} px): no WCAG 2.1 A/AA violations`, await axeViolations(page)]);
        }
      }
    } catch (e) {
      out.push([`axe ${name}`, [e.message]]);
    }
  }
  await ctx.close();
}

// Keyboard, layout, weight and console errors, with the pages' real CSP. Motion is
// reduced so that the smooth scroll to a focused element does not race the check.
async function otherChecks(browser, base, screens, out) {
  const ctx = await browser.newContext({ locale: 'zh-CN', reducedMotion: 'reduce', viewport: { width: 1280, height: 900 } });
  for (const [name, rel] of PAGES) {
    const url = base + rel;
    const errors = [];
    try {
      const page = await open(ctx, url, errors);
      if (WEIGH.includes(name)) {
        const w = await weight(page);
        out.push([`weight ${name}: HTML+CSS+JS ${(w.total / 1024).toFixed(1)} KB < 100 KB (${w.parts.join(', ')})`,
          w.total < WEIGHT_LIMIT ? [] : ['too heavy']]);
        out.push([`weight ${name}: no render-blocking request to another host`, w.blocking]);
      }
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
        await page.setViewportSize({ width: 1280, height: 900 });
        const kb = await keyboard(page);
        out.push([`keyboard ${name} (${scheme}): Tab reaches all ${kb.wanted} links and search fields, focus visible`, kb.problems]);
      }
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      const lay = [];
      await page.emulateMedia({ colorScheme: 'light' });
      for (const width of [1280, 390]) lay.push(...await layout(page, name, width, screens, 'light'));
      await page.emulateMedia({ colorScheme: 'dark' });
      await layout(page, name, 390, screens, 'dark');
      out.push([`layout ${name}: no sideways scroll at 390 px, tables and charts scroll in their box`, lay]);
      out.push([`console ${name}: no script errors or CSP violations`, errors]);
      await page.close();
    } catch (e) {
      out.push([`browser checks of ${name}`, [e.message]]);
    }
  }
  await ctx.close();
}

async function main() {
  const [base, screens] = process.argv.slice(2);
  if (!base || !screens) {
    fail('usage: browser.mjs BASE_URL SCREENS_DIR');
    return;
  }
  fs.mkdirSync(screens, { recursive: true });
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
    require.resolve('axe-core/axe.min.js');
  } catch (e) {
    fail('playwright-core and axe-core are installed (npm ci in tests/validators)', e.message);
    return;
  }
  if (!fs.existsSync(CHROMIUM)) {
    fail(`chromium is installed (${CHROMIUM}; scripts/deps.sh test installs it)`);
    return;
  }
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    const a = [], b = [];
    await Promise.all([axePages(browser, base, a), otherChecks(browser, base, screens, b)]);
    for (const [name, problems] of [...b, ...a]) result(name, problems);
  } catch (e) {
    fail('the browser runs', e.message);
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
}

await main();
process.exitCode = failures ? 1 : 0;
