/* search: the static search index. One tokeniser, the same in C and in the browser
 * (static/js/search.js, checked against the same vectors: tests/search/vectors.json).
 *
 * Tokeniser. Text is NFKC-normalised and fully case-folded (utf8proc; the browser uses
 * normalize("NFKC"), toLowerCase() and the few fix-ups where full folding differs), then
 * read one code point at a time: Han of every block and extension, kana, Hangul, Bopomofo
 * and the like are CJK; other letters, digits and marks make words; format characters
 * and variation selectors are ignored; everything else (space, punctuation, symbols,
 * emoji) separates. A CJK run gives each character and each overlapping pair; a word is
 * one token (its first 64 characters). Positions count CJK characters, words and
 * separator runs, so two tokens touch in the text exactly when their positions are
 * consecutive.
 *
 * Query semantics (search.js). Spaces and punctuation separate terms; every term must
 * match (AND), as one contiguous string: one CJK character by its single-character list,
 * two by their pair, longer runs by pairs that cover the run (at 0, 2, 4, ... and the last)
 * at consecutive positions, a word by prefix; a term mixing CJK and words (2024年) by
 * positions, with marks for a CJK character that touches a word. No false positives, no
 * misses: tests/search/recall.py compares with a plain scan of the built pages.
 *
 * Files under search/idx/ (all bytes deterministic; documents are numbered newest first,
 * undated ones last, then by URL):
 *   meta.json   {version, docs, shards, avglen, chunk, wordkey, topics: [[slug, name]],
 *               years: [[year, first document, count]]}
 *   p/XXX.bin   shard XXX (hex) of the postings: a directory (varint count; per token:
 *               varint key length, key, varint df, varint postings bytes, varint positions
 *               bytes) then each token's postings: per document the gap to the previous
 *               one (Golomb-Rice, k = floor(log2(docs / df))), tf (Elias gamma), a title
 *               bit. Keys are a class byte and the folded text: u (one CJK character), b
 *               (pair), w (word), s / f (a CJK character just after / before a word), t
 *               (a topic slug: the filter). A key's shard is fnv1a(key) mod shards; a word's
 *               is that of "w" and its first wordkey characters, so a prefix is one shard.
 *   q/XXX.bin   the positions of the same tokens (b, w, s, f), back to back: per document
 *               tf gaps, Golomb-Rice with k = floor(log2(avglen / (tf + 1))). Bit streams
 *               are least significant bit first; each token starts on a byte.
 *   d/N.json    records of documents N*chunk ...: [url, title, date, kind, [topic
 *               numbers], snippet], the snippet being the line after the title, cut.
 *   words.json  the word keys (for one-letter prefixes). */
#ifndef GONGBAO_SEARCH_H
#define GONGBAO_SEARCH_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>

struct search_index;

/* Returns an empty index. Caller frees with search_free. */
struct search_index *search_new(void);
void search_free(struct search_index *s);

/* Adds one document. url is site-relative ("articles/x/"), date "YYYY-MM-DD" or "",
 * topics a json array of {slug, name} (borrowed), kind "article", "dataset" or "page",
 * text the visible text (one line per paragraph), title first (added when missing); the
 * line after the title (the summary) is the result's default snippet. The text is
 * tokenised at once and not kept. Safe to call from several threads; the written index
 * does not depend on the order of the calls. */
void search_add(struct search_index *s, const char *url, const char *title, const char *date,
                json_t *topics, const char *kind, const char *text);

/* Appends to out the tokens of text in a compact binary form, for search_add_packed: how
 * a document's text can be kept between builds tokenised (the body cache), so that adding
 * it again costs no tokenising. Safe to call from several threads. Returns 0, or -1 when
 * the text cannot be tokenised (nothing is appended). */
int search_pack(struct search_index *s, struct buf *out, const char *text) WUR;

/* search_add, for a text whose first head bytes (ending with a line break: the title and
 * summary lines) are tokenised here and whose rest was given to search_pack, which made
 * packed (npacked bytes). The index is the one search_add makes of the same text; a
 * packed form that is damaged or does not fit is ignored (the text is then tokenised). */
void search_add_packed(struct search_index *s, const char *url, const char *title, const char *date,
                       json_t *topics, const char *kind, const char *text, size_t head,
                       const void *packed, size_t npacked);

/* Writes the index below "search/idx/" through emit (rel is a path relative to the site
 * root such as "search/idx/p/3f0.bin"; format above). Call once, after the
 * last search_add. Returns 0, or -1 when emit failed. */
typedef int (*search_emit_fn)(void *ctx, const char *rel, const struct buf *data);
int search_write(struct search_index *s, search_emit_fn emit, void *ctx) WUR;

/* Appends the visible text of HTML that gen wrote (an article's or a page's body), the
 * text to give search_add: character references decoded, one line per block element (p,
 * h1-h6, li, pre, blockquote, table cells, caption, figcaption, dt, dd, div, ...), image
 * alt text, nothing inside svg, script or style (a chart's text is in its caption and its
 * data table). A line break in running text is a space after an ASCII character and
 * nothing after another (cmark's soft break between Han characters). */
void search_html_text(struct buf *out, const char *html);

/* The tokens of text, in order, as the browser computes them (for tests): a json array of
 * strings. Caller decrefs. */
json_t *search_tokens(const char *text);

#endif
