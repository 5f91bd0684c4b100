// Hostile content in a real browser: every HTML page of a site built from
// tests/xss/make_site.py (every payload in every field) is opened in Debian's chromium,
// headless, through playwright-core (no browser download), served from the folder under
// http://127.0.0.1:PORT/portal/ (the site's base path). On each page:
//   - no dialog opens and no payload runs (payloads call alert(N) or xss(N); xss is a
//     function this test defines before any page script);
//   - no page error, no navigation away (meta refresh), no CSP violation report (one would
//     mean markup got into the page that the policy then had to stop);
//   - the DOM has no on* attribute, no <script> but the JSON-LD block and the theme's own
//     files, no <iframe>/<object>/<embed>/<base>/<meta http-equiv=refresh>, no style
//     attribute or <style> element, no javascript:/vbscript:/data: URL in a link, form or
//     image;
//   - a Content-Security-Policy meta allows no inline script ('unsafe-inline', 'unsafe-eval',
//     data: or * in script-src or default-src).
// Every page is opened as deployed, and (every fourth page, or all with XSS_FULL=1) again
// with the CSP bypassed, so that escaping alone must hold. The search page is also run
// with queries that match the payloads.
//
//   node tests/xss/xss.test.mjs SITE_DIR
//
// Prints one PASS/FAIL line per check; exits 1 when any failed.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
let BASE = '';
const WORKERS = Number(process.env.XSS_WORKERS || 4);

let failures = 0;
function pass(name) {
  console.log('PASS xss: ' + name);
}
function fail(name, why) {
  failures++;
  console.log('FAIL xss: ' + name + (why ? ': ' + String(why).split('\n').slice(0, 6).join(' | ') : ''));
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.xml': 'application/xml',
  '.png': 'image/png', '.csv': 'text/csv; charset=utf-8', '.txt': 'text/plain',
};

/* Serves the site folder under /portal/ on a free port of 127.0.0.1 (a folder URL gives
 * its index.html, a missing file 404.html with status 404). Returns {server, base}. */
async function serve(site) {
  const root = path.resolve(site);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let rel;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch (e) {
      rel = '/';
    }
    if (!rel.startsWith('/portal/')) {
      res.writeHead(404).end();
      return;
    }
    rel = rel.slice('/portal/'.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': TYPES['.html'] }).end(fs.readFileSync(path.join(root, '404.html')));
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: 'http://127.0.0.1:' + server.address().port + '/portal/' };
}

/* Runs before any script of a page: the marker function and a CSP violation log. */
const INIT = `
  window.__ran = [];
  window.__csp = [];
  window.xss = function (n) { window.__ran.push(n); };
  document.addEventListener('securitypolicyviolation', function (e) {
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
  }, true);
`;

/* In the page: what in the DOM could run script, and the CSP meta. */
function inspect() {
  const bad = [];
  const badUrl = (v) => /^[\u0000-\u0020]*(j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t|d\s*a\s*t\s*a)\s*:/i.test(v || '');
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) bad.push(tag + ' ' + a.name + '=' + a.value.slice(0, 60));
      if (a.name === 'style') bad.push(tag + ' style=' + a.value.slice(0, 60));
      if (/^(href|src|action|formaction|xlink:href|data|srcdoc|background|poster|to|values|from)$/i.test(a.name) &&
          badUrl(a.value)) bad.push(tag + ' ' + a.name + '=' + a.value.slice(0, 60));
    }
    if (tag === 'script') {
      const ok = el.type === 'application/ld+json' ||
        (el.getAttribute('src') && !el.textContent && /static\/js\/[a-z0-9-]+\.js$/.test(el.getAttribute('src')));
      if (!ok) bad.push('script ' + (el.getAttribute('src') || el.textContent.slice(0, 60)));
      if (el.type === 'application/ld+json') {
        try { JSON.parse(el.textContent); } catch (e) { bad.push('JSON-LD does not parse: ' + e.message); }
      }
    }
    if (['iframe', 'frame', 'object', 'embed', 'base', 'applet', 'style', 'link'].includes(tag) &&
        !(tag === 'link' && /^(stylesheet|icon|canonical|alternate)$/.test(el.rel) && !badUrl(el.href))) {
      bad.push('element ' + tag);
    }
    if (tag === 'meta' && /refresh/i.test(el.httpEquiv)) bad.push('meta refresh');
  }
  const metas = [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]')];
  return { bad, ran: window.__ran, csp: window.__csp, policies: metas.map((m) => m.content) };
}

/* Checks one policy: script-src (or default-src) present, nothing that allows inline code. */
function policyProblem(policies) {
  if (policies.length !== 1) return policies.length + ' CSP meta elements';
  const dirs = {};
  for (const part of policies[0].split(';')) {
    const words = part.trim().split(/\s+/);
    if (words[0]) dirs[words[0].toLowerCase()] = words.slice(1);
  }
  const script = dirs['script-src'] || dirs['default-src'];
  if (!script) return 'no script-src or default-src';
  for (const w of script) {
    if (/^'unsafe-(inline|eval|hashes)'$/i.test(w) || w === '*' || /^(data|blob|https?):?$/i.test(w)) {
      return 'script-src allows ' + w;
    }
  }
  if (!dirs['object-src'] || dirs['object-src'].join(' ') !== "'none'") return "object-src is not 'none'";
  if (!dirs['base-uri']) return 'no base-uri';
  return null;
}

/* Opens url in page and returns what went wrong (empty: nothing). */
async function visit(page, url, csp, wait) {
  const problems = [];
  const dialogs = [], errors = [], navs = [];
  const onDialog = (d) => { dialogs.push(d.type() + ' ' + d.message()); d.dismiss().catch(() => {}); };
  const onError = (e) => errors.push(e.message);
  const onNav = (f) => { if (f === page.mainFrame() && f.url() !== url && !f.url().startsWith(url.split('#')[0])) navs.push(f.url()); };
  page.on('dialog', onDialog);
  page.on('pageerror', onError);
  page.on('framenavigated', onNav);
  try {
    await page.goto(url, { waitUntil: process.env.XSS_WAIT_UNTIL || 'load', timeout: 15000 });
    await page.waitForTimeout(wait);
    const r = await page.evaluate(inspect);
    if (r.ran.length) problems.push('payload ran: xss(' + r.ran.join(', ') + ')');
    if (r.bad.length) problems.push('DOM: ' + r.bad.slice(0, 3).join('; '));
    if (csp && r.csp.length) problems.push('CSP violation: ' + r.csp.slice(0, 2).join('; '));
    if (csp) {
      const p = policyProblem(r.policies);
      if (p) problems.push('CSP meta: ' + p);
    }
  } catch (e) {
    problems.push('load: ' + e.message.split('\n')[0]);
  }
  page.off('dialog', onDialog);
  page.off('pageerror', onError);
  page.off('framenavigated', onNav);
  if (dialogs.length) problems.push('dialog: ' + dialogs.join(', '));
  if (errors.length) problems.push('page error: ' + errors.slice(0, 2).join('; '));
  if (navs.length) problems.push('navigated to ' + navs[0]);
  return problems;
}

/* Every .html file below site, as site-relative URLs. */
function pages(site) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) out.push(path.relative(site, p));
    }
  };
  walk(site);
  return out.sort().map((rel) => rel.endsWith('index.html') ? rel.slice(0, -'index.html'.length) : rel)
    .map((rel) => rel.split('/').map(encodeURIComponent).join('/'));
}

async function sweep(browser, site, list, csp) {
  const context = await browser.newContext({ bypassCSP: !csp, javaScriptEnabled: true });
  await context.addInitScript(INIT);
  const bad = [];
  let next = 0;
  const worker = async () => {
    const page = await context.newPage();
    while (next < list.length) {
      const rel = list[next++];
      const problems = await visit(page, BASE + rel, csp, 30);
      if (problems.length) bad.push('/' + rel + ': ' + problems.join('; '));
    }
    await page.close();
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  const label = csp ? 'with the CSP' : 'with the CSP bypassed (escaping alone)';
  if (bad.length) fail(list.length + ' pages ' + label, bad.length + ' pages: ' + bad.slice(0, 4).join(' || '));
  else pass(list.length + ' pages ' + label + ': no dialog, no payload ran, nothing dangerous in the DOM');
  // search: queries that match the payloads' words, results drawn by search.js
  if (fs.existsSync(path.join(site, 'search', 'index.html'))) {
    const page = await context.newPage();
    const queries = ['script', 'onerror', 'svg onload', 'javascript', 'alert', 'iframe', 'img', '专题'];
    const sbad = [];
    let shown = 0;
    for (const q of queries) {
      const url = BASE + 'search/?q=' + encodeURIComponent(q);
      const problems = await visit(page, url, csp, 800);
      shown += await page.evaluate(() => document.querySelectorAll('#search-results li, .search-results li, [id*="result"] li').length).catch(() => 0);
      if (problems.length) sbad.push(q + ': ' + problems.join('; '));
    }
    if (sbad.length) fail('search results ' + label, sbad.join(' || '));
    else if (!shown) fail('search results ' + label, 'no results were shown for ' + queries.join(', '));
    else pass('search results ' + label + ': ' + shown + ' results for ' + queries.length + ' queries, no payload ran');
    await page.close();
  }
  await context.close();
}

async function main() {
  const site = process.argv[2];
  if (!site || !fs.existsSync(path.join(site, 'index.html'))) {
    fail('the built site has index.html', site);
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
    fail('chromium is installed (' + CHROMIUM + ')');
    return;
  }
  const { server, base } = await serve(site);
  BASE = base;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const list = pages(site);
    await sweep(browser, site, list, true);
    // escaping alone: every page with XSS_FULL=1, else every fourth (a quarter of each kind)
    await sweep(browser, site, process.env.XSS_FULL ? list : list.filter((_, i) => i % 4 === 0), false);
  } finally {
    await browser.close();
    server.close();
  }
}

main().then(() => process.exit(failures ? 1 : 0), (e) => {
  fail('test crashed', e && e.stack ? e.stack : e);
  process.exit(1);
});
