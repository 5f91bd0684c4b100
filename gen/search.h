/* search: the static search index. One tokeniser, the same in C and in the browser
 * (static/js/search.js): Han and other CJK characters as single characters and
 * overlapping bigrams, Latin words NFKC-normalised and case-folded (utf8proc) for prefix
 * matching. The index is sharded by token so that a query downloads only the shards it
 * needs, plus compact per-document records (title, URL, date, topic, kind, text for
 * snippets). */
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

/* Writes the index below "search/idx/" through emit (rel is a path relative to the site
 * root such as "search/idx/p/3f0.bin"; format in docs/SEARCH.md). Call once, after the
 * last search_add. Returns 0, or -1 when emit failed. */
typedef int (*search_emit_fn)(void *ctx, const char *rel, const struct buf *data);
int search_write(struct search_index *s, search_emit_fn emit, void *ctx) WUR;

/* The tokens of text, in order, as the browser computes them (for tests): a json array of
 * strings. Caller decrefs. */
json_t *search_tokens(const char *text);

#endif
