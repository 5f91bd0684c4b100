/* lint: warnings about an article's text that readers would notice and that the schema
 * cannot catch: a paragraph repeated, a paragraph that stops mid-sentence and goes on in
 * the next, unbalanced Chinese quotes and brackets (“” ‘’ 「」 《》 （）), half-width
 * punctuation between Chinese characters, an image without alt text, an article without
 * a source, and a figure that contradicts the dataset the article cites. Each warning is
 * path:line:col (in the article file) with the fix in the message. Fenced blocks (chart,
 * table, code) and inline code are not read. */
#ifndef GONGBAO_LINT_H
#define GONGBAO_LINT_H

#include "diag.h"

#include <jansson.h>
#include <stdbool.h>

#define LINT_MAX_PER_RULE 20 /* warnings of one rule in one article; then one "and N more" */

/* Lints one loaded article (see content.h: path, body_line, source, datasets; its body
 * is read back with content_body, or taken from markdown when the article has it)
 * against datasets (the array of dataset.h; may be NULL). Reports with diag_warn and
 * returns the number of warnings (a body that cannot be read back, or changed since it
 * was loaded, is reported as an error). */
int lint_article(json_t *article, json_t *datasets, struct diag *d);

/* Lints every article of content (content_load's result), drafts only when drafts is
 * true. With strict the findings are reported as errors. Returns how many there were. */
int lint_content(json_t *content, bool drafts, bool strict, struct diag *d);
/* The same on up to jobs threads (1: this thread only); the count and the messages do
 * not depend on jobs. lint_content uses one thread per online CPU. */
int lint_content_jobs(json_t *content, bool drafts, bool strict, int jobs, struct diag *d);
/* The same, remembering the findings in cache (NULL: none) and replaying them for the
 * articles whose path, body, first body line, source and cited datasets did not change
 * since the build that found them (keyed with the cache's salt: settings and gen). */
struct cache;
int lint_content_cached(json_t *content, bool drafts, bool strict, int jobs, struct cache *cache,
                        struct diag *d);

#endif
