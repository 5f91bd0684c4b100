/* Unit tests for search: the tokeniser against the vectors the browser's tokeniser is
 * checked with (../search/vectors.json, also read by tests/search/tokens.test.mjs), and
 * the index writer: files, order, determinism, threads, postings, failures. */
#include "check.h"

#include "buf.h"
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

/* search_emit_fn that keeps each file in a struct files. */
static int keep(void *ctx, const char *rel, const struct buf *data)
{
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

/* Builds the index of every doc, in the given order, into f. Returns search_write's. */
static int build(const size_t *order, struct files *f)
{
        struct search_index *s = search_new();
        for (size_t i = 0; i < NDOCS; i++)
                add_doc(s, order[i]);
        int rc = search_write(s, keep, f);
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

/* The document frequency of key in the shard directories of f, or -1 when absent. */
static long df_of(const struct files *f, const char *key)
{
        for (size_t i = 0; i < f->n; i++) {
                if (strncmp(f->rel[i], "search/idx/p/", 13))
                        continue;
                const unsigned char *p = (const unsigned char *)f->data[i].data;
                const unsigned char *end = p + f->data[i].len;
                uint64_t count = varint(&p, end);
                for (uint64_t k = 0; k < count && p < end; k++) {
                        uint64_t klen = varint(&p, end);
                        int hit = klen == strlen(key) && !memcmp(p, key, klen);
                        p += klen;
                        uint64_t df = varint(&p, end);
                        (void)varint(&p, end);
                        (void)varint(&p, end);
                        if (hit)
                                return (long)df;
                }
        }
        return -1;
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
        CHECK_STR(years, "[[\"2025\",0,1],[\"2024\",1,1],[\"2023\",2,1]]",
                  "meta.json: each year's document range, newest first");
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
        CHECK_STR(json_string_value(json_array_get(json_array_get(recs, 0), 0)), "articles/fund/",
                  "records: newest first");
        CHECK_STR(json_string_value(json_array_get(json_array_get(recs, 3), 0)), "about/",
                  "records: undated after dated, by URL");
        CHECK_STR(json_string_value(json_array_get(json_array_get(recs, 0), 5)),
                  "医保基金运行平稳。", "records: the line after the title is the snippet");
        json_decref(recs);
        const struct buf *d1 = file_at(&a, "search/idx/d/1.json");
        CHECK(d1 && strstr(d1->data, "data/fund/"), "records: four per file");

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
        CHECK(ok && search_write(s, keep, &b) == 0, "search_write after adds from two threads");
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
        CHECK(search_write(s, keep, &e) == 0 && file_at(&e, "search/idx/meta.json"),
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
 * search_add, to b with search_add_packed and body packed (damaged as damage says: 0
 * none, 1 truncated, 2 a wrong first byte, 3 no line break before the packed part). */
static void add_both(struct search_index *a, struct search_index *b, size_t n, const char *title,
                     const char *summary, const char *body, int damage)
{
        char url[32];
        snprintf(url, sizeof url, "articles/%zu/", n);
        struct buf text = {0}, packed = {0};
        buf_printf(&text, "%s\n%s\n", title, summary);
        size_t head = text.len;
        buf_puts(&text, body);
        json_t *topics = json_pack("[{s:s, s:s}]", "slug", "t", "name", "专题");
        search_add(a, url, title, "2025-01-02", topics, "article", buf_cstr(&text));
        CHECK(search_pack(b, &packed, body) == 0, "search_pack succeeds");
        if (damage == 1)
                packed.len /= 2;
        else if (damage == 2 && packed.len)
                packed.data[0] = 'x';
        search_add_packed(b, url, title, "2025-01-02", topics, "article", buf_cstr(&text),
                          damage == 3 ? head - 1 : head, packed.data, packed.len);
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
        for (int d = 1; d <= 3; d++)
                add_both(a, b, n++, "损坏的缓存", "摘要", "养老保险，医保基金。Pension 2024年", d);
        CHECK(search_write(a, keep, &fa) == 0 && search_write(b, keep, &fb) == 0,
              "search_write with packed texts");
        CHECK(files_equal(&fa, &fb), "packed texts give the index bytes whole texts give");
        search_free(a);
        search_free(b);
        files_free(&fa);
        files_free(&fb);
        json_decref(v);
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
        test_html_text();
        return check_exit();
}
