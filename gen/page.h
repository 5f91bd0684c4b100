/* page: what every page writer shares: the state of one build, a page's common context
 * (site, root, page), cards, and writing a rendered page or file through output. */
#ifndef GONGBAO_PAGE_H
#define GONGBAO_PAGE_H

#include "buf.h"
#include "cache.h"
#include "diag.h"
#include "output.h"
#include "search.h"
#include "spill.h"
#include "tmpl.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

struct render_opts {
        const char *static_dir; /* copied to static/ (may not exist) */
        const char *media_dir;  /* copied to media/ (may not exist) */
        bool dev;               /* `make serve`: add the reload script */
        int jobs;               /* threads that render and write pages */
        struct cache *cache;    /* rendered bodies kept between builds, or NULL */
};

/* What a build produced, for the summary line. */
struct render_stats {
        long pages; /* HTML pages */
        long feeds; /* RSS, Atom and JSON Feed files */
        long files; /* everything written, copies included */
};

/* The state one build's page writers share. */
struct page_build {
        json_t *cfg, *model;
        json_t *site; /* the "site" object of every context */
        struct tmpl_lib *lib;
        struct output *o; /* NULL: check only */
        const struct render_opts *opts;
        struct render_stats *stats;
        struct diag *d;
        json_t *sitemap;             /* [{loc, lastmod}], sorted before it is written */
        struct spill *bodies;        /* article bodies (HTML) between rendering and writing */
        struct search_index *search; /* what the search page searches */
        struct cache *cache;         /* opts->cache */
        char *datasets_digest;       /* for cache keys of bodies with charts, or NULL */
        pthread_mutex_t lock;        /* guards sitemap and stats: pages are written on threads */
};

/* A string member of obj, "" when absent (owned by obj). */
const char *page_str(json_t *obj, const char *key);
/* The path from a page at url back to the site root: "./", "../", ... Caller frees. */
char *page_root_for(const char *url);
/* Writes data to rel in the build (counted; nothing is written when checking). */
int page_emit(struct page_build *c, const char *rel, const struct buf *data) WUR;
/* A new page context: site, root, page {kind, title, full_title, description, url,
 * canonical, og_type}, dev_reload. Caller adds the rest and passes it to page_write. */
json_t *page_context(struct page_build *c, const char *kind, const char *url, const char *title,
                     const char *description);
/* Renders template tmpl with ctx to rel and adds it to the sitemap when in_sitemap (with
 * lastmod when not NULL). Consumes ctx. */
int page_write(struct page_build *c, const char *tmpl, const char *rel, json_t *ctx,
               const char *lastmod, bool in_sitemap) WUR;
/* "x/" -> "x/index.html". Caller frees. */
char *page_index_file(const char *url);
/* A card: what a list shows of an article. Caller decrefs. */
json_t *page_card(json_t *article);
/* The article with the index held in index (a json integer); owned by the model. */
json_t *page_article_at(struct page_build *c, json_t *index);
/* The absolute URL of a site path. Caller frees. */
char *page_abs_url(struct page_build *c, const char *path);

#endif
