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
 * Files under search/idx/ (format version 2; all bytes deterministic). Documents are
 * numbered oldest first: undated ones first, then by date, those of one day by URL from the
 * last to the first (the reverse of "newest first, then by URL"), so that the browser ranks
 * a higher number as newer, an edit keeps every number and the newest article takes the
 * next one. The shard count is the power of two at or above docs / 2 (at least 1, at most
 * 4096): it depends only on how many documents there are.
 *   meta.json   {version, docs, shards, chunk, wordkey, topics: [[slug, name]],
 *               years: [[year, first document, count]] (newest year first)}
 *   p/XXX.bin   shard XXX (hex) of the postings: a directory (varint count; per token:
 *               varint key length, key, varint df, varint postings bytes, varint positions
 *               bytes) then each token's postings: its Rice parameter kd (5 bits), then per
 *               document the gap to the previous one (the first: its number; Golomb-Rice,
 *               kd), tf (Elias gamma), a title bit. Keys are a class byte and the folded
 *               text: u (one CJK character), b (pair), w (word), s / f (a CJK character
 *               just after / before a word), t (a topic slug: the filter). A key's shard is
 *               fnv1a(key) mod shards; a word's is that of "w" and its first wordkey
 *               characters, so a prefix is one shard. Tokens are in key order (bytes).
 *   q/XXX.bin   the positions of the same tokens (b, w, s, f), back to back: per token its
 *               parameter kq (5 bits), then per document tf gaps (the first position, then
 *               each next one minus the previous one minus one), Golomb-Rice with
 *               k = kq - floor(log2(tf + 1)) (0 when that is below 0). kd and kq are chosen
 *               from the list alone, so a shard's bytes depend only on its tokens' postings.
 *               Bit streams are least significant bit first; each token starts on a byte.
 *   d/N.json    records of documents N*chunk ...: [url, title, date, kind, [topic
 *               numbers], snippet], the snippet being the line after the title, cut.
 *   words.json  the word keys (for one-letter prefixes).
 *
 * Updating the index in place. With a memo of the previous build (search_memo, kept by
 * the caller between builds) and the published files at hand (struct search_io), a build
 * re-encodes only the shards whose postings change: those of the tokens of documents that
 * are new, changed or removed, of documents whose number moved, and of topics whose
 * documents changed; every other shard file is kept as published, neither encoded nor
 * hashed. The memo names each document by a digest of what its tokens are made from (URL,
 * title, summary, the text's key) and lists the shards its tokens are in; a re-encoded
 * shard is the published one decoded (checked against the digest the memo recorded), less
 * the postings of changed and removed documents, renumbered, plus the new documents'
 * postings. The bytes are those a build from scratch writes. The postings are read back
 * from the published files rather than kept in the memo: they are the postings already, and
 * a second copy would make the memo as large as the index (27 MB at 10,000 articles) and
 * be written whenever anything changed; the memo is a digest and shard bits per document
 * (about 550 bytes each). Anything that does not line up (no memo, a damaged one, another
 * gen binary or settings, another shard count, a published file that is not the one
 * recorded) makes a whole build: then every text is needed.
 *
 * A caller: search_begin (before the first document; with the memo), then for each
 * document search_wants (before it reads the text: an unchanged article's need not be read)
 * and search_put (with the text when wanted), from any threads; then search_write, and
 * search_memo to keep for the next build. Pages and datasets, whose texts are at hand, may
 * give theirs always (search_add). */
#ifndef GONGBAO_SEARCH_H
#define GONGBAO_SEARCH_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>
#include <stdbool.h>

struct search_index;

/* Returns an empty index. Caller frees with search_free. */
struct search_index *search_new(void);
void search_free(struct search_index *s);

/* What search_write writes through and reads back from. Every callback gets ctx. */
struct search_io {
        /* Writes data to rel (a path relative to the site root such as
         * "search/idx/p/3f0.bin"), recorded with key (32 bytes: what the bytes are made from)
         * when key is not NULL. Returns 0, or -1 after reporting. */
        int (*emit)(void *ctx, const char *rel, const struct buf *data, const unsigned char *key);
        /* When the published file rel was written with key and is still as written, keeps it
         * in the new build (only says so when dry) and returns true. NULL: nothing is
         * published (no memo is made or used). */
        bool (*keep)(void *ctx, const char *rel, const unsigned char key[32], bool dry);
        /* Appends the published file rel to out. Returns 0, or -1 when it cannot be read. */
        int (*read)(void *ctx, const char *rel, struct buf *out);
        /* Calls fn(arg, i) for every i in 0..n-1, on several threads when it can (fn is safe
         * to run concurrently with itself; the calls use emit, keep and read). Returns 0, or
         * -1 when a call did. NULL: search_write makes the calls itself, in order. */
        int (*run)(void *ctx, size_t n, int (*fn)(void *arg, size_t i), void *arg);
        void *ctx;
};

/* Before the first document: makes the index update the published one in place when memo
 * (what search_memo gave the previous build; NULL: none; its bytes are taken, memo is left
 * empty) was made with the same salt (32 bytes: the gen binary and the settings) and the
 * same shard count (ndocs: how many documents will be put), and the published files are the
 * ones it recorded (io->keep). With io->keep, files are written with keys and search_memo
 * gives the next build's memo. Returns true when the index is updated in place (then
 * search_wants says which texts are needed), false when it is built whole (every text is
 * needed). Without search_begin the index is built whole and written without keys. */
bool search_begin(struct search_index *s, const struct search_io *io, struct buf *memo,
                  const unsigned char salt[32], size_t ndocs);

/* A document for search_wants and search_put. Strings are borrowed for the call. */
struct search_doc {
        const char *url;              /* site-relative ("articles/x/"); one document per URL */
        const char *title;            /* the text's first line */
        const char *date;             /* "YYYY-MM-DD" or "" */
        const char *kind;             /* "article", "dataset" or "page" */
        json_t *topics;               /* [{slug, name}] */
        const char *summary;          /* the line after the title: the result's default snippet */
        const unsigned char *textkey; /* 32 bytes naming text exactly (equal keys, equal
                                         texts: the body cache's key), or NULL (the text is
                                         always given and its digest names it) */
        const char *text;             /* the visible text after the title and summary (one
                                         line per paragraph), or NULL when not given */
        const void *packed;           /* search_pack's form of text, or NULL */
        size_t npacked;               /* its bytes */
        const unsigned char *old_textkey; /* with packed and old_packed, when the document
                                             replaces one the memo holds with the same URL,
                                             title and summary: that one's textkey, and the
                                             packed form of its text: then only the shards
                                             whose postings of it change are coded (when it
                                             keeps its number); else NULL */
        const void *old_packed;
        size_t nold_packed;
        unsigned char ident[32]; /* set by search_wants for search_put (not the caller's) */
        bool has_ident;
};

/* True when the index needs the text of d (url, title, summary, textkey; text not read):
 * the published index does not hold d as it is. When false the caller need not read the
 * text (and should not pass it: it would not be used). Notes in d the digest it computed,
 * which search_put then need not compute again (url, title, summary and textkey must not
 * change in between). Safe from several threads. */
bool search_wants(struct search_index *s, struct search_doc *d);

/* Adds document d: its record, and its text (tokenised at once, not kept; title, summary
 * and text together are what search_add takes) when given. A document whose text the index
 * wants (search_wants) must be given with it, else search_write fails. With packed, the
 * title and summary lines are tokenised here and the text's tokens read from packed (a
 * packed form that is damaged or does not fit is ignored: the text is then tokenised).
 * Safe from several threads; the written index does not depend on the order of the calls. */
void search_put(struct search_index *s, const struct search_doc *d);

/* Adds one document with its whole text: search_put for a text whose digest names it.
 * url is site-relative ("articles/x/"), date "YYYY-MM-DD" or "", topics a json array of
 * {slug, name} (borrowed), kind "article", "dataset" or "page", text the visible text (one
 * line per paragraph), title first (added when missing); the line after the title (the
 * summary) is the result's default snippet. Safe from several threads. */
void search_add(struct search_index *s, const char *url, const char *title, const char *date,
                json_t *topics, const char *kind, const char *text);

/* Appends to out the tokens of text in a compact binary form, for search_doc's packed: how
 * a document's text can be kept between builds tokenised (the body cache), so that adding
 * it again costs no tokenising. Safe to call from several threads. Returns 0, or -1 when
 * the text cannot be tokenised (nothing is appended). */
int search_pack(struct search_index *s, struct buf *out, const char *text) WUR;

/* Writes the index below "search/idx/" through io (format above): the files whose bytes
 * change, and (with a memo) keeps the others. Call once, after the last search_put.
 * Returns 0, or -1 when emit failed (it reported), or after reporting to d that a
 * document the index wanted came without its text or that a published file changed
 * during the build. */
int search_write(struct search_index *s, const struct search_io *io, struct diag *d) WUR;

/* What the last search_write did (for GONGBAO_TIMING and the tests). */
struct search_stats {
        bool in_place;    /* it updated the published index (else it built it whole) */
        size_t docs;      /* documents */
        size_t tokenised; /* of them, tokenised in this build */
        size_t shards;    /* shards */
        size_t coded;     /* of them, coded (the others kept as published) */
};
const struct search_stats *search_stats(const struct search_index *s);

/* Appends the memo for the next build's search_begin to out, after a search_write that
 * succeeded with io->keep, and returns 1 (an empty out takes its bytes, and a second call
 * returns -1); returns 0 (appending nothing) when it is the memo search_begin was given,
 * -1 when there is none. */
int search_memo(struct search_index *s, struct buf *out) WUR;

/* The quick rebuild (quick.h) declares every document but the edited ones as it was,
 * without its text or the model it came from:
 *
 * Appends to out every document put so far (its ident and record: URL, title, date, kind,
 * snippet, topics), after a search_write with io->keep. Returns 0, or -1 when the index
 * keeps no memo (nothing search_put_docs could use). */
int search_docs(const struct search_index *s, struct buf *out);

/* After an in-place search_begin: puts every document of docs (len bytes that search_docs
 * wrote) except those whose URL is in except (NULL-terminated; NULL: none), as unchanged documents
 * of the published index. Returns 0, or -1 when docs is damaged or names a document the memo does
 * not hold (what was put stays put: then build the index whole instead). */
int search_put_docs(struct search_index *s, const void *docs, size_t len,
                    const char *const *except);

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
