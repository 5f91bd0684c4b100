/* content: walks the content folder and loads every article and page (front matter
 * checked, Markdown body kept as text with its first line number). */
#ifndef GONGBAO_CONTENT_H
#define GONGBAO_CONTENT_H

#include "diag.h"

#include <jansson.h>

/* Loads every .md file below dir/articles and dir/pages, and every dataset in dir/data.
 * Returns a new object
 *   {articles: [...], pages: [...], datasets: [...] (see dataset.h)}
 * whose entries hold the front matter fields (see frontmatter.h) plus
 *   path (the file), slug (from the file name unless set), markdown (the body text),
 *   body_line (its first line in the file).
 * Every problem in every file is reported; returns NULL if there was any. Caller decrefs.
 * The files are read and checked on one thread per online CPU. */
json_t *content_load(const char *dir, json_t *cfg, struct diag *d);
/* The same on up to jobs threads (1: this thread only); the result and the messages do
 * not depend on jobs. */
json_t *content_load_jobs(const char *dir, json_t *cfg, int jobs, struct diag *d);

#endif
