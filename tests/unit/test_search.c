/* Unit tests for search: the tokeniser against the vectors the browser's tokeniser is
 * checked with (../search/vectors.json, also read by tests/search/tokens.test.mjs), and
 * the index writer: files, order, determinism, threads, postings, failures; the format
 * decoded by a reader of its own (every list, its parameters, escapes); the index updated
 * in place against a published index held in memory, after edits, equal to one built
 * whole, and what makes it build whole. */
#include "check.h"

#include "buf.h"
#include "diag.h"
#include "digest.h"
#include "search.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VECTORS "../search/vectors.json"

/* The files one search_write emitted, in emit order. */
struct files {
        char *rel[8192];       /* paths */
        struct buf data[8192]; /* contents */
        size_t n;              /* how many */
        size_t fail_after;     /* emit fails once this many were written (0: never) */
};

/* search_io's emit that keeps each file in a struct files. */
static int keep(void *ctx, const char *rel, const struct buf *data, const unsigned char *key)
{
        (void)key;
        struct files *f = ctx;
        if ((f->fail_after && f->n >= f->fail_after) || f->n >= 8192)
                return -1;
        f->rel[f->n] = xstrdup(rel);
        buf_init(&f->data[f->n]);
        buf_put(&f->data[f->n], data->data ? data->data : "", data->len);
        f->n++;
        return 0;
}

/* Frees what a struct files holds. */
static void files_free(struct files *f)
{
        for (size_t i = 0; i < f->n; i++) {
                free(f->rel[i]);
                buf_free(&f->data[i]);
        }
        f->n = 0;
}

/* Returns the file at rel, or NULL. */
static const struct buf *file_at(const struct files *f, const char *rel)
{
        for (size_t i = 0; i < f->n; i++)
                if (!strcmp(f->rel[i], rel))
                        return &f->data[i];
        return NULL;
}

/* True when both hold the same paths with the same bytes. */
static int files_equal(const struct files *a, const struct files *b)
{
        if (a->n != b->n)
                return 0;
        for (size_t i = 0; i < a->n; i++) {
                const struct buf *o = file_at(b, a->rel[i]);
                if (!o || o->len != a->data[i].len ||
                    memcmp(o->data ? o->data : "", a->data[i].data ? a->data[i].data : "", o->len))
                        return 0;
        }
        return 1;
}

/* The test documents: url, title, date, topic slug ("" none), kind, text. */
static const char *const docs[][6] = {
    {"articles/wage/", "春节前根治欠薪专项行动", "2024-01-15", "wage-arrears", "article",
     "春节前根治欠薪专项行动\n各地为农民工追回拖欠工资。\n农民工工资专用账户全面推行，拖欠工资案件"
     "下降。"},
    {"articles/fund/", "2024年医保基金收支", "2025-01-20", "medical-insurance", "article",
     "2024年医保基金收支\n医保基金运行平稳。\n社会保险基金和医保基金的收入、支出。"},
    {"articles/pension/", "Pension insurance reform", "2023-06-01", "", "article",
     "Pension insurance reform\nPensions rise.\nSocial insurance covers 中文ABC混排 workers."},
    {"about/", "关于本站", "", "", "page", "关于本站\n本站汇集民生报道。"},
    {"data/fund/", "医保基金收支", "", "medical-insurance", "dataset",
     "医保基金收支\n年度收入和支出（亿元）\n年份 收入 支出"},
};
#define NDOCS (sizeof docs / sizeof *docs)

/* Adds docs[i] to s. */
static void add_doc(struct search_index *s, size_t i)
{
        json_t *topics = json_array();
        if (*docs[i][3])
                json_array_append_new(topics,
                                      json_pack("{s:s, s:s}", "slug", docs[i][3], "name", "专题"));
        search_add(s, docs[i][0], docs[i][1], docs[i][2], topics, docs[i][4], docs[i][5]);
        json_decref(topics);
}

/* Writes s's index into f (no memo). Returns search_write's. */
static int write_to(struct search_index *s, struct files *f)
{
        struct search_io io = {.emit = keep, .ctx = f};
        struct diag *d = diag_new();
        int rc = search_write(s, &io, d);
        diag_free(d);
        return rc;
}

/* Builds the index of every doc, in the given order, into f. Returns search_write's. */
static int build(const size_t *order, struct files *f)
{
        struct search_index *s = search_new();
        for (size_t i = 0; i < NDOCS; i++)
                add_doc(s, order[i]);
        int rc = write_to(s, f);
        search_free(s);
        return rc;
}

/* Reads a varint as the browser does. */
static uint64_t varint(const unsigned char **p, const unsigned char *end)
{
        uint64_t x = 0;
        for (int shift = 0; *p < end && shift < 64; shift += 7) {
                unsigned char c = *(*p)++;
                x |= (uint64_t)(c & 0x7f) << shift;
                if (!(c & 0x80))
                        break;
        }
        return x;
}

/* Calls fn(ctx, key, klen, df) for each entry of every shard directory of f until it
 * returns something other than -1, and returns that (or -1). */
static long each_entry(const struct files *f,
                       long (*fn)(void *ctx, const char *key, size_t klen, uint64_t df), void *ctx)
{
        for (size_t i = 0; i < f->n; i++) {
                if (strncmp(f->rel[i], "search/idx/p/", 13))
                        continue;
                const unsigned char *p = (const unsigned char *)f->data[i].data;
                const unsigned char *end = p + f->data[i].len;
                uint64_t count = varint(&p, end);
                for (uint64_t k = 0; k < count && p < end; k++) {
                        uint64_t klen = varint(&p, end);
                        const char *key = (const char *)p;
                        p += klen;
                        uint64_t df = varint(&p, end);
                        (void)varint(&p, end);
                        (void)varint(&p, end);
                        long r = fn(ctx, key, (size_t)klen, df);
                        if (r != -1)
                                return r;
                }
        }
        return -1;
}

/* each_entry's fn for df_of: the df of the key ctx points at, or -1. */
static long df_hit(void *ctx, const char *key, size_t klen, uint64_t df)
{
        const char *want = ctx;
        return klen == strlen(want) && !memcmp(key, want, klen) ? (long)df : -1;
}

/* The document frequency of key in the shard directories of f, or -1 when absent. */
static long df_of(const struct files *f, const char *key)
{
        return each_entry(f, df_hit, (void *)key);
}

static void test_vectors(void)
{
        json_error_t err;
        json_t *v = json_load_file(VECTORS, 0, &err);
        CHECK(json_is_array(v) && json_array_size(v) > 30, "search vectors load");
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
                json_t *got = search_tokens(json_string_value(json_object_get(c, "input")));
                char *g = json_dumps(got, JSON_COMPACT);
                char *w = json_dumps(json_object_get(c, "tokens"), JSON_COMPACT);
                char name[256];
                snprintf(name, sizeof name, "search tokens: %s",
                         json_string_value(json_object_get(c, "name")));
                CHECK_STR(g, w, name);
                free(g);
                free(w);
                json_decref(got);
        }
        json_decref(v);
}

static void test_write(void)
{
        static struct files a, b;
        const size_t fwd[NDOCS] = {0, 1, 2, 3, 4}, rev[NDOCS] = {4, 3, 2, 1, 0};
        CHECK(build(fwd, &a) == 0, "search_write succeeds");
        CHECK(build(rev, &b) == 0, "search_write succeeds again");
        CHECK(files_equal(&a, &b), "search index bytes do not depend on the order of search_add");

        const struct buf *meta = file_at(&a, "search/idx/meta.json");
        json_t *m = meta ? json_loads(meta->data, 0, NULL) : NULL;
        CHECK(m && json_integer_value(json_object_get(m, "docs")) == (json_int_t)NDOCS,
              "meta.json counts the documents");
        json_int_t shards = json_integer_value(json_object_get(m, "shards"));
        CHECK(shards >= 1 && (shards & (shards - 1)) == 0, "shard count is a power of two");
        char *years = json_dumps(json_object_get(m, "years"), JSON_COMPACT);
        CHECK_STR(years, "[[\"2025\",4,1],[\"2024\",3,1],[\"2023\",2,1]]",
                  "meta.json: each year's document range, newest year first");
        free(years);
        char *topics = json_dumps(json_object_get(m, "topics"), JSON_COMPACT);
        CHECK_STR(topics, "[[\"medical-insurance\",\"专题\"],[\"wage-arrears\",\"专题\"]]",
                  "meta.json: topics sorted by slug");
        free(topics);
        json_decref(m);

        size_t nshard = 0;
        for (size_t i = 0; i < a.n; i++)
                nshard += !strncmp(a.rel[i], "search/idx/p/", 13);
        CHECK(nshard == (size_t)shards, "one postings file per shard");

        const struct buf *d0 = file_at(&a, "search/idx/d/0.json");
        json_t *recs = d0 ? json_loads(d0->data, 0, NULL) : NULL;
        CHECK_STR(json_string_value(json_array_get(json_array_get(recs, 0), 0)), "data/fund/",
                  "records: undated first, by URL from the last");
        CHECK_STR(json_string_value(json_array_get(json_array_get(recs, 1), 0)), "about/",
                  "records: undated first, by URL from the last (2)");
        CHECK_STR(json_string_value(json_array_get(json_array_get(recs, 2), 0)),
                  "articles/pension/", "records: then oldest first");
        json_decref(recs);
        const struct buf *d1 = file_at(&a, "search/idx/d/1.json");
        recs = d1 ? json_loads(d1->data, 0, NULL) : NULL;
        CHECK(json_array_size(recs) == 1, "records: four per file");
        CHECK_STR(json_string_value(json_array_get(json_array_get(recs, 0), 0)), "articles/fund/",
                  "records: the newest last");
        CHECK_STR(json_string_value(json_array_get(json_array_get(recs, 0), 5)),
                  "医保基金运行平稳。", "records: the line after the title is the snippet");
        json_decref(recs);

        CHECK(df_of(&a, "b医保") == 2, "postings: a pair's document frequency");
        CHECK(df_of(&a, "u保") == 2, "postings: a character's document frequency");
        CHECK(df_of(&a, "winsurance") == 1, "postings: words are folded");
        CHECK(df_of(&a, "wpension") == 1 && df_of(&a, "wpensions") == 1, "postings: whole words");
        CHECK(df_of(&a, "s混") == 1 && df_of(&a, "f文") == 1,
              "postings: Han next to a word is marked");
        CHECK(df_of(&a, "tmedical-insurance") == 2, "postings: topics");
        CHECK(df_of(&a, "b本站") == 1, "postings: pages");
        CHECK(df_of(&a, "b亿元") == 1, "postings: datasets");
        files_free(&a);
        files_free(&b);
}

/* Adds every other document, starting at *(size_t *)arg. */
static void *add_half(void *arg)
{
        struct search_index *s = ((void **)arg)[0];
        size_t start = *(size_t *)((void **)arg)[1];
        for (size_t i = start; i < NDOCS; i += 2)
                add_doc(s, i);
        return NULL;
}

static void test_threads(void)
{
        static struct files a, b;
        const size_t fwd[NDOCS] = {0, 1, 2, 3, 4};
        CHECK(build(fwd, &a) == 0, "search_write (sequential)");
        struct search_index *s = search_new();
        size_t zero = 0, one = 1;
        void *args0[2] = {s, &zero}, *args1[2] = {s, &one};
        pthread_t t0, t1;
        int ok = !pthread_create(&t0, NULL, add_half, args0) &&
                 !pthread_create(&t1, NULL, add_half, args1);
        ok = ok && !pthread_join(t0, NULL) && !pthread_join(t1, NULL);
        CHECK(ok && write_to(s, &b) == 0, "search_write after adds from two threads");
        CHECK(files_equal(&a, &b), "two threads give the same bytes");
        search_free(s);
        files_free(&a);
        files_free(&b);
}

static void test_failures(void)
{
        static struct files f;
        f.fail_after = 2;
        const size_t fwd[NDOCS] = {0, 1, 2, 3, 4};
        CHECK(build(fwd, &f) == -1, "search_write returns -1 when emit fails");
        files_free(&f);
        search_free(NULL);
        CHECK(1, "search_free(NULL) is a no-op");

        struct search_index *s = search_new();
        static struct files e;
        CHECK(write_to(s, &e) == 0 && file_at(&e, "search/idx/meta.json"),
              "an empty index is written");
        search_free(s);
        files_free(&e);

        json_t *t = search_tokens("bad \xff\xfe utf-8 中\xe4文");
        char *g = json_dumps(t, JSON_COMPACT);
        CHECK_STR(g, "[\"bad\",\"utf\",\"8\",\"中\",\"文\"]",
                  "invalid UTF-8 becomes U+FFFD (a separator)");
        free(g);
        json_decref(t);
}

/* Adds a document whose text is title, summary and body lines to a and to b: to a with
 * search_add, to b with search_put and body packed (damaged as damage says: 0 none, 1
 * truncated, 2 a wrong first byte). */
static void add_both(struct search_index *a, struct search_index *b, size_t n, const char *title,
                     const char *summary, const char *body, int damage)
{
        char url[32];
        snprintf(url, sizeof url, "articles/%zu/", n);
        struct buf text = {0}, packed = {0};
        buf_printf(&text, "%s\n%s\n", title, summary);
        buf_puts(&text, body);
        json_t *topics = json_pack("[{s:s, s:s}]", "slug", "t", "name", "专题");
        search_add(a, url, title, "2025-01-02", topics, "article", buf_cstr(&text));
        CHECK(search_pack(b, &packed, body) == 0, "search_pack succeeds");
        if (damage == 1)
                packed.len /= 2;
        else if (damage == 2 && packed.len)
                packed.data[0] = 'x';
        struct search_doc d = {.url = url,
                               .title = title,
                               .date = "2025-01-02",
                               .kind = "article",
                               .topics = topics,
                               .summary = summary,
                               .text = body,
                               .packed = packed.data,
                               .npacked = packed.len};
        search_put(b, &d);
        json_decref(topics);
        buf_free(&text);
        buf_free(&packed);
}

/* An index whose documents' texts were packed (as the body cache keeps them) is the one
 * tokenising the whole texts makes: positions and folding carry over the line break
 * between the summary and the packed part, and the title's and summary's tokens merge
 * with the text's. */
static void test_packed(void)
{
        static struct files fa, fb;
        json_error_t err;
        json_t *v = json_load_file(VECTORS, 0, &err);
        struct search_index *a = search_new(), *b = search_new();
        size_t n = 0, i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
                const char *in = json_string_value(json_object_get(c, "input"));
                add_both(a, b, n++, in, "", in, 0);
                add_both(a, b, n++, "标题 title", in, in, 0);
                add_both(a, b, n++, in, "摘要，summary",
                         "正文 text\n"
                         "\xcc\x81"
                         "e",
                         0);
        }
        add_both(a, b, n++, "医保基金", "医保基金运行平稳", "医保基金收支\n医保APP使用医保", 0);
        add_both(a, b, n++, "无效", "bad \xe4\xb8", "\xb8\xad文 \xff中", 0);
        add_both(a, b, n++, "Café", "cafe\xcc", "\x81 naïve", 0);
        add_both(a, b, n++, "空", "", "", 0);
        add_both(a, b, n++, "2024年报告", "2024年医保APP", "2024年医保APP使用，2024年", 0);
        add_both(a, b, n++, "两行\n标题", "摘要", "两行标题", 0);
        add_both(a, b, n++, "词与字", "", "ABC中文DEF，中，文中", 0);
        add_both(a, b, n++, "空行", "", "\n\n第三行才是摘要", 0);
        for (int d = 1; d <= 2; d++)
                add_both(a, b, n++, "损坏的缓存", "摘要", "养老保险，医保基金。Pension 2024年", d);
        CHECK(write_to(a, &fa) == 0 && write_to(b, &fb) == 0, "search_write with packed texts");
        CHECK(files_equal(&fa, &fb), "packed texts give the index bytes whole texts give");
        search_free(a);
        search_free(b);
        files_free(&fa);
        files_free(&fb);
        json_decref(v);
}

/* ---- the format, read by a reader of its own (as static/js/search.js reads it) ---- */

/* A bit stream, least significant bit of each byte first. */
struct bits {
        const unsigned char *p; /* the bytes */
        size_t n;               /* how many */
        size_t at;              /* the next bit */
        int over;               /* a read went past the end */
};

static uint32_t b_one(struct bits *b)
{
        if (b->at >= 8 * b->n) {
                b->over = 1;
                return 0;
        }
        uint32_t v = (b->p[b->at / 8] >> (b->at % 8)) & 1;
        b->at++;
        return v;
}

static uint32_t b_take(struct bits *b, int n)
{
        uint32_t v = 0;
        for (int i = 0; i < n; i++)
                v |= b_one(b) << i;
        return v;
}

/* Golomb-Rice with parameter k; 24 ones announce a 32-bit value. */
static uint32_t b_rice(struct bits *b, int k)
{
        uint32_t q = 0;
        while (q < 24 && b_one(b))
                q++;
        if (q == 24)
                return b_take(b, 32);
        return q << k | b_take(b, k);
}

static uint32_t b_gamma(struct bits *b)
{
        int n = 0;
        while (n < 32 && b_one(b))
                n++;
        return (UINT32_C(1) << n) + b_take(b, n);
}

/* One token of a shard, decoded. */
struct dtoken {
        char key[300];       /* its key, NUL-terminated */
        uint32_t df;         /* documents */
        uint32_t ids[64];    /* the first 64 of them */
        uint32_t tf[64];     /* their tf */
        uint32_t title[64];  /* their title bits */
        uint32_t pos[64][8]; /* the first 8 positions in each (when it has positions) */
        int ok;              /* it decoded, ending where its lengths say, ids increasing */
};

/* Decodes the token key of the index in f (shard count shards) into t. Returns 0, or -1
 * when it is not there. */
static int decode_token(const struct files *f, const char *key, uint32_t shards, uint32_t docs,
                        struct dtoken *t)
{
        memset(t, 0, sizeof *t);
        size_t klen = strlen(key), kl = klen;
        if (key[0] == 'w') { /* a word's shard is its first two characters' */
                size_t i = 1;
                for (int c = 0; i < klen && c < 2; c++) {
                        i++;
                        while (i < klen && ((unsigned char)key[i] & 0xC0) == 0x80)
                                i++;
                }
                kl = i;
        }
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < kl; i++) {
                h ^= (unsigned char)key[i];
                h *= 16777619u;
        }
        char rel[64];
        snprintf(rel, sizeof rel, "search/idx/p/%03x.bin", h & (shards - 1));
        const struct buf *pf = file_at(f, rel);
        snprintf(rel, sizeof rel, "search/idx/q/%03x.bin", h & (shards - 1));
        const struct buf *qf = file_at(f, rel);
        if (!pf || !qf)
                return -1;
        const unsigned char *p = (const unsigned char *)pf->data, *end = p + pf->len;
        uint64_t count = varint(&p, end);
        size_t poff = 0, qoff = 0, mine = SIZE_MAX, plen = 0, qlen = 0;
        for (uint64_t k = 0; k < count && p < end; k++) {
                uint64_t n = varint(&p, end);
                int hit = n == klen && !memcmp(p, key, n);
                p += n;
                uint64_t df = varint(&p, end), pl = varint(&p, end), ql = varint(&p, end);
                if (hit) {
                        mine = poff;
                        t->df = (uint32_t)df;
                        plen = pl;
                        qlen = ql;
                        snprintf(t->key, sizeof t->key, "%s", key);
                }
                if (mine == SIZE_MAX)
                        qoff += ql;
                poff += pl;
        }
        if (mine == SIZE_MAX)
                return -1;
        const unsigned char *post = p + mine;
        struct bits b = {post, plen, 0, 0};
        int kd = (int)b_take(&b, 5);
        uint32_t id = UINT32_MAX;
        t->ok = 1;
        uint32_t *tfs = calloc(t->df, sizeof *tfs);
        for (uint32_t i = 0; i < t->df; i++) {
                uint32_t prev = id;
                id += b_rice(&b, kd) + 1;
                tfs[i] = b_gamma(&b);
                uint32_t title = b_one(&b);
                if ((i && id <= prev) || id >= docs || !tfs[i])
                        t->ok = 0;
                if (i < 64) {
                        t->ids[i] = id;
                        t->tf[i] = tfs[i];
                        t->title[i] = title;
                }
        }
        if (b.over || (b.at + 7) / 8 != plen)
                t->ok = 0;
        if (strchr("bwsf", key[0])) {
                struct bits q = {(const unsigned char *)qf->data + qoff, qlen, 0, 0};
                int kq = (int)b_take(&q, 5);
                for (uint32_t i = 0; i < t->df; i++) {
                        int c = 0;
                        while ((UINT32_C(2) << c) <= tfs[i] + 1)
                                c++; /* floor(log2(tf + 1)) */
                        int k = kq > c ? kq - c : 0;
                        uint32_t at = UINT32_MAX;
                        for (uint32_t j = 0; j < tfs[i]; j++) {
                                at += b_rice(&q, k) + 1;
                                if (i < 64 && j < 8)
                                        t->pos[i][j] = at;
                        }
                }
                if (q.over || (q.at + 7) / 8 != qlen || qoff + qlen > qf->len)
                        t->ok = 0;
        } else if (qlen) {
                t->ok = 0;
        }
        free(tfs);
        return 0;
}

/* What all_lists_decode's each_entry fn needs. */
struct decode_all {
        const struct files *f;
        uint32_t shards, docs;
};

/* each_entry's fn for all_lists_decode: 0 when the entry's list does not decode. */
static long decode_one(void *ctx, const char *k, size_t klen, uint64_t df)
{
        const struct decode_all *a = ctx;
        char key[300] = {0};
        memcpy(key, k, klen < sizeof key - 1 ? klen : sizeof key - 1);
        struct dtoken *t = malloc(sizeof *t);
        int ok = decode_token(a->f, key, a->shards, a->docs, t) == 0 && t->ok && t->df == df;
        free(t);
        return ok ? -1 : 0;
}

/* Every list of every shard decodes and ends where its directory says. */
static int all_lists_decode(const struct files *f, uint32_t shards, uint32_t docs)
{
        struct decode_all a = {f, shards, docs};
        return each_entry(f, decode_one, &a) == -1;
}

/* The lists decode as written: documents, tf, title bits and positions of known texts,
 * Rice escapes for an outlying gap, long gamma codes, every list of a larger index. */
static void test_format(void)
{
        static struct files f;
        struct search_index *s = search_new();
        json_t *none = json_array();
        /* docs 0..99 hold "alpha" (gaps of 0: kd 0), doc 2999 too: an escape */
        struct buf text = {0};
        for (int i = 0; i < 3000; i++) {
                char url[32], title[32];
                snprintf(url, sizeof url, "articles/%04d/", i);
                snprintf(title, sizeof title, "第%d篇", i);
                buf_reset(&text);
                buf_printf(&text, "%s\n摘要\n", title);
                if (i < 100 || i == 2999)
                        buf_puts(&text, "alpha beta\n");
                if (i == 7) { /* many occurrences, then one far away: long codes */
                        for (int k = 0; k < 1000; k++)
                                buf_puts(&text, "gamma ");
                        for (int k = 0; k < 3000; k++)
                                buf_puts(&text, "x ");
                        buf_puts(&text, "gamma\n");
                }
                search_add(s, url, title, "2024-05-06", none, "article", buf_cstr(&text));
        }
        CHECK(write_to(s, &f) == 0, "format: an index of 3,000 documents");
        const struct buf *meta = file_at(&f, "search/idx/meta.json");
        json_t *m = meta ? json_loads(meta->data, 0, NULL) : NULL;
        uint32_t shards = (uint32_t)json_integer_value(json_object_get(m, "shards"));
        CHECK(json_integer_value(json_object_get(m, "version")) == 2 && shards == 2048,
              "format: version 2; the shard count is the power of two at or above docs / 2");
        json_decref(m);
        struct dtoken *t = malloc(sizeof *t);
        /* numbers: one day, so by URL from the last: articles/2999/ is 0 */
        CHECK(decode_token(&f, "walpha", shards, 3000, t) == 0 && t->ok && t->df == 101 &&
                  t->ids[0] == 0 && t->ids[1] == 2900 && t->ids[63] == 2962 && t->tf[0] == 1 &&
                  !t->title[0] && t->pos[0][0] == 7,
              "format: a list with one far gap (a Rice escape) decodes");
        uint32_t id7 = 2999 - 7;
        int found = 0;
        if (decode_token(&f, "wgamma", shards, 3000, t) == 0 && t->ok && t->df == 1)
                found = t->ids[0] == id7 && t->tf[0] == 1001 && t->pos[0][0] == 11 &&
                        t->pos[0][1] == 13 && t->pos[0][7] == 25; /* after "alpha beta" */
        CHECK(found, "format: tf 1001 (a long gamma code) and its positions");
        CHECK(decode_token(&f, "b摘要", shards, 3000, t) == 0 && t->ok && t->df == 3000 &&
                  t->ids[5] == 5 && t->pos[5][0] == 4,
              "format: a pair in every document");
        CHECK(decode_token(&f, "u第", shards, 3000, t) == 0 && t->ok && t->title[0] == 1,
              "format: title bits");
        CHECK(all_lists_decode(&f, shards, 3000), "format: every list decodes to its end");
        free(t);
        files_free(&f);
        buf_free(&text);
        json_decref(none);
        search_free(s);
}

/* ---- the index updated in place, against a published site held in memory ---- */

/* A published file: its bytes and the key it was written with. */
struct pfile {
        char *rel;
        struct buf data;
        unsigned char key[32];
        int keyed;  /* written with a key */
        int edited; /* changed by hand since (output would see another mtime) */
};

/* The published site and the one being built. */
struct site {
        struct pfile *live, *next;
        size_t nlive, nnext;
        size_t written; /* files of the index written (emit) in the last build */
        size_t kept;    /* kept as published */
};

static struct pfile *site_find(struct pfile *v, size_t n, const char *rel)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(v[i].rel, rel))
                        return &v[i];
        return NULL;
}

static void site_add(struct site *st, const char *rel, const void *data, size_t len,
                     const unsigned char *key)
{
        st->next = realloc(st->next, (st->nnext + 1) * sizeof *st->next);
        struct pfile *p = &st->next[st->nnext++];
        memset(p, 0, sizeof *p);
        p->rel = xstrdup(rel);
        buf_put(&p->data, data ? data : "", len);
        if (key) {
                memcpy(p->key, key, 32);
                p->keyed = 1;
        }
}

static int st_emit(void *ctx, const char *rel, const struct buf *data, const unsigned char *key)
{
        struct site *st = ctx;
        site_add(st, rel, data->data, data->len, key);
        st->written++;
        return 0;
}

static bool st_keep(void *ctx, const char *rel, const unsigned char key[32], bool dry)
{
        struct site *st = ctx;
        struct pfile *p = site_find(st->live, st->nlive, rel);
        if (!p || !p->keyed || p->edited || memcmp(p->key, key, 32))
                return false;
        if (!dry) {
                site_add(st, rel, p->data.data, p->data.len, p->key);
                st->kept++;
        }
        return true;
}

static int st_read(void *ctx, const char *rel, struct buf *out)
{
        struct site *st = ctx;
        struct pfile *p = site_find(st->live, st->nlive, rel);
        if (!p)
                return -1;
        buf_put(out, p->data.data, p->data.len);
        return 0;
}

static void pfiles_free(struct pfile *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].rel);
                buf_free(&v[i].data);
        }
        free(v);
}

/* The build just made becomes the published site. */
static void site_publish(struct site *st)
{
        pfiles_free(st->live, st->nlive);
        st->live = st->next;
        st->nlive = st->nnext;
        st->next = NULL;
        st->nnext = 0;
}

/* One document of the edited corpus. */
struct edoc {
        char url[48], title[64], date[16], summary[64], topic[32];
        struct buf text;
        int gone;
};

#define NEDOCS 300
static struct edoc edocs[NEDOCS + 240];
static size_t nedocs;

/* Words the texts are made of. */
static const char *const vocab[] = {"社会保险", "养老金",    "农民工", "工资",    "医保基金",
                                    "就业",     "乡村振兴",  "调解",   "pension", "wage",
                                    "2024年",   "insurance", "补贴",   "培训",    "救助"};

/* Fills edocs with NEDOCS documents (seeded): dated articles over three years, a few
 * undated pages, two topics. */
static void edocs_make(void)
{
        uint64_t x = 88172645463325252u;
        for (size_t i = 0; i < NEDOCS; i++) {
                struct edoc *e = &edocs[i];
                snprintf(e->url, sizeof e->url, i % 50 == 0 ? "page-%zu/" : "articles/a%03zu/", i);
                snprintf(e->title, sizeof e->title, "%s第%zu号", vocab[i % 15], i);
                if (i % 50)
                        snprintf(e->date, sizeof e->date, "%zu-%02zu-%02zu", 2022 + i % 3,
                                 1 + i % 12, 1 + i % 28);
                snprintf(e->summary, sizeof e->summary, "关于%s的说明", vocab[(i * 7) % 15]);
                snprintf(e->topic, sizeof e->topic, "%s", i % 3 ? "wage" : "pension");
                buf_init(&e->text);
                for (int k = 0; k < 60; k++) {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        buf_puts(&e->text, vocab[x % 15]);
                        buf_puts(&e->text, k % 9 == 8 ? "。\n" : "，");
                }
        }
        nedocs = NEDOCS;
}

/* Puts every document into a new index (with the memo memo, n bytes, through st when st is
 * not NULL: then a text is given only when the index wants it) and writes it. Returns
 * search_write's; *s_out gets the index (caller frees). */
static int edocs_build(struct site *st, const struct buf *memo, const unsigned char *salt,
                       struct files *clean, struct search_index **s_out)
{
        struct search_index *s = search_new();
        struct search_io io = {.emit = st ? st_emit : keep,
                               .keep = st ? st_keep : NULL,
                               .read = st ? st_read : NULL,
                               .ctx = st ? (void *)st : (void *)clean};
        size_t live = 0;
        for (size_t i = 0; i < nedocs; i++)
                live += !edocs[i].gone;
        if (st) {
                struct buf copy = {0};
                buf_put(&copy, memo ? memo->data : NULL, memo ? memo->len : 0);
                (void)search_begin(s, &io, &copy, salt, live);
                buf_free(&copy);
        }
        for (size_t i = 0; i < nedocs; i++) {
                struct edoc *e = &edocs[i];
                if (e->gone)
                        continue;
                json_t *topics = json_pack("[{s:s, s:s}]", "slug", e->topic, "name", "专题");
                unsigned char key[32];
                digest_sha256(key, e->text.data, e->text.len);
                struct search_doc d = {.url = e->url,
                                       .title = e->title,
                                       .date = e->date,
                                       .kind = *e->date ? "article" : "page",
                                       .topics = topics,
                                       .summary = e->summary,
                                       .textkey = key};
                if (search_wants(s, &d))
                        d.text = e->text.data;
                search_put(s, &d);
                json_decref(topics);
        }
        if (st) {
                st->written = st->kept = 0;
        }
        struct diag *dg = diag_new();
        int rc = search_write(s, &io, dg);
        diag_free(dg);
        *s_out = s;
        return rc;
}

/* True when the build st made holds exactly the files of clean. */
static int site_equals(const struct site *st, const struct files *clean)
{
        if (st->nnext != clean->n)
                return 0;
        for (size_t i = 0; i < st->nnext; i++) {
                const struct buf *o = file_at(clean, st->next[i].rel);
                if (!o || o->len != st->next[i].data.len ||
                    memcmp(o->data ? o->data : "",
                           st->next[i].data.data ? st->next[i].data.data : "", o->len))
                        return 0;
        }
        return 1;
}

/* Builds in place (with the published site's memo) and whole, compares, publishes, and
 * keeps the new memo. Returns the in-place build's stats (copied). */
static struct search_stats step(struct site *st, struct buf *memo, const char *name,
                                const unsigned char *salt)
{
        static struct files clean;
        struct search_index *a = NULL, *b = NULL;
        int ra = edocs_build(st, memo, salt, NULL, &a);
        int rb = edocs_build(NULL, NULL, NULL, &clean, &b);
        char label[160];
        snprintf(label, sizeof label, "in place: %s: the index is the one built whole", name);
        CHECK(ra == 0 && rb == 0 && site_equals(st, &clean), label);
        struct search_stats stats = *search_stats(a);
        struct buf next = {0};
        int m = search_memo(a, &next);
        if (m == 1) {
                buf_reset(memo);
                buf_put(memo, next.data, next.len);
        }
        buf_free(&next);
        site_publish(st);
        search_free(a);
        search_free(b);
        files_free(&clean);
        return stats;
}

static void test_in_place(void)
{
        struct site st = {0};
        struct buf memo = {0};
        unsigned char salt[32] = {1}, salt2[32] = {2};
        edocs_make();
        struct search_stats r = step(&st, &memo, "the first build", salt);
        CHECK(!r.in_place && r.tokenised == NEDOCS && r.coded == r.shards && memo.len > 0,
              "in place: the first build is whole, and gives a memo");
        r = step(&st, &memo, "the same input", salt);
        CHECK(r.in_place && r.tokenised == 0 && r.coded == 0 && st.written == 2,
              "in place: the same input tokenises nothing and keeps every shard (writes meta and "
              "words only)");

        buf_puts(&edocs[120].text, "新增的一段文字，包含罕见词语qzxv。\n");
        r = step(&st, &memo, "a text edited at its end", salt);
        CHECK(r.in_place && r.tokenised == 1 && r.coded > 0 && r.coded < r.shards,
              "in place: one edit tokenises one document and codes some of the shards");

        snprintf(edocs[30].title, sizeof edocs[30].title, "修订后的标题");
        r = step(&st, &memo, "a title", salt);
        CHECK(r.in_place && r.tokenised == 1, "in place: a title edit tokenises one document");

        snprintf(edocs[40].date, sizeof edocs[40].date, "2019-01-01");
        r = step(&st, &memo, "a date (older: documents renumbered)", salt);
        CHECK(r.in_place && r.tokenised == 0, "in place: a date edit renumbers without tokenising");

        snprintf(edocs[41].date, sizeof edocs[41].date, "2030-01-01");
        r = step(&st, &memo, "a date (the newest)", salt);

        struct edoc *e = &edocs[nedocs++];
        snprintf(e->url, sizeof e->url, "articles/newest/");
        snprintf(e->title, sizeof e->title, "最新的文章");
        snprintf(e->date, sizeof e->date, "2031-02-03");
        snprintf(e->summary, sizeof e->summary, "最新的摘要");
        snprintf(e->topic, sizeof e->topic, "wage");
        buf_init(&e->text);
        buf_puts(&e->text, "社会保险，新的文章。\n");
        r = step(&st, &memo, "the newest article added", salt);
        CHECK(r.in_place && r.tokenised == 1 && r.coded < r.shards,
              "in place: the newest article is tokenised alone");

        e = &edocs[nedocs++];
        *e = edocs[5];
        snprintf(e->url, sizeof e->url, "articles/older/");
        snprintf(e->date, sizeof e->date, "2020-02-03");
        buf_init(&e->text);
        buf_put(&e->text, edocs[5].text.data, edocs[5].text.len);
        r = step(&st, &memo, "an older article added", salt);
        CHECK(r.in_place && r.tokenised == 1, "in place: an older article is tokenised alone");

        edocs[77].gone = 1;
        r = step(&st, &memo, "an article removed", salt);
        CHECK(r.in_place && r.tokenised == 0, "in place: a removal tokenises nothing");

        snprintf(edocs[90].topic, sizeof edocs[90].topic, "employment");
        r = step(&st, &memo, "a new topic", salt);
        CHECK(r.in_place && r.tokenised == 0 && r.coded <= 2,
              "in place: a topic edit codes only the topics' shards");
        snprintf(edocs[90].topic, sizeof edocs[90].topic, "wage");
        r = step(&st, &memo, "the topic gone again", salt);

        /* what makes a whole build */
        memo.data[memo.len / 2] ^= 1;
        buf_puts(&edocs[121].text, "再改一次。\n");
        r = step(&st, &memo, "a damaged memo", salt);
        CHECK(!r.in_place && r.tokenised == nedocs - 1, "in place: a damaged memo builds whole");
        buf_truncate(&memo, memo.len / 2);
        r = step(&st, &memo, "a cut memo", salt);
        CHECK(!r.in_place, "in place: a memo cut short builds whole");
        r = step(&st, &memo, "after a whole build, the memo it made", salt);
        CHECK(r.in_place, "in place: the memo of a whole build is used");
        r = step(&st, &memo, "another salt (gen binary, settings)", salt2);
        CHECK(!r.in_place, "in place: another salt builds whole");
        r = step(&st, &memo, "the same salt again", salt2);
        for (size_t i = 0; i < st.nlive; i++)
                if (!strcmp(st.live[i].rel, "search/idx/q/003.bin"))
                        st.live[i].edited = 1;
        buf_puts(&edocs[122].text, "又改一次。\n");
        r = step(&st, &memo, "a shard edited by hand in the published site", salt2);
        CHECK(!r.in_place, "in place: a shard edited by hand builds whole");
        r = step(&st, &memo, "after it", salt2);
        CHECK(r.in_place, "in place: then in place again");
        /* more than twice 256 documents: 512 shards */
        for (int i = 0; i < 220; i++) {
                e = &edocs[nedocs++];
                *e = edocs[i];
                snprintf(e->url, sizeof e->url, "articles/more-%d/", i);
                buf_init(&e->text);
                buf_put(&e->text, edocs[i].text.data, edocs[i].text.len);
        }
        r = step(&st, &memo, "another shard count", salt2);
        CHECK(!r.in_place && r.shards == 512, "in place: another shard count builds whole");
        r = step(&st, &memo, "after it", salt2);
        CHECK(r.in_place, "in place: then in place again (512 shards)");

        /* a published shard whose bytes changed behind the keys: the build fails */
        for (size_t i = 0; i < st.nlive; i++)
                if (!strncmp(st.live[i].rel, "search/idx/p/", 13) && st.live[i].data.len)
                        st.live[i].data.data[0] ^= 1;
        buf_puts(&edocs[123].text, "第三次修改。\n");
        struct search_index *s = NULL;
        CHECK(edocs_build(&st, &memo, salt2, NULL, &s) == -1,
              "in place: a published shard that changed behind its key fails the build");
        search_free(s);
        pfiles_free(st.next, st.nnext);
        st.next = NULL;
        st.nnext = 0;

        /* a document the index wants, given without its text */
        s = search_new();
        struct search_io io = {.emit = st_emit, .keep = st_keep, .read = st_read, .ctx = &st};
        (void)search_begin(s, &io, NULL, salt2, 1);
        unsigned char key[32] = {0};
        struct search_doc d = {.url = "x/", .title = "x", .summary = "s", .textkey = key};
        CHECK(search_wants(s, &d), "in place: without a memo every text is wanted");
        search_put(s, &d);
        struct diag *dg = diag_new();
        CHECK(search_write(s, &io, dg) == -1 && diag_errors(dg) == 1,
              "in place: a wanted text not given is an error");
        diag_free(dg);
        search_free(s);
        pfiles_free(st.next, st.nnext);

        pfiles_free(st.live, st.nlive);
        buf_free(&memo);
        for (size_t i = 0; i < nedocs; i++)
                buf_free(&edocs[i].text);
}

/* search_html_text on html gives want. */
static void html_case(const char *html, const char *want, const char *name)
{
        struct buf out = {0};
        search_html_text(&out, html);
        CHECK_STR(buf_cstr(&out), want, name);
        buf_free(&out);
}

static void test_html_text(void)
{
        html_case("<p>一段\n正文，Latin\nwords &amp; &lt;tags&gt; &#20013;&#x6587;</p>\n<h2 "
                  "id=\"x\">标题</h2>\n",
                  "一段正文，Latin words & <tags> 中文\n标题\n",
                  "html text: blocks are lines, soft breaks, character references");
        html_case(
            "<ul>\n<li>甲</li>\n<li><p>乙</p></li>\n</ul>\n<pre><code>a\n  b\n</code></pre>\n",
            "甲\n乙\na\n  b\n", "html text: list items and preformatted text");
        html_case("<figure><svg viewBox=\"0 0 1 1\"><title>图</title><text>0</text></svg>"
                  "<figcaption>图表标题</figcaption><details><summary>查看数据</summary><table>"
                  "<tr><th scope=\"col\">地区</th><td class=\"num\">1,976.29</td></tr></table>"
                  "</details></figure>",
                  "图表标题\n查看数据\n地区\n1,976.29\n",
                  "html text: a chart's caption and table, not its drawing");
        html_case("<p>见<img src=\"a.png\" alt=\"示意图 &quot;一&quot;\" loading=\"lazy\" />。"
                  "<!-- note --><script>x<y</script>a &bogus; b</p>",
                  "见示意图 \"一\"。a &bogus; b\n", "html text: image alt, comments, scripts");
}

int main(void)
{
        test_vectors();
        test_write();
        test_threads();
        test_failures();
        test_packed();
        test_format();
        test_in_place();
        test_html_text();
        return check_exit();
}
