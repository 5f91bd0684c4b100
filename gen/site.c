/* site: the model. */
#include "site.h"
#include "buf.h"
#include "date.h"
#include "escape.h"
#include "pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RELATED_MAX 4
/* An article in more groups than this is related by reading its groups: relate_pairs
 * looks at every set of them (2^n). */
#define PAIR_GROUPS_MAX 8
/* Pairs of groups kept per article, at most (an article in n groups is in n(n-1)/2). */
#define PAIR_BUDGET 32

const char *const site_reserved[] = {
    "articles", "topics",    "tags",        "archive",    "static",   "media",
    "page",     "search",    "data",        "subscribe",  "_dev",     "feed.xml",
    "atom.xml", "feed.json", "sitemap.xml", "robots.txt", "404.html", NULL};

static const char *str(json_t *obj, const char *key)
{
        const char *s = json_string_value(json_object_get(obj, key));
        return s ? s : "";
}

/* An article and what it is sorted by, looked up once rather than at each comparison. */
struct dated {
        json_int_t epoch;
        const char *slug;
        json_t *article;
};

static int newest_first(const void *pa, const void *pb)
{
        const struct dated *a = pa, *b = pb;
        if (a->epoch != b->epoch)
                return a->epoch > b->epoch ? -1 : 1;
        return strcmp(a->slug, b->slug);
}

/* Sorts articles newest first, then by slug. */
static void sort_newest_first(json_t *articles)
{
        size_t n = json_array_size(articles);
        struct dated *items = xmalloc((n ? n : 1) * sizeof *items);
        for (size_t i = 0; i < n; i++) {
                json_t *a = json_incref(json_array_get(articles, i));
                items[i] = (struct dated){json_integer_value(json_object_get(a, "date_epoch")),
                                          str(a, "slug"), a};
        }
        qsort(items, n, sizeof *items, newest_first);
        json_array_clear(articles);
        for (size_t i = 0; i < n; i++)
                json_array_append_new(articles, items[i].article);
        free(items);
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

/* Adds the article with index ix (a shared integer) to a group; counts are set once the
 * groups are full (set_count). */
static void add_index(json_t *group, json_t *ix)
{
        json_array_append(json_object_get(group, "articles"), ix);
}

/* A group's count: how many entries its articles list has. */
static void set_count(json_t *group)
{
        size_t n = json_array_size(json_object_get(group, "articles"));
        json_object_set_new(group, "count", json_integer((json_int_t)n));
}

/* The topic groups in site.yaml order, each also under its slug in topics_by_slug, and
 * under it in cards the {slug, name, url} that articles and datasets show: one object
 * that all of them share, not a copy each. */
static json_t *topic_index(json_t *cfg, json_t *topics_by_slug, json_t *cards)
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
                json_object_set_new(cards, str(t, "slug"),
                                    json_pack("{s:O, s:O, s:O}", "slug", json_object_get(m, "slug"),
                                              "name", json_object_get(m, "name"), "url",
                                              json_object_get(m, "url")));
        }
        return topics;
}

/* The shared {slug, name, url} of the topic with slug (empty strings for an unknown one,
 * which the front matter check does not let through). Returns a new reference. */
static json_t *topic_card(json_t *cards, const char *slug)
{
        json_t *c = json_object_get(cards, slug);
        return c ? json_incref(c) : json_pack("{s:s, s:s, s:s}", "slug", "", "name", "", "url", "");
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

/* The tag group of tag name, made on first use (with its card, the {name, url, dir}
 * every article with the tag shares). Tags whose folder names are the same share a group,
 * named after the first. by_name and by_dir hold [group, card] pairs. */
static json_t *tag_group(const char *name, json_t *by_name, json_t *by_dir, json_t *tags)
{
        json_t *pair = json_object_get(by_name, name);
        if (pair)
                return pair;
        char *dir = tag_dir(name);
        pair = json_object_get(by_dir, dir);
        if (!pair) {
                struct buf url = {0};
                buf_puts(&url, "tags/");
                escape_url_segment(&url, dir, strlen(dir));
                buf_putc(&url, '/');
                json_t *g = json_pack("{s:s, s:s, s:s, s:i, s:[]}", "name", name, "dir", dir, "url",
                                      buf_cstr(&url), "count", 0, "articles");
                json_t *card =
                    json_pack("{s:O, s:O, s:O}", "name", json_object_get(g, "name"), "url",
                              json_object_get(g, "url"), "dir", json_object_get(g, "dir"));
                pair = json_pack("[o, o]", g, card);
                json_object_set_new(by_dir, dir, pair);
                json_array_append(tags, g);
                buf_free(&url);
        }
        json_object_set(by_name, name, pair);
        free(dir);
        return pair;
}

/* Fills in each article's topics and tags as objects and the topic and tag groups. ints[i]
 * is the shared integer i. */
static void link_topics_and_tags(json_t *articles, json_t *topics_by_slug, json_t *topic_cards,
                                 json_t *tags, json_t *const *ints)
{
        json_t *by_name = json_object(), *by_dir = json_object();
        size_t i;
        json_t *a;
        json_array_foreach(articles, i, a)
        {
                json_t *ts = json_array(), *gs = json_array();
                size_t j;
                json_t *v;
                json_array_foreach(json_object_get(a, "topics"), j, v)
                {
                        add_index(json_object_get(topics_by_slug, json_string_value(v)), ints[i]);
                        json_array_append_new(ts, topic_card(topic_cards, json_string_value(v)));
                }
                json_array_foreach(json_object_get(a, "tags"), j, v)
                {
                        json_t *pair = tag_group(json_string_value(v), by_name, by_dir, tags);
                        json_t *g = json_array_get(pair, 0);
                        /* the same tag twice on one article counts once */
                        json_t *idx = json_object_get(g, "articles");
                        size_t last = json_array_size(idx);
                        if (!last || json_array_get(idx, last - 1) != ints[i]) {
                                add_index(g, ints[i]);
                                json_array_append(gs, json_array_get(pair, 1));
                        }
                }
                json_object_set_new(a, "topics", ts);
                json_object_set_new(a, "tags", gs);
        }
        json_array_foreach(tags, i, a) set_count(a);
        sort_array(tags, more_used_first);
        json_decref(by_name);
        json_decref(by_dir);
}

/* Archive by year and month, each article in the zone its date was written in, so that
 * it is filed under the day its page shows. */
static json_t *archive(json_t *articles, json_t *const *ints)
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
                add_index(month, ints[i]);
        }
        json_t *y;
        json_array_foreach(years, i, y)
        {
                size_t count = 0, j;
                json_t *m;
                json_array_foreach(json_object_get(y, "months"), j, m)
                {
                        set_count(m);
                        count += json_array_size(json_object_get(m, "articles"));
                }
                json_object_set_new(y, "count", json_integer((json_int_t)count));
        }
        return years;
}

/* A topic's or tag's articles as plain indices (ascending), and what sharing it is worth. */
struct group {
        uint32_t *idx;
        size_t n;
        int weight;
        int most; /* the most times one article is in it (a topic listed twice: 2) */
};

/* Pairs of groups: for every two groups that some article is in together, the articles
 * in both (ascending, each once). Articles that share two or more groups with an article
 * are found in these short lists; only those sharing one group need its whole list, and
 * those are ruled out by their bound when the best four score more (relate_pairs). */
struct pairs {
        uint64_t *slot_key; /* open addressing: 1 + (a << 32 | b) for groups a < b; 0 empty */
        uint32_t *slot_id;  /* per slot: the pair's number */
        size_t nslots, count;
        size_t *start;    /* pair p's articles: member[start[p]] up to member[start[p + 1]] */
        uint32_t *member; /* article indices */
};

/* What relate works with: the groups, each article's groups (member[start[o]] up to
 * member[start[o + 1]], in group order, an article listed twice in a group counted
 * twice), and per-article scratch. */
struct related_ctx {
        struct group *groups;
        uint32_t *start, *member;
        int *gw;         /* per group: its weight times how often the current article is in it */
        int *score;      /* per article: its score, valid once evaluated for the current one */
        uint32_t *stamp; /* per article: 1 + the article it was last evaluated for */
        size_t *lists;   /* the current article's distinct groups */
        uint32_t best[RELATED_MAX];
        int nbest;
        /* When there are at most 64 topics and 64 tags and no article is listed twice in
         * one, each article's topics and tags as bits: a score is then two popcounts,
         * not a walk over the candidate's groups (the walk made related articles the
         * largest part of the model step at 100,000 articles). NULL otherwise. */
        uint64_t *topic_bits, *tag_bits;
        uint64_t cur_topics, cur_tags; /* the current article's */
        const struct pairs *pairs;     /* NULL: too many to keep (relate_pairs) */
};

/* Keeps best[] (at most RELATED_MAX, best first) with the candidate o placed by score,
 * then by index (newer first). */
static void keep_best(uint32_t *best, int *nbest, const int *score, uint32_t o)
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

/* The number of bits set in x, inline (the baseline x86-64 has no popcnt instruction,
 * and the library call cost more than the scoring around it). */
static inline int bits_set(uint64_t x)
{
        x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
        x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
        x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
        return (int)((x * UINT64_C(0x0101010101010101)) >> 56);
}

/* Scores candidate o against article i (once) and offers it to best[]: what o shares
 * with i, read from o's own few groups. */
static void evaluate(struct related_ctx *c, size_t i, uint32_t o)
{
        if (o == i || c->stamp[o] == (uint32_t)(i + 1))
                return;
        c->stamp[o] = (uint32_t)(i + 1);
        int s = 0;
        if (c->topic_bits) {
                s = 2 * bits_set(c->topic_bits[o] & c->cur_topics) +
                    bits_set(c->tag_bits[o] & c->cur_tags);
        } else {
                for (uint32_t m = c->start[o], end = c->start[o + 1]; m < end; m++)
                        s += c->gw[c->member[m]];
        }
        c->score[o] = s;
        keep_best(c->best, &c->nbest, c->score, o);
}

/* Orders the current article's groups smallest first. */
static void sort_lists(struct related_ctx *c, size_t nl)
{
        for (size_t a = 1; a < nl; a++)
                for (size_t b = a; b > 0 && c->groups[c->lists[b]].n < c->groups[c->lists[b - 1]].n;
                     b--) {
                        size_t t = c->lists[b];
                        c->lists[b] = c->lists[b - 1];
                        c->lists[b - 1] = t;
                }
}

/* The best RELATED_MAX articles for article i, into c->best, reading i's whole groups
 * (nl of them, in c->lists). Every article in one of i's groups is a candidate, scored
 * exactly. Groups are read smallest first, and reading stops once no article left unread
 * could enter: those are in none of the groups read, so they score at most what the
 * groups left can give (rest); with the fourth best at theta, a score below theta cannot
 * enter, and one equal to it only with a lower index, which the next group (all of whose
 * members such an article must be in) shows in order. */
static void relate_groups(struct related_ctx *c, size_t i, size_t nl)
{
        int rest = 0;
        for (size_t l = 0; l < nl; l++)
                rest += c->gw[c->lists[l]] * c->groups[c->lists[l]].most;
        sort_lists(c, nl);
        for (size_t l = 0; l < nl; l++) {
                const struct group *G = &c->groups[c->lists[l]];
                bool ties_only = false; /* only articles tying with the fourth, before it */
                if (c->nbest == RELATED_MAX) {
                        int theta = c->score[c->best[RELATED_MAX - 1]];
                        if (rest < theta)
                                break;
                        ties_only = rest == theta;
                }
                for (size_t j = 0; j < G->n; j++) {
                        if (ties_only && G->idx[j] >= c->best[RELATED_MAX - 1])
                                break;
                        evaluate(c, i, G->idx[j]);
                }
                if (ties_only)
                        break;
                rest -= c->gw[c->lists[l]] * G->most;
        }
}

/* The number of pair p (groups a < b), or -1 when no article is in both. */
static long pair_find(const struct pairs *p, uint32_t a, uint32_t b)
{
        uint64_t key = ((uint64_t)a << 32 | b) + 1;
        size_t k = (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (p->nslots - 1);
        for (; p->slot_key[k]; k = (k + 1) & (p->nslots - 1))
                if (p->slot_key[k] == key)
                        return (long)p->slot_id[k];
        return -1;
}

/* An article's candidates are read from lists: each of its groups, and each pair of them
 * (the articles in both). */
struct cand_list {
        const uint32_t *idx;
        size_t n;
        int bound; /* the highest score an article this list is read for can have; -1: unused */
};

/* relate_groups' result, found through the pairs (c->pairs) for an article in nl groups
 * (at most PAIR_GROUPS_MAX). An article o that shares exactly the groups J with i scores
 * at most ub(J) (the sum of each group's weight times the most times one article is in
 * it), and it is in every list of a group in J and of a pair in J: each J is given the
 * shortest of those (a pair's, when J has two groups or more), and a list is read
 * whole when some J given to it could score above the fourth best (theta), and up to the
 * fourth best's index when one could tie with it (a tie goes to the lower index). Lists
 * are read highest bound first, so that theta rises before the long lists of single
 * groups come up; they usually need not be read at all. Whatever is not read could not
 * have entered, so the result is relate_groups' exactly. */
static void relate_pairs(struct related_ctx *c, size_t i, size_t nl)
{
        struct cand_list L[PAIR_GROUPS_MAX + PAIR_GROUPS_MAX * (PAIR_GROUPS_MAX - 1) / 2];
        unsigned char pair_of[PAIR_GROUPS_MAX][PAIR_GROUPS_MAX];
        int u[PAIR_GROUPS_MAX], ub[1 << PAIR_GROUPS_MAX];
        unsigned char cover[1 << PAIR_GROUPS_MAX], order[sizeof L / sizeof *L];
        size_t nL = 0;
        for (size_t x = 0; x < nl; x++) {
                const struct group *G = &c->groups[c->lists[x]];
                L[nL++] = (struct cand_list){G->idx, G->n, -1};
                u[x] = c->gw[c->lists[x]] * G->most;
        }
        for (size_t x = 0; x < nl; x++)
                for (size_t y = x + 1; y < nl; y++) {
                        uint32_t a = (uint32_t)c->lists[x], b = (uint32_t)c->lists[y];
                        long id = a < b ? pair_find(c->pairs, a, b) : pair_find(c->pairs, b, a);
                        const struct pairs *p = c->pairs;
                        L[nL] = id < 0 ? (struct cand_list){NULL, 0, -1}
                                       : (struct cand_list){p->member + p->start[id],
                                                            p->start[id + 1] - p->start[id], -1};
                        pair_of[x][y] = pair_of[y][x] = (unsigned char)nL++;
                }
        /* every set J of i's groups (as bits), built from J without its highest group t */
        for (unsigned J = 1; J < 1u << nl; J++) {
                unsigned t = 0;
                while (J >> (t + 1))
                        t++;
                unsigned rest = J & ~(1u << t);
                ub[J] = (rest ? ub[rest] : 0) + u[t];
                if (!rest) {
                        cover[J] = (unsigned char)t;
                } else {
                        int best = rest & (rest - 1) ? cover[rest] : -1; /* a pair within rest */
                        for (unsigned x = 0; x < t; x++)
                                if (rest >> x & 1) {
                                        int q = pair_of[t][x];
                                        if (best < 0 || L[q].n < L[best].n)
                                                best = q;
                                }
                        cover[J] = (unsigned char)best;
                }
                if (ub[J] > L[cover[J]].bound)
                        L[cover[J]].bound = ub[J];
        }
        size_t nused = 0;
        for (size_t k = 0; k < nL; k++) {
                if (L[k].bound < 0 || !L[k].n)
                        continue;
                size_t at = nused++;
                for (; at > 0; at--) {
                        const struct cand_list *prev = &L[order[at - 1]];
                        if (prev->bound > L[k].bound ||
                            (prev->bound == L[k].bound && prev->n <= L[k].n))
                                break;
                        order[at] = order[at - 1];
                }
                order[at] = (unsigned char)k;
        }
        for (size_t k = 0; k < nused; k++) {
                const struct cand_list *l = &L[order[k]];
                if (c->nbest == RELATED_MAX && l->bound < c->score[c->best[RELATED_MAX - 1]])
                        break; /* so are all lists after it */
                for (size_t j = 0; j < l->n; j++) {
                        if (c->nbest == RELATED_MAX) {
                                uint32_t last = c->best[RELATED_MAX - 1];
                                int theta = c->score[last];
                                if (l->bound < theta || (l->bound == theta && l->idx[j] >= last))
                                        break;
                        }
                        evaluate(c, i, l->idx[j]);
                }
        }
}

/* The best RELATED_MAX articles for article i, into c->best: through the pairs when
 * there are and i is in few enough groups, else by reading i's groups. */
static void relate_one(struct related_ctx *c, size_t i)
{
        size_t nl = 0;
        for (size_t m = c->start[i]; m < c->start[i + 1]; m++) {
                size_t k = c->member[m];
                if (!c->gw[k])
                        c->lists[nl++] = k;
                c->gw[k] += c->groups[k].weight;
        }
        c->nbest = 0;
        if (c->topic_bits) {
                c->cur_topics = c->topic_bits[i];
                c->cur_tags = c->tag_bits[i];
        }
        if (c->pairs && nl <= PAIR_GROUPS_MAX)
                relate_pairs(c, i, nl);
        else
                relate_groups(c, i, nl);
        for (size_t l = 0; l < nl; l++)
                c->gw[c->lists[l]] = 0;
}

/* Adds 1 to the articles of the pair of groups a < b (numbering it when it is new) and
 * returns its number. */
static uint32_t pair_count(struct pairs *p, size_t **counts, uint32_t a, uint32_t b)
{
        if (2 * (p->count + 1) > p->nslots) { /* at most half full */
                size_t old = p->nslots;
                uint64_t *keys = p->slot_key;
                uint32_t *ids = p->slot_id;
                p->nslots = old ? 2 * old : 1024;
                p->slot_key = xcalloc(p->nslots, sizeof *p->slot_key);
                p->slot_id = xcalloc(p->nslots, sizeof *p->slot_id);
                for (size_t k = 0; k < old; k++) {
                        if (!keys[k])
                                continue;
                        size_t s = (size_t)((keys[k] * UINT64_C(0x9E3779B97F4A7C15)) >> 32) &
                                   (p->nslots - 1);
                        while (p->slot_key[s])
                                s = (s + 1) & (p->nslots - 1);
                        p->slot_key[s] = keys[k];
                        p->slot_id[s] = ids[k];
                }
                free(keys);
                free(ids);
                *counts = xrealloc(*counts, p->nslots / 2 * sizeof **counts);
        }
        uint64_t key = ((uint64_t)a << 32 | b) + 1;
        size_t s = (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (p->nslots - 1);
        for (; p->slot_key[s]; s = (s + 1) & (p->nslots - 1))
                if (p->slot_key[s] == key) {
                        (*counts)[p->slot_id[s]]++;
                        return p->slot_id[s];
                }
        p->slot_key[s] = key;
        p->slot_id[s] = (uint32_t)p->count;
        (*counts)[p->count] = 1;
        return (uint32_t)p->count++;
}

static void pairs_free(struct pairs *p)
{
        if (!p)
                return;
        free(p->slot_key);
        free(p->slot_id);
        free(p->start);
        free(p->member);
        free(p);
}

/* The pairs of groups of n articles (c's groups and memberships), or NULL when there
 * would be more than PAIR_BUDGET per article (articles in many groups each): then
 * articles are related by reading their groups. Caller frees with pairs_free. */
static struct pairs *pairs_new(const struct related_ctx *c, size_t n)
{
        size_t total = 0;
        for (size_t o = 0; o < n; o++) {
                size_t d = 0; /* o's groups, each once */
                for (size_t m = c->start[o]; m < c->start[o + 1]; m++)
                        d += m == c->start[o] || c->member[m] != c->member[m - 1];
                total += d * (d - 1) / 2;
        }
        if (total > PAIR_BUDGET * n + PAIR_BUDGET)
                return NULL;
        struct pairs *p = xcalloc(1, sizeof *p);
        size_t *counts = NULL;
        uint32_t *ids = xmalloc((total ? total : 1) * sizeof *ids); /* in the order met */
        size_t t = 0;
        for (size_t o = 0; o < n; o++)
                for (size_t x = c->start[o]; x < c->start[o + 1]; x++) {
                        if (x > c->start[o] && c->member[x] == c->member[x - 1])
                                continue;
                        for (size_t y = x + 1; y < c->start[o + 1]; y++)
                                if (c->member[y] != c->member[y - 1])
                                        ids[t++] =
                                            pair_count(p, &counts, c->member[x], c->member[y]);
                }
        p->start = xcalloc(p->count + 1, sizeof *p->start);
        for (size_t k = 0; k < p->count; k++)
                p->start[k + 1] = p->start[k] + counts[k];
        p->member = xmalloc((total ? total : 1) * sizeof *p->member);
        if (counts)
                memset(counts, 0, p->count * sizeof *counts);
        t = 0;
        for (size_t o = 0; o < n; o++) /* ascending: each pair's articles come out sorted */
                for (size_t x = c->start[o]; x < c->start[o + 1]; x++) {
                        if (x > c->start[o] && c->member[x] == c->member[x - 1])
                                continue;
                        for (size_t y = x + 1; y < c->start[o + 1]; y++)
                                if (c->member[y] != c->member[y - 1]) {
                                        uint32_t id = ids[t++];
                                        p->member[p->start[id] + counts[id]++] = (uint32_t)o;
                                }
                }
        free(ids);
        free(counts);
        return p;
}

/* Fills c->topic_bits and c->tag_bits when every group fits a bit of a 64-bit word and
 * counts an article once (the weights then being 2 per topic and 1 per tag); else
 * leaves them NULL. */
static void relate_bits(struct related_ctx *c, size_t n, size_t ntopics, size_t ntags)
{
        if (ntopics > 64 || ntags > 64)
                return;
        for (size_t k = 0; k < ntopics + ntags; k++)
                if (c->groups[k].most != 1 || c->groups[k].weight != (k < ntopics ? 2 : 1))
                        return;
        c->topic_bits = xcalloc(n ? n : 1, sizeof *c->topic_bits);
        c->tag_bits = xcalloc(n ? n : 1, sizeof *c->tag_bits);
        for (size_t k = 0; k < ntopics + ntags; k++)
                for (size_t j = 0; j < c->groups[k].n; j++) {
                        uint32_t a = c->groups[k].idx[j];
                        if (k < ntopics)
                                c->topic_bits[a] |= UINT64_C(1) << k;
                        else
                                c->tag_bits[a] |= UINT64_C(1) << (k - ntopics);
                }
}

/* Related articles: those sharing topics (2 points each) and tags (1 point), best first,
 * newer first on a tie. Only articles in a group of the article are looked at, and of
 * those only as many as can still enter (see relate_one). ints[i] is the shared integer i.
 * Indices and memberships are 32-bit: four billion of either is far beyond any site. */
/* The articles shared out among pool threads: chunk k relates articles n*k/chunks up to
 * n*(k+1)/chunks with its own scratch (the groups and memberships in shared are only
 * read), into best[i] and nbest[i]. */
struct relate_job {
        const struct related_ctx *shared;
        size_t n, ngroups, most, chunks;
        uint32_t (*best)[RELATED_MAX];
        int *nbest;
};

static int relate_chunk(void *arg, size_t k)
{
        struct relate_job *j = arg;
        struct related_ctx c = *j->shared;
        c.gw = xcalloc(j->ngroups ? j->ngroups : 1, sizeof *c.gw);
        c.score = xcalloc(j->n ? j->n : 1, sizeof *c.score);
        c.stamp = xcalloc(j->n ? j->n : 1, sizeof *c.stamp);
        c.lists = xmalloc((j->most ? j->most : 1) * sizeof *c.lists);
        for (size_t i = j->n * k / j->chunks; i < j->n * (k + 1) / j->chunks; i++) {
                relate_one(&c, i);
                memcpy(j->best[i], c.best, sizeof c.best);
                j->nbest[i] = c.nbest;
        }
        free(c.gw);
        free(c.score);
        free(c.stamp);
        free(c.lists);
        return 0;
}

static void relate(json_t *articles, json_t *topics, json_t *tags, json_t *const *ints, int jobs)
{
        size_t n = json_array_size(articles);
        size_t ngroups = json_array_size(topics) + json_array_size(tags);
        struct related_ctx c = {0};
        c.groups = xcalloc(ngroups ? ngroups : 1, sizeof *c.groups);
        size_t *member_count = xcalloc(n ? n : 1, sizeof *member_count);
        size_t g = 0;
        for (int kind = 0; kind < 2; kind++) {
                size_t i;
                json_t *grp;
                json_array_foreach(kind ? tags : topics, i, grp)
                {
                        json_t *idx = json_object_get(grp, "articles");
                        struct group *G = &c.groups[g++];
                        G->n = json_array_size(idx);
                        G->idx = xmalloc((G->n ? G->n : 1) * sizeof *G->idx);
                        G->weight = kind ? 1 : 2;
                        G->most = 1;
                        for (size_t k = 0, run = 1; k < G->n; k++) {
                                G->idx[k] = (uint32_t)json_integer_value(json_array_get(idx, k));
                                member_count[G->idx[k]]++;
                                run = k && G->idx[k] == G->idx[k - 1] ? run + 1 : 1;
                                G->most = (int)run > G->most ? (int)run : G->most;
                        }
                }
        }
        c.start = xcalloc(n + 1, sizeof *c.start);
        size_t most = 0;
        for (size_t i = 0; i < n; i++) {
                c.start[i + 1] = c.start[i] + (uint32_t)member_count[i];
                most = member_count[i] > most ? member_count[i] : most;
        }
        c.member = xmalloc((c.start[n] ? c.start[n] : 1) * sizeof *c.member);
        memset(member_count, 0, n * sizeof *member_count);
        for (size_t k = 0; k < ngroups; k++)
                for (size_t j = 0; j < c.groups[k].n; j++) {
                        size_t a = c.groups[k].idx[j];
                        c.member[c.start[a] + member_count[a]++] = (uint32_t)k;
                }
        relate_bits(&c, n, json_array_size(topics), json_array_size(tags));
        struct pairs *pairs = pairs_new(&c, n);
        c.pairs = pairs;
        size_t chunks = n < (size_t)(4 * jobs) ? (n ? n : 1) : (size_t)(4 * jobs);
        struct relate_job j = {&c,
                               n,
                               ngroups,
                               most,
                               chunks,
                               xmalloc((n ? n : 1) * sizeof *j.best),
                               xcalloc(n ? n : 1, sizeof *j.nbest)};
        int ran = pool_run(jobs, chunks, relate_chunk, &j);
        (void)ran; /* relate_chunk never fails */
        for (size_t i = 0; i < n; i++) {
                json_t *rel = json_array();
                for (int k = 0; k < j.nbest[i]; k++)
                        json_array_append(rel, ints[j.best[i][k]]);
                json_object_set_new(json_array_get(articles, i), "related", rel);
        }
        free(j.best);
        free(j.nbest);
        for (size_t k = 0; k < ngroups; k++)
                free(c.groups[k].idx);
        free(c.groups);
        free(member_count);
        free(c.start);
        free(c.member);
        free(c.topic_bits);
        free(c.tag_bits);
        pairs_free(pairs);
}

/* Sets zk ("2025年1月20日") from ek (the epoch) and ok (the offset), when obj has ek:
 * DATE_ZH(obj, "date") sets date_zh from date_epoch and date_offset. */
#define DATE_ZH(obj, key) set_date_zh(obj, key "_epoch", key "_offset", key "_zh")
static void set_date_zh(json_t *obj, const char *ek, const char *ok, const char *zk)
{
        json_t *epoch = json_object_get(obj, ek);
        if (!epoch)
                return;
        struct gdate g = {json_integer_value(epoch),
                          (int)json_integer_value(json_object_get(obj, ok))};
        struct buf b = {0};
        date_zh(&b, &g);
        json_object_set_new(obj, zk, json_string(buf_cstr(&b)));
        buf_free(&b);
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
                } else {
                        json_t *path = json_object_get(a, "path"); /* shared, not copied */
                        json_object_set_new(seen, str(a, "slug"),
                                            path ? json_incref(path) : json_string(""));
                }
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
static int link_datasets(json_t *articles, json_t *datasets, json_t *topic_cards, json_t *known,
                         json_t *const *ints, struct diag *d)
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
                        json_t *t = json_object_get(topic_cards, json_string_value(slug));
                        if (t)
                                json_array_append(topics, t);
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
                        json_array_append(json_object_get(found, "articles"), ints[i]);
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
        return site_build_jobs(cfg, content, drafts, now, pool_default_jobs(), d);
}

json_t *site_build_jobs(json_t *cfg, json_t *content, bool drafts, int64_t now, int jobs,
                        struct diag *d)
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
        sort_newest_first(articles);
        /* every list of article indices holds references to these, not integers of its own */
        size_t n = json_array_size(articles);
        json_t **ints = xmalloc((n ? n : 1) * sizeof *ints);
        for (size_t k = 0; k < n; k++)
                ints[k] = json_integer((json_int_t)k);
        json_t *topics_by_slug = json_object(), *topic_cards = json_object();
        json_t *topics = topic_index(cfg, topics_by_slug, topic_cards);
        json_t *tags = json_array();
        link_topics_and_tags(articles, topics_by_slug, topic_cards, tags, ints);
        json_array_foreach(topics, i, a) set_count(a);
        json_t *years = archive(articles, ints);
        json_t *datasets = json_object_get(content, "datasets");
        if (!datasets)
                datasets = json_array();
        else
                json_incref(datasets);
        if (link_datasets(articles, datasets, topic_cards, known, ints, d) < 0)
                paths_ok = 0;
        relate(articles, topics, tags, ints, jobs);
        mark_feeds(articles, topics, (size_t)json_integer_value(json_object_get(cfg, "feed_size")));
        json_array_foreach(articles, i, a)
        {
                char *url = xasprintf("articles/%s/", str(a, "slug"));
                char *perm = xasprintf("%s%s", base, url);
                json_object_set_new(a, "url", json_string(url));
                json_object_set_new(a, "permalink", json_string(perm));
                json_object_set(a, "index", ints[i]);
                if (i + 1 < n)
                        json_object_set(a, "prev", ints[i + 1]);
                if (i > 0)
                        json_object_set(a, "next", ints[i - 1]);
                DATE_ZH(a, "date");
                DATE_ZH(a, "updated");
                size_t j;
                json_t *c;
                json_array_foreach(json_object_get(a, "corrections"), j, c) DATE_ZH(c, "date");
                know(known, url);
                free(url);
                free(perm);
        }
        json_array_foreach(pages, i, a)
        {
                char *url = xasprintf("%s/", str(a, "slug"));
                json_object_set_new(a, "url", json_string(url));
                DATE_ZH(a, "updated");
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
        json_decref(topic_cards);
        for (size_t k = 0; k < n; k++)
                json_decref(ints[k]);
        free(ints);
        json_decref(tags);
        json_decref(years);
        json_decref(datasets);
        json_decref(known);
        return model;
}
