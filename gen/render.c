/* render: page contexts, templates, feeds and the sitemap. */
#include "render.h"
#include "quick.h"
#include "buf.h"
#include "cache.h"
#include "content.h"
#include "datapage.h"
#include "date.h"
#include "digest.h"
#include "escape.h"
#include "feed.h"
#include "fsio.h"
#include "lint.h"
#include "markdown.h"
#include "pool.h"
#include "sitemap.h"
#include "spill.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const render_templates[] = {"data",      "dataset", "search", "home",    "list",
                                        "article",   "topics",  "tags",   "archive", "page",
                                        "subscribe", "404",     NULL};

#define PAGE_WINDOW  2    /* page links shown either side of the current one */
#define PROGRESS_MIN 2000 /* articles before a build shows its progress */

static atomic_size_t articles_done; /* for the progress line */

static double seconds_now(void);

/* The site object: settings, topics with their counts, the site's feeds. */
static json_t *site_object(json_t *cfg, json_t *model)
{
        json_t *topics = json_array();
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(model, "topics"), i, t)
        {
                json_array_append_new(
                    topics,
                    json_pack("{s:s, s:s, s:s, s:s, s:O}", "slug", page_str(t, "slug"), "name",
                              page_str(t, "name"), "description", page_str(t, "description"), "url",
                              page_str(t, "url"), "count", json_object_get(t, "count")));
        }
        json_t *feeds =
            json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]", "title", "RSS", "url",
                      "feed.xml", "type", "application/rss+xml", "title", "Atom", "url", "atom.xml",
                      "type", "application/atom+xml", "title", "JSON Feed", "url", "feed.json",
                      "type", "application/feed+json");
        return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "title", page_str(cfg, "title"),
                         "description", page_str(cfg, "description"), "language",
                         page_str(cfg, "language"), "base_url", page_str(cfg, "base_url"), "topics",
                         topics, "feeds", feeds);
}

/* The search index's view of article or page a (its day written into day): its title,
 * summary (a's own, else summary) and textkey (32 bytes: the body's cache key, which
 * names its text, or NULL); no text yet. */
static struct search_doc search_doc_of(json_t *a, const char *kind, const unsigned char *textkey,
                                       const char *summary, struct buf *day)
{
        const char *s = json_object_get(a, "summary") ? page_str(a, "summary") : summary;
        if (json_object_get(a, "date_epoch")) {
                struct gdate g = {json_integer_value(json_object_get(a, "date_epoch")),
                                  (int)json_integer_value(json_object_get(a, "date_offset"))};
                date_ymd(day, &g);
        }
        return (struct search_doc){.url = page_str(a, "url"),
                                   .title = page_str(a, "title"),
                                   .date = buf_cstr(day),
                                   .kind = kind,
                                   .topics = json_object_get(a, "topics"),
                                   .summary = s ? s : "",
                                   .textkey = textkey};
}

/* Adds an article or page to the search index: its title, summary and visible text, the
 * text's tokens taken from tokens (search_pack's form of text, ntokens bytes) when not
 * NULL. The text is given only when the index wants it (search_wants: with textkey, the
 * body's cache key, an unchanged document's text is not needed). With old (not NULL: the
 * body cache's entry of the text it replaces, under old_key), the index codes only the
 * shards whose postings change. */
static void add_to_search(struct page_build *c, json_t *a, const char *kind,
                          const unsigned char *textkey, const char *text, const char *summary,
                          const char *tokens, size_t ntokens, const unsigned char *old_key,
                          const struct cache_body *old)
{
        struct buf day = {0};
        struct search_doc d = search_doc_of(a, kind, textkey, summary, &day);
        if (search_wants(c->search, &d)) {
                d.text = text ? text : "";
                d.packed = tokens;
                d.npacked = ntokens;
                if (old && old->tokens) { /* the quick rebuild's: the text it replaces */
                        d.old_textkey = old_key;
                        d.old_packed = old->tokens;
                        d.nold_packed = old->ntokens;
                }
        }
        search_put(c->search, &d);
        buf_free(&day);
}

/* Gives article i (a) what cards and its page show of its body (from b): the table of
 * contents (kept aside as JSON text until the page is written: as jansson objects, the
 * tables of 10,000 articles took 8 MB for the whole build), summary, reading time and
 * length. */
static void body_brief_apply(struct page_build *c, json_t *a, size_t i, const struct cache_body *b)
{
        bool has_toc = b->toc && b->toc[0] && strcmp(b->toc, "[]");
        json_object_set_new(a, "has_toc", json_boolean(has_toc));
        free(c->tocs[i]);
        c->tocs[i] = has_toc ? xstrdup(b->toc) : NULL;
        if (!json_object_get(a, "summary"))
                json_object_set_new(a, "summary", json_string(b->summary));
        json_object_set_new(a, "reading_minutes", json_integer(b->minutes));
        json_object_set_new(a, "char_count", json_integer(b->chars));
}

/* Article i's table of contents (body_brief_apply), taken: an array, empty for none.
 * Caller decrefs. */
static json_t *toc_take(struct page_build *c, size_t i)
{
        json_t *toc = c->tocs[i] ? json_loads(c->tocs[i], 0, NULL) : NULL;
        free(c->tocs[i]);
        c->tocs[i] = NULL;
        if (!json_is_array(toc)) {
                json_decref(toc);
                toc = json_array();
        }
        return toc;
}

/* Gives article i what its rendering produced (taking b's strings as it needs): the body,
 * its search entry, table of contents, summary, reading time and the feed's copy. */
static void body_apply(struct page_build *c, json_t *a, size_t i, struct cache_body *b)
{
        if (!c->body_src || !c->body_src[i].sha256[0]) { /* else its page reads the cache */
                spill_put(c->bodies, i, b->html);
                b->html = NULL;
        }
        add_to_search(c, a, "article", c->cache ? c->body_keys[i] : NULL, b->text, b->summary,
                      b->tokens, b->ntokens, NULL, NULL);
        body_brief_apply(c, a, i, b);
        if (b->abs && json_is_true(json_object_get(a, "in_feed")))
                json_object_set_new(a, "content_abs", json_string(b->abs));
}

/* Renders article a's body md (len bytes) with relative links (checked) and, when a feed
 * shows it, with absolute links, into b. Returns 0, or -1 after reporting. */
static int body_markdown(struct page_build *c, json_t *a, const char *md, size_t len,
                         struct cache_body *b)
{
        json_t *known = json_object_get(c->model, "known");
        struct datapage_fence fr = {c, "../../", 0};
        struct md_links rel = {"../../", known, datapage_fence, &fr};
        struct md_result r;
        int line = (int)json_integer_value(json_object_get(a, "body_line"));
        if (markdown_render(page_str(a, "path"), line, md, len, &rel, &r, c->d) < 0)
                return -1;
        struct buf visible = {0}; /* what readers see, figures' captions and tables included */
        search_html_text(&visible, r.html);
        b->text = buf_detach(&visible);
        if (c->cache) { /* the text tokenised, so that a rebuild need not do it again */
                struct buf tokens = {0};
                if (search_pack(c->search, &tokens, b->text) == 0) {
                        b->ntokens = tokens.len;
                        b->tokens = buf_detach(&tokens);
                }
                buf_free(&tokens);
        }
        b->html = r.html;
        b->links = r.links;
        b->summary = r.summary;
        r.html = r.links = r.summary = NULL;
        b->toc = json_dumps(r.toc, JSON_COMPACT);
        b->chars = r.chars;
        b->minutes = r.minutes;
        markdown_result_free(&r);
        if (json_is_true(json_object_get(a, "in_feed"))) {
                struct datapage_fence fa = {c, page_str(c->cfg, "base_url"), 0};
                struct md_links abs = {page_str(c->cfg, "base_url"), NULL, datapage_fence, &fa};
                if (markdown_render(page_str(a, "path"), line, md, len, &abs, &r, c->d) < 0)
                        return -1;
                b->abs = r.html;
                r.html = NULL;
                markdown_result_free(&r);
        }
        return 0;
}

/* Renders article a's body with relative links (checked) and, when a feed shows it, with
 * absolute links, into b. Returns 0, or -1 after reporting. */
static int body_render(struct page_build *c, json_t *a, struct cache_body *b)
{
        struct buf text = {0}; /* the file, when the body is read back from it */
        const char *md;
        size_t len;
        int rc = content_body(a, &text, &md, &len, c->d);
        if (rc == 0)
                rc = body_markdown(c, a, md, len, b);
        buf_free(&text);
        return rc;
}

/* True when every site path in links (one per line) still exists. */
static bool links_known(const char *links, json_t *known)
{
        while (*links) {
                size_t n = strcspn(links, "\n");
                if (!json_object_getn(known, links, n))
                        return false;
                links += n + (links[n] == '\n');
        }
        return true;
}

/* Article a's body known from the cache's brief alone (key: its cache key), when that is
 * all this build needs of it: no feed shows it (a feed needs the body), its links still
 * resolve, and the search index does not want its text (the document did not change).
 * Its page reads the body from the cache if it has to be rendered. Returns true with the
 * brief in b (and the search entry made), else false. */
static bool body_briefed(struct page_build *c, json_t *a, const unsigned char key[32],
                         struct cache_body *b)
{
        if (json_is_true(json_object_get(a, "in_feed")) || !cache_brief(c->cache, key, b))
                return false;
        bool ok = links_known(b->links, json_object_get(c->model, "known"));
        struct buf day = {0};
        struct search_doc d = search_doc_of(a, "article", key, b->summary, &day);
        if (ok && !search_wants(c->search, &d)) {
                search_put(c->search, &d);
                cache_count_hit(c->cache);
        } else {
                ok = false;
                cache_body_free(b);
        }
        buf_free(&day);
        return ok;
}

/* Article i's body from the cache when its input did not change (and its links still
 * resolve, and the feed's copy is there when a feed needs it). Returns true on a hit. */
static bool body_cached(struct page_build *c, json_t *a, const unsigned char key[32],
                        struct cache_body *b)
{
        if (!cache_get(c->cache, key, b))
                return false;
        if ((json_is_true(json_object_get(a, "in_feed")) && !b->abs) ||
            !links_known(b->links, json_object_get(c->model, "known"))) {
                cache_body_free(b);
                return false;
        }
        return true;
}

/* Article i's body, rendered or from the cache. Runs on pool threads: it writes only to
 * article i. */
static int body_one(void *arg, size_t i)
{
        struct page_build *c = arg;
        json_t *a = json_array_get(json_object_get(c->model, "articles"), i);
        unsigned char key[32];
        struct cache_body b = {0};
        int rc = 0;
        bool hit = false, briefed = false;
        if (c->cache) {
                /* a chart draws a dataset: then the datasets are part of the key */
                const char *extra =
                    json_is_true(json_object_get(a, "body_chart")) ? c->datasets_digest : NULL;
                cache_key(c->cache, key, page_str(a, "path"),
                          (int)json_integer_value(json_object_get(a, "body_line")),
                          page_str(a, "body_sha256"), extra);
                memcpy(c->body_keys[i], key, sizeof key);
                briefed = body_briefed(c, a, key, &b);
                hit = briefed || body_cached(c, a, key, &b);
        }
        if (!hit) {
                rc = body_render(c, a, &b);
                if (rc == 0 && c->cache)
                        cache_put(c->cache, key, &b);
        }
        /* what loading noted of the body moves out of the article (before body_apply adds
         * its keys, so the article's object does not grow further); a body from the cache
         * keeps it aside, in case its entry cannot be read again when its page is written */
        if (hit) {
                struct page_body_src *src = &c->body_src[i];
                src->offset = json_integer_value(json_object_get(a, "body_offset"));
                src->line = (int)json_integer_value(json_object_get(a, "body_line"));
                snprintf(src->sha256, sizeof src->sha256, "%s", page_str(a, "body_sha256"));
        }
        static const char *const done[] = {"markdown",    "body_line",  "body_offset",
                                           "body_sha256", "body_chart", NULL};
        for (const char *const *k = done; *k; k++)
                json_object_del(a, *k);
        if (briefed) {
                body_brief_apply(c, a, i, &b);
                pthread_mutex_lock(&c->lock);
                c->stats->briefed++;
                pthread_mutex_unlock(&c->lock);
        } else if (rc == 0)
                body_apply(c, a, i, &b);
        cache_body_free(&b);
        return rc;
}

/* The digest of the datasets, for the cache keys of bodies that draw charts. Caller
 * frees. */
static char *datasets_digest(struct page_build *c)
{
        char *all = json_dumps(json_object_get(c->model, "datasets"), JSON_COMPACT);
        struct buf hex = {0};
        if (all)
                digest_sha256_hex(&hex, all, strlen(all));
        free(all);
        return buf_detach(&hex);
}

static int render_bodies(struct page_build *c)
{
        json_t *a;
        size_t i;
        json_array_foreach(json_object_get(c->model, "articles"), i, a)
        {
                if (c->cache && !c->datasets_digest &&
                    json_is_true(json_object_get(a, "body_chart")))
                        c->datasets_digest = datasets_digest(c);
        }
        int rc = pool_run(c->opts->jobs, json_array_size(json_object_get(c->model, "articles")),
                          body_one, c);
        if (getenv("GONGBAO_TIMING") && c->cache)
                fprintf(stderr, "gen: bodies: %ld known from their briefs alone\n",
                        c->stats->briefed);
        json_t *known = json_object_get(c->model, "known");
        json_array_foreach(json_object_get(c->model, "pages"), i, a)
        {
                struct datapage_fence fp = {c, "../", 0};
                struct md_links rel = {"../", known, datapage_fence, &fp};
                struct md_result r;
                struct buf text = {0};
                const char *md;
                size_t len;
                int line = (int)json_integer_value(json_object_get(a, "body_line"));
                if (content_body(a, &text, &md, &len, c->d) < 0 ||
                    markdown_render(page_str(a, "path"), line, md, len, &rel, &r, c->d) < 0) {
                        buf_free(&text);
                        rc = -1;
                        continue;
                }
                buf_free(&text);
                json_object_set_new(a, "body", json_string(r.html));
                json_object_set(a, "toc", r.toc);
                if (!json_object_get(a, "summary"))
                        json_object_set_new(a, "summary", json_string(r.summary));
                struct buf visible = {0};
                search_html_text(&visible, r.html);
                add_to_search(c, a, "page", NULL, buf_cstr(&visible), r.summary, NULL, 0, NULL,
                              NULL);
                buf_free(&visible);
                markdown_result_free(&r);
        }
        if (rc == 0) /* every article's body has its brief: out of memory before the pages */
                cache_briefs_save(c->cache);
        return rc;
}

/* schema.org NewsArticle, escaped for a <script> element. Caller frees. */
static char *article_jsonld(struct page_build *c, json_t *a)
{
        json_t *keywords = json_array();
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(a, "tags"), i, t)
            json_array_append_new(keywords, json_string(page_str(t, "name")));
        json_t *ld =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:o}",
                      "@context", "https://schema.org", "@type", "NewsArticle", "headline",
                      page_str(a, "title"), "description", page_str(a, "summary"), "datePublished",
                      page_str(a, "date"), "dateModified",
                      json_object_get(a, "updated") ? page_str(a, "updated") : page_str(a, "date"),
                      "inLanguage", page_str(c->cfg, "language"), "mainEntityOfPage",
                      page_str(a, "permalink"), "publisher", "@type", "Organization", "name",
                      page_str(c->cfg, "title"), "author", "@type",
                      json_object_get(a, "author") ? "Person" : "Organization", "name",
                      json_object_get(a, "author")   ? page_str(a, "author")
                      : json_object_get(a, "source") ? page_str(a, "source")
                                                     : page_str(c->cfg, "title"),
                      "keywords", keywords);
        char *text = json_dumps(ld, JSON_COMPACT | JSON_PRESERVE_ORDER);
        struct buf b = {0};
        escape_script_json(&b, text, strlen(text));
        free(text);
        json_decref(ld);
        return buf_detach(&b);
}

/* On a terminal, a long build shows how far it has got (and erases the line after). */
static void progress(size_t done, size_t total)
{
        /* isatty last: it is a system call, and this runs for every article */
        if (total < PROGRESS_MIN || (done != total && done % 500) || !isatty(STDERR_FILENO))
                return;
        if (done == total)
                fprintf(stderr, "\r\033[K");
        else if (done % 500 == 0)
                fprintf(stderr, "\rgen: %zu/%zu articles", done, total);
}

/* The date a sitemap gives for an article: its update, else its publication. */
static void lastmod_of(json_t *a, struct buf *out)
{
        const char *key = json_object_get(a, "updated") ? "updated" : "date";
        char *ek = xasprintf("%s_epoch", key), *ok = xasprintf("%s_offset", key);
        struct gdate g = {json_integer_value(json_object_get(a, ek)),
                          (int)json_integer_value(json_object_get(a, ok))};
        date_ymd(out, &g);
        free(ek);
        free(ok);
}

/* What article a's page is made from besides the build's salt: the article itself (the
 * feed's copy of the body included, which the page does not show), its body and what the
 * cards of its related, previous and next articles show. Keep in step with
 * article_context: whatever it reads must be here. */
static void article_key(struct page_build *c, struct page_key *k, json_t *a, size_t i)
{
        page_key_json(k, a);
        page_key_bytes(k, (const char *)c->body_keys[i], sizeof *c->body_keys);
        size_t j;
        json_t *idx;
        json_array_foreach(json_object_get(a, "related"), j, idx) page_key_card(c, k, idx);
        page_key_card(c, k, json_object_get(a, "prev"));
        page_key_card(c, k, json_object_get(a, "next"));
}

/* The context of article i's page (a), with its body; takes its table of contents.
 * Caller decrefs. */
static json_t *article_context(struct page_build *c, json_t *a, size_t i, const char *body)
{
        json_t *ctx = page_context(c, "article", page_str(a, "url"), page_str(a, "title"),
                                   page_str(a, "summary"));
        json_t *art = json_copy(a);
        json_object_del(art, "content_abs");
        /* the body is gen's own HTML from checked UTF-8: no need to check its 30 KB again */
        json_object_set_new(art, "body", json_string_nocheck(body));
        json_object_set_new(art, "toc", toc_take(c, i));
        json_t *related = json_array();
        size_t j;
        json_t *idx;
        json_array_foreach(json_object_get(a, "related"), j, idx)
            json_array_append_new(related, page_card(page_article_at(c, idx)));
        json_object_set_new(art, "related", related);
        if (json_object_get(a, "prev"))
                json_object_set_new(art, "prev",
                                    page_card(page_article_at(c, json_object_get(a, "prev"))));
        if (json_object_get(a, "next"))
                json_object_set_new(art, "next",
                                    page_card(page_article_at(c, json_object_get(a, "next"))));
        if (json_object_get(a, "image")) {
                const char *img = page_str(a, "image");
                json_object_set_new(art, "image", json_string(img[0] == '/' ? img + 1 : img));
        }
        /* Mustache cannot test a list for emptiness without repeating it */
        static const char *const lists[] = {"topics",  "tags",     "corrections",
                                            "related", "datasets", NULL};
        for (const char *const *l = lists; *l; l++) {
                char *key = xasprintf("has_%s", *l);
                json_object_set_new(art, key,
                                    json_boolean(json_array_size(json_object_get(art, *l))));
                free(key);
        }
        json_object_set_new(ctx, "article", art);
        json_t *page = json_object_get(ctx, "page");
        json_object_set_new(page, "published", json_string(page_str(a, "date")));
        char *ld = article_jsonld(c, a);
        struct buf sha = {0};
        digest_sha256_base64(&sha, ld, strlen(ld));
        json_object_set_new(page, "jsonld", json_string_nocheck(ld)); /* json_dumps wrote it */
        json_object_set_new(page, "jsonld_sha256", json_string(buf_cstr(&sha)));
        buf_free(&sha);
        free(ld);
        return ctx;
}

/* Article i's body, which came from the cache, read from it again, or rendered again when
 * its entry is gone (its Markdown is then read back and checked). Caller frees. NULL
 * after reporting. */
static char *body_again(struct page_build *c, json_t *a, size_t i)
{
        struct cache_body b = {0};
        const struct page_body_src *src = &c->body_src[i];
        char *html = NULL;
        bool hit = cache_get(c->cache, c->body_keys[i], &b);
        if (!hit) {
                json_t *again =
                    json_pack("{s:O, s:b, s:I, s:i, s:s}", "path", json_object_get(a, "path"),
                              "in_feed", json_is_true(json_object_get(a, "in_feed")), "body_offset",
                              src->offset, "body_line", src->line, "body_sha256", src->sha256);
                if (body_render(c, again, &b) == 0)
                        cache_put(c->cache, c->body_keys[i], &b);
                json_decref(again);
        }
        if (hit || b.html) {
                html = b.html;
                b.html = NULL;
        }
        cache_body_free(&b);
        return html;
}

/* Writes article i's page and frees its body; an unchanged page is kept without being
 * built. Runs on pool threads: the model is only read (the article's own view is a
 * shallow copy). */
static int article_one(void *arg, size_t i)
{
        struct page_build *c = arg;
        json_t *articles = json_object_get(c->model, "articles");
        json_t *a = json_array_get(articles, i);
        progress(atomic_fetch_add(&articles_done, 1), json_array_size(articles));
        char *rel = page_index_file(page_str(a, "url"));
        struct buf lastmod = {0};
        lastmod_of(a, &lastmod);
        struct page_key k;
        page_key_begin(c, &k, "article", rel);
        if (c->body_keys)
                article_key(c, &k, a, i);
        else
                k.on = false; /* keys go with the body cache */
        int rc = 0;
        if (!page_keep(c, &k, page_str(a, "url"), rel, buf_cstr(&lastmod), true)) {
                /* the body is read back only for a page that is rendered */
                char *body;
                if (c->body_src && c->body_src[i].sha256[0]) {
                        body = body_again(c, a, i); /* reported when NULL */
                } else {
                        body = spill_take(c->bodies, i);
                        if (!body)
                                diag_error(c->d, page_str(a, "path"), 0, 0,
                                           "cannot read the rendered body back: %s",
                                           strerror(errno));
                }
                if (body)
                        rc = page_write_key(c, "article", rel, article_context(c, a, i, body),
                                            buf_cstr(&lastmod), true, &k);
                else
                        rc = -1;
                free(body);
        }
        buf_free(&lastmod);
        free(rel);
        return rc;
}

static int write_articles(struct page_build *c)
{
        size_t total = json_array_size(json_object_get(c->model, "articles"));
        atomic_store(&articles_done, 0);
        page_keys_cards(c);
        int rc = pool_run(c->opts->jobs, total, article_one, c);
        progress(total, total);
        return rc;
}

/* Appends the link to page k of a list whose first page is at base (n: the current). */
static void page_link(json_t *pages, const char *base, int k, int n)
{
        char *url = k == 1 ? xstrdup(base) : xasprintf("%spage/%d/", base, k);
        json_array_append_new(
            pages, json_pack("{s:i, s:s, s:b}", "number", k, "url", url, "current", k == n));
        free(url);
}

/* Pagination for page n (1-based) of total, for a list whose first page is at base. */
static json_t *pagination(const char *base, int n, int total)
{
        if (total <= 1)
                return NULL;
        /* the first and the last page and those near n, with one gap marker for each run
         * of pages left out; only those are visited, so that a list's pages cost what they
         * show, not what the list has (the home page of 100,000 articles has 5,000) */
        json_t *pages = json_array();
        int from = n - PAGE_WINDOW > 2 ? n - PAGE_WINDOW : 2;
        int to = n + PAGE_WINDOW < total - 1 ? n + PAGE_WINDOW : total - 1;
        page_link(pages, base, 1, n);
        if (from > 2)
                json_array_append_new(pages, json_pack("{s:b}", "gap", 1));
        for (int k = from; k <= to; k++)
                page_link(pages, base, k, n);
        if (to < total - 1)
                json_array_append_new(pages, json_pack("{s:b}", "gap", 1));
        page_link(pages, base, total, n);
        json_t *p = json_pack("{s:i, s:i, s:o, s:b, s:b}", "current", n, "total", total, "pages",
                              pages, "has_prev", n > 1, "has_next", n < total);
        if (n > 1) {
                char *u = n == 2 ? xstrdup(base) : xasprintf("%spage/%d/", base, n - 1);
                json_object_set_new(p, "prev_url", json_string(u));
                free(u);
        }
        if (n < total) {
                char *u = xasprintf("%spage/%d/", base, n + 1);
                json_object_set_new(p, "next_url", json_string(u));
                free(u);
        }
        return p;
}

/* What one list page shows besides its cards. */
/* One paginated list: the home page, a topic, a tag, a year or a month. */
struct list_spec {
        const char *kind, *tmpl;
        char *base, *title, *description; /* owned */
        json_t *feed;                     /* {title, url} or NULL; owned */
        json_t *idx;                      /* the articles' indices; owned */
        bool group_months;                /* cards grouped under month headings (a year) */
        int total;                        /* pages */
};

/* Every list page of a site: the pool renders the pages in any order. */
struct lists {
        struct page_build *c;
        struct list_spec *specs;
        size_t nspecs;
        struct list_job {
                size_t spec; /* in specs */
                int n;       /* the page number */
        } * jobs;
        size_t njobs;
};

/* Adds a list; takes base, title, description (may be NULL), feed and idx. */
static void add_list(struct lists *L, const char *kind, const char *tmpl, char *base, char *title,
                     char *description, json_t *feed, json_t *idx, bool group_months)
{
        int per = (int)json_integer_value(json_object_get(L->c->cfg, "per_page"));
        int count = (int)json_array_size(idx);
        int total = group_months ? 1 : (count + per - 1) / per;
        if (total < 1)
                total = 1;
        L->specs = xrealloc(L->specs, (L->nspecs + 1) * sizeof *L->specs);
        L->specs[L->nspecs] = (struct list_spec){kind, tmpl, base,         title, description,
                                                 feed, idx,  group_months, total};
        L->jobs = xrealloc(L->jobs, (L->njobs + (size_t)total) * sizeof *L->jobs);
        for (int n = 1; n <= total; n++) {
                L->jobs[L->njobs].spec = L->nspecs;
                L->jobs[L->njobs++].n = n;
        }
        L->nspecs++;
}

/* The positions in s->idx of the cards page n of a list shows: [*from, *to). */
static void list_range(struct page_build *c, const struct list_spec *s, int n, int *from, int *to)
{
        int per = (int)json_integer_value(json_object_get(c->cfg, "per_page"));
        int count = (int)json_array_size(s->idx);
        *from = s->group_months ? 0 : (n - 1) * per;
        *to = s->group_months ? count : *from + per < count ? *from + per : count;
}

/* The groups of cards on page n of a list: one ungrouped run, or one per month. */
static json_t *list_groups(struct page_build *c, const struct list_spec *s, int n)
{
        json_t *groups = json_array(), *group = NULL;
        int from, to;
        list_range(c, s, n, &from, &to);
        int cur_month = -1;
        for (int k = from; k < to; k++) {
                json_t *a = page_article_at(c, json_array_get(s->idx, (size_t)k));
                if (s->group_months) {
                        struct gdate g = {
                            json_integer_value(json_object_get(a, "date_epoch")),
                            (int)json_integer_value(json_object_get(a, "date_offset"))};
                        struct gdate_fields f;
                        date_fields(&g, &f);
                        if (f.month != cur_month) {
                                char *h = xasprintf("%d年%d月", f.year, f.month);
                                char *id = xasprintf("m%02d", f.month);
                                group =
                                    json_pack("{s:s, s:s, s:[]}", "heading", h, "id", id, "items");
                                json_array_append_new(groups, group);
                                free(h);
                                free(id);
                                cur_month = f.month;
                        }
                } else if (!group) {
                        group = json_pack("{s:[]}", "items");
                        json_array_append_new(groups, group);
                }
                json_array_append_new(json_object_get(group, "items"), page_card(a));
        }
        return groups;
}

/* What page n of list s is made from besides the build's salt: the list, the page's
 * number and what the cards it shows show. Keep in step with list_context. */
static void list_key(struct page_build *c, struct page_key *k, const struct list_spec *s, int n)
{
        char head[128];
        snprintf(head, sizeof head, "%d %d %d %zu", n, s->total, s->group_months,
                 json_array_size(s->idx));
        page_key_bytes(k, head, strlen(head));
        page_key_bytes(k, s->kind, strlen(s->kind));
        page_key_bytes(k, s->base, strlen(s->base));
        page_key_bytes(k, s->title, strlen(s->title));
        page_key_bytes(k, s->description, s->description ? strlen(s->description) : 0);
        page_key_json(k, s->feed);
        int from, to;
        list_range(c, s, n, &from, &to);
        for (int j = from; j < to; j++)
                page_key_card(c, k, json_array_get(s->idx, (size_t)j));
}

/* The context of page n (at url, called title) of list s. Caller decrefs. */
static json_t *list_context(struct page_build *c, const struct list_spec *s, int n, const char *url,
                            const char *title)
{
        json_t *ctx = page_context(c, s->kind, url, title, s->description);
        json_t *list = json_pack("{s:s, s:s, s:o, s:i}", "title", title, "description",
                                 s->description ? s->description : "", "groups",
                                 list_groups(c, s, n), "count", (int)json_array_size(s->idx));
        if (s->feed) {
                json_object_set(list, "feed", s->feed);
                json_object_set_new(
                    json_object_get(ctx, "page"), "feeds",
                    json_pack("[{s:s, s:O, s:s}]", "title", page_str(s->feed, "title"), "url",
                              json_object_get(s->feed, "url"), "type", "application/rss+xml"));
        }
        json_object_set_new(ctx, "list", list);
        json_t *pg = pagination(s->base, n, s->total);
        if (pg)
                json_object_set_new(ctx, "pagination", pg);
        return ctx;
}

/* Writes page n of one list (a pool job); an unchanged page is kept without being built. */
static int list_page(void *arg, size_t j)
{
        struct lists *L = arg;
        struct page_build *c = L->c;
        const struct list_spec *s = &L->specs[L->jobs[j].spec];
        int n = L->jobs[j].n;
        char *url = n == 1 ? xstrdup(s->base) : xasprintf("%spage/%d/", s->base, n);
        char *title = n == 1 ? xstrdup(s->title) : xasprintf("%s（第 %d 页）", s->title, n);
        char *rel = page_index_file(url);
        struct page_key k;
        page_key_begin(c, &k, s->tmpl, rel);
        list_key(c, &k, s, n);
        int rc = 0;
        if (!page_keep(c, &k, url, rel, NULL, true))
                rc = page_write_key(c, s->tmpl, rel, list_context(c, s, n, url, title), NULL, true,
                                    &k);
        free(rel);
        free(url);
        free(title);
        return rc;
}

/* Hands out the year pages first: each shows every article of its year on one page
 * (a tenth of the site's cards on a large site), and taken last they left one thread
 * working alone at the end of the step. Other pages keep their order. */
static void years_first(struct lists *L)
{
        size_t n = 0;
        for (size_t j = 0; j < L->njobs; j++)
                n += L->specs[L->jobs[j].spec].group_months;
        if (!n)
                return;
        struct list_job *sorted = xmalloc(L->njobs * sizeof *sorted);
        size_t years = 0, rest = n;
        for (size_t j = 0; j < L->njobs; j++)
                sorted[L->specs[L->jobs[j].spec].group_months ? years++ : rest++] = L->jobs[j];
        free(L->jobs);
        L->jobs = sorted;
}

/* The index arrays 0..n-1 (every article, newest first). */
static json_t *all_indices(size_t n)
{
        json_t *all = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(all, json_integer((json_int_t)i));
        return all;
}

static int write_lists(struct page_build *c)
{
        struct lists L = {c, NULL, 0, NULL, 0};
        add_list(&L, "home", "home", xstrdup(""), xstrdup(page_str(c->cfg, "title")),
                 xstrdup(page_str(c->cfg, "description")), NULL,
                 all_indices(json_array_size(json_object_get(c->model, "articles"))), false);
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(c->model, "topics"), i, t)
        {
                char *feed_url = xasprintf("%sfeed.xml", page_str(t, "url"));
                char *feed_title = xasprintf("订阅“%s”专题（RSS）", page_str(t, "name"));
                add_list(&L, "topic", "list", xstrdup(page_str(t, "url")),
                         xstrdup(page_str(t, "name")), xstrdup(page_str(t, "description")),
                         json_pack("{s:s, s:s}", "title", feed_title, "url", feed_url),
                         json_incref(json_object_get(t, "articles")), false);
                free(feed_url);
                free(feed_title);
        }
        /* a tag's folder keeps its characters; links use the encoded url */
        json_array_foreach(json_object_get(c->model, "tags"), i, t)
            add_list(&L, "tag", "list", xasprintf("tags/%s/", page_str(t, "dir")),
                     xasprintf("标签：%s", page_str(t, "name")), NULL, NULL,
                     json_incref(json_object_get(t, "articles")), false);
        json_array_foreach(json_object_get(c->model, "years"), i, t)
        {
                int year = (int)json_integer_value(json_object_get(t, "year"));
                json_t *idx = json_array();
                size_t j;
                json_t *m;
                json_array_foreach(json_object_get(t, "months"), j, m)
                {
                        json_array_extend(idx, json_object_get(m, "articles"));
                        add_list(&L, "archive", "list", xstrdup(page_str(m, "url")),
                                 xasprintf("%d年%d月", year,
                                           (int)json_integer_value(json_object_get(m, "month"))),
                                 NULL, NULL, json_incref(json_object_get(m, "articles")), false);
                }
                add_list(&L, "archive", "list", xstrdup(page_str(t, "url")),
                         xasprintf("%d年", year), NULL, NULL, idx, true);
        }
        page_keys_cards(c);
        years_first(&L);
        int rc = pool_run(c->opts->jobs, L.njobs, list_page, &L);
        for (size_t k = 0; k < L.nspecs; k++) {
                free(L.specs[k].base);
                free(L.specs[k].title);
                free(L.specs[k].description);
                json_decref(L.specs[k].feed);
                json_decref(L.specs[k].idx);
        }
        free(L.specs);
        free(L.jobs);
        return rc;
}

/* The three index pages: topics, tags, archive. */
static int write_indexes(struct page_build *c)
{
        int rc = 0;
        json_t *ctx = page_context(c, "index", "topics/", "专题", "按专题浏览全部文章");
        json_t *topics = json_deep_copy(json_object_get(json_object_get(ctx, "site"), "topics"));
        size_t i;
        json_t *t;
        json_array_foreach(topics, i, t)
        {
                char *f = xasprintf("%sfeed.xml", page_str(t, "url"));
                json_object_set_new(t, "feed_url", json_string(f));
                free(f);
        }
        json_object_set_new(ctx, "topics", topics);
        if (page_write(c, "topics", "topics/index.html", ctx, NULL, true) < 0)
                rc = -1;
        ctx = page_context(c, "index", "tags/", "标签", "按标签浏览全部文章");
        json_t *tags = json_array();
        json_array_foreach(json_object_get(c->model, "tags"), i, t) json_array_append_new(
            tags, json_pack("{s:s, s:s, s:O}", "name", page_str(t, "name"), "url",
                            page_str(t, "url"), "count", json_object_get(t, "count")));
        json_object_set_new(ctx, "tags", tags);
        if (page_write(c, "tags", "tags/index.html", ctx, NULL, true) < 0)
                rc = -1;
        ctx = page_context(c, "index", "archive/", "归档", "按年份和月份浏览全部文章");
        json_t *years = json_deep_copy(json_object_get(c->model, "years"));
        json_array_foreach(years, i, t)
        {
                size_t j;
                json_t *m;
                json_array_foreach(json_object_get(t, "months"), j, m)
                    json_object_del(m, "articles");
        }
        json_object_set_new(ctx, "years", years);
        if (page_write(c, "archive", "archive/index.html", ctx, NULL, true) < 0)
                rc = -1;
        return rc;
}

static int write_pages(struct page_build *c)
{
        int rc = 0;
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(c->model, "pages"), i, p)
        {
                json_t *ctx = page_context(c, "page", page_str(p, "url"), page_str(p, "title"),
                                           page_str(p, "summary"));
                json_t *content =
                    json_pack("{s:s, s:s, s:O, s:b}", "title", page_str(p, "title"), "body",
                              page_str(p, "body"), "toc", json_object_get(p, "toc"), "has_toc",
                              json_array_size(json_object_get(p, "toc")) > 0);
                if (json_object_get(p, "updated")) {
                        json_object_set_new(content, "updated",
                                            json_string(page_str(p, "updated")));
                        json_object_set_new(content, "updated_zh",
                                            json_string(page_str(p, "updated_zh")));
                }
                json_object_set_new(ctx, "content", content);
                char *rel = page_index_file(page_str(p, "url"));
                if (page_write(c, "page", rel, ctx, NULL, true) < 0)
                        rc = -1;
                free(rel);
        }
        return rc;
}

/* The items of a feed: the newest feed_size articles of idx (NULL: all), as feed.h wants
 * them (content_abs, absolute image). */
static json_t *feed_items(struct page_build *c, json_t *idx)
{
        json_t *articles = json_object_get(c->model, "articles");
        size_t max = (size_t)json_integer_value(json_object_get(c->cfg, "feed_size"));
        size_t n = idx ? json_array_size(idx) : json_array_size(articles);
        json_t *items = json_array();
        for (size_t i = 0; i < n && i < max; i++) {
                json_t *a =
                    idx ? page_article_at(c, json_array_get(idx, i)) : json_array_get(articles, i);
                json_t *item = json_copy(a);
                if (json_object_get(a, "image")) {
                        const char *img = page_str(a, "image");
                        char *u = img[0] == '/' ? page_abs_url(c, img + 1) : xstrdup(img);
                        json_object_set_new(item, "image", json_string(u));
                        free(u);
                }
                json_array_append_new(items, item);
        }
        return items;
}

static int write_feed_file(struct page_build *c, const char *rel, struct buf *b, int ok)
{
        if (!ok)
                return -1;
        c->stats->feeds++;
        return page_emit(c, rel, b);
}

static int write_feeds(struct page_build *c)
{
        int rc = 0;
        char *home = page_abs_url(c, ""), *rss = page_abs_url(c, "feed.xml"),
             *atom = page_abs_url(c, "atom.xml");
        char *jf = page_abs_url(c, "feed.json");
        struct feed_channel ch = {page_str(c->cfg, "title"),
                                  page_str(c->cfg, "description"),
                                  home,
                                  rss,
                                  atom,
                                  jf,
                                  page_str(c->cfg, "language"),
                                  NULL};
        json_t *items = feed_items(c, NULL);
        struct buf b = {0};
        if (write_feed_file(c, "feed.xml", &b, feed_rss(&ch, items, &b, c->d) == 0) < 0)
                rc = -1;
        buf_reset(&b);
        if (write_feed_file(c, "atom.xml", &b, feed_atom(&ch, items, &b, c->d) == 0) < 0)
                rc = -1;
        buf_reset(&b);
        if (write_feed_file(c, "feed.json", &b, feed_json(&ch, items, &b, c->d) == 0) < 0)
                rc = -1;
        json_decref(items);
        free(home);
        free(rss);
        free(atom);
        free(jf);
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(c->model, "topics"), i, t)
        {
                char *rel = xasprintf("%sfeed.xml", page_str(t, "url"));
                char *link = page_abs_url(c, page_str(t, "url")), *self = page_abs_url(c, rel);
                char *title = xasprintf("%s · %s", page_str(c->cfg, "title"), page_str(t, "name"));
                struct feed_channel tc = {title, page_str(t, "description"),   link, self, NULL,
                                          NULL,  page_str(c->cfg, "language"), NULL};
                items = feed_items(c, json_object_get(t, "articles"));
                buf_reset(&b);
                if (write_feed_file(c, rel, &b, feed_rss(&tc, items, &b, c->d) == 0) < 0)
                        rc = -1;
                json_decref(items);
                free(rel);
                free(link);
                free(self);
                free(title);
        }
        buf_free(&b);
        return rc;
}

static int write_subscribe(struct page_build *c)
{
        json_t *feeds = json_array();
        json_array_append_new(feeds, json_pack("{s:s, s:s, s:s, s:s, s:s}", "title",
                                               page_str(c->cfg, "title"), "description",
                                               "全站最新文章", "rss_url", "feed.xml", "atom_url",
                                               "atom.xml", "json_url", "feed.json"));
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(c->model, "topics"), i, t)
        {
                char *u = xasprintf("%sfeed.xml", page_str(t, "url"));
                json_array_append_new(feeds, json_pack("{s:s, s:s, s:s}", "title",
                                                       page_str(t, "name"), "description",
                                                       page_str(t, "description"), "rss_url", u));
                free(u);
        }
        json_t *ctx = page_context(c, "subscribe", "subscribe/", "订阅",
                                   "用 RSS、Atom 或 JSON Feed 订阅本站更新");
        json_object_set_new(ctx, "feeds", feeds);
        return page_write(c, "subscribe", "subscribe/index.html", ctx, NULL, true);
}

/* A page at each alias of an article that leads to it: a refresh, a canonical link and
 * a visible link (the generator's own HTML: no template). */
static int write_redirects(struct page_build *c)
{
        int rc = 0;
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(c->model, "redirects"), i, r)
        {
                const char *file = page_str(r, "file");
                json_t *a = page_article_at(c, json_object_get(r, "target"));
                char *root = page_root_for(file);
                char *rel = xasprintf("%s%s", root, page_str(a, "url"));
                struct buf b = {0}, e = {0};
                buf_printf(
                    &b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\" />\n",
                    page_str(c->cfg, "language"));
                buf_puts(&b, "<title>");
                escape_html(&b, page_str(a, "title"), strlen(page_str(a, "title")));
                buf_puts(&b, "</title>\n<link rel=\"canonical\" href=\"");
                escape_html(&b, page_str(a, "permalink"), strlen(page_str(a, "permalink")));
                escape_html(&e, rel, strlen(rel));
                buf_printf(&b,
                           "\" />\n<meta name=\"robots\" content=\"noindex\" />\n"
                           "<meta http-equiv=\"refresh\" content=\"0; url=%s\" />\n</head>\n"
                           "<body>\n<p>本页已移至 <a href=\"%s\">",
                           buf_cstr(&e), buf_cstr(&e));
                escape_html(&b, page_str(a, "title"), strlen(page_str(a, "title")));
                buf_puts(&b, "</a>。</p>\n</body>\n</html>\n");
                if (page_emit(c, file, &b) < 0)
                        rc = -1;
                buf_free(&b);
                buf_free(&e);
                free(rel);
                free(root);
        }
        return rc;
}

/* ---- the search index's files (struct search_io over the output) ---- */

/* Counts one more file of the build. */
static void count_file(struct page_build *c)
{
        pthread_mutex_lock(&c->lock);
        c->stats->files++;
        pthread_mutex_unlock(&c->lock);
}

static int search_emit(void *ctx, const char *rel, const struct buf *data, const unsigned char *key)
{
        struct page_build *c = ctx;
        if (!key || !c->o)
                return page_emit(c, rel, data);
        count_file(c);
        return output_write_key(c->o, rel, buf_cstr(data), data->len, key, c->d);
}

static bool search_keep(void *ctx, const char *rel, const unsigned char key[32], bool dry)
{
        struct page_build *c = ctx;
        if (dry)
                return output_can_keep(c->o, rel, key);
        if (!output_keep(c->o, rel, key))
                return false;
        count_file(c);
        return true;
}

static int search_read(void *ctx, const char *rel, struct buf *out)
{
        return output_read_live(((struct page_build *)ctx)->o, rel, out);
}

static int search_run(void *ctx, size_t n, int (*fn)(void *arg, size_t i), void *arg)
{
        return pool_run(((struct page_build *)ctx)->opts->jobs, n, fn, arg);
}

/* How the index reaches the output (shards coded on the pool): with the cache, kept files
 * and a memo (search.h); without it (or when only checking), every file written without a
 * key. */
static struct search_io search_io_of(struct page_build *c)
{
        bool memo = c->cache && c->o;
        return (struct search_io){.emit = search_emit,
                                  .keep = memo ? search_keep : NULL,
                                  .read = memo ? search_read : NULL,
                                  .run = search_run,
                                  .ctx = c};
}

/* Before the first document (ndocs of them): with the cache, hands the index the previous
 * build's memo, so that it updates the published index in place (and wants only changed
 * texts). Returns true when it does. */
static bool search_start(struct page_build *c, size_t ndocs)
{
        if (!c->cache || !c->o)
                return false;
        struct buf memo = {0};
        unsigned char salt[32];
        cache_salt(c->cache, salt);
        bool have = cache_blob_get(c->cache, "search", &memo) == 0;
        struct search_io io = search_io_of(c);
        bool in_place = search_begin(c->search, &io, have ? &memo : NULL, salt, ndocs);
        buf_free(&memo);
        return in_place;
}

/* The search page, the datasets' entries and the index itself. */
static int write_search(struct page_build *c)
{
        size_t i;
        json_t *ds;
        json_array_foreach(json_object_get(c->model, "datasets"), i, ds)
        {
                struct buf text = {0};
                buf_printf(&text, "%s\n%s\n", page_str(ds, "title"), page_str(ds, "description"));
                json_t *table =
                    json_object_get(json_array_get(json_object_get(ds, "resources"), 0), "table");
                size_t j;
                json_t *f;
                json_array_foreach(json_object_get(table, "fields"), j, f)
                {
                        /* the column heading as the table shows it: title（unit） */
                        const char *title = page_str(f, "title"), *unit = page_str(f, "unit");
                        buf_puts(&text, title);
                        if (*unit && !strstr(title, unit))
                                buf_printf(&text, "（%s）", unit);
                        buf_putc(&text, '\n');
                }
                char *day = xstrndup(page_str(ds, "updated"), 10);
                search_add(c->search, page_str(ds, "url"), page_str(ds, "title"), day,
                           json_object_get(ds, "topics"), "dataset", buf_cstr(&text));
                free(day);
                buf_free(&text);
        }
        json_t *ctx = page_context(c, "search", "search/", "搜索", "搜索本站的文章和数据");
        json_t *topics = json_array(), *years = json_array(), *t;
        json_array_foreach(json_object_get(c->model, "topics"), i, t)
            json_array_append_new(topics, json_pack("{s:s, s:s}", "slug", page_str(t, "slug"),
                                                    "name", page_str(t, "name")));
        json_array_foreach(json_object_get(c->model, "years"), i, t)
            json_array_append_new(years, json_pack("{s:O}", "year", json_object_get(t, "year")));
        json_object_set_new(ctx, "topics", topics);
        json_object_set_new(ctx, "years", years);
        int rc = page_write(c, "search", "search/index.html", ctx, NULL, true);
        struct search_io io = search_io_of(c);
        struct buf memo = {0};
        if (search_write(c->search, &io, c->d) < 0)
                rc = -1;
        else if (io.keep && search_memo(c->search, &memo) == 1)
                cache_blob_put(c->cache, "search", memo.data, memo.len);
        buf_free(&memo);
        const struct search_stats *st = search_stats(c->search);
        if (getenv("GONGBAO_TIMING"))
                fprintf(stderr,
                        "gen: search index %s: %zu of %zu documents tokenised, %zu of %zu shards "
                        "coded\n",
                        st->in_place ? "updated in place" : "built whole", st->tokenised, st->docs,
                        st->coded, st->shards);
        return rc;
}

static int write_404(struct page_build *c)
{
        json_t *ctx = page_context(c, "404", "404.html", "页面未找到", NULL);
        return page_write(c, "404", "404.html", ctx, NULL, false);
}

static int by_loc(const void *pa, const void *pb)
{
        return strcmp(((const struct sitemap_url *)pa)->loc, ((const struct sitemap_url *)pb)->loc);
}

static int emit_sitemap(void *ctx, const char *name, const struct buf *bytes)
{
        return page_emit(ctx, name, bytes);
}

static int write_sitemap(struct page_build *c)
{
        /* pages were added by several threads: the order is the URLs' */
        size_t n = c->sitemap_n;
        struct sitemap_url *urls = xmalloc((n ? n : 1) * sizeof *urls);
        const char *p = c->sitemap.data;
        for (size_t i = 0; i < n; i++) {
                urls[i].loc = p;
                p += strlen(p) + 1;
                urls[i].lastmod = p;
                p += strlen(p) + 1;
        }
        qsort(urls, n, sizeof *urls, by_loc);
        char *base = page_abs_url(c, "");
        int rc = sitemap_write_split(urls, n, SITEMAP_MAX_URLS, base, emit_sitemap, c, c->d);
        free(base);
        free(urls);
        struct buf b = {0};
        char *url = page_abs_url(c, "sitemap.xml");
        if (rc == 0)
                rc = sitemap_robots(url, &b);
        if (rc == 0)
                rc = page_emit(c, "robots.txt", &b);
        free(url);
        buf_free(&b);
        return rc;
}

/* Copies a folder's files below prefix ("static/", "media/"). */
static int copy_folder(struct page_build *c, const char *dir, const char *prefix)
{
        json_t *files = fsio_list(dir, "", c->d);
        if (!files)
                return -1;
        int rc = 0;
        size_t n = strlen(dir), i;
        struct buf data = {0};
        json_t *f;
        json_array_foreach(files, i, f)
        {
                const char *path = json_string_value(f);
                char *rel = xasprintf("%s%s", prefix, path + n + 1);
                if (fsio_read(path, &data, c->d) < 0 || page_emit(c, rel, &data) < 0)
                        rc = -1;
                free(rel);
        }
        buf_free(&data);
        json_decref(files);
        return rc;
}

/* Dev only (`gen build --dev`): a script that reloads the page when the build id
 * changes. Never written by a normal build. */
static const char dev_reload_js[] =
    "(function () {\n"
    "  var src = document.currentScript && document.currentScript.src;\n"
    "  if (!src) return;\n"
    "  var url = src.replace(/reload\\.js(\\?.*)?$/, 'build-id');\n"
    "  var seen = null;\n"
    "  function poll() {\n"
    "    fetch(url, {cache: 'no-store'}).then(function (r) { return r.ok ? r.text() : null; })\n"
    "      .then(function (id) {\n"
    "        if (id !== null && seen !== null && id !== seen) location.reload();\n"
    "        if (id !== null) seen = id;\n"
    "      }).catch(function () {}).then(function () { setTimeout(poll, 1000); });\n"
    "  }\n"
    "  poll();\n"
    "})();\n";

static int write_dev(struct page_build *c)
{
        struct buf b = {0};
        buf_puts(&b, dev_reload_js);
        int rc = page_emit(c, "_dev/reload.js", &b);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        buf_reset(&b);
        buf_printf(&b, "%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
        if (rc == 0)
                rc = page_emit(c, "_dev/build-id", &b);
        buf_free(&b);
        return rc;
}

/* Adds the files of static/ and media/ to the paths links may point to. */
static void know_files(json_t *known, const char *dir, const char *prefix)
{
        struct diag *quiet = diag_new();
        json_t *files = fsio_list(dir, "", quiet);
        size_t n = strlen(dir), i;
        json_t *f;
        json_array_foreach(files, i, f)
        {
                char *rel = xasprintf("%s%s", prefix, json_string_value(f) + n + 1);
                json_object_set_new(known, rel, json_true());
                free(rel);
        }
        json_decref(files);
        diag_free(quiet);
}

/* One step of a build, timed when GONGBAO_TIMING is set (docs/PERFORMANCE.md). */
struct step {
        const char *name;
        int (*run)(struct page_build *c);
};

static int copy_static(struct page_build *c)
{
        return copy_folder(c, c->opts->static_dir, "static/");
}

static int copy_media(struct page_build *c)
{
        return copy_folder(c, c->opts->media_dir, "media/");
}

static int dev_files(struct page_build *c)
{
        return c->opts->dev ? write_dev(c) : 0;
}

/* The process's peak resident memory so far, for GONGBAO_TIMING. */
static long peak_rss_mb(void)
{
        struct rusage ru;
        return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024 : 0;
}

/* The process's user+sys CPU time so far (all threads), for GONGBAO_TIMING. */
static double cpu_seconds(void)
{
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) < 0)
                return 0;
        return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double seconds_now(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the quick rebuild (quick.h) ---- */

/* The JSON of article a as the quick record keeps it: without the feed's copy of its
 * body (no page or card of an article the quick rebuild renders shows it). Caller frees. */
static char *quick_json(json_t *a)
{
        json_t *abs = json_object_get(a, "content_abs");
        if (!abs)
                return json_dumps(a, JSON_COMPACT);
        json_t *copy = json_copy(a);
        json_object_del(copy, "content_abs");
        char *s = json_dumps(copy, JSON_COMPACT);
        json_decref(copy);
        return s;
}

/* Whether article a's body may be rebuilt alone: it cites no dataset (lint checks its
 * figures against them). */
static bool quick_eligible(json_t *a)
{
        return !json_array_size(json_object_get(a, "datasets"));
}

/* Notes in q what the quick rebuild needs of a build that succeeded. */
static void quick_note(struct page_build *c, struct quick *q)
{
        json_t *articles = json_object_get(c->model, "articles");
        q->nart = json_array_size(articles);
        q->art = xcalloc(q->nart ? q->nart : 1, sizeof *q->art);
        for (size_t i = 0; i < q->nart; i++) {
                json_t *a = json_array_get(articles, i);
                struct quick_article *qa = &q->art[i];
                qa->path = xstrdup(page_str(a, "path"));
                memcpy(qa->key, c->body_keys[i], sizeof qa->key);
                qa->json = quick_json(a);
                qa->eligible = quick_eligible(a);
                qa->in_feed = json_is_true(json_object_get(a, "in_feed"));
        }
        q->topics = json_dumps(json_object_get(c->model, "topics"), JSON_COMPACT);
        snprintf(q->charts, sizeof q->charts, "%s", c->datasets_digest ? c->datasets_digest : "");
        q->known = json_dumps(json_object_get(c->model, "known"), JSON_COMPACT);
        q->site = json_dumps(c->site, JSON_COMPACT);
        q->ndocs = search_stats(c->search)->docs;
        q->pages = c->stats->pages;
        q->feeds = c->stats->feeds;
        if (search_docs(c->search, &q->docs) < 0 || !q->known || !q->site || !q->topics)
                q->nart = 0, q->ndocs = 0; /* nothing to go on: quick_save is not called */
}

/* Model article i of q, parsed into the sparse model's articles (once). NULL when its
 * record does not parse. */
static json_t *quick_article_at(struct quick *q, json_t *articles, size_t i)
{
        json_t *a = json_array_get(articles, i);
        if (json_is_object(a))
                return a;
        a = i < q->nart ? json_loads(q->art[i].json, 0, NULL) : NULL;
        if (!json_is_object(a)) {
                json_decref(a);
                return NULL;
        }
        json_array_set_new(articles, i, a);
        return a;
}

/* Parses the articles a's page shows cards of (related, previous, next) into the sparse
 * model. Returns 0, or -1 when one does not parse. */
static int quick_neighbours(struct quick *q, json_t *articles, json_t *a)
{
        json_t *idx;
        size_t j;
        json_array_foreach(
            json_object_get(a, "related"), j,
            idx) if (!quick_article_at(q, articles, (size_t)json_integer_value(idx))) return -1;
        static const char *const sides[] = {"prev", "next"};
        for (size_t k = 0; k < 2; k++)
                if ((idx = json_object_get(a, sides[k])) &&
                    !quick_article_at(q, articles, (size_t)json_integer_value(idx)))
                        return -1;
        return 0;
}

/* Why the last quick rebuild was not taken (GONGBAO_TIMING prints it). */
static const char *quick_why;

/* Notes why and returns 1: the quick rebuild cannot take this edit. */
static int quick_no(const char *why)
{
        quick_why = why;
        return 1;
}

/* One edited article of the quick rebuild. */
struct quick_edit {
        const char *path;
        long i;        /* its index in the model */
        json_t *entry; /* as loaded again */
        json_t *a;     /* the model's article (in the sparse model) */
        bool changed;  /* its body's key changed: render it */
        unsigned char key[32];
        struct cache_body b;
};

/* Checks and renders the body of edited article e. Returns 0, or 1 when the quick rebuild
 * cannot take it. */
static int quick_body(struct page_build *c, struct quick *q, struct quick_edit *e)
{
        e->i = quick_find(q, e->path);
        if (e->i < 0)
                return quick_no("an edited article is not published (a draft, or scheduled)");
        e->entry = content_load_article(e->path, c->cfg, c->d);
        json_t *articles = json_object_get(c->model, "articles");
        e->a = quick_article_at(q, articles, (size_t)e->i);
        if (!e->a || quick_neighbours(q, articles, e->a) < 0)
                return quick_no("the record does not parse");
        if (!e->entry || strcmp(page_str(e->entry, "front_sha256"), page_str(e->a, "front_sha256")))
                return quick_no("an edited article's front matter changed");
        bool chart = json_is_true(json_object_get(e->entry, "body_chart"));
        cache_key(c->cache, e->key, e->path,
                  (int)json_integer_value(json_object_get(e->entry, "body_line")),
                  page_str(e->entry, "body_sha256"), chart ? q->charts : NULL);
        e->changed = memcmp(e->key, q->art[e->i].key, sizeof e->key) != 0;
        memcpy(c->body_keys[e->i], e->key, sizeof e->key);
        if (!e->changed)
                return 0; /* saved again as it was (its file's times changed) */
        if (!q->art[e->i].eligible)
                return quick_no("an edited article cites a dataset");
        if (chart)
                return quick_no("an edited article draws a chart");
        if (q->art[e->i].in_feed) /* then the body is rendered with absolute links too */
                json_object_set_new(e->entry, "in_feed", json_true());
        if (lint_article(e->entry, NULL, c->d) != 0 || body_render(c, e->entry, &e->b) < 0 ||
            diag_errors(c->d) || diag_warnings(c->d))
                return quick_no("an edited article has messages");
        /* cards show the summary: one taken from the body must not have changed */
        if (!json_object_get(e->entry, "summary") &&
            strcmp(e->b.summary ? e->b.summary : "", page_str(e->a, "summary")))
                return quick_no("an edited article's summary changed");
        cache_put(c->cache, e->key, &e->b);
        body_brief_apply(c, e->a, (size_t)e->i, &e->b);
        if (q->art[e->i].in_feed && e->b.abs)
                json_object_set_new(e->a, "content_abs", json_string(e->b.abs));
        return 0;
}

/* The feeds again, when an edited article is in one: every article a feed shows is
 * parsed into the sparse model with its body's feed copy (from the cache). Returns 0, or
 * 1 when one is missing. */
static int quick_feeds(struct page_build *c, struct quick *q)
{
        json_t *articles = json_object_get(c->model, "articles");
        for (size_t i = 0; i < q->nart; i++) {
                if (!q->art[i].in_feed)
                        continue;
                json_t *a = quick_article_at(q, articles, i);
                if (!a)
                        return quick_no("the record does not parse");
                if (json_object_get(a, "content_abs"))
                        continue; /* an edited one */
                struct cache_body b = {0};
                bool hit = cache_get(c->cache, q->art[i].key, &b) && b.abs;
                if (hit)
                        json_object_set_new(a, "content_abs", json_string(b.abs));
                cache_body_free(&b);
                if (!hit)
                        return quick_no("a feed's article is not in the cache");
        }
        return write_feeds(c) < 0 ? quick_no("the feeds could not be written") : 0;
}

/* Writes edited article e's page (its body in e->b). Returns 0 or -1. */
static int quick_page(struct page_build *c, struct quick_edit *e)
{
        char *rel = page_index_file(page_str(e->a, "url"));
        struct buf lastmod = {0};
        lastmod_of(e->a, &lastmod);
        struct page_key k;
        page_key_begin(c, &k, "article", rel);
        article_key(c, &k, e->a, (size_t)e->i);
        int rc = 0;
        if (!page_keep(c, &k, page_str(e->a, "url"), rel, buf_cstr(&lastmod), true))
                rc = page_write_key(c, "article", rel,
                                    article_context(c, e->a, (size_t)e->i, e->b.html),
                                    buf_cstr(&lastmod), true, &k);
        buf_free(&lastmod);
        free(rel);
        return rc;
}

/* Puts edited article e into the search index with its new text, and the tokens of its
 * old one (from its old cache entry). */
static void quick_search_put(struct page_build *c, const struct quick *q,
                             const struct quick_edit *e)
{
        struct cache_body old = {0};
        const unsigned char *old_key = q->art[e->i].key;
        bool have_old = cache_get(c->cache, old_key, &old);
        add_to_search(c, e->a, "article", e->key, e->b.text, e->b.summary, e->b.tokens,
                      e->b.ntokens, old_key, have_old ? &old : NULL);
        cache_body_free(&old);
}

/* The search index of the quick rebuild: every document as it was but the edited ones,
 * which are put again with their new text. Returns 0, or 1. */
static int quick_search(struct page_build *c, struct quick *q, struct quick_edit *e, size_t n,
                        struct buf *memo_out)
{
        if (!search_start(c, q->ndocs))
                return quick_no("the search index cannot be updated in place");
        struct search_io io = search_io_of(c);
        const char **except = xcalloc(n + 1, sizeof *except);
        size_t ne = 0;
        for (size_t k = 0; k < n; k++)
                if (e[k].changed)
                        except[ne++] = page_str(e[k].a, "url");
        int rc = search_put_docs(c->search, q->docs.data, q->docs.len, except) < 0;
        free(except);
        for (size_t k = 0; !rc && k < n; k++)
                if (e[k].changed)
                        quick_search_put(c, q, &e[k]);
        if (rc || search_write(c->search, &io, c->d) < 0 || search_memo(c->search, memo_out) < 0)
                return quick_no("the search index's documents are not the memo's");
        buf_reset(&q->docs);
        return search_docs(c->search, &q->docs) < 0;
}

int render_quick(json_t *cfg, struct quick *q, const char *const *edited, struct tmpl_lib *lib,
                 struct output *o, const struct render_opts *opts, struct render_stats *stats,
                 const char **why)
{
        size_t n = 0;
        while (edited[n])
                n++;
        json_t *articles = json_array();
        for (size_t i = 0; i < q->nart; i++)
                json_array_append_new(articles, json_null());
        json_t *known = json_loads(q->known, 0, NULL), *topics = json_loads(q->topics, 0, NULL);
        struct page_build c = {.cfg = cfg,
                               .model = json_pack("{s:o, s:o*, s:o*}", "articles", articles,
                                                  "known", known, "topics", topics),
                               .site = json_loads(q->site, 0, NULL),
                               .lib = lib,
                               .o = o,
                               .opts = opts,
                               .stats = stats,
                               .d = diag_new(),
                               .search = search_new(),
                               .cache = opts->cache,
                               .body_keys = xcalloc(q->nart ? q->nart : 1, sizeof *c.body_keys),
                               .tocs = xcalloc(q->nart ? q->nart : 1, sizeof *c.tocs)};
        pthread_mutex_init(&c.lock, NULL);
        struct quick_edit *e = xcalloc(n ? n : 1, sizeof *e);
        quick_why = NULL;
        int rc = c.site && json_is_object(known) && json_is_array(topics) && c.cache && q->ndocs
                     ? 0
                     : quick_no("the record does not parse");
        for (size_t k = 0; !rc && k < n; k++) {
                e[k].path = edited[k];
                rc = quick_body(&c, q, &e[k]);
        }
        if (!rc) {
                page_keys_begin(&c);
                page_keys_cards(&c);
                rc = c.keyed ? 0 : quick_no("pages have no keys");
        }
        for (size_t k = 0; !rc && k < n; k++)
                if (e[k].changed && quick_page(&c, &e[k]) < 0)
                        rc = quick_no("a page could not be written");
        bool feeds = false;
        for (size_t k = 0; k < n; k++)
                feeds |= e[k].changed && q->art[e[k].i].in_feed;
        if (!rc && feeds)
                rc = quick_feeds(&c, q);
        struct buf memo = {0}; /* the search index's next memo: kept once all went well */
        double t0 = seconds_now();
        if (!rc)
                rc = quick_search(&c, q, e, n, &memo);
        double t1 = seconds_now();
        if (!rc)
                rc = output_keep_unwritten(o) < 0 ? quick_no("a published file is not as recorded")
                     : diag_errors(c.d) || diag_warnings(c.d) ? quick_no("messages")
                                                              : 0;
        if (getenv("GONGBAO_TIMING"))
                fprintf(stderr,
                        "gen: quick rebuild: search index %.3f s, other files kept %.3f s\n",
                        t1 - t0, seconds_now() - t1);
        if (!rc && memo.len)
                cache_blob_put(c.cache, "search", memo.data, memo.len);
        buf_free(&memo);
        for (size_t k = 0; !rc && k < n; k++) {
                if (!e[k].changed)
                        continue;
                cache_drop(c.cache, q->art[e[k].i].key);
                free(q->art[e[k].i].json);
                q->art[e[k].i].json = quick_json(e[k].a);
                memcpy(q->art[e[k].i].key, e[k].key, sizeof e[k].key);
        }
        if (!rc) {
                stats->pages = q->pages;
                stats->feeds = q->feeds;
                stats->bodies = stats->briefed = (long)q->nart;
                for (size_t k = 0; k < n; k++)
                        stats->briefed -= e[k].changed;
        }
        for (size_t k = 0; k < n; k++) {
                json_decref(e[k].entry);
                cache_body_free(&e[k].b);
        }
        free(e);
        page_keys_end(&c);
        for (size_t i = 0; i < q->nart; i++)
                free(c.tocs[i]);
        free(c.tocs);
        free(c.body_keys);
        search_free(c.search);
        pthread_mutex_destroy(&c.lock);
        json_decref(c.site);
        json_decref(c.model);
        buf_free(&c.sitemap);
        diag_free(c.d);
        *why = quick_why;
        return rc;
}

int render_site(json_t *cfg, json_t *model, struct tmpl_lib *lib, struct output *o,
                const struct render_opts *opts, struct render_stats *stats, struct diag *d)
{
        /* every step after the bodies runs even when one fails, so that one build reports
         * every problem; the sitemap and copies only run when all pages were written */
        static const struct step steps[] = {
            {"bodies", render_bodies},    {"articles", write_articles},
            {"lists", write_lists},       {"indexes", write_indexes},
            {"pages", write_pages},       {"subscribe", write_subscribe},
            {"404", write_404},           {"redirects", write_redirects},
            {"search", write_search},     {"feeds", write_feeds},
            {"data", datapage_write_all}, {"sitemap", write_sitemap},
            {"static", copy_static},      {"media", copy_media},
            {"dev", dev_files},
        };
        size_t narticles = json_array_size(json_object_get(model, "articles"));
        struct page_build c = {
            .cfg = cfg,
            .model = model,
            .site = site_object(cfg, model),
            .lib = lib,
            .o = o,
            .opts = opts,
            .stats = stats,
            .d = d,
            .bodies = spill_new(o ? output_path(o) : NULL, narticles),
            .search = search_new(),
            .cache = opts->cache,
            .body_keys =
                opts->cache ? xcalloc(narticles ? narticles : 1, sizeof *c.body_keys) : NULL,
            .body_src = opts->cache ? xcalloc(narticles ? narticles : 1, sizeof *c.body_src) : NULL,
            .tocs = xcalloc(narticles ? narticles : 1, sizeof *c.tocs)};
        pthread_mutex_init(&c.lock, NULL);
        page_keys_begin(&c);
        json_t *known = json_object_get(model, "known");
        know_files(known, opts->static_dir, "static/");
        know_files(known, opts->media_dir, "media/");
        int timing = getenv("GONGBAO_TIMING") != NULL;
        int rc = 0;
        double t_memo = seconds_now();
        search_start(&c, json_array_size(json_object_get(model, "articles")) +
                             json_array_size(json_object_get(model, "pages")) +
                             json_array_size(json_object_get(model, "datasets")));
        if (timing) /* the search index's memo read and checked against the published index */
                fprintf(stderr, "gen: %-10s %.3f s  (peak RSS %ld MB)\n", "memo",
                        seconds_now() - t_memo, peak_rss_mb());
        for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
                if (rc < 0 && (i == 1 || !strcmp(steps[i].name, "sitemap")))
                        break; /* no pages without bodies; no sitemap of a broken site */
                double t0 = seconds_now(), cpu0 = timing ? cpu_seconds() : 0;
                if (steps[i].run(&c) < 0)
                        rc = -1;
                if (timing)
                        fprintf(stderr, "gen: %-10s %.3f s  cpu %.3f s  (peak RSS %ld MB)\n",
                                steps[i].name, seconds_now() - t0, cpu_seconds() - cpu0,
                                peak_rss_mb());
        }
        page_keys_end(&c);
        if (rc == 0 && opts->quick && c.cache && o)
                quick_note(&c, opts->quick);
        for (size_t i = 0; i < narticles; i++)
                free(c.tocs[i]);
        free(c.tocs);
        free(c.body_src);
        free(c.body_keys);
        spill_free(c.bodies);
        search_free(c.search);
        free(c.datasets_digest);
        pthread_mutex_destroy(&c.lock);
        json_decref(c.site);
        buf_free(&c.sitemap);
        return rc;
}
