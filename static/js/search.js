/* Gongbao site search: reads the sharded index that gen writes under search/idx/ (format
 * and query semantics: gen/search.h) and runs the search page. No framework, nothing
 * from other hosts.
 *
 * The tokeniser is the one in gen/search.c, written a second time: the same
 * normalisation (NFKC and case folding), the same classes of characters, the same
 * positions. tests/search/vectors.json holds the cases both must agree on.
 *
 * Everything that does not touch the page lives on the GongbaoSearch namespace so that
 * node can load this file (tests/search/query.mjs) and run the real query logic against a
 * built site; the page part only runs when there is a document. Content from the index
 * is untrusted: it goes into the page through textContent and createElement only. */
(function (global) {
  'use strict';

  const G = {};

  /* ---- normalisation and tokeniser ---- */

  const SEP = 0, CJK = 1, WORD = 2, SKIP = 3;
  const WORD_MAX_CHARS = 64;
  const RE_CF = /^\p{Cf}$/u;
  const RE_WORD = /^[\p{L}\p{M}\p{N}]$/u;
  const CJK_BLOCKS = [
    [0x1100, 0x11FF], [0x2E80, 0x2FDF], [0x3000, 0x303F], [0x3040, 0x30FF],
    [0x3100, 0x312F], [0x3130, 0x318F], [0x3190, 0x31FF], [0xA000, 0xA4CF],
    [0xA960, 0xA97F], [0xAC00, 0xD7FF], [0xFF65, 0xFFDC], [0x16FE0, 0x16FFF],
    [0x17000, 0x18DFF], [0x1AFF0, 0x1B2FF],
  ];

  /* Han of every block and extension: CJK whatever this browser's Unicode version says. */
  function isIdeograph(c) {
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
      (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
  }

  function inCjkBlock(c) {
    for (const r of CJK_BLOCKS) if (c >= r[0] && c <= r[1]) return true;
    return false;
  }

  /* The class of one normalised character (ch, code point c): as classify() in search.c. */
  function classify(ch, c) {
    if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF)) return SKIP;
    if (isIdeograph(c)) return CJK;
    if (RE_CF.test(ch)) return SKIP;
    if (RE_WORD.test(ch)) return inCjkBlock(c) ? CJK : WORD;
    return SEP;
  }

  const CYRILLIC_VARIANTS = {
    '\u1c80': '\u0432', '\u1c81': '\u0434', '\u1c82': '\u043e', '\u1c83': '\u0441',
    '\u1c84': '\u0442', '\u1c85': '\u0442', '\u1c86': '\u044a', '\u1c87': '\u0463',
    '\u1c88': '\ua64b',
  };

  /* Lone surrogates become U+FFFD (gen never sees them: its input is UTF-8). */
  function wellFormed(s) {
    if (!/[\ud800-\udfff]/.test(s)) return s;
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.length &&
          s.charCodeAt(i + 1) >= 0xDC00 && s.charCodeAt(i + 1) <= 0xDFFF) {
        out += s[i] + s[i + 1];
        i++;
      } else if (c >= 0xD800 && c <= 0xDFFF) {
        out += '\ufffd';
      } else {
        out += s[i];
      }
    }
    return out;
  }

  /* NFKC and full case folding, as utf8proc does them in gen. toLowerCase is simple case
   * mapping; the characters whose full folding differs are fixed up here (checked for
   * every code point against utf8proc). */
  function fold(s) {
    let t = wellFormed(String(s)).replace(/\0/g, ' ').normalize('NFKC').toLowerCase();
    if (!/[^\x00-\x7f]/.test(t)) return t;
    t = t.replace(/\u00df/g, 'ss').replace(/\u03c2/g, '\u03c3')
      .replace(/[\u1c80-\u1c88]/g, (c) => CYRILLIC_VARIANTS[c])
      .replace(/[\uab70-\uabbf]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xab70 + 0x13a0))
      .replace(/[\u13f8-\u13fd]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 8));
    if (/[\u0345\u037a\u1f80-\u1fff]/.test(t))
      t = t.normalize('NFD').replace(/\u0345/g, '\u03b9').normalize('NFC');
    return t;
  }
  G.fold = fold;

  /* Token classes: the first character of every key in the index (as in search.c). */
  const K_UNI = 'u', K_BI = 'b', K_WORD = 'w', K_START = 's', K_END = 'f', K_TOPIC = 't';

  /* The tokeniser over folded text: calls fn(class, text, position) in text order. */
  function scan(t, fn) {
    let prev = SEP, pc = '', word = '', wchars = 0, pos = 0;
    for (const ch of t) {
      const cl = classify(ch, ch.codePointAt(0));
      if (cl === SKIP) continue;
      if (cl !== WORD && prev === WORD) {
        fn(K_WORD, word, pos++);
        if (cl === CJK) fn(K_START, ch, pos);
      }
      if (cl === CJK) {
        fn(K_UNI, ch, pos);
        if (prev === CJK) fn(K_BI, pc + ch, pos - 1);
        pc = ch;
        pos++;
      } else if (cl === WORD) {
        if (prev === CJK) fn(K_END, pc, pos - 1);
        if (prev !== WORD) { word = ''; wchars = 0; }
        if (wchars < WORD_MAX_CHARS) { word += ch; wchars++; }
      } else if (prev !== SEP) {
        pos++;
      }
      prev = cl;
    }
    if (prev === WORD) fn(K_WORD, word, pos);
  }

  /* The tokens of text as gen indexes them: characters, pairs and words (for tests). */
  G.tokens = function (text) {
    const out = [];
    scan(fold(text), (cls, s) => {
      if (cls === K_UNI || cls === K_BI || cls === K_WORD) out.push(s);
    });
    return out;
  };

  /* ---- queries ---- */

  /* Splits a query into terms at spaces and punctuation. A term is a run of CJK
   * segments and words with nothing between them, matched as one contiguous string.
   * Returns [{text, segs: [{cjk, chars: [..]} | {cjk: false, word}]}], duplicates removed. */
  G.parse = function (q) {
    const terms = [], seen = new Set();
    let segs = [], text = '';
    const end = () => {
      if (segs.length && !seen.has(text)) {
        seen.add(text);
        terms.push({ text, segs });
      }
      segs = [];
      text = '';
    };
    for (const ch of fold(q || '')) {
      const cl = classify(ch, ch.codePointAt(0));
      if (cl === SKIP) continue;
      if (cl === SEP) { end(); continue; }
      const last = segs[segs.length - 1];
      if (cl === CJK) {
        if (last && last.cjk) last.chars.push(ch);
        else segs.push({ cjk: true, chars: [ch] });
      } else if (last && !last.cjk) {
        if ([...last.word].length < WORD_MAX_CHARS) last.word += ch;
      } else {
        segs.push({ cjk: false, word: ch });
      }
      text += ch;
    }
    end();
    return terms;
  };

  /* What one term needs from the index: a single key, a word prefix, or a phrase (keys
   * or prefixes at offsets, checked against positions). */
  function plan(term) {
    const segs = term.segs;
    if (segs.length === 1) {
      const s = segs[0];
      if (!s.cjk) return { kind: 'prefix', prefix: K_WORD + s.word };
      if (s.chars.length === 1) return { kind: 'key', key: K_UNI + s.chars[0] };
      if (s.chars.length === 2) return { kind: 'key', key: K_BI + s.chars[0] + s.chars[1] };
    }
    const pats = [];
    let off = 0;
    segs.forEach((s, i) => {
      if (s.cjk) {
        /* pairs that cover every character: at 0, 2, 4, ... and the last one. Two
         * characters at consecutive positions touch, so this proves the whole run. */
        const c = s.chars;
        for (let j = 0; j + 1 < c.length; j += 2) pats.push({ key: K_BI + c[j] + c[j + 1], off: off + j });
        if (c.length > 2 && c.length % 2) pats.push({ key: K_BI + c[c.length - 2] + c[c.length - 1], off: off + c.length - 2 });
        /* one character between words: it must touch the word before (or after) it */
        if (c.length === 1) pats.push({ key: (i > 0 ? K_START : K_END) + c[0], off });
        off += c.length;
      } else {
        if (i === segs.length - 1) pats.push({ prefix: K_WORD + s.word, off });
        else pats.push({ key: K_WORD + s.word, off });
        off += 1;
      }
    });
    return { kind: 'phrase', pats };
  }

  /* ---- index files ---- */

  function fnv1a(bytes) {
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619) >>> 0;
    return h;
  }

  function utf8Encode(s) {
    const out = [];
    for (const ch of s) {
      const c = ch.codePointAt(0);
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xC0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xE0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xF0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }

  function utf8Decode(bytes, start, end) {
    if (typeof TextDecoder !== 'undefined') return new TextDecoder().decode(bytes.subarray(start, end));
    let s = '';
    for (let i = start; i < end;) {
      const b = bytes[i];
      let c, n;
      if (b < 0x80) { c = b; n = 1; } else if (b < 0xE0) { c = b & 31; n = 2; } else if (b < 0xF0) { c = b & 15; n = 3; } else { c = b & 7; n = 4; }
      for (let k = 1; k < n; k++) c = (c << 6) | (bytes[i + k] & 63);
      s += String.fromCodePoint(c);
      i += n;
    }
    return s;
  }

  /* Reads LEB128 varints from bytes, starting at off. */
  function Reader(bytes, off) {
    this.b = bytes;
    this.i = off || 0;
  }
  Reader.prototype.next = function () {
    let x = 0, mul = 1;
    for (;;) {
      const c = this.b[this.i++];
      if (c === undefined) return x;
      x += (c & 0x7f) * mul;
      if (c < 0x80) return x;
      mul *= 128;
    }
  };

  /* Reads the bit streams of the postings and positions: least significant bit first. */
  function Bits(bytes, off) {
    this.b = bytes;
    this.i = off;
    this.bit = 0;
  }
  Bits.prototype.one = function () {
    const v = (this.b[this.i] >> this.bit) & 1;
    if (++this.bit === 8) { this.bit = 0; this.i++; }
    return v;
  };
  Bits.prototype.take = function (n) {
    let v = 0;
    for (let j = 0, m = 1; j < n; j++, m *= 2) v += this.one() * m;
    return v;
  };
  /* Golomb-Rice with parameter k; RICE_ESCAPE ones announce a 32-bit value. */
  const RICE_ESCAPE = 24;
  Bits.prototype.rice = function (k) {
    let q = 0;
    while (q < RICE_ESCAPE && this.one()) q++;
    if (q === RICE_ESCAPE) return this.take(32);
    return q * 2 ** k + this.take(k);
  };
  Bits.prototype.gamma = function () {
    let n = 0;
    while (this.one()) n++;
    return 2 ** n + this.take(n);
  };

  /* The bits of a list's Rice parameter, at the start of its postings and its positions. */
  const PARAM_BITS = 5;

  /* The Rice parameter of the positions of a posting with tf occurrences in a list whose
   * parameter is kq: kq - floor(log2(tf + 1)), at least 0 (pos_k in search.c). */
  function posK(kq, tf) {
    const c = 31 - Math.clz32(tf + 1);
    return kq > c ? kq - c : 0;
  }

  /* The words' shard key: class byte and the first characters of the word. */
  function shardKey(key, wordkey) {
    if (key[0] !== K_WORD) return key;
    return K_WORD + [...key.slice(1)].slice(0, wordkey).join('');
  }

  /* An index opened through load(path) -> Promise<Uint8Array | null> (null: missing),
   * paths relative to search/idx/. Files are fetched once. */
  function Index(load) {
    this.load = load;
    this.cache = new Map();
  }

  Index.prototype.file = function (path) {
    if (!this.cache.has(path)) this.cache.set(path, Promise.resolve(this.load(path)));
    return this.cache.get(path);
  };

  Index.prototype.json = async function (path) {
    const b = await this.file(path);
    if (!b) throw new Error('search index: missing ' + path);
    return JSON.parse(utf8Decode(b, 0, b.length));
  };

  /* The format this file reads (search.h). */
  const FORMAT_VERSION = 2;

  Index.prototype.meta = function () {
    if (!this.metaP) {
      this.metaP = this.json('meta.json').then((meta) => {
        if (meta.version !== FORMAT_VERSION) throw new Error('search index: format ' + meta.version);
        return meta;
      });
    }
    return this.metaP;
  };

  Index.prototype.shardOf = async function (key) {
    const meta = await this.meta();
    return fnv1a(utf8Encode(shardKey(key, meta.wordkey))) & (meta.shards - 1);
  };

  /* A shard's directory: Map key -> {key, df, poff, plen, qoff, qlen}, in key order. */
  Index.prototype.shard = function (n) {
    const name = n.toString(16).padStart(3, '0') + '.bin';
    const path = 'p/' + name;
    if (!this.cache.has('dir:' + path)) {
      this.cache.set('dir:' + path, Promise.all([this.file(path), this.meta()]).then(([b, meta]) => {
        const dir = new Map();
        if (!b) return dir;
        const r = new Reader(b, 0);
        const count = r.next();
        const list = [];
        for (let k = 0; k < count; k++) {
          const klen = r.next();
          const key = utf8Decode(b, r.i, r.i + klen);
          r.i += klen;
          const e = { key, df: r.next(), plen: r.next(), qlen: r.next(), bytes: b, qpath: 'q/' + name, meta };
          list.push(e);
          dir.set(key, e);
        }
        let poff = r.i, qoff = 0;
        for (const e of list) {
          e.poff = poff;
          e.qoff = qoff;
          poff += e.plen;
          qoff += e.qlen;
        }
        return dir;
      }));
    }
    return this.cache.get('dir:' + path);
  };

  /* The postings of a directory entry: {docs, tf, title} arrays in document order. */
  function postings(e) {
    if (e.post) return e.post;
    const docs = new Int32Array(e.df), tf = new Int32Array(e.df), title = new Uint8Array(e.df);
    const r = new Bits(e.bytes, e.poff);
    const kd = r.take(PARAM_BITS);
    let id = -1;
    for (let k = 0; k < e.df; k++) {
      id += r.rice(kd) + 1;
      docs[k] = id;
      tf[k] = r.gamma();
      title[k] = r.one();
    }
    e.post = { docs, tf, title };
    return e.post;
  }

  /* The positions of a directory entry: Map doc -> sorted positions. */
  Index.prototype.positions = async function (e) {
    if (e.pos) return e.pos;
    const q = await this.file(e.qpath);
    const p = postings(e);
    const map = new Map();
    const r = new Bits(q || new Uint8Array(0), e.qoff);
    const kq = r.take(PARAM_BITS);
    for (let k = 0; k < e.df; k++) {
      const list = new Array(p.tf[k]);
      const kp = posK(kq, p.tf[k]);
      let last = -1;
      for (let j = 0; j < p.tf[k]; j++) {
        last += r.rice(kp) + 1;
        list[j] = last;
      }
      map.set(p.docs[k], list);
    }
    e.pos = map;
    return map;
  };

  /* The directory entries a key or a word prefix stands for. */
  Index.prototype.entries = async function (pat) {
    if (pat.key !== undefined) {
      const dir = await this.shard(await this.shardOf(pat.key));
      const e = dir.get(pat.key);
      return e ? [e] : [];
    }
    const meta = await this.meta();
    const word = pat.prefix.slice(1);
    let keys;
    if ([...word].length >= meta.wordkey) {
      keys = [pat.prefix];
    } else {
      const words = await this.json('words.json');
      keys = words.filter((k) => k.startsWith(word)).map((k) => K_WORD + k);
    }
    const shards = new Set();
    for (const k of keys) shards.add(await this.shardOf(k));
    const out = [];
    for (const n of [...shards].sort((a, b) => a - b)) {
      const dir = await this.shard(n);
      for (const [key, e] of dir) if (key.startsWith(pat.prefix)) out.push(e);
    }
    return out;
  };

  /* Documents of a list of entries: Map doc -> {tf, title}. */
  function union(entries) {
    const m = new Map();
    for (const e of entries) {
      const p = postings(e);
      for (let k = 0; k < p.docs.length; k++) {
        const d = p.docs[k];
        const h = m.get(d);
        if (h) { h.tf += p.tf[k]; h.title = h.title || !!p.title[k]; } else m.set(d, { tf: p.tf[k], title: !!p.title[k] });
      }
    }
    return m;
  }

  /* Runs one term: Map doc -> {tf, title}. */
  Index.prototype.term = async function (term) {
    const pl = plan(term);
    if (pl.kind === 'key') return union(await this.entries({ key: pl.key }));
    if (pl.kind === 'prefix') return union(await this.entries({ prefix: pl.prefix }));
    const lists = await Promise.all(pl.pats.map((p) => this.entries(p)));
    const docsets = lists.map(union);
    if (docsets.some((m) => m.size === 0)) return new Map();
    /* candidates: in every pattern's documents, smallest set first */
    const order = docsets.map((m, i) => i).sort((a, b) => docsets[a].size - docsets[b].size);
    let cand = [...docsets[order[0]].keys()];
    for (const i of order.slice(1)) cand = cand.filter((d) => docsets[i].has(d));
    if (!cand.length) return new Map();
    const pos = await Promise.all(lists.map((es) => Promise.all(es.map((e) => this.positions(e)))));
    const out = new Map();
    for (const d of cand) {
      const sets = pos.map((maps) => {
        const s = new Set();
        for (const m of maps) { const l = m.get(d); if (l) for (const x of l) s.add(x); }
        return s;
      });
      let tf = 0;
      for (const p0 of sets[0]) {
        const base = p0 - pl.pats[0].off;
        let ok = true;
        for (let k = 1; k < sets.length && ok; k++) ok = sets[k].has(base + pl.pats[k].off);
        if (ok) tf++;
      }
      if (tf) out.set(d, { tf, title: docsets.every((m) => m.get(d).title) });
    }
    return out;
  };

  /* Runs a query. filters: {topic: slug, year: "2024"}. Returns {terms, ids} with ids
   * ranked: more terms in the title first, then more occurrences, then newer (documents
   * are numbered oldest first: a higher id). */
  Index.prototype.search = async function (q, filters) {
    const terms = G.parse(q);
    if (!terms.length) return { terms, ids: [] };
    const meta = await this.meta();
    const results = await Promise.all(terms.map((t) => this.term(t)));
    results.sort((a, b) => a.size - b.size);
    const score = new Map();
    for (const [d, h] of results[0]) score.set(d, { d, title: h.title ? 1 : 0, tf: h.tf });
    for (const m of results.slice(1)) {
      for (const [d, s] of score) {
        const h = m.get(d);
        if (!h) score.delete(d);
        else { s.tf += h.tf; s.title += h.title ? 1 : 0; }
      }
    }
    filters = filters || {};
    if (filters.year) {
      const y = meta.years.find((r) => r[0] === String(filters.year));
      for (const d of score.keys()) if (!y || d < y[1] || d >= y[1] + y[2]) score.delete(d);
    }
    if (filters.topic) {
      const inTopic = union(await this.entries({ key: K_TOPIC + filters.topic }));
      for (const d of score.keys()) if (!inTopic.has(d)) score.delete(d);
    }
    const ids = [...score.values()]
      .sort((a, b) => b.title - a.title || b.tf - a.tf || b.d - a.d)
      .map((s) => s.d);
    return { terms, ids };
  };

  /* The record of document id: {id, url, title, date, kind, topics: [{slug, name}], snippet}. */
  Index.prototype.record = async function (id) {
    const meta = await this.meta();
    const chunk = await this.json('d/' + Math.floor(id / meta.chunk) + '.json');
    const r = chunk[id % meta.chunk];
    return {
      id, url: r[0], title: r[1], date: r[2], kind: r[3],
      topics: r[4].map((k) => ({ slug: meta.topics[k][0], name: meta.topics[k][1] })),
      snippet: r[5],
    };
  };

  G.open = function (load) {
    return new Index(load);
  };

  /* ---- highlighting ---- */

  const foldCache = new Map();
  function foldChar(ch) {
    let f = foldCache.get(ch);
    if (f === undefined) {
      f = classify(ch, ch.codePointAt(0)) === SKIP ? '' : fold(ch);
      if (foldCache.size < 4096) foldCache.set(ch, f);
    }
    return f;
  }

  /* Where the terms occur in text: sorted, merged [start, end) ranges of text (UTF-16
   * indices). A term that starts with a letter or digit only matches at a word start. */
  G.find = function (text, terms) {
    let folded = '';
    const from = [], to = [];
    for (let i = 0; i < text.length;) {
      const ch = String.fromCodePoint(text.codePointAt(i));
      const f = foldChar(ch);
      for (let k = 0; k < f.length; k++) { from.push(i); to.push(i + ch.length); }
      folded += f;
      i += ch.length;
    }
    const ranges = [];
    for (const t of terms) {
      if (!t.text) continue;
      const first = t.text.codePointAt(0);
      const wordStart = classify(String.fromCodePoint(first), first) === WORD;
      for (let at = folded.indexOf(t.text); at >= 0; at = folded.indexOf(t.text, at + 1)) {
        if (wordStart && at > 0) {
          const low = folded.charCodeAt(at - 1);
          const c = low >= 0xDC00 && low <= 0xDFFF && at > 1 ? folded.codePointAt(at - 2) : low;
          if (classify(String.fromCodePoint(c), c) === WORD) continue;
        }
        ranges.push([from[at], to[at + t.text.length - 1]]);
      }
    }
    ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push(r.slice());
    }
    return merged;
  };

  /* True when a result's snippet has to come from its page: no term in its record. */
  G.needsPage = function (rec, terms) {
    return G.find(rec.snippet, terms).length === 0 && G.find(rec.title, terms).length === 0;
  };

  /* A snippet of text: a window of about width characters around the first match of
   * each term (windows that overlap are merged, at most three), joined by ellipses.
   * Returns {text, ranges} with ranges relative to the snippet, or null without a match. */
  G.window = function (text, terms, width) {
    const all = G.find(text, terms);
    if (!all.length) return null;
    width = width || 120;
    const firsts = [];
    for (const t of terms) {
      const r = G.find(text, [t]);
      if (r.length) firsts.push(r[0][0]);
    }
    firsts.sort((a, b) => a - b);
    const each = Math.max(30, Math.floor(width / Math.min(firsts.length, 3)));
    const wins = [];
    for (const at of firsts) {
      let start = Math.max(0, at - Math.floor(each / 3));
      const end = Math.min(text.length, start + each);
      start = Math.max(0, Math.min(start, end - each));
      const last = wins[wins.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else if (wins.length < 3) wins.push([start, end]);
    }
    let out = '';
    const ranges = [];
    for (const [start, end] of wins) {
      if (start > 0 || out) out += '…';
      const shift = out.length - start;
      out += text.slice(start, end);
      for (const r of all) {
        if (r[1] <= start || r[0] >= end) continue;
        ranges.push([Math.max(r[0], start) + shift, Math.min(r[1], end) + shift]);
      }
    }
    if (wins[wins.length - 1][1] < text.length) out += '…';
    return { text: out, ranges };
  };

  global.GongbaoSearch = G;

  /* ---- the page ---- */

  if (typeof document === 'undefined' || !document.currentScript) return;
  const script = document.currentScript;
  const siteRoot = new URL('../../', script.src);
  const idxBase = new URL('search/idx/', siteRoot);
  const PAGE = 10;
  const KINDS = { article: '文章', page: '页面', dataset: '数据' };

  function onReady(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
    else fn();
  }

  onReady(() => {
    const form = document.getElementById('search-form');
    const input = document.getElementById('search-q');
    const topicSel = document.getElementById('search-topic');
    const yearSel = document.getElementById('search-year');
    const status = document.getElementById('search-status');
    const list = document.getElementById('search-results');
    const more = document.getElementById('search-more');
    if (!form || !input || !status || !list || !more) return;
    form.classList.add('is-ready');

    const index = G.open((path) => fetch(new URL(path, idxBase)).then((r) => {
      if (r.status === 404) return null;
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.arrayBuffer().then((b) => new Uint8Array(b));
    }));
    const pages = new Map();
    let current = null; /* {query, terms, ids, shown, serial} */
    let serial = 0;

    function safeUrl(u) {
      return typeof u === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(u) && !u.startsWith('/') && !u.startsWith('\\');
    }

    /* Appends text to el with the ranges wrapped in <mark>. */
    function marked(el, text, ranges) {
      let at = 0;
      for (const r of ranges) {
        if (r[0] > at) el.appendChild(document.createTextNode(text.slice(at, r[0])));
        const m = document.createElement('mark');
        m.textContent = text.slice(r[0], r[1]);
        el.appendChild(m);
        at = r[1];
      }
      if (at < text.length) el.appendChild(document.createTextNode(text.slice(at)));
    }

    /* The visible text of a page of this site, for a snippet. */
    function pageText(url) {
      if (!pages.has(url)) {
        pages.set(url, fetch(new URL(url, siteRoot)).then((r) => (r.ok ? r.text() : '')).then((html) => {
          const doc = new DOMParser().parseFromString(html, 'text/html');
          const el = doc.querySelector('.prose') || doc.querySelector('main article') || doc.querySelector('main');
          if (!el) return '';
          for (const x of el.querySelectorAll('script, style, svg, nav')) x.remove();
          return el.textContent.replace(/([^\x00-\x7f])[ \t]*\n\s*(?=[^\x00-\x7f])/g, '$1').replace(/\s+/g, ' ').trim();
        }).catch(() => ''));
      }
      return pages.get(url);
    }

    function setStatus(text) {
      status.textContent = text;
    }

    function describe(q) {
      const bits = [];
      if (topicSel && topicSel.value) bits.push('专题：' + topicSel.options[topicSel.selectedIndex].text);
      if (yearSel && yearSel.value) bits.push('年份：' + yearSel.value);
      return '“' + q + '”' + (bits.length ? '（' + bits.join('，') + '）' : '');
    }

    function countText() {
      const n = current.ids.length;
      if (!n) return '没有找到与' + describe(current.query) + '相关的结果。';
      let s = '找到 ' + n + ' 条与' + describe(current.query) + '相关的结果';
      if (current.shown < n) s += '，已显示 ' + current.shown + ' 条';
      return s + '。';
    }

    /* Renders the next PAGE results; moves focus to the first new one when asked. */
    async function showMore(focus) {
      const run = current;
      const ids = run.ids.slice(run.shown, run.shown + PAGE);
      more.disabled = true;
      const recs = await Promise.all(ids.map((id) => index.record(id)));
      const snippets = await Promise.all(recs.map(async (rec) => {
        if (!G.needsPage(rec, run.terms)) return null;
        const text = await pageText(rec.url);
        return G.window(text, run.terms, 120);
      }));
      if (run !== current) return;
      let firstLink = null;
      recs.forEach((rec, i) => {
        if (!safeUrl(rec.url)) return;
        const li = document.createElement('li');
        li.className = 'search-hit';
        const h = document.createElement('h2');
        h.className = 'search-hit-title';
        const a = document.createElement('a');
        a.href = new URL(rec.url, siteRoot).href;
        marked(a, rec.title, G.find(rec.title, run.terms));
        h.appendChild(a);
        li.appendChild(h);
        const meta = document.createElement('p');
        meta.className = 'search-hit-meta';
        const kind = document.createElement('span');
        kind.className = 'search-hit-kind';
        kind.textContent = KINDS[rec.kind] || rec.kind;
        meta.appendChild(kind);
        if (rec.date) {
          const t = document.createElement('time');
          t.dateTime = rec.date;
          const ymd = /^(\d{4})-(\d{2})-(\d{2})$/.exec(rec.date);
          t.textContent = ymd ? ymd[1] + '年' + Number(ymd[2]) + '月' + Number(ymd[3]) + '日' : rec.date;
          meta.appendChild(document.createTextNode(' '));
          meta.appendChild(t);
        }
        if (rec.topics.length) {
          meta.appendChild(document.createTextNode(' · ' + rec.topics.map((t) => t.name).join('、')));
        }
        li.appendChild(meta);
        const p = document.createElement('p');
        p.className = 'search-hit-snippet';
        const w = snippets[i] || { text: rec.snippet, ranges: G.find(rec.snippet, run.terms) };
        marked(p, w.text, w.ranges);
        li.appendChild(p);
        list.appendChild(li);
        if (!firstLink) firstLink = a;
      });
      run.shown += ids.length;
      const left = run.ids.length - run.shown;
      more.hidden = left <= 0;
      more.disabled = false;
      more.textContent = '显示更多结果（还有 ' + left + ' 条）';
      setStatus(countText());
      if (focus && firstLink) firstLink.focus();
    }

    async function run(q) {
      const my = ++serial;
      list.textContent = '';
      more.hidden = true;
      current = null;
      q = q.trim();
      if (!q) { setStatus(''); return; }
      setStatus('正在搜索…');
      try {
        const filters = { topic: topicSel ? topicSel.value : '', year: yearSel ? yearSel.value : '' };
        const res = await index.search(q, filters);
        if (my !== serial) return;
        current = { query: q, terms: res.terms, ids: res.ids, shown: 0 };
        if (!res.terms.length) { setStatus('请输入要搜索的文字。'); return; }
        if (!res.ids.length) { setStatus(countText()); return; }
        await showMore(false);
      } catch (err) {
        if (my === serial) setStatus('搜索索引加载失败，请稍后重试。');
      }
    }

    function fromUrl() {
      const params = new URLSearchParams(window.location.search);
      input.value = params.get('q') || '';
      if (topicSel) topicSel.value = params.get('topic') || '';
      if (yearSel) yearSel.value = params.get('year') || '';
      if (topicSel && topicSel.selectedIndex < 0) topicSel.value = '';
      if (yearSel && yearSel.selectedIndex < 0) yearSel.value = '';
      run(input.value);
    }

    function toUrl(push) {
      const params = new URLSearchParams();
      if (input.value.trim()) params.set('q', input.value.trim());
      if (topicSel && topicSel.value) params.set('topic', topicSel.value);
      if (yearSel && yearSel.value) params.set('year', yearSel.value);
      const s = params.toString();
      const url = window.location.pathname + (s ? '?' + s : '');
      if (push) window.history.pushState(null, '', url);
      else window.history.replaceState(null, '', url);
    }

    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      toUrl(true);
      run(input.value);
    });
    for (const sel of [topicSel, yearSel]) {
      if (!sel) continue;
      sel.addEventListener('change', () => {
        toUrl(false);
        run(input.value);
      });
    }
    more.addEventListener('click', () => {
      if (current) showMore(true);
    });
    window.addEventListener('popstate', fromUrl);
    fromUrl();
  });
})(typeof globalThis !== 'undefined' ? globalThis : this);
