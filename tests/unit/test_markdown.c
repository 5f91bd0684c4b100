/* Unit tests for markdown: heading ids, table of contents, site-rooted links and their
 * checks, lazy images, raw HTML and unsafe URLs, the summary and the reading time. The
 * header gen/markdown.h is the specification. */
#include "check.h"

#include "buf.h"
#include "diag.h"
#include "markdown.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

/* Flushes every message of d into a new string (caller frees). */
static char *messages(struct diag *d)
{
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);
        if (!f) {
                printf("FAIL open_memstream\n");
                exit(1);
        }
        diag_flush(d, f);
        fclose(f);
        return s;
}

/* CHECK that hay contains needle; shows hay when it does not. */
#define CHECK_HAS(hay, needle, name)                                                               \
        do {                                                                                       \
                const char *h_ = (hay);                                                            \
                bool ok_ = h_ && strstr(h_, (needle));                                             \
                CHECK(ok_, (name));                                                                \
                if (!ok_)                                                                          \
                        printf("  in: %s\n", h_ ? h_ : "(null)");                                  \
        } while (0)

/* CHECK that hay does not contain needle; shows hay when it does. */
#define CHECK_HASNT(hay, needle, name)                                                             \
        do {                                                                                       \
                const char *h_ = (hay);                                                            \
                bool ok_ = h_ && !strstr(h_, (needle));                                            \
                CHECK(ok_, (name));                                                                \
                if (!ok_)                                                                          \
                        printf("  in: %s\n", h_ ? h_ : "(null)");                                  \
        } while (0)

static int count_of(const char *hay, const char *needle)
{
        int n = 0;
        for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

static size_t code_points(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char)*s & 0xC0) != 0x80;
        return n;
}

static bool starts_with(const char *s, const char *prefix)
{
        return s && !strncmp(s, prefix, strlen(prefix));
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t n = s ? strlen(s) : 0, k = strlen(suffix);
        return s && n >= k && !strcmp(s + n - k, suffix);
}

/* The links of an article two folders deep, checked against a small site. */
static json_t *site_known(void)
{
        json_t *k = json_object();
        json_object_set_new(k, "articles/a/", json_true());
        json_object_set_new(k, "about/", json_true());
        json_object_set_new(k, "media/a.png", json_true());
        return k;
}

/* Renders md with links; returns rc. *msgs gets the flushed messages (caller frees). */
static int render(const char *md, int body_line, const struct md_links *links, struct md_result *r,
                  char **msgs)
{
        struct diag *d = diag_new();
        int rc = markdown_render("a.md", body_line, md, strlen(md), links, r, d);
        *msgs = messages(d);
        diag_free(d);
        return rc;
}

static char *heading_id(const char *text)
{
        struct buf b = {0};
        markdown_heading_id(&b, text);
        return buf_detach(&b);
}

#define CHECK_ID(text, want, name)                                                                 \
        do {                                                                                       \
                char *id_ = heading_id(text);                                                      \
                CHECK_STR(id_, (want), (name));                                                    \
                free(id_);                                                                         \
        } while (0)

/* ---- heading ids ---- */

static void test_heading_ids(void)
{
        CHECK_ID("2024年 医保基金", "2024年-医保基金", "heading id: Chinese and digits kept");
        CHECK_ID("Hello, World!", "hello-world",
                 "heading id: ASCII lowercased, punctuation folded");
        CHECK_ID("！！！", "section", "heading id: only punctuation gives 'section'");
        CHECK_ID("", "section", "heading id: empty text gives 'section'");
        CHECK_ID("   ", "section", "heading id: only spaces gives 'section'");
        CHECK_ID("医保基金：收支（2024）", "医保基金-收支-2024",
                 "heading id: full-width punctuation folded, none trailing");
        CHECK_ID("  a -- b  ", "a-b", "heading id: runs folded, no leading or trailing '-'");
        CHECK_ID("Ünïcode Straße", "Ünïcode-straße", "heading id: only ASCII is lowercased");
        CHECK_ID("第一章", "第一章", "heading id: plain Chinese unchanged");

        struct buf b = {0};
        buf_puts(&b, "prefix:");
        markdown_heading_id(&b, "A B");
        CHECK_STR(buf_cstr(&b), "prefix:a-b", "heading id: appends to the buffer");
        buf_reset(&b);
        buf_puts(&b, "p:");
        markdown_heading_id(&b, "!!!");
        CHECK_STR(buf_cstr(&b), "p:section", "heading id: 'section' when appending nothing");
        buf_free(&b);

        struct md_links links = {.root = "../../", .known = NULL};
        struct md_result r;
        char *m;
        int rc = render("# 2024年 医保基金\n\n## Hello, World!\n\n## ！！！\n", 1, &links, &r, &m);
        CHECK(rc == 0, "heading id: render ok");
        free(m);
        CHECK_HAS(r.html, "<h1 id=\"2024年-医保基金\">2024年 医保基金</h1>",
                  "heading id: h1 rendered with its Chinese id");
        CHECK_HAS(r.html, "<h2 id=\"hello-world\">Hello, World!</h2>",
                  "heading id: h2 rendered with its id");
        CHECK_HAS(r.html, "<h2 id=\"section\">", "heading id: punctuation heading is 'section'");
        markdown_result_free(&r);

        rc = render("## 概述\n\n## 概述\n\n## 概述\n\n## Intro\n\n## intro\n", 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0, "heading id: duplicates render ok");
        CHECK_HAS(r.html, "<h2 id=\"概述\">", "heading id: first duplicate keeps its id");
        CHECK_HAS(r.html, "<h2 id=\"概述-1\">", "heading id: second duplicate gets -1");
        CHECK_HAS(r.html, "<h2 id=\"概述-2\">", "heading id: third duplicate gets -2");
        CHECK_HAS(r.html, "<h2 id=\"intro-1\">", "heading id: duplicates after lowercasing");
        markdown_result_free(&r);

        rc = render("## 概述\n\n## 概述-1\n\n## 概述\n", 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0 && count_of(r.html, "id=\"概述-1\"") == 1,
              "heading id: a dedup suffix never repeats an existing id");
        markdown_result_free(&r);

        rc = render("# main\n\n## Main\n\n## toc\n\n## content\n", 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0, "heading id: reserved names render ok");
        CHECK_HASNT(r.html, "id=\"main\"", "heading id: 'main' is reserved");
        CHECK_HAS(r.html, "<h1 id=\"main-1\">", "heading id: 'main' becomes main-1");
        CHECK_HAS(r.html, "<h2 id=\"main-2\">", "heading id: 'Main' becomes main-2");
        CHECK_HASNT(r.html, "id=\"toc\"", "heading id: 'toc' is reserved");
        CHECK_HASNT(r.html, "id=\"content\"", "heading id: 'content' is reserved");
        markdown_result_free(&r);

        rc = render("## a *b* `c`\n", 1, &links, &r, &m);
        free(m);
        CHECK_HAS(r.html, "<h2 id=\"a-b-c\">a <em>b</em> <code>c</code></h2>",
                  "heading id: from the plain text, inline markup kept in the heading");
        markdown_result_free(&r);

        rc = render("## x \"><script>\n", 1, &links, &r, &m);
        free(m);
        CHECK_HASNT(r.html, "<script>", "heading id: markup in a heading is escaped");
        CHECK_HAS(r.html, "<h2 id=\"x\">", "heading id: raw HTML in a heading is not in the id");
        markdown_result_free(&r);
}

/* ---- toc ---- */

static void test_toc(void)
{
        struct md_links links = {.root = "../../", .known = NULL};
        struct md_result r;
        char *m;
        int rc =
            render("# 标题\n\n## 一、概况\n\n正文。\n\n### 1. 收入\n\n#### 细节\n\n## 二、展望\n",
                   1, &links, &r, &m);
        free(m);
        CHECK(rc == 0, "toc: render ok");
        CHECK(json_is_array(r.toc) && json_array_size(r.toc) == 3,
              "toc: h2 and h3 only (h1 and h4 left out)");
        json_t *e0 = json_array_get(r.toc, 0), *e1 = json_array_get(r.toc, 1),
               *e2 = json_array_get(r.toc, 2);
        CHECK_STR(json_string_value(json_object_get(e0, "id")), "一-概况", "toc: first id");
        CHECK_STR(json_string_value(json_object_get(e0, "text")), "一、概况", "toc: first text");
        CHECK(json_integer_value(json_object_get(e0, "level")) == 2, "toc: first level 2");
        CHECK_STR(json_string_value(json_object_get(e1, "id")), "1-收入", "toc: h3 id");
        CHECK_STR(json_string_value(json_object_get(e1, "text")), "1. 收入", "toc: h3 text");
        CHECK(json_integer_value(json_object_get(e1, "level")) == 3, "toc: h3 level 3");
        CHECK_STR(json_string_value(json_object_get(e2, "id")), "二-展望", "toc: order kept");
        CHECK_HAS(r.html, "<h2 id=\"一-概况\">", "toc: ids match the rendered headings");
        markdown_result_free(&r);

        rc = render("## a\n\n## a\n\n## b\n", 1, &links, &r, &m);
        free(m);
        CHECK(
            json_array_size(r.toc) == 3 &&
                !strcmp(json_string_value(json_object_get(json_array_get(r.toc, 1), "id")), "a-1"),
            "toc: uses the deduplicated ids");
        markdown_result_free(&r);

        rc = render("# 标题\n\n## 一\n\n### 二\n\n#### 三\n\n正文。\n", 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0 && json_is_array(r.toc) && json_array_size(r.toc) == 0,
              "toc: two h2/h3 headings give an empty toc");
        markdown_result_free(&r);

        rc = render("正文。\n", 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0 && json_is_array(r.toc) && json_array_size(r.toc) == 0,
              "toc: no headings give an empty toc");
        markdown_result_free(&r);
}

/* ---- links and images ---- */

static void test_links(void)
{
        json_t *known = site_known();
        struct md_links rel = {.root = "../../", .known = known};
        struct md_result r;
        char *m;

        int rc = render("[x](/articles/a/)\n", 1, &rel, &r, &m);
        CHECK(rc == 0 && *m == '\0', "links: known article resolves");
        CHECK_HAS(r.html, "<a href=\"../../articles/a/\">x</a>", "links: made relative to root");
        markdown_result_free(&r);
        free(m);

        rc = render("[x](/articles/a)\n", 1, &rel, &r, &m);
        CHECK(rc == 0, "links: article without the final slash resolves");
        CHECK_HAS(r.html, "href=\"../../articles/a/\"", "links: final slash added");
        markdown_result_free(&r);
        free(m);

        rc = render("[x](/articles/a/#h2) [y](/about/?q=1#t)\n", 1, &rel, &r, &m);
        CHECK(rc == 0, "links: query and fragment resolve");
        CHECK_HAS(r.html, "href=\"../../articles/a/#h2\"", "links: fragment kept");
        CHECK_HAS(r.html, "href=\"../../about/?q=1#t\"", "links: query and fragment kept");
        markdown_result_free(&r);
        free(m);

        rc = render("第一行\n第二行\n见 [x](/articles/nope/)\n", 10, &rel, &r, &m);
        CHECK(rc == -1, "links: unknown article is an error");
        CHECK(r.html == NULL, "links: no html after an error");
        CHECK_HAS(m, "no article has that slug", "links: unknown article message");
        CHECK_HAS(m, "/articles/nope/", "links: message names the link");
        CHECK_HAS(m, "a.md:12:3: error:", "links: error at the link (column in characters)");
        free(m);

        rc = render("第一段。\n\n[x](/articles/nope/)\n", 10, &rel, &r, &m);
        CHECK(rc == -1, "links: unknown article on the body's 3rd line is an error");
        CHECK_HAS(m, "a.md:12:", "links: error line is body_line + 2");
        markdown_result_free(&r);
        free(m);

        rc = render("[x](/nothing/here/)\n", 1, &rel, &r, &m);
        CHECK(rc == -1, "links: unknown page is an error");
        CHECK_HAS(m, "no such page or file", "links: unknown page message");
        markdown_result_free(&r);
        free(m);

        rc = render("[a](/articles/one/) [b](/articles/two/)\n", 1, &rel, &r, &m);
        CHECK(rc == -1 && count_of(m, "error:") == 2, "links: every bad link reported");
        markdown_result_free(&r);
        free(m);

        struct md_links unchecked = {.root = "../../", .known = NULL};
        rc = render("[x](/articles/nope/) [y](/whatever.pdf)\n", 1, &unchecked, &r, &m);
        CHECK(rc == 0 && *m == '\0', "links: with known NULL everything resolves");
        CHECK_HAS(r.html, "href=\"../../articles/nope/\"", "links: unchecked article link");
        CHECK_HAS(r.html, "href=\"../../whatever.pdf\"", "links: unchecked file link");
        markdown_result_free(&r);
        free(m);

        struct md_links abs = {.root = "https://example.org/portal/", .known = known};
        rc = render("[x](/articles/a/) ![p](/media/a.png)\n", 1, &abs, &r, &m);
        CHECK(rc == 0, "links: absolute root ok");
        CHECK_HAS(r.html, "href=\"https://example.org/portal/articles/a/\"",
                  "links: absolute root gives absolute links");
        CHECK_HAS(r.html, "src=\"https://example.org/portal/media/a.png\"",
                  "links: absolute root gives absolute images");
        markdown_result_free(&r);
        free(m);

        rc = render("[x](https://other.org/a) [y](//cdn.org/b) [z](../c/) [w](#top)\n", 1, &rel, &r,
                    &m);
        CHECK(rc == 0, "links: other links are left alone");
        CHECK_HAS(r.html, "href=\"https://other.org/a\"", "links: absolute URL unchanged");
        CHECK_HAS(r.html, "href=\"//cdn.org/b\"", "links: protocol-relative URL unchanged");
        CHECK_HAS(r.html, "href=\"../c/\"", "links: relative URL unchanged");
        CHECK_HAS(r.html, "href=\"#top\"", "links: fragment unchanged");
        markdown_result_free(&r);
        free(m);

        rc = render("[x](javascript:alert(1)) [y](JAVASCRIPT:alert(2)) [z](vbscript:x) "
                    "[d](data:text/html,x)\n",
                    1, &rel, &r, &m);
        CHECK(r.html != NULL, "links: javascript: link rendered");
        if (r.html) {
                CHECK_HASNT(r.html, "javascript:", "links: no javascript: URL in the output");
                CHECK_HASNT(r.html, "JAVASCRIPT:", "links: no JAVASCRIPT: URL in the output");
                CHECK_HASNT(r.html, "vbscript:", "links: no vbscript: URL in the output");
                CHECK_HASNT(r.html, "data:text/html", "links: no data: URL in the output");
        }
        markdown_result_free(&r);
        free(m);

        rc = render("before\n\n<script>alert(1)</script>\n\ninline <script>alert(2)</script> "
                    "and <img src=x onerror=alert(3)>\n",
                    1, &rel, &r, &m);
        CHECK(rc == 0 && r.html, "links: raw HTML renders");
        CHECK_HASNT(r.html, "<script", "links: raw <script> never in the output");
        CHECK_HASNT(r.html, "onerror", "links: raw inline HTML never in the output");
        CHECK_HAS(r.html, "before", "links: text around raw HTML kept");
        markdown_result_free(&r);
        free(m);

        rc = render("![图 1](/media/a.png)\n", 1, &rel, &r, &m);
        CHECK(rc == 0, "images: known image ok");
        CHECK_HAS(r.html, "<img src=\"../../media/a.png\" alt=\"图 1\" loading=\"lazy\"",
                  "images: relative src, alt and lazy loading");
        markdown_result_free(&r);
        free(m);

        rc = render("![a \"q\" & b](/media/a.png \"标题 & 说明\")\n", 1, &rel, &r, &m);
        CHECK(rc == 0, "images: alt and title with specials ok");
        CHECK_HAS(r.html, "alt=\"a &quot;q&quot; &amp; b\"", "images: alt escaped");
        CHECK_HAS(r.html, "title=\"标题 &amp; 说明\"", "images: title escaped");
        markdown_result_free(&r);
        free(m);

        rc = render("![x](<https://example.org/a b.png?x=1&y=2>)\n", 1, &rel, &r, &m);
        CHECK(rc == 0, "images: external image with a space ok");
        CHECK_HAS(r.html, "src=\"https://example.org/a%20b.png?x=1&amp;y=2\"",
                  "images: src percent-encoded and HTML-escaped");
        markdown_result_free(&r);
        free(m);

        rc = render("![x](/media/missing.png)\n", 1, &rel, &r, &m);
        CHECK(rc == -1, "images: unknown image is an error");
        CHECK_HAS(m, "no such page or file", "images: unknown image message");
        markdown_result_free(&r);
        free(m);

        rc = render("正文\n\n![x](javascript:alert(1))\n", 5, &rel, &r, &m);
        CHECK(rc == -1, "images: javascript: image is an error");
        CHECK_HAS(m, "a.md:7:", "images: error at the image's line");
        CHECK_HAS(m, "image URL 'javascript:alert(1)' is not allowed",
                  "images: unsafe URL message");
        markdown_result_free(&r);
        free(m);

        rc = render("![x](data:image/svg+xml,<svg/onload=alert(1)>)\n", 1, &rel, &r, &m);
        CHECK(rc == -1 || (r.html && !strstr(r.html, "onload")),
              "images: data: image never rendered with script");
        markdown_result_free(&r);
        free(m);

        json_decref(known);
}

/* ---- summary and reading time ---- */

static void test_summary(void)
{
        struct md_links links = {.root = "../../", .known = NULL};
        struct md_result r;
        char *m;

        int rc =
            render("# 标题\n\n第一段很短。第二句也短！\n\n第二段不在摘要里。\n", 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0, "summary: render ok");
        CHECK_STR(r.summary, "第一段很短。第二句也短！", "summary: short first paragraph whole");
        markdown_result_free(&r);

        rc = render("第一行\n第二行，*强调* 和 `代码`。\n", 1, &links, &r, &m);
        free(m);
        CHECK_STR(r.summary, "第一行第二行，强调 和 代码。",
                  "summary: plain text, Han soft break joined without a space");
        markdown_result_free(&r);

        rc = render("Hello\nworld. Second [link](https://x.org/) here.\n", 1, &links, &r, &m);
        free(m);
        CHECK_STR(r.summary, "Hello world. Second link here.",
                  "summary: Latin soft break becomes a space, link text kept");
        markdown_result_free(&r);

        rc = render("## 只有标题\n", 1, &links, &r, &m);
        free(m);
        CHECK_STR(r.summary, "", "summary: no paragraph gives \"\"");
        markdown_result_free(&r);

        /* Ten sentences of 30 Han characters, each ending in 。 (31 code points each). */
        struct buf md = {0}, first4 = {0};
        for (int s = 0; s < 10; s++) {
                for (int i = 0; i < 30; i++)
                        buf_puts(&md, s % 2 ? "保" : "医");
                buf_puts(&md, "。");
                if (s == 3)
                        buf_puts(&first4, buf_cstr(&md));
        }
        char *para = strdup(buf_cstr(&md));
        buf_puts(&md, "\n");
        rc = render(buf_cstr(&md), 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0 && r.summary, "summary: long paragraph ok");
        CHECK(r.summary && code_points(r.summary) <= 150,
              "summary: long paragraph at most 150 code points");
        CHECK(r.summary && ends_with(r.summary, "。"), "summary: long paragraph cut after 。");
        CHECK(starts_with(para, r.summary ? r.summary : "x"),
              "summary: long paragraph cut is a prefix");
        CHECK_STR(r.summary, buf_cstr(&first4), "summary: cut after the last 。 within 150");
        markdown_result_free(&r);
        free(para);

        /* 300 Han characters and no sentence end. */
        buf_reset(&md);
        for (int i = 0; i < 300; i++)
                buf_puts(&md, i % 3 ? "基" : "金");
        para = strdup(buf_cstr(&md));
        rc = render(buf_cstr(&md), 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0 && r.summary, "summary: long paragraph without sentence ends ok");
        CHECK(r.summary && ends_with(r.summary, "…"), "summary: cut with …");
        CHECK(r.summary && code_points(r.summary) <= 151 && code_points(r.summary) > 100,
              "summary: cut with … near 150 code points");
        if (r.summary) {
                size_t keep = strlen(r.summary) - strlen("…");
                CHECK(!strncmp(para, r.summary, keep), "summary: … cut is a prefix");
        }
        markdown_result_free(&r);
        free(para);

        /* A Latin paragraph: '.' counts only before a space or the end. */
        buf_reset(&md);
        for (int i = 0; i < 20; i++)
                buf_puts(&md, "Version 1.5 is out. ");
        rc = render(buf_cstr(&md), 1, &links, &r, &m);
        free(m);
        CHECK(r.summary && ends_with(r.summary, "is out.") && code_points(r.summary) <= 150,
              "summary: Latin paragraph cut after a sentence end, not inside 1.5");
        markdown_result_free(&r);

        /* Exactly 150 code points stay whole. */
        buf_reset(&md);
        for (int i = 0; i < 150; i++)
                buf_puts(&md, "民");
        para = strdup(buf_cstr(&md));
        rc = render(buf_cstr(&md), 1, &links, &r, &m);
        free(m);
        CHECK_STR(r.summary, para, "summary: 150 code points kept whole");
        markdown_result_free(&r);
        free(para);

        /* Reading time. */
        buf_reset(&md);
        for (int i = 0; i < 800; i++)
                buf_puts(&md, "字");
        rc = render(buf_cstr(&md), 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0 && r.chars == 800, "reading time: 800 Han characters counted");
        CHECK(r.minutes == 2, "reading time: 800 Han characters take 2 minutes");
        markdown_result_free(&r);

        buf_reset(&md);
        for (int i = 0; i < 801; i++)
                buf_puts(&md, "字");
        rc = render(buf_cstr(&md), 1, &links, &r, &m);
        free(m);
        CHECK(r.minutes == 3, "reading time: 801 Han characters round up to 3 minutes");
        markdown_result_free(&r);

        rc = render("短文。\n", 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0 && r.minutes == 1, "reading time: a short text takes 1 minute");
        markdown_result_free(&r);

        rc = render("", 1, &links, &r, &m);
        free(m);
        CHECK(rc == 0 && r.minutes == 1 && r.chars == 0, "reading time: empty text 1 minute");
        CHECK(r.html && r.summary && !strcmp(r.summary, "") && json_array_size(r.toc) == 0,
              "markdown: empty text renders");
        markdown_result_free(&r);

        rc = render("Hello world, 2024 年度 report-card 医保。\n", 1, &links, &r, &m);
        free(m);
        CHECK(r.chars == 9, "reading time: Latin words and digit runs count one, Han one each");
        markdown_result_free(&r);
        buf_free(&md);
        buf_free(&first4);
}

int main(void)
{
        test_heading_ids();
        test_toc();
        test_links();
        test_summary();
        return check_exit();
}
