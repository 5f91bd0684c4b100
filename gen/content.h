/* content: walks the content folder and loads every article and page (front matter
 * checked; of the Markdown body, where it is in the file, its digest and whether it may
 * draw a chart). The bodies are not kept: held from loading to rendering they were the
 * largest part of a site's memory. Whoever needs one (lint, render) reads it back with
 * content_body, which makes sure it is still the body that was loaded. */
#ifndef GONGBAO_CONTENT_H
#define GONGBAO_CONTENT_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>
#include <stdbool.h>

/* Loads every .md file below dir/articles and dir/pages, and every dataset in dir/data.
 * Returns a new object
 *   {articles: [...], pages: [...], datasets: [...] (see dataset.h)}
 * whose entries hold the front matter fields (see frontmatter.h) plus
 *   path (the file), slug (from the file name unless set), body_line (the Markdown
 *   body's first line in the file), body_offset (its first byte in the file),
 *   body_sha256 (its SHA-256, hex), body_chart (true when it holds "chart": it may
 *   draw a dataset), front_sha256 (the SHA-256 of the file before the body, hex).
 * Every problem in every file is reported; returns NULL if there was any. Caller decrefs.
 * The files are read and checked on one thread per online CPU. */
json_t *content_load(const char *dir, json_t *cfg, struct diag *d);
/* The same on up to jobs threads (1: this thread only); the result and the messages do
 * not depend on jobs. */
json_t *content_load_jobs(const char *dir, json_t *cfg, int jobs, struct diag *d);

/* content_load_jobs, remembering between builds in cache (when not NULL; see the load
 * memo in content.c): a file whose inode, size, modification and change times did not
 * change since a build remembered it is not read again. *remembered (when not NULL) is set
 * to the number of files whose entry came from the memo. */
struct cache;
json_t *content_load_cached(const char *dir, json_t *cfg, int jobs, struct cache *cache,
                            size_t *remembered, struct diag *d);

/* Loads the one article file path as content_load does (NULL after reporting). Caller
 * decrefs. */
json_t *content_load_article(const char *path, json_t *cfg, struct diag *d);
/* The Markdown body of a loaded article or page, read back from its file into text
 * (whose contents are replaced): *md points into text, *len bytes followed by a NUL. A
 * body that is no longer the one loaded (the file was edited since) is reported as an
 * error, never mixed with what was loaded. An entry built by hand with the body in
 * markdown (as tests do) gives that string instead. Returns 0, or -1 after reporting. */
int content_body(json_t *entry, struct buf *text, const char **md, size_t *len, struct diag *d) WUR;

#endif
