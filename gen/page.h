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
        const char *static_dir;    /* copied to static/ (may not exist) */
        const char *media_dir;     /* copied to media/ (may not exist) */
        bool dev;                  /* `make serve`: add the reload script */
        int jobs;                  /* threads that render and write pages */
        struct cache *cache;       /* rendered bodies kept between builds, or NULL */
        const char *templates_dir; /* hashed into page keys (NULL: every page is rendered) */
        struct quick *quick;       /* with the cache: filled with what the quick rebuild
                                      needs of this build (quick.h), or NULL */
};

/* What a build produced, for the summary line. */
struct render_stats {
        long pages;   /* HTML pages */
        long feeds;   /* RSS, Atom and JSON Feed files */
        long files;   /* everything written, copies included */
        long briefed; /* article bodies known from their briefs alone (GONGBAO_TIMING); in
                         a quick rebuild, those not rendered again */
        long bodies;  /* a quick rebuild's articles */
};

/* The state one build's page writers share. */
/* Where an article's Markdown is in its file (what loading noted), for a body read again. */
struct page_body_src {
        json_int_t offset;
        int line;
        char sha256[65]; /* "": none (the body was rendered in this build) */
};

struct page_build {
        json_t *cfg, *model;
        json_t *site; /* the "site" object of every context */
        struct tmpl_lib *lib;
        struct output *o; /* NULL: check only */
        const struct render_opts *opts;
        struct render_stats *stats;
        struct diag *d;
        struct buf sitemap;             /* its entries as they come, each "loc\0lastmod\0"
                                           (lastmod "" for none): 13,000 jansson objects
                                           cost 6 MB until the end of a build */
        size_t sitemap_n;               /* how many */
        struct spill *bodies;           /* article bodies (HTML) between rendering and writing */
        struct search_index *search;    /* what the search page searches */
        struct cache *cache;            /* opts->cache */
        unsigned char (*body_keys)[32]; /* with the cache: article i's body cache key, which
                                           names its body (the page key takes it instead of
                                           reading the body back) */
        struct page_body_src *body_src; /* with the cache: where article i's Markdown is, for
                                           a body that came from the cache (its page reads
                                           the HTML from the cache again) */
        char **tocs;                    /* article i's table of contents as JSON text, from
                                           its body until its page is written; NULL: none */
        char *datasets_digest;          /* for cache keys of bodies with charts, or NULL */
        pthread_mutex_t lock;           /* guards sitemap and stats: pages are written on threads */
        bool keyed;                     /* pages have keys (page_keys_begin) */
        unsigned char key_salt[32];     /* what every page's key starts from */
        unsigned char (*card_keys)[32]; /* per article, what its cards show, or NULL */
};

/* A page's key while it is computed: page_key_begin, what the page is made from, then
 * page_keep or page_write_key. */
struct page_key {
        struct buf b;
        unsigned char md[32];
        bool on; /* false: no key (keys are off, or something could not be keyed) */
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

/* Page keys: the SHA-256 of everything a page's bytes are made from, so that a page
 * whose key did not change since the published build is neither built nor rendered
 * (output keeps the file). Every key starts from the build's salt: the gen binary and
 * the settings (the body cache's salt), --dev, the site object and every template file.
 * The writers of the many pages (articles, lists) key what they build a page from before
 * building its context: building it costs more than rendering it, so a key made from the
 * finished context would save little. The few other pages are rendered on every build
 * (output still keeps their unchanged bytes). Keys are used only with the body cache:
 * --no-cache renders every page.
 *
 * Computes the build's salt. Call once before any page is written. */
void page_keys_begin(struct page_build *c);
/* What each article's cards show (after the bodies: the summary comes from them), for
 * page_key_card. Call before the first page_key_card; again is a no-op. */
void page_keys_cards(struct page_build *c);
/* Frees what the keys used. */
void page_keys_end(struct page_build *c);
/* Starts k for the page rel rendered from template tmpl. */
void page_key_begin(struct page_build *c, struct page_key *k, const char *tmpl, const char *rel);
/* Adds v (any JSON value, NULL included) to k. */
void page_key_json(struct page_key *k, json_t *v);
/* Adds n bytes (NULL: none, told apart from "") to k. */
void page_key_bytes(struct page_key *k, const char *s, size_t n);
/* Adds what a card of the article with index (a json integer; anything else is told
 * apart) shows to k: what page_card and a list's month headings read of it. */
void page_key_card(struct page_build *c, struct page_key *k, json_t *index);
/* Finishes k. When the published file rel was written with this key and is still as
 * written, keeps it, does what page_write does besides writing (counts the page; adds
 * url to the sitemap when in_sitemap, with lastmod) and returns true: the page is done.
 * Otherwise returns false: build the context and pass it with k to page_write_key. */
bool page_keep(struct page_build *c, struct page_key *k, const char *url, const char *rel,
               const char *lastmod, bool in_sitemap);
/* page_write with the key k finished by page_keep (written with the file). Frees k.
 * Consumes ctx. */
int page_write_key(struct page_build *c, const char *tmpl, const char *rel, json_t *ctx,
                   const char *lastmod, bool in_sitemap, struct page_key *k) WUR;
/* "x/" -> "x/index.html". Caller frees. */
char *page_index_file(const char *url);
/* A card: what a list shows of an article. Caller decrefs. */
json_t *page_card(json_t *article);
/* The article with the index held in index (a json integer); owned by the model. */
json_t *page_article_at(struct page_build *c, json_t *index);
/* The absolute URL of a site path. Caller frees. */
char *page_abs_url(struct page_build *c, const char *path);

#endif
