/* site: the model. */
#include "site.h"
#include "buf.h"
#include "date.h"
#include "escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RELATED_MAX 4

const char *const site_reserved[] = {
    "articles", "topics",    "tags",        "archive",    "static",   "media",
    "page",     "search",    "data",        "subscribe",  "_dev",     "feed.xml",
    "atom.xml", "feed.json", "sitemap.xml", "robots.txt", "404.html", NULL};

static const char *str(json_t *obj, const char *key)
{
        const char *s = json_string_value(json_object_get(obj, key));
        return s ? s : "";
}

static int newest_first(const void *pa, const void *pb)
{
        json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
        json_int_t ea = json_integer_value(json_object_get(a, "date_epoch"));
        json_int_t eb = json_integer_value(json_object_get(b, "date_epoch"));
        if (ea != eb)
                return ea > eb ? -1 : 1;
        return strcmp(str(a, "slug"), str(b, "slug"));
}

/* Sorts a json array with a comparator on its items. */
static void sort_array(json_t *arr, int (*cmp)(const void *, const void *))
{
        size_t n = json_array_size(arr);
        json_t **items = xmalloc((n ? n : 1) * sizeof *items);
        for (size_t i = 0; i < n; i++)
                items[i] = json_incref(json_array_get(arr, i));
        qsort(items, n, sizeof *items, cmp);
        json_array_clear(arr);
        for (size_t i = 0; i < n; i++)
                json_array_append_new(arr, items[i]);
        free(items);
}

/* A tag's folder name: the tag itself (Chinese kept), with characters that cannot be
 * part of one path segment replaced by '-', so that no tag can name a path outside
 * tags/ ("../x", "a/b", control characters, a leading dot). */
static char *tag_dir(const char *name)
{
        struct buf b = {0};
        for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
                if (*p < 0x20 || *p == 0x7F || *p == '/' || *p == '\\' || (*p == '.' && b.len == 0))
                        buf_putc(&b, '-');
                else
                        buf_putc(&b, (char)*p);
        }
        if (!b.len)
                buf_putc(&b, '-');
        if (!strcmp(buf_cstr(&b), "index.html")) /* tags/index.html is the tag index */
                buf_putc(&b, '-');
        return buf_detach(&b);
}

static void add_index(json_t *group, size_t i)
{
        json_array_append_new(json_object_get(group, "articles"), json_integer((json_int_t)i));
        json_object_set_new(group, "count",
                            json_integer(json_integer_value(json_object_get(group, "count")) + 1));
}

static json_t *topic_index(json_t *cfg, json_t *topics_by_slug)
{
        json_t *topics = json_array();
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(cfg, "topics"), i, t)
        {
                char *url = xasprintf("topics/%s/", str(t, "slug"));
                json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:i, s:[]}", "slug", str(t, "slug"),
                                      "name", str(t, "name"), "description", str(t, "description"),
                                      "url", url, "count", 0, "articles");
                free(url);
                json_array_append(topics, m);
                json_object_set_new(topics_by_slug, str(t, "slug"), m);
        }
        return topics;
}

static int more_used_first(const void *pa, const void *pb)
{
        json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
        json_int_t ca = json_integer_value(json_object_get(a, "count"));
        json_int_t cb = json_integer_value(json_object_get(b, "count"));
        if (ca != cb)
                return ca > cb ? -1 : 1;
        return strcmp(str(a, "name"), str(b, "name"));
}

/* Fills in each article's topics and tags as objects and the topic and tag groups. */
static void link_topics_and_tags(json_t *articles, json_t *topics_by_slug, json_t *tags)
{
        json_t *tags_by_dir = json_object();
        size_t i;
        json_t *a;
        json_array_foreach(articles, i, a)
        {
                json_t *ts = json_array(), *gs = json_array();
                size_t j;
                json_t *v;
                json_array_foreach(json_object_get(a, "topics"), j, v)
                {
                        json_t *t = json_object_get(topics_by_slug, json_string_value(v));
                        add_index(t, i);
                        json_array_append_new(ts, json_pack("{s:s, s:s, s:s}", "slug",
                                                            str(t, "slug"), "name", str(t, "name"),
                                                            "url", str(t, "url")));
                }
                json_array_foreach(json_object_get(a, "tags"), j, v)
                {
                        char *dir = tag_dir(json_string_value(v));
                        json_t *g = json_object_get(tags_by_dir, dir);
                        if (!g) {
                                struct buf url = {0};
                                buf_puts(&url, "tags/");
                                escape_url_segment(&url, dir, strlen(dir));
                                buf_putc(&url, '/');
                                g = json_pack("{s:s, s:s, s:s, s:i, s:[]}", "name",
                                              json_string_value(v), "dir", dir, "url",
                                              buf_cstr(&url), "count", 0, "articles");
                                json_object_set_new(tags_by_dir, dir, g);
                                json_array_append(tags, g);
                                buf_free(&url);
                        }
                        /* the same tag twice on one article counts once */
                        json_t *idx = json_object_get(g, "articles");
                        size_t last = json_array_size(idx);
                        if (!last ||
                            json_integer_value(json_array_get(idx, last - 1)) != (json_int_t)i) {
                                add_index(g, i);
                                json_array_append_new(
                                    gs, json_pack("{s:s, s:s, s:s}", "name", str(g, "name"), "url",
                                                  str(g, "url"), "dir", str(g, "dir")));
                        }
                        free(dir);
                }
                json_object_set_new(a, "topics", ts);
                json_object_set_new(a, "tags", gs);
        }
        sort_array(tags, more_used_first);
        json_decref(tags_by_dir);
}

/* Archive by year and month, each article in the zone its date was written in, so that
 * it is filed under the day its page shows. */
static json_t *archive(json_t *articles)
{
        json_t *years = json_array();
        json_t *year = NULL, *month = NULL;
        int cur_y = -1, cur_m = -1;
        size_t i;
        json_t *a;
        json_array_foreach(articles, i, a)
        {
                struct gdate g = {json_integer_value(json_object_get(a, "date_epoch")),
                                  (int)json_integer_value(json_object_get(a, "date_offset"))};
                struct gdate_fields f;
                date_fields(&g, &f);
                if (f.year != cur_y) {
                        char *url = xasprintf("archive/%04d/", f.year);
                        year = json_pack("{s:i, s:s, s:i, s:[]}", "year", f.year, "url", url,
                                         "count", 0, "months");
                        json_array_append_new(years, year);
                        free(url);
                        cur_y = f.year;
                        cur_m = -1;
                }
                if (f.month != cur_m) {
                        char *url = xasprintf("archive/%04d/%02d/", f.year, f.month);
                        char *label = xasprintf("%d月", f.month);
                        month = json_pack("{s:i, s:s, s:s, s:i, s:[]}", "month", f.month, "label",
                                          label, "url", url, "count", 0, "articles");
                        json_array_append_new(json_object_get(year, "months"), month);
                        free(url);
                        free(label);
                        cur_m = f.month;
                }
                json_object_set_new(
                    year, "count",
                    json_integer(json_integer_value(json_object_get(year, "count")) + 1));
                add_index(month, i);
        }
        return years;
}

/* A topic's or tag's articles as plain indices, and what sharing it is worth. */
struct group {
        size_t *idx;
        size_t n;
        int weight;
};

/* Keeps best[] (at most RELATED_MAX, best first) with the candidate o placed by score,
 * then by index (newer first). */
static void keep_best(size_t *best, int *nbest, const int *score, size_t o)
{
        int at = *nbest;
        while (at > 0 && (score[o] > score[best[at - 1]] ||
                          (score[o] == score[best[at - 1]] && o < best[at - 1])))
                at--;
        if (at >= RELATED_MAX)
                return;
        int last = *nbest < RELATED_MAX ? *nbest : RELATED_MAX - 1;
        for (int k = last; k > at; k--)
                best[k] = best[k - 1];
        best[at] = o;
        if (*nbest < RELATED_MAX)
                (*nbest)++;
}

/* Related articles: those sharing topics (2 points each) and tags (1 point), best first,
 * newer first on a tie. Scores are summed over the groups an article is in, so the cost
 * is the size of those groups, not the size of the site. */
static void relate(json_t *articles, json_t *topics, json_t *tags)
{
        size_t n = json_array_size(articles);
        size_t ngroups = json_array_size(topics) + json_array_size(tags);
        struct group *groups = xcalloc(ngroups ? ngroups : 1, sizeof *groups);
        size_t *member_count = xcalloc(n ? n : 1, sizeof *member_count);
        size_t g = 0;
        for (int kind = 0; kind < 2; kind++) {
                size_t i;
                json_t *grp;
                json_array_foreach(kind ? tags : topics, i, grp)
                {
                        json_t *idx = json_object_get(grp, "articles");
                        struct group *G = &groups[g++];
                        G->n = json_array_size(idx);
                        G->idx = xmalloc((G->n ? G->n : 1) * sizeof *G->idx);
                        G->weight = kind ? 1 : 2;
                        for (size_t k = 0; k < G->n; k++) {
                                G->idx[k] = (size_t)json_integer_value(json_array_get(idx, k));
                                member_count[G->idx[k]]++;
                        }
                }
        }
        /* each article's groups, as offsets into one array */
        size_t *start = xcalloc(n + 1, sizeof *start);
        for (size_t i = 0; i < n; i++)
                start[i + 1] = start[i] + member_count[i];
        size_t *member = xmalloc((start[n] ? start[n] : 1) * sizeof *member);
        memset(member_count, 0, n * sizeof *member_count);
        for (size_t k = 0; k < ngroups; k++)
                for (size_t j = 0; j < groups[k].n; j++) {
                        size_t a = groups[k].idx[j];
                        member[start[a] + member_count[a]++] = k;
                }
        int *score = xcalloc(n ? n : 1, sizeof *score);
        size_t *touched = xmalloc((n ? n : 1) * sizeof *touched);
        for (size_t i = 0; i < n; i++) {
                size_t ntouched = 0;
                for (size_t m = start[i]; m < start[i + 1]; m++) {
                        const struct group *G = &groups[member[m]];
                        for (size_t j = 0; j < G->n; j++) {
                                size_t o = G->idx[j];
                                if (o == i)
                                        continue;
                                if (!score[o])
                                        touched[ntouched++] = o;
                                score[o] += G->weight;
                        }
                }
                size_t best[RELATED_MAX];
                int nbest = 0;
                for (size_t t = 0; t < ntouched; t++)
                        keep_best(best, &nbest, score, touched[t]);
                json_t *rel = json_array();
                for (int k = 0; k < nbest; k++)
                        json_array_append_new(rel, json_integer((json_int_t)best[k]));
                for (size_t t = 0; t < ntouched; t++)
                        score[touched[t]] = 0;
                json_object_set_new(json_array_get(articles, i), "related", rel);
        }
        for (size_t k = 0; k < ngroups; k++)
                free(groups[k].idx);
        free(groups);
        free(member_count);
        free(start);
        free(member);
        free(score);
        free(touched);
}

static void set_date_zh(json_t *obj, const char *key)
{
        char *ek = xasprintf("%s_epoch", key), *ok = xasprintf("%s_offset", key);
        char *zk = xasprintf("%s_zh", key);
        if (json_object_get(obj, ek)) {
                struct gdate g = {json_integer_value(json_object_get(obj, ek)),
                                  (int)json_integer_value(json_object_get(obj, ok))};
                struct buf b = {0};
                date_zh(&b, &g);
                json_object_set_new(obj, zk, json_string(buf_cstr(&b)));
                buf_free(&b);
        }
        free(ek);
        free(ok);
        free(zk);
}

/* Marks the articles some feed shows: the site feed's newest and each topic's. */
static void mark_feeds(json_t *articles, json_t *topics, size_t feed_size)
{
        for (size_t i = 0; i < json_array_size(articles) && i < feed_size; i++)
                json_object_set_new(json_array_get(articles, i), "in_feed", json_true());
        size_t k;
        json_t *t;
        json_array_foreach(topics, k, t)
        {
                json_t *idx = json_object_get(t, "articles");
                for (size_t i = 0; i < json_array_size(idx) && i < feed_size; i++)
                        json_object_set_new(json_array_get(articles, (size_t)json_integer_value(
                                                                         json_array_get(idx, i))),
                                            "in_feed", json_true());
        }
}

/* Checks that no two articles share a slug; reported at the later file. */
static int check_slugs(json_t *articles, struct diag *d)
{
        int rc = 0;
        json_t *seen = json_object();
        size_t i;
        json_t *a;
        json_array_foreach(articles, i, a)
        {
                json_t *prev = json_object_get(seen, str(a, "slug"));
                if (prev) {
                        json_int_t line = json_integer_value(json_object_get(a, "slug_line"));
                        json_int_t col = json_integer_value(json_object_get(a, "slug_col"));
                        diag_error(d, str(a, "path"), line ? (int)line : 1, col ? (int)col : 1,
                                   "duplicate slug '%s': %s has it too (set a different slug:)",
                                   str(a, "slug"), json_string_value(prev));
                        rc = -1;
                } else
                        json_object_set_new(seen, str(a, "slug"), json_string(str(a, "path")));
        }
        json_decref(seen);
        return rc;
}

/* Checks that no page takes a path the generator or another page writes. */
static int check_page_paths(json_t *pages, json_t *known, struct diag *d)
{
        int rc = 0;
        json_t *seen = json_object();
        size_t i;
        json_t *a;
        json_array_foreach(pages, i, a)
        {
                const char *slug = str(a, "slug");
                int reserved = 0;
                for (const char *const *r = site_reserved; *r && !reserved; r++)
                        reserved = !strcmp(*r, slug);
                json_t *prev = json_object_get(seen, slug);
                if (reserved || prev || json_object_get(known, str(a, "url"))) {
                        json_int_t line = json_integer_value(json_object_get(a, "slug_line"));
                        json_int_t col = json_integer_value(json_object_get(a, "slug_col"));
                        diag_error(d, str(a, "path"), line ? (int)line : 1, col ? (int)col : 1,
                                   "page path /%s/ is already taken%s%s", slug,
                                   prev ? " by " : " by the generator",
                                   prev ? json_string_value(prev) : "");
                        rc = -1;
                } else
                        json_object_set_new(seen, slug, json_string(str(a, "path")));
        }
        json_decref(seen);
        return rc;
}

static void know(json_t *known, const char *path)
{
        json_object_set_new(known, path, json_true());
}

/* Datasets: URLs, topics as objects, the paths of their downloads, and the articles that
 * name them in `datasets:` (whose names are checked and become {name, title, url}). */
static int link_datasets(json_t *articles, json_t *datasets, json_t *topics_by_slug, json_t *known,
                         struct diag *d)
{
        int rc = 0;
        json_t *by_name = json_object();
        size_t i;
        json_t *ds;
        know(known, "data/");
        json_array_foreach(datasets, i, ds)
        {
                char *url = xasprintf("data/%s/", str(ds, "name"));
                json_object_set_new(ds, "url", json_string(url));
                json_object_set_new(ds, "articles", json_array());
                json_object_set(by_name, str(ds, "name"), ds);
                know(known, url);
                char *json = xasprintf("%s%s.json", url, str(ds, "name"));
                char *pkg = xasprintf("%sdatapackage.json", url);
                know(known, json);
                know(known, pkg);
                free(json);
                free(pkg);
                size_t j;
                json_t *r;
                json_array_foreach(json_object_get(ds, "resources"), j, r)
                {
                        char *file = xasprintf("%s%s", url, str(r, "path"));
                        know(known, file);
                        free(file);
                }
                json_t *topics = json_array(), *slug;
                json_array_foreach(json_object_get(ds, "topics"), j, slug)
                {
                        json_t *t = json_object_get(topics_by_slug, json_string_value(slug));
                        if (t)
                                json_array_append_new(topics, json_pack("{s:s, s:s, s:s}", "slug",
                                                                        str(t, "slug"), "name",
                                                                        str(t, "name"), "url",
                                                                        str(t, "url")));
                }
                json_object_set_new(ds, "topics", topics);
                free(url);
        }
        json_t *a;
        json_array_foreach(articles, i, a)
        {
                json_t *named = json_array(), *name;
                size_t j;
                json_array_foreach(json_object_get(a, "datasets"), j, name)
                {
                        json_t *found = json_object_get(by_name, json_string_value(name));
                        if (!found) {
                                json_int_t line =
                                    json_integer_value(json_object_get(a, "datasets_line"));
                                json_int_t col =
                                    json_integer_value(json_object_get(a, "datasets_col"));
                                diag_error(d, str(a, "path"), line ? (int)line : 1,
                                           col ? (int)col : 1,
                                           "unknown dataset '%s' (no content/data/%s/)",
                                           json_string_value(name), json_string_value(name));
                                rc = -1;
                                continue;
                        }
                        json_array_append_new(json_object_get(found, "articles"),
                                              json_integer((json_int_t)i));
                        json_array_append_new(
                            named, json_pack("{s:s, s:s, s:s}", "name", str(found, "name"), "title",
                                             str(found, "title"), "url", str(found, "url")));
                }
                json_object_set_new(a, "datasets", named);
        }
        json_decref(by_name);
        return rc;
}

/* True when a shows at now: not a draft (unless drafts), not scheduled for later, not
 * expired. */
static bool published(json_t *a, bool drafts, int64_t now)
{
        if (!drafts && json_is_true(json_object_get(a, "draft")))
                return false;
        if (json_integer_value(json_object_get(a, "date_epoch")) > now)
                return false;
        json_t *exp = json_object_get(a, "expires_epoch");
        return !exp || json_integer_value(exp) > now;
}

/* The file an alias is written to: "/old/" -> "old/index.html", "/a.html" stays,
 * "/old" -> "old/index.html". Caller frees. */
static char *alias_file(const char *alias)
{
        const char *p = alias + 1;
        size_t n = strlen(p);
        if (n && p[n - 1] == '/')
                return xasprintf("%sindex.html", p);
        if ((n > 5 && !strcmp(p + n - 5, ".html")) || (n > 4 && !strcmp(p + n - 4, ".htm")))
                return xstrdup(p);
        return xasprintf("%s/index.html", p);
}

/* Redirect pages for every alias: [{file, target (article index)}]. An alias may not
 * take a path the site writes or another alias has. */
static json_t *redirects(json_t *articles, json_t *known, struct diag *d, int *failed)
{
        json_t *out = json_array(), *taken = json_object();
        size_t i;
        json_t *a;
        json_array_foreach(articles, i, a)
        {
                size_t j;
                json_t *al;
                json_array_foreach(json_object_get(a, "aliases"), j, al)
                {
                        char *file = alias_file(json_string_value(al));
                        char *dir = xstrdup(file);
                        char *slash = strrchr(dir, '/');
                        if (slash && !strcmp(slash, "/index.html"))
                                slash[1] = '\0';
                        json_t *prev = json_object_get(taken, file);
                        if (prev || json_object_get(known, dir) || json_object_get(known, file)) {
                                json_int_t line =
                                    json_integer_value(json_object_get(a, "aliases_line"));
                                diag_error(d, str(a, "path"), line ? (int)line : 1, 1,
                                           "alias %s: the site already has that page%s%s",
                                           json_string_value(al), prev ? " (alias of " : "",
                                           prev ? json_string_value(prev) : "");
                                if (prev)
                                        diag_error(d, str(a, "path"), line ? (int)line : 1, 1,
                                                   "(the other alias is in that file)");
                                *failed = 1;
                        } else {
                                json_object_set_new(taken, file, json_string(str(a, "path")));
                                json_array_append_new(out, json_pack("{s:s, s:i}", "file", file,
                                                                     "target", (json_int_t)i));
                                json_object_set_new(known, dir, json_true());
                        }
                        free(file);
                        free(dir);
                }
        }
        json_decref(taken);
        return out;
}

json_t *site_build(json_t *cfg, json_t *content, bool drafts, int64_t now, struct diag *d)
{
        const char *base = str(cfg, "base_url");
        json_t *articles = json_array(), *pages = json_array(), *known = json_object();
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(content, "articles"), i, a)
        {
                if (published(a, drafts, now))
                        json_array_append(articles, a);
        }
        json_array_foreach(json_object_get(content, "pages"), i, a)
        {
                if (drafts || !json_is_true(json_object_get(a, "draft")))
                        json_array_append(pages, a);
        }
        /* duplicates are reported in file order, at the later file */
        int paths_ok = check_slugs(articles, d) == 0;
        sort_array(articles, newest_first);
        json_t *topics_by_slug = json_object();
        json_t *topics = topic_index(cfg, topics_by_slug);
        json_t *tags = json_array();
        link_topics_and_tags(articles, topics_by_slug, tags);
        json_t *years = archive(articles);
        json_t *datasets = json_object_get(content, "datasets");
        if (!datasets)
                datasets = json_array();
        else
                json_incref(datasets);
        if (link_datasets(articles, datasets, topics_by_slug, known, d) < 0)
                paths_ok = 0;
        relate(articles, topics, tags);
        mark_feeds(articles, topics, (size_t)json_integer_value(json_object_get(cfg, "feed_size")));
        size_t n = json_array_size(articles);
        json_array_foreach(articles, i, a)
        {
                char *url = xasprintf("articles/%s/", str(a, "slug"));
                char *perm = xasprintf("%s%s", base, url);
                json_object_set_new(a, "url", json_string(url));
                json_object_set_new(a, "permalink", json_string(perm));
                json_object_set_new(a, "index", json_integer((json_int_t)i));
                if (i + 1 < n)
                        json_object_set_new(a, "prev", json_integer((json_int_t)(i + 1)));
                if (i > 0)
                        json_object_set_new(a, "next", json_integer((json_int_t)(i - 1)));
                set_date_zh(a, "date");
                set_date_zh(a, "updated");
                size_t j;
                json_t *c;
                json_array_foreach(json_object_get(a, "corrections"), j, c) set_date_zh(c, "date");
                know(known, url);
                free(url);
                free(perm);
        }
        json_array_foreach(pages, i, a)
        {
                char *url = xasprintf("%s/", str(a, "slug"));
                json_object_set_new(a, "url", json_string(url));
                set_date_zh(a, "updated");
                free(url);
        }
        static const char *const fixed[] = {
            "",         "topics/",   "tags/",       "archive/",   "subscribe/", "feed.xml",
            "atom.xml", "feed.json", "sitemap.xml", "robots.txt", "404.html",   NULL};
        for (const char *const *f = fixed; *f; f++)
                know(known, *f);
        json_array_foreach(topics, i, a)
        {
                know(known, str(a, "url"));
                char *feed = xasprintf("%sfeed.xml", str(a, "url"));
                know(known, feed);
                free(feed);
        }
        json_array_foreach(tags, i, a)
        {
                char *raw = xasprintf("tags/%s/", str(a, "dir"));
                know(known, raw); /* an author may write the tag unencoded */
                know(known, str(a, "url"));
                free(raw);
        }
        json_array_foreach(years, i, a)
        {
                know(known, str(a, "url"));
                size_t j;
                json_t *m;
                json_array_foreach(json_object_get(a, "months"), j, m) know(known, str(m, "url"));
        }
        json_t *model = NULL;
        if (paths_ok && check_page_paths(pages, known, d) == 0) {
                json_array_foreach(pages, i, a) know(known, str(a, "url"));
                int failed = 0;
                json_t *moved = redirects(articles, known, d, &failed);
                if (!failed)
                        model = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o}", "articles",
                                          articles, "pages", pages, "topics", topics, "tags", tags,
                                          "years", years, "datasets", datasets, "known", known,
                                          "redirects", moved);
                else
                        json_decref(moved);
        }
        json_decref(articles);
        json_decref(pages);
        json_decref(topics);
        json_decref(topics_by_slug);
        json_decref(tags);
        json_decref(years);
        json_decref(datasets);
        json_decref(known);
        return model;
}
