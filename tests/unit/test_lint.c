/* Unit tests for lint: one case per rule that must warn (with its exact line:col) and one
 * that must not. Articles are built the way content_load gives them. */
#include "check.h"

#include "config.h"
#include "content.h"
#include "diag.h"
#include "lint.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lints an article whose body md starts at file line 5; returns every message (caller
 * frees) and sets *count to lint_article's result. */
static char *lint(const char *md, const char *source, json_t *datasets, json_t *cited, int *count)
{
        json_t *a = json_pack("{s:s, s:s, s:i}", "path", "a.md", "markdown", md, "body_line", 5);
        if (source)
                json_object_set_new(a, "source", json_string(source));
        json_object_set_new(a, "datasets", cited ? json_incref(cited) : json_array());
        struct diag *d = diag_new();
        *count = lint_article(a, datasets, d);
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);
        if (!f) {
                printf("FAIL open_memstream\n");
                exit(1);
        }
        diag_flush(d, f);
        fclose(f);
        diag_free(d);
        json_decref(a);
        return s;
}

/* Expects exactly want warnings, the first message starting with where (may be NULL). */
static void expect(const char *name, const char *md, const char *source, json_t *datasets,
                   json_t *cited, int want, const char *where, const char *says)
{
        int n;
        char *m = lint(md, source, datasets, cited, &n);
        char label[256];
        snprintf(label, sizeof label, "%s: %d warning(s)", name, want);
        CHECK(n == want, label);
        if (n != want)
                printf("  got %d: %s\n", n, m);
        if (where) {
                snprintf(label, sizeof label, "%s: at %s", name, where);
                CHECK(!strncmp(m, where, strlen(where)), label);
                if (strncmp(m, where, strlen(where)))
                        printf("  got: %s\n", m);
        }
        if (says) {
                snprintf(label, sizeof label, "%s: says %s", name, says);
                CHECK(strstr(m, says) != NULL, label);
                if (!strstr(m, says))
                        printf("  got: %s\n", m);
        }
        free(m);
}

/* The dataset of tests/unit: 2024 income and pooled balances by scheme, in 亿元. */
static json_t *fund_dataset(void)
{
        return json_pack(
            "[{s:s, s:[{s:{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}], "
            "s:[[s, i, i], [s, i, i]]}}]}]",
            "name", "fund", "resources", "table", "fields", "name", "scheme", "type", "string",
            "title", "险种", "name", "income", "type", "number", "title", "基本医保基金收入",
            "unit", "亿元", "name", "balance", "type", "number", "title", "统筹基金当期结余",
            "unit", "亿元", "rows", "职工医保", 23700, 4164, "居民医保", 11100, 519);
}

static void test_source(void)
{
        expect("no source", "正文。\n", NULL, NULL, NULL, 1,
               "a.md:1:1: warning: the article has "
               "no source",
               "source:");
        expect("blank source", "正文。\n", " ", NULL, NULL, 1, "a.md:1:1:", NULL);
        expect("with source", "正文。\n", "新华社", NULL, NULL, 0, NULL, NULL);
}

static void test_repeat(void)
{
        expect("repeated paragraph",
               "医保基金运行总体平稳，收支略有结余。\n\n第二段。\n\n医保基金运行总体平稳，"
               "收支略有结余。\n",
               "报", NULL, NULL, 1, "a.md:9:1: warning: this paragraph repeats the one at line 5",
               NULL);
        expect("repeat across a line break counts",
               "一二三四五六七八九十。\n\n一二三四五\n六七八九十。\n", "报", NULL, NULL, 1,
               "a.md:7:1:", NULL);
        expect("short repeats are fine", "是的。\n\n是的。\n", "报", NULL, NULL, 0, NULL, NULL);
        expect("a repeated heading is not a paragraph",
               "## 一二三四五六七八九十\n\n正文。\n\n## 一二三四五六七八九十\n", "报", NULL, NULL,
               0, NULL, NULL);
}

static void test_broken(void)
{
        expect("sentence broken across paragraphs",
               "实现了基金收入稳定与\n\n促进经济恢复的统筹。\n", "报", NULL, NULL, 1,
               "a.md:5:10: warning: the paragraph stops mid-sentence", "goes on at line 7");
        expect("broken after a comma", "医保基金，\n\n今年继续增长。\n", "报", NULL, NULL, 1,
               "a.md:5:5:", NULL);
        expect("ends with a full stop", "第一句。\n\n第二句。\n", "报", NULL, NULL, 0, NULL, NULL);
        expect("a colon before a list", "措施如下：\n\n- 第一\n", "报", NULL, NULL, 0, NULL, NULL);
        expect("heading without a stop", "## 基金收入\n\n收入增长。\n", "报", NULL, NULL, 0, NULL,
               NULL);
        expect("next is a quote note", "续文缺失的段落\n\n> 【待核】续文不在本版。\n", "报", NULL,
               NULL, 0, NULL, NULL);
}

static void test_balance(void)
{
        expect("unclosed quote", "他说：“医保基金安全。\n", "报", NULL, NULL, 1,
               "a.md:5:4: warning: “ is not closed", NULL);
        expect("closing quote without opening", "医保基金安全。”他说。\n", "报", NULL, NULL, 1,
               "a.md:5:8: warning: closing ” without an opening “", NULL);
        expect("unclosed book title", "根据《条例规定，\n办理。\n", "报", NULL, NULL, 1,
               "a.md:5:3:", "》");
        expect("bracket on the second line", "文字\n（括号没有关上。\n", "报", NULL, NULL, 1,
               "a.md:6:1:", "）");
        expect("corner quotes", "「引文」与「另一段。\n", "报", NULL, NULL, 1, "a.md:5:6:", "」");
        expect("balanced", "“看病钱”“救命钱”，《条例》（草案）‘两定’「引」。\n", "报", NULL, NULL,
               0, NULL, NULL);
        expect("quotation over paragraphs", "“第一段没有结束。\n\n“第二段结束。”\n", "报", NULL,
               NULL, 0, NULL, NULL);
        expect("apostrophe", "英文名 Xi’an 不是引号。\n", "报", NULL, NULL, 0, NULL, NULL);
        expect("quotes in code are not read", "代码 `“` 不算。\n", "报", NULL, NULL, 0, NULL, NULL);
}

static void test_punct(void)
{
        expect("comma between Han", "医保,基金。\n", "报", NULL, NULL, 1,
               "a.md:5:3: warning: half-width ',' between Chinese characters", "“保，基”");
        expect("comma and space", "医保, 基金。\n", "报", NULL, NULL, 1, "a.md:5:3:", NULL);
        expect("colon and bracket", "第二行\n安排:会议(北京)举行。\n", "报", NULL, NULL, 3,
               "a.md:6:3:", "：");
        expect("numbers and Latin", "共3,000人，GDP,CPI 与 A(B) 不算。\n", "报", NULL, NULL, 0,
               NULL, NULL);
        expect("not in code or links", "`医保,基金` 与 [链接](/a/医保,基金/)。\n", "报", NULL, NULL,
               0, NULL, NULL);
        expect("not in fenced tables", "```table\n险种,当期结余\n职工医保,4164\n```\n", "报", NULL,
               NULL, 0, NULL, NULL);
}

static void test_image(void)
{
        expect("image without alt", "正文。\n\n![](/media/a.png)\n", "报", NULL, NULL, 1,
               "a.md:7:1: warning: image without alt text", NULL);
        expect("image with blank alt", "看图 ![ ](/media/a.png)。\n", "报", NULL, NULL, 1,
               "a.md:5:4:", NULL);
        expect("image with alt", "![医保基金收支图](/media/a.png)\n", "报", NULL, NULL, 0, NULL,
               NULL);
        expect("image in code", "`![](x.png)`\n", "报", NULL, NULL, 0, NULL, NULL);
}

static void test_numbers(void)
{
        json_t *ds = fund_dataset();
        json_t *cited = json_pack("[s]", "fund");
        expect("figure agrees", "其中，职工医保基金收入2.37万亿元。\n", "报", ds, cited, 0, NULL,
               NULL);
        expect("figure agrees in 亿元", "职工医保基金收入为23700亿元。\n", "报", ds, cited, 0, NULL,
               NULL);
        expect("figure differs", "其中，职工医保基金收入2.47万亿元。\n", "报", ds, cited, 1,
               "a.md:5:12: warning: “2.47万亿元” for 职工医保 (基本医保基金收入) differs from "
               "dataset fund",
               "2.37万亿元");
        expect("figure differs, plain", "居民医保结余520亿元。\n", "报", ds, cited, 1,
               "a.md:5:7:", NULL);
        expect("figure in bold differs", "居民医保结余**520亿元**。\n", "报", ds, cited, 1,
               "a.md:5:9:", "519亿元");
        expect("either balance field may be meant", "职工医保结余4164亿元。\n", "报", ds, cited, 0,
               NULL, NULL);
        expect("no field named, two fit the unit: not checked", "职工医保2.47万亿元。\n", "报", ds,
               cited, 0, NULL, NULL);
        json_t *totals = json_pack(
            "[{s:s, s:[{s:{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}], "
            "s:[[s, i, f]]}}]}]",
            "name", "totals", "resources", "table", "fields", "name", "indicator", "type", "string",
            "title", "指标", "name", "amount", "type", "number", "title", "金额", "unit", "亿元",
            "name", "growth", "type", "number", "title", "同比增长", "unit", "%", "rows",
            "基本医保基金总收入", 34800, 4.4);
        json_t *tcited = json_pack("[s]", "totals");
        expect("no field named, the unit fits one",
               "基本医保基金总收入3.48万亿元，同比增长4.4%。\n", "报", totals, tcited, 0, NULL,
               NULL);
        expect("no field named, the unit fits one: differs", "基本医保基金总收入3.58万亿元。\n",
               "报", totals, tcited, 1, "a.md:5:10:", "3.48万亿元");
        json_decref(tcited);
        json_decref(totals);
        expect("approximate: not checked", "职工医保基金收入约2.5万亿元，居民医保结余500余亿元。\n",
               "报", ds, cited, 0, NULL, NULL);
        expect("other unit: not checked", "职工医保基金收入2.47万人。\n", "报", ds, cited, 0, NULL,
               NULL);
        expect("dataset not cited: not checked", "职工医保基金收入2.47万亿元。\n", "报", ds, NULL,
               0, NULL, NULL);
        json_decref(cited);
        json_decref(ds);
}

static void test_strict(void)
{
        json_t *content = json_pack("{s:[{s:s, s:s, s:i, s:s}, {s:s, s:s, s:i, s:b}], s:[]}",
                                    "articles", "path", "a.md", "markdown", "医保,基金。\n",
                                    "body_line", 3, "source", "报", "path", "b.md", "markdown",
                                    "草稿没有来源。\n", "body_line", 3, "draft", 1, "datasets");
        struct diag *d = diag_new();
        int n = lint_content(content, false, false, d);
        CHECK(n == 1 && diag_warnings(d) == 1 && !diag_errors(d), "lint_content skips drafts");
        FILE *null = fopen("/dev/null", "w");
        diag_flush(d, null ? null : stderr);
        if (null)
                fclose(null);
        n = lint_content(content, true, true, d);
        CHECK(n == 2 && diag_errors(d) == 2, "lint_content --strict reports errors, drafts too");
        diag_free(d);
        json_decref(content);
}

/* The sample portal (content/, from tests/unit) has no lint warnings, drafts included. */
static void test_sample_content(void)
{
        struct diag *d = diag_new();
        json_t *cfg = config_load("../../content/site.yaml", d);
        json_t *content = cfg ? content_load("../../content", cfg, d) : NULL;
        CHECK(content != NULL, "sample content loads");
        int n = content ? lint_content(content, true, false, d) : -1;
        CHECK(n == 0, "sample content: no lint warnings");
        if (n)
                diag_flush(d, stdout);
        json_decref(content);
        json_decref(cfg);
        diag_free(d);
}

int main(void)
{
        test_source();
        test_repeat();
        test_broken();
        test_balance();
        test_punct();
        test_image();
        test_numbers();
        test_strict();
        test_sample_content();
        return check_exit();
}
