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

/* The templates a site needs; each is checked before anything is written. */
extern const char *const render_templates[];

#endif
