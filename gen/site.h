/* site: the model of the whole site built from the settings and the loaded content:
 * URLs, order, topics, tags, archives, neighbours and related articles. No I/O. */
#ifndef GONGBAO_SITE_H
#define GONGBAO_SITE_H

#include "diag.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Top-level folders the generator writes itself: no page slug may take them. */
extern const char *const site_reserved[];

/* Builds the model of the site as it is at now (seconds since the epoch): drafts (unless
 * drafts), articles dated later than now and articles whose `expires` has passed are left
 * out. content is content_load's result (its entries are taken over and
 * completed in place). Returns a new object
 *   articles: newest first; each gains url, permalink, date_zh, updated_zh, datasets
 *             [{name, title, url}] (names checked),
 *             topics [{slug, name, url}], tags [{name, url, dir}], index,
 *             prev/next (indices of the older/newer article, absent at the ends),
 *             related [indices], in_feed (true when some feed shows it)
 *   pages:    each gains url
 *   topics:   [{slug, name, description, url, count, articles [indices]}] in site.yaml order
 *   tags:     [{name, dir, url, count, articles [indices]}] most used first
 *   years:    [{year, url, count, months [{month, label, url, count, articles}]}] newest first
 *   datasets: content's datasets (if any), each with url, topics [{slug, name, url}],
 *             articles [indices of the articles that name it in datasets:]
 *   redirects: [{file, target}]: a page at file (from an article's aliases) that leads
 *             to the article with index target
 *   known:    {site path: true} for every page the site will have (for link checks)
 * or NULL after reporting (duplicate slugs, clashing output paths). Caller decrefs. */
json_t *site_build(json_t *cfg, json_t *content, bool drafts, int64_t now, struct diag *d);
/* The same, relating articles on up to jobs threads (site_build: one per online CPU); the
 * model does not depend on jobs. */
json_t *site_build_jobs(json_t *cfg, json_t *content, bool drafts, int64_t now, int jobs,
                        struct diag *d);

#endif
