/* cache: rendered article bodies kept between builds, so that a rebuild renders only the
 * articles whose input changed. An entry is keyed by the SHA-256 of everything its
 * rendering depends on (the Markdown's digest, its path and first line, the settings, the gen
 * binary itself, and the datasets when the body draws a chart), and lives in
 * $XDG_CACHE_HOME/gongbao/ (default ~/.cache/gongbao/), never in the published output:
 * bodies-1/<site>/<2 hex>/<62 hex>, <site> naming the content folder. Entries are written
 * whole (temporary name, then rename) and checked when read: a damaged entry is a miss.
 * After a successful build the entries it did not use are removed, so the cache holds one
 * entry per article. Everything here is best effort: a cache that cannot be read or
 * written only makes the build slower. */
#ifndef GONGBAO_CACHE_H
#define GONGBAO_CACHE_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

struct cache;

/* A rendered body, as render stores it. Strings are NUL-terminated and owned by whoever
 * filled the struct (free with cache_body_free after cache_get). */
struct cache_body {
        char *html;    /* the body with relative links */
        char *abs;     /* the body with absolute links (feeds), or NULL */
        char *toc;     /* the table of contents, JSON */
        char *summary; /* the first paragraph as plain text */
        char *text;    /* the visible text, for the search index */
        char *links;   /* the site paths the body links to, one per line (checked again on
                          every use: a link whose target went away is reported) */
        char *tokens;  /* text's search tokens (search_pack: binary, ntokens bytes, followed
                          by 8 zero bytes when read), or NULL */
        size_t ntokens;
        long chars, minutes;
        bool has_abs; /* cache_brief: the entry holds an abs copy (abs itself is not read) */
};

/* Opens the cache for the site whose content folder is content_dir; salt is what every
 * entry's key includes (settings). Returns NULL when the cache is off: GONGBAO_CACHE=off,
 * no home folder, or a folder that cannot be created. Caller closes with cache_close. */
struct cache *cache_open(const char *content_dir, const char *salt);

/* The key of one body: salt, path, first line, the Markdown's digest (md_sha256, hex: the
 * Markdown itself is not kept in memory), and extra (NULL or the datasets' digest). */
void cache_key(const struct cache *c, unsigned char key[32], const char *path, int line,
               const char *md_sha256, const char *extra);

/* The salt every key includes (the gen binary and the settings), for other keys of the
 * same build (page.c's page keys). */
void cache_salt(const struct cache *c, unsigned char out[32]);

/* Fills out with the entry for key. Returns true on a hit. Safe from several threads. */
bool cache_get(struct cache *c, const unsigned char key[32], struct cache_body *out);

/* The brief of the entry for key: toc, summary, links, chars, minutes and has_abs, from
 * the briefs the cache keeps of all its entries in one file (read once, when the cache
 * is opened), so that a rebuild learns what cards and lists show of an unchanged body
 * without reading its entry. The entry counts as used (it is not pruned). Returns true
 * when there is one; the entry itself may still turn out to be missing or damaged when
 * cache_get reads it. Safe from several threads. */
bool cache_brief(struct cache *c, const unsigned char key[32], struct cache_body *out);

/* Counts a body this build took from its brief alone as a hit (cache_counts). */
void cache_count_hit(struct cache *c);

/* Stores body under key (best effort), with its brief. Safe from several threads. */
void cache_put(struct cache *c, const unsigned char key[32], const struct cache_body *body);

/* Removes the entry for key (best effort): the quick rebuild's edited bodies' old entries,
 * which a build without pruning (cache_close) would otherwise leave behind. */
void cache_drop(struct cache *c, const unsigned char key[32]);
/* A whole file kept beside the entries under name (a plain file name): another stage's
 * memo. cache_blob_get fills out (appending) and returns 0, or -1 when there is none;
 * cache_blob_put replaces it (written whole: temporary name, then rename; best effort). */
int cache_blob_get(struct cache *c, const char *name, struct buf *out);
void cache_blob_put(struct cache *c, const char *name, const void *data, size_t len);

/* A memo: a whole file beside the entries, sealed with the cache's salt and its own
 * digest ("<magic>\n<salt hex>\n<records>end <SHA-256 hex of all before>\n"), so that a
 * memo written by another gen or with other settings, or damaged, is not used. The
 * records are what another stage keeps between builds (the load memo, lint's findings,
 * the entries' briefs). cache_memo_get reads the file into file and sets *records and
 * *len to the records in it; returns 0, or -1 when there is none that checks out (file
 * is then empty). cache_memo_put replaces it (best effort). */
int cache_memo_get(struct cache *c, const char *name, const char *magic, struct buf *file,
                   const char **records, size_t *len);
void cache_memo_put(struct cache *c, const char *name, const char *magic, const void *records,
                    size_t len);
/* cache_memo_put in steps, for records of megabytes written as they are made:
 * cache_memo_open, any number of cache_memo_write, then cache_memo_close, which keeps the
 * memo (best effort) and frees w. */
struct cache_memo_out;
struct cache_memo_out *cache_memo_open(struct cache *c, const char *name, const char *magic);
void cache_memo_write(struct cache_memo_out *w, const void *data, size_t len);
void cache_memo_close(struct cache_memo_out *w);

/* Frees what cache_get filled. */
void cache_body_free(struct cache_body *b);

/* Counts for the build's summary: hits and misses so far. */
void cache_counts(const struct cache *c, long *hits, long *misses);

/* Writes the briefs of the entries this build used and frees them (megabytes): for once
 * every body is made, whether or not the rest of the build succeeds (a brief only depends
 * on its entry). Later entries get no brief. NULL is a no-op. */
void cache_briefs_save(struct cache *c);

/* Closes the cache; when prune is true (a successful build), removes the entries this
 * build did not use and keeps the briefs of those it used. NULL is a no-op. */
void cache_close(struct cache *c, bool prune);

#endif
