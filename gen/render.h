/* render: every page of the site. Builds each page's context from the model, renders
 * Markdown bodies and templates, and hands the bytes to output (or, for `gen check`,
 * throws them away after every check has run). */
#ifndef GONGBAO_RENDER_H
#define GONGBAO_RENDER_H

#include "page.h"

/* Renders the site described by model (site_build) with the templates in lib into o
 * (NULL: check only). Returns 0, or -1 after reporting every problem found. */
int render_site(json_t *cfg, json_t *model, struct tmpl_lib *lib, struct output *o,
                const struct render_opts *opts, struct render_stats *stats, struct diag *d) WUR;

/* The quick rebuild (quick.h): builds the site of record q again after the article files
 * edited (NULL-terminated paths) changed in their bodies alone, into o: their bodies and
 * pages, the search index in place, every other published file kept. Updates q for the
 * next record (but its site inode). Returns 0 when done, 1 when the quick rebuild cannot
 * tell that its output would be the whole build's (a front matter, feed copy, summary,
 * chart or message that changed, anything unexpected): then nothing it did matters (abort
 * o) and the whole build runs, and *why says why. Messages go to a diag of its own. */
struct quick;
int render_quick(json_t *cfg, struct quick *q, const char *const *edited, struct tmpl_lib *lib,
                 struct output *o, const struct render_opts *opts, struct render_stats *stats,
                 const char **why);

/* The templates a site needs; each is checked before anything is written. */
extern const char *const render_templates[];

#endif
