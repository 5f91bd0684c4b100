/* page: what every page writer shares: the build's state, a page's common context
 * (site, root, page), cards, and writing a rendered page or file through output. Used
 * by render (articles, lists, feeds) and datapage (statistics). */
#include "page.h"
#include "buf.h"

#include <string.h>

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
                char *canon = xasprintf("%s%s", page_str(c->cfg, "base_url"), url);
                json_object_set_new(page, "canonical", json_string(canon));
                free(canon);
        }
        json_t *ctx = json_pack("{s:o, s:s, s:o, s:b}", "site", site, "root", root, "page", page,
                                "dev_reload", c->opts->dev);
        free(root);
        free(full);
        return ctx;
}

/* Renders template name with ctx to rel; adds the page to the sitemap unless lastmod is
 * NULL and sitemap is false. Consumes ctx. */
int page_write(struct page_build *c, const char *tmpl, const char *rel, json_t *ctx,
               const char *lastmod, bool in_sitemap)
{
        struct buf out = {0};
        int rc = tmpl_render(c->lib, tmpl, ctx, &out, c->d);
        if (rc == 0)
                rc = page_emit(c, rel, &out);
        if (rc == 0) {
                json_t *e = NULL;
                if (in_sitemap) {
                        json_t *page = json_object_get(ctx, "page");
                        e = json_pack("{s:s}", "loc", page_str(page, "canonical"));
                        if (lastmod)
                                json_object_set_new(e, "lastmod", json_string(lastmod));
                }
                pthread_mutex_lock(&c->lock);
                c->stats->pages++;
                if (e)
                        json_array_append_new(c->sitemap, e);
                pthread_mutex_unlock(&c->lock);
        }
        buf_free(&out);
        json_decref(ctx);
        return rc;
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
