/* page: what every page writer shares: the build's state, a page's common context
 * (site, root, page), cards, and writing a rendered page or file through output. Used
 * by render (articles, lists, feeds) and datapage (statistics).
 *
 * Page keys (see page.h) are made of what a page is built from, written in a plain form
 * that costs little more than copying the bytes: jansson's own dump, which checks and
 * escapes every character, costs more than rendering the page. Objects are written in
 * the order their members were added (jansson keeps it), so a key also changes when only
 * the order does. */
#include "page.h"
#include "buf.h"
#include "digest.h"
#include "fsio.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define KEY_FORMAT     "gongbao-page 1"
#define KEY_DEPTH      64    /* nesting a key follows; deeper values are not keyed */
#define TEMPLATE_DEPTH 16    /* folders below the templates folder that the salt looks into */
#define TEMPLATE_NAMES 10000 /* names it looks at, at most (symbolic links may loop) */

const char *page_str(json_t *obj, const char *key)
{
        const char *s = json_string_value(json_object_get(obj, key));
        return s ? s : "";
}

/* The path from a page at url back to the site root: "./", "../", "../../". */
char *page_root_for(const char *url)
{
        struct buf b = {0};
        for (const char *p = url; *p; p++)
                if (*p == '/')
                        buf_puts(&b, "../");
        if (!b.len)
                buf_puts(&b, "./");
        return buf_detach(&b);
}

int page_emit(struct page_build *c, const char *rel, const struct buf *data)
{
        pthread_mutex_lock(&c->lock);
        c->stats->files++;
        pthread_mutex_unlock(&c->lock);
        if (!c->o)
                return 0;
        return output_write(c->o, rel, buf_cstr(data), data->len, c->d);
}

/* Navigation for a page at url: site-rooted entries made relative, the current marked. */
static json_t *navigation(json_t *cfg, const char *url)
{
        json_t *nav = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(cfg, "navigation"), i, e)
        {
                const char *u = page_str(e, "url");
                const char *rel = u[0] == '/' ? u + 1 : u;
                int current = !strcmp(rel, url) ||
                              (rel[0] && !strncmp(url, rel, strlen(rel)) && strcmp(rel, "/"));
                json_array_append_new(nav,
                                      json_pack("{s:s, s:s, s:b}", "title", page_str(e, "title"),
                                                "url", rel, "current", current));
        }
        return nav;
}

/* A new page context: site, root, page {kind, title, full_title, description, url,
 * canonical, og_type}. The caller adds the rest. */
json_t *page_context(struct page_build *c, const char *kind, const char *url, const char *title,
                     const char *description)
{
        /* shallow: pages only read the shared parts, and jansson counts references
         * atomically, so threads may share them */
        json_t *site = json_copy(c->site);
        json_object_set_new(site, "navigation", navigation(c->cfg, url));
        char *root =
            strcmp(kind, "404") ? page_root_for(url) : xstrdup(page_str(c->cfg, "base_path"));
        char *full = !strcmp(kind, "home") ? xstrdup(page_str(c->cfg, "title"))
                                           : xasprintf("%s · %s", title, page_str(c->cfg, "title"));
        json_t *page =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", kind, "title", title, "full_title",
                      full, "description",
                      description && *description ? description : page_str(c->cfg, "description"),
                      "url", url, "og_type", !strcmp(kind, "article") ? "article" : "website");
        if (strcmp(kind, "404")) {
                char *canon = page_abs_url(c, url);
                json_object_set_new(page, "canonical", json_string(canon));
                free(canon);
        }
        json_t *ctx = json_pack("{s:o, s:s, s:o, s:b}", "site", site, "root", root, "page", page,
                                "dev_reload", c->opts->dev);
        free(root);
        free(full);
        return ctx;
}

/* ---- page keys ---- */

static void key_len(struct buf *b, size_t n)
{
        uint64_t v = n;
        buf_put(b, &v, sizeof v);
}

/* Appends v: a type letter, then counts and lengths ahead of what they count, so that two
 * different values never give the same bytes. Returns 0, or -1 when v is nested deeper
 * than KEY_DEPTH. */
static int key_value(struct buf *b, json_t *v, int depth)
{
        if (depth > KEY_DEPTH)
                return -1;
        if (!v) {
                buf_putc(b, 'x');
                return 0;
        }
        const char *name;
        size_t len, i;
        json_t *m;
        int rc = 0;
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                buf_putc(b, '{');
                key_len(b, json_object_size(v));
                json_object_keylen_foreach(v, name, len, m)
                {
                        key_len(b, len);
                        buf_put(b, name, len);
                        rc |= key_value(b, m, depth + 1);
                }
                return rc;
        case JSON_ARRAY:
                buf_putc(b, '[');
                key_len(b, json_array_size(v));
                json_array_foreach(v, i, m) rc |= key_value(b, m, depth + 1);
                return rc;
        case JSON_STRING:
                buf_putc(b, 's');
                key_len(b, json_string_length(v));
                buf_put(b, json_string_value(v), json_string_length(v));
                return 0;
        case JSON_INTEGER: {
                json_int_t n = json_integer_value(v);
                buf_putc(b, 'i');
                buf_put(b, &n, sizeof n);
                return 0;
        }
        case JSON_REAL: {
                double d = json_real_value(v);
                buf_putc(b, 'r');
                buf_put(b, &d, sizeof d);
                return 0;
        }
        case JSON_TRUE:
                buf_putc(b, 't');
                return 0;
        case JSON_FALSE:
                buf_putc(b, 'f');
                return 0;
        case JSON_NULL:
                buf_putc(b, 'n');
                return 0;
        }
        return -1;
}

void page_key_json(struct page_key *k, json_t *v)
{
        if (k->on && key_value(&k->b, v, 0) < 0)
                k->on = false;
}

void page_key_bytes(struct page_key *k, const char *s, size_t n)
{
        if (!k->on)
                return;
        if (!s) {
                buf_putc(&k->b, 'x');
                return;
        }
        buf_putc(&k->b, 's');
        key_len(&k->b, n);
        buf_put(&k->b, s, n);
}

static void key_str(struct page_key *k, const char *s)
{
        page_key_bytes(k, s, s ? strlen(s) : 0);
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_template(const char *name)
{
        size_t n = strlen(name);
        return n >= 9 && !strcmp(name + n - 9, ".mustache");
}

/* The names in dir but "." and "..", sorted (readdir's order is the file system's), into
 * *names (caller frees); *budget counts them down. Returns how many, or -1 (nothing to
 * free) when dir cannot be read or the budget runs out. */
static long list_names(const char *dir, char ***names, long *budget)
{
        DIR *dh = opendir(dir);
        *names = NULL;
        if (!dh)
                return -1;
        long n = 0;
        struct dirent *e;
        while ((e = readdir(dh))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                        continue;
                if (--*budget < 0) {
                        while (n > 0)
                                free((*names)[--n]);
                        free(*names);
                        *names = NULL;
                        n = -1;
                        break;
                }
                *names = xrealloc(*names, (size_t)(n + 1) * sizeof **names);
                (*names)[n++] = xstrdup(e->d_name);
        }
        closedir(dh);
        if (n > 0)
                qsort(*names, (size_t)n, sizeof **names, cmp_names);
        return n;
}

/* Appends the path (below the templates folder) and bytes of every NAME.mustache file
 * under dir, in name order: the template library may read any of them (a partial's name
 * can come from the data), so every key has them all. Links are followed and hidden
 * files included, as the library reads them; a name that cannot be looked at is one the
 * library cannot read either, and the key says so. Returns 0, or -1 when a template
 * cannot be read or the tree is too deep or too large (then no page is skipped). */
static int templates_add(struct page_key *k, const char *dir, const char *rel, int depth,
                         long *budget)
{
        char **names;
        if (depth > TEMPLATE_DEPTH)
                return -1;
        long n = list_names(dir, &names, budget);
        if (n < 0)
                return -1;
        int rc = 0;
        struct diag *quiet = diag_new();
        struct buf data = {0};
        for (long i = 0; i < n; i++) {
                char *path = xasprintf("%s/%s", dir, names[i]);
                char *sub = xasprintf("%s%s", rel, names[i]);
                struct stat st;
                if (rc < 0) {
                        /* only freeing what is left */
                } else if (stat(path, &st) < 0) {
                        key_str(k, sub);
                        key_str(k, NULL);
                } else if (S_ISDIR(st.st_mode)) {
                        char *below = xasprintf("%s/", sub);
                        rc = templates_add(k, path, below, depth + 1, budget);
                        free(below);
                } else if (is_template(names[i])) {
                        if (!S_ISREG(st.st_mode) || fsio_read(path, &data, quiet) < 0) {
                                rc = -1;
                        } else {
                                key_str(k, sub);
                                page_key_bytes(k, data.data, data.len);
                        }
                }
                free(path);
                free(sub);
                free(names[i]);
        }
        free(names);
        buf_free(&data);
        diag_free(quiet);
        return rc;
}

void page_keys_begin(struct page_build *c)
{
        c->keyed = false;
        if (!c->o || !c->cache || !c->opts->templates_dir)
                return;
        struct page_key k = {.on = true};
        unsigned char salt[32];
        cache_salt(c->cache, salt);
        key_str(&k, KEY_FORMAT);
        page_key_bytes(&k, (const char *)salt, sizeof salt);
        key_str(&k, c->opts->dev ? "dev" : "");
        page_key_json(&k, c->site);
        long budget = TEMPLATE_NAMES;
        if (templates_add(&k, c->opts->templates_dir, "", 0, &budget) == 0 && k.on) {
                digest_sha256(c->key_salt, k.b.data, k.b.len);
                c->keyed = true;
        }
        buf_free(&k.b);
}

/* What a card of article a shows (page_card) and what a list's month heading reads of
 * it: keep in step with both. */
static const char *const card_fields[] = {"title",   "url",        "date",        "date_zh",
                                          "summary", "source",     "region",      "topics",
                                          "tags",    "date_epoch", "date_offset", NULL};

void page_keys_cards(struct page_build *c)
{
        if (!c->keyed || c->card_keys)
                return;
        json_t *articles = json_object_get(c->model, "articles");
        size_t n = json_array_size(articles), i;
        c->card_keys = xmalloc((n ? n : 1) * sizeof *c->card_keys);
        json_t *a;
        struct page_key k = {.on = true};
        json_array_foreach(articles, i, a)
        {
                if (!json_is_object(a)) { /* the quick rebuild's sparse model: not shown */
                        memset(c->card_keys[i], 0, sizeof *c->card_keys);
                        continue;
                }
                buf_reset(&k.b);
                for (const char *const *f = card_fields; *f; f++) {
                        key_str(&k, *f);
                        page_key_json(&k, json_object_get(a, *f));
                }
                digest_sha256(c->card_keys[i], k.b.data, k.b.len);
        }
        buf_free(&k.b);
        if (!k.on) { /* a card nested too deep to key: then no page is skipped */
                free(c->card_keys);
                c->card_keys = NULL;
                c->keyed = false;
        }
}

void page_keys_end(struct page_build *c)
{
        free(c->card_keys);
        c->card_keys = NULL;
}

void page_key_begin(struct page_build *c, struct page_key *k, const char *tmpl, const char *rel)
{
        *k = (struct page_key){.on = c->keyed};
        if (!k->on)
                return;
        buf_put(&k->b, c->key_salt, sizeof c->key_salt);
        key_str(k, tmpl);
        key_str(k, rel);
}

void page_key_card(struct page_build *c, struct page_key *k, json_t *index)
{
        if (!c->card_keys)
                k->on = false; /* page_keys_cards was not called: no key */
        if (!k->on)
                return;
        /* the article page_article_at finds, or none */
        size_t n = json_array_size(json_object_get(c->model, "articles"));
        size_t i = (size_t)json_integer_value(index);
        if (!index || i >= n) {
                buf_putc(&k->b, index ? 'o' : 'x');
                return;
        }
        page_key_bytes(k, (const char *)c->card_keys[i], 32);
}

/* Counts a page written or kept and adds it to the sitemap unless lastmod is NULL and
 * in_sitemap is false. */
static void page_done(struct page_build *c, const char *loc, const char *lastmod, bool in_sitemap)
{
        pthread_mutex_lock(&c->lock);
        c->stats->pages++;
        if (in_sitemap) {
                buf_put(&c->sitemap, loc, strlen(loc) + 1);
                buf_put(&c->sitemap, lastmod ? lastmod : "", lastmod ? strlen(lastmod) + 1 : 1);
                c->sitemap_n++;
        }
        pthread_mutex_unlock(&c->lock);
}

bool page_keep(struct page_build *c, struct page_key *k, const char *url, const char *rel,
               const char *lastmod, bool in_sitemap)
{
        if (k->on)
                digest_sha256(k->md, k->b.data, k->b.len);
        buf_free(&k->b);
        if (!k->on || !output_keep(c->o, rel, k->md))
                return false;
        pthread_mutex_lock(&c->lock);
        c->stats->files++;
        pthread_mutex_unlock(&c->lock);
        char *loc = page_abs_url(c, url); /* the canonical URL, as page_context makes it */
        page_done(c, loc, lastmod, in_sitemap);
        free(loc);
        return true;
}

int page_write_key(struct page_build *c, const char *tmpl, const char *rel, json_t *ctx,
                   const char *lastmod, bool in_sitemap, struct page_key *k)
{
        buf_free(&k->b);
        struct buf out = {0};
        int rc = tmpl_render(c->lib, tmpl, ctx, &out, c->d);
        if (rc == 0 && k->on) {
                pthread_mutex_lock(&c->lock);
                c->stats->files++;
                pthread_mutex_unlock(&c->lock);
                rc = output_write_key(c->o, rel, buf_cstr(&out), out.len, k->md, c->d);
        } else if (rc == 0) {
                rc = page_emit(c, rel, &out);
        }
        if (rc == 0)
                page_done(c, page_str(json_object_get(ctx, "page"), "canonical"), lastmod,
                          in_sitemap);
        buf_free(&out);
        json_decref(ctx);
        return rc;
}

/* Renders template name with ctx to rel; adds the page to the sitemap unless lastmod is
 * NULL and in_sitemap is false. Consumes ctx. */
int page_write(struct page_build *c, const char *tmpl, const char *rel, json_t *ctx,
               const char *lastmod, bool in_sitemap)
{
        struct page_key none = {.on = false};
        return page_write_key(c, tmpl, rel, ctx, lastmod, in_sitemap, &none);
}

char *page_index_file(const char *url)
{
        return xasprintf("%sindex.html", url);
}

/* A card: what a list shows of an article. */
/* Sets key in card to article a's string of the same name, shared (not copied: a card is
 * made for every listed and related article, tens of thousands per build), or "" when a
 * has none. */
static void card_share(json_t *card, json_t *a, const char *key)
{
        json_t *v = json_object_get(a, key);
        json_object_set_new_nocheck(card, key,
                                    json_is_string(v) ? json_incref(v) : json_string(""));
}

/* As card_share, but null when a has no such string: null, not absent, so that a
 * template's {{#region}} inside the card does not find a region further out (a data
 * page's own). */
static void card_share_opt(json_t *card, json_t *a, const char *key)
{
        json_t *v = json_object_get(a, key);
        json_object_set_new_nocheck(card, key, json_is_string(v) ? json_incref(v) : json_null());
}

json_t *page_card(json_t *a)
{
        json_t *card = json_object();
        static const char *const keys[] = {"title", "url", "date", "date_zh", "summary", NULL};
        for (const char *const *k = keys; *k; k++)
                card_share(card, a, *k);
        card_share_opt(card, a, "source");
        card_share_opt(card, a, "region");
        json_object_set_nocheck(card, "topics", json_object_get(a, "topics"));
        json_object_set_nocheck(card, "tags", json_object_get(a, "tags"));
        return card;
}

json_t *page_article_at(struct page_build *c, json_t *index)
{
        return json_array_get(json_object_get(c->model, "articles"),
                              (size_t)json_integer_value(index));
}

/* Absolute URL of a site path. Caller frees. */
char *page_abs_url(struct page_build *c, const char *path)
{
        return xasprintf("%s%s", page_str(c->cfg, "base_url"), path);
}
