/* Unit tests for table (accessible HTML tables) and statsum (text summaries): exact
 * output, escaping of hostile text, missing values, row headers, column kinds,
 * well-formedness as XML, and errors reported at path:line:col. */
#include "check.h"

#include "buf.h"
#include "diag.h"
#include "statsum.h"
#include "table.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH "content/articles/a.md"
#define LINE 12
#define COL  3

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

/* Parses a JSON literal the test wrote; exits when it is wrong. Caller decrefs. */
static json_t *js(const char *text)
{
        json_error_t err;
        json_t *j = json_loads(text, JSON_DECODE_ANY, &err);
        if (!j) {
                printf("FAIL test JSON: %s: %s\n", err.text, text);
                exit(1);
        }
        return j;
}

/* Parses html wrapped in a root element, without network access. Caller frees with
 * xmlFreeDoc; NULL when it is not well-formed. */
static xmlDocPtr parse(const char *html)
{
        struct buf b = {0};
        buf_printf(&b, "<root>%s</root>", html);
        xmlDocPtr doc = xmlReadMemory(b.data, (int)b.len, "table.xml", NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        buf_free(&b);
        return doc;
}

/* True when html is well-formed XML (inside a root element). */
static bool well_formed(const char *html)
{
        xmlDocPtr doc = html ? parse(html) : NULL;
        bool ok = doc != NULL;
        xmlFreeDoc(doc);
        return ok;
}

/* Evaluates the XPath number expression expr on html; NAN on failure. */
static double xpath_num(const char *html, const char *expr)
{
        xmlDocPtr doc = html ? parse(html) : NULL;
        double v = NAN;
        if (!doc)
                return v;
        xmlXPathContextPtr xc = xmlXPathNewContext(doc);
        xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, xc);
        if (r && r->type == XPATH_NUMBER)
                v = r->floatval;
        xmlXPathFreeObject(r);
        xmlXPathFreeContext(xc);
        xmlFreeDoc(doc);
        return v;
}

/* Evaluates the XPath string expression expr on html. Caller frees; NULL on failure. */
static char *xpath_str(const char *html, const char *expr)
{
        xmlDocPtr doc = html ? parse(html) : NULL;
        char *s = NULL;
        if (!doc)
                return s;
        xmlXPathContextPtr xc = xmlXPathNewContext(doc);
        xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, xc);
        if (r && r->type == XPATH_STRING)
                s = xstrdup((const char *)r->stringval);
        xmlXPathFreeObject(r);
        xmlXPathFreeContext(xc);
        xmlFreeDoc(doc);
        return s;
}

/* Renders table text with spec; returns the HTML (caller frees) or NULL, with the
 * messages in *msgs (caller frees; may be NULL). Checks that a failure leaves out as it
 * was. */
static char *table(const char *text, const struct table_spec *spec, char **msgs)
{
        json_t *t = js(text);
        struct diag *d = diag_new();
        struct buf out = {0};
        char *html = NULL;
        buf_puts(&out, "before");
        if (table_html(t, spec, PATH, LINE, COL, &out, d) == 0) {
                html = xstrdup(buf_cstr(&out) + strlen("before"));
        } else {
                CHECK_STR(buf_cstr(&out), "before", "table: failure leaves out as it was");
                CHECK(diag_errors(d) == 1, "table: failure reports one error");
        }
        if (msgs)
                *msgs = messages(d);
        buf_free(&out);
        diag_free(d);
        json_decref(t);
        return html;
}

/* Summarises text's y along x; returns the HTML (caller frees) or NULL, with the
 * messages in *msgs as above. */
static char *summary(const char *text, const char *x, const char *y, char **msgs)
{
        json_t *t = js(text);
        struct diag *d = diag_new();
        struct buf out = {0};
        char *html = NULL;
        buf_puts(&out, "before");
        if (statsum_html(t, x, y, PATH, LINE, COL, &out, d) == 0) {
                html = xstrdup(buf_cstr(&out) + strlen("before"));
        } else {
                CHECK_STR(buf_cstr(&out), "before", "statsum: failure leaves out as it was");
                CHECK(diag_errors(d) == 1, "statsum: failure reports one error");
        }
        if (msgs)
                *msgs = messages(d);
        buf_free(&out);
        diag_free(d);
        json_decref(t);
        return html;
}

/* The standard test table. */
static const char *MED =
    "{\"fields\": [{\"name\": \"scheme\", \"type\": \"string\", \"title\": \"险种\"},"
    " {\"name\": \"income\", \"type\": \"number\", \"title\": \"基金收入\", \"unit\": \"亿元\"},"
    " {\"name\": \"growth\", \"type\": \"number\", \"title\": \"同比增长\", \"unit\": \"%\"}],"
    " \"rows\": [[\"职工医保\", 23700, 4.4], [\"居民医保\", 11100, null]]}";

/* ---- table_html ---- */

static void test_exact(void)
{
        struct table_spec spec = {"2024年医保基金收入", "来源：国家医保局", NULL, "t1", 1};
        char *html = table(MED, &spec, NULL);
        CHECK_STR(
            html,
            "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"t1-caption\" "
            "tabindex=\"0\">\n"
            "<table id=\"t1\">\n"
            "<caption id=\"t1-caption\">2024年医保基金收入 <span "
            "class=\"table-meta\">来源：国家医保局</span></caption>\n"
            "<thead>\n"
            "<tr><th scope=\"col\">险种</th><th scope=\"col\" class=\"num\">基金收入（亿元）</th>"
            "<th scope=\"col\" class=\"num\">同比增长（%）</th></tr>\n"
            "</thead>\n"
            "<tbody>\n"
            "<tr><th scope=\"row\">职工医保</th><td class=\"num\">23,700</td>"
            "<td class=\"num\">4.4</td></tr>\n"
            "<tr><th scope=\"row\">居民医保</th><td class=\"num\">11,100</td>"
            "<td class=\"num missing\"><span aria-hidden=\"true\">—</span>"
            "<span class=\"vh\">无数据</span></td></tr>\n"
            "</tbody>\n"
            "</table>\n"
            "</div>\n",
            "table: exact output");
        CHECK(well_formed(html), "table: exact output is well-formed");
        free(html);
}

static void test_wrapper(void)
{
        struct table_spec spec = {"表", "来源：法治日报，2025年1月14日", "更新于2025年1月14日",
                                  NULL, 0};
        char *html = table(MED, &spec, NULL);
        const char *head = "<div class=\"table-wrap\">\n<table>\n<caption>表 <span";
        CHECK(html && !strncmp(html, head, strlen(head)), "table: no id, plain wrapper");
        CHECK(html && !strstr(html, "aria-labelledby") && !strstr(html, "tabindex") &&
                  !strstr(html, " id="),
              "table: no id, no region or ids");
        CHECK(html && strstr(html, "<span class=\"table-meta\">来源：法治日报，2025年1月14日；"
                                   "更新于2025年1月14日</span>"),
              "table: source and update joined");
        CHECK(html && !strstr(html, "scope=\"row\""), "table: no row headers");
        CHECK(xpath_num(html, "count(//tbody/tr/td)") == 6, "table: every cell a td");
        CHECK(well_formed(html), "table: no id, well-formed");
        free(html);

        struct table_spec only_updated = {"表", "", "更新于2025年1月14日", "x", 1};
        html = table(MED, &only_updated, NULL);
        CHECK(html && strstr(html, "表 <span class=\"table-meta\">更新于2025年1月14日</span>"),
              "table: empty source left out");
        free(html);

        struct table_spec bare = {"表", NULL, NULL, "x", 1};
        html = table(MED, &bare, NULL);
        CHECK(html && strstr(html, "<caption id=\"x-caption\">表</caption>"),
              "table: no meta, no span");
        free(html);
}

static void test_hostile(void)
{
        const char *t =
            "{\"fields\": [{\"name\": \"n\", \"type\": \"string\", \"title\": \"<b>名\\\"称</b>\"},"
            " {\"name\": \"v\", \"type\": \"number\", \"title\": \"值 & 'x'\", \"unit\": "
            "\"<i>\"}],"
            " \"rows\": [[\"<script>alert(1)</script>\", 1],"
            " [\"A & B \\\"C\\\" 'D'\", 2], [\"</td></tr></table>\", null],"
            " [\"a\\u0001b\\u001fc\\t\\uFFFEd\\uFFFF\", 3]]}";
        struct table_spec spec = {"<script>x</script> & \"q\" 'r'", "<a href=x>来源</a>",
                                  "\"更新\"", "id\"><script>", 1};
        char *html = table(t, &spec, NULL);
        CHECK(html && !strstr(html, "<script") && !strstr(html, "<b>") && !strstr(html, "<i>") &&
                  !strstr(html, "<a "),
              "hostile: no markup gets through");
        CHECK(html && strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"),
              "hostile: cell escaped");
        CHECK(html && strstr(html, "A &amp; B &quot;C&quot; &#39;D&#39;"),
              "hostile: ampersand and quotes in a cell");
        CHECK(html && strstr(html, "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;"),
              "hostile: closing tags in a cell");
        CHECK(html && strstr(html, "&lt;b&gt;名&quot;称&lt;/b&gt;"), "hostile: header title");
        CHECK(html && strstr(html, "值 &amp; &#39;x&#39;（&lt;i&gt;）"), "hostile: header unit");
        CHECK(html &&
                  strstr(html, "&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot; &#39;r&#39;"),
              "hostile: caption");
        CHECK(html && strstr(html, "&lt;a href=x&gt;来源&lt;/a&gt;；&quot;更新&quot;"),
              "hostile: source and update");
        CHECK(html && strstr(html, "id=\"id&quot;&gt;&lt;script&gt;-caption\""),
              "hostile: id attribute");
        CHECK(html && strstr(html, "<th scope=\"row\">abc\td</th>"),
              "hostile: characters XML forbids dropped");
        CHECK(well_formed(html), "hostile: well-formed");
        char *cap = xpath_str(html, "string(//caption/text())");
        CHECK_STR(cap, "<script>x</script> & \"q\" 'r' ", "hostile: caption reads back as text");
        free(cap);
        char *c = xpath_str(html, "string(//tbody/tr[2]/th)");
        CHECK_STR(c, "A & B \"C\" 'D'", "hostile: cell reads back as text");
        free(c);
        free(html);
}

static void test_missing_and_kinds(void)
{
        const char *t =
            "{\"fields\": [{\"name\": \"year\", \"type\": \"year\", \"title\": \"年份\"},"
            " {\"name\": \"n\", \"type\": \"integer\", \"title\": \"人数\", \"unit\": \"人\"},"
            " {\"name\": \"r\", \"type\": \"number\", \"title\": \"比率（%）\", \"unit\": \"%\"},"
            " {\"name\": \"d\", \"type\": \"date\"},"
            " {\"name\": \"b\", \"type\": \"boolean\", \"title\": \"\"},"
            " {\"name\": \"s\", \"title\": \"备注\"}],"
            " \"rows\": [[2024, 1234567, 0.1234567, \"2024-06-30\", true, \"有\"],"
            " [2023, -5, 12.0, null, false, null],"
            " [null, null, null, \"2023-01-01\", null, \"\"]]}";
        struct table_spec spec = {"类型", NULL, NULL, "k", 1};
        char *html = table(t, &spec, NULL);
        CHECK(html && strstr(html, "<th scope=\"col\">年份</th>"), "kinds: year header not num");
        CHECK(html && strstr(html, "<th scope=\"col\" class=\"num\">人数（人）</th>"),
              "kinds: integer header num with unit");
        CHECK(html && strstr(html, "<th scope=\"col\" class=\"num\">比率（%）</th>"),
              "kinds: unit already in the title not repeated");
        CHECK(html && strstr(html, "<th scope=\"col\">d</th>"), "kinds: no title, the name");
        CHECK(html && strstr(html, "<th scope=\"col\">b</th>"), "kinds: empty title, the name");
        CHECK(html && strstr(html, "<tr><th scope=\"row\">2024</th><td class=\"num\">1,234,567"
                                   "</td><td class=\"num\">0.123457</td><td>2024-06-30</td>"
                                   "<td>是</td><td>有</td></tr>"),
              "kinds: year plain, integer grouped, real 6 decimals, date, boolean, string");
        CHECK(html && strstr(html, "<td class=\"num\">-5</td><td class=\"num\">12</td>"
                                   "<td class=\"missing\"><span aria-hidden=\"true\">—</span>"
                                   "<span class=\"vh\">无数据</span></td><td>否</td>"
                                   "<td class=\"missing\">"),
              "kinds: negative, whole real, missing text cell, false");
        CHECK(html && strstr(html, "<tr><th scope=\"row\" class=\"missing\"><span "
                                   "aria-hidden=\"true\">—</span><span class=\"vh\">无数据"
                                   "</span></th><td class=\"num missing\">"),
              "kinds: missing row header");
        CHECK(html && strstr(html, "<td></td></tr>"), "kinds: empty string is not missing");
        CHECK(xpath_num(html, "count(//*[contains(@class,'missing')])") == 6,
              "kinds: six missing cells");
        CHECK(xpath_num(html, "count(//tbody//th[@scope='row'])") == 3, "kinds: row headers");
        CHECK(well_formed(html), "kinds: well-formed");
        free(html);

        const char *numfirst = "{\"fields\": [{\"name\": \"v\", \"type\": \"number\"}],"
                               " \"rows\": [[1.5], [null]]}";
        html = table(numfirst, &spec, NULL);
        CHECK(html && strstr(html, "<tr><th scope=\"row\" class=\"num\">1.5</th></tr>") &&
                  strstr(html, "<th scope=\"row\" class=\"num missing\">"),
              "kinds: numeric row header keeps num");
        free(html);

        const char *empty = "{\"fields\": [{\"name\": \"v\", \"type\": \"number\"}], \"rows\": []}";
        html = table(empty, &spec, NULL);
        CHECK(html && strstr(html, "<tbody>\n</tbody>"), "kinds: no rows, empty tbody");
        CHECK(well_formed(html), "kinds: no rows, well-formed");
        free(html);
}

/* A malformed table gives one error at the caller's position. */
static void bad_table(const char *text, const struct table_spec *spec, const char *want,
                      const char *name)
{
        char *msgs = NULL;
        char *html = table(text, spec, &msgs);
        CHECK(html == NULL, name);
        CHECK_STR(msgs, want, name);
        free(html);
        free(msgs);
}

static void test_errors(void)
{
        struct table_spec spec = {"表", NULL, NULL, "t", 1};
        const char *at = PATH ":12:3: error: ";
        char want[512];
#define WANT(m) (snprintf(want, sizeof want, "%s%s\n", at, (m)), want)
        bad_table("[]", &spec,
                  WANT("table: not a table (an object with \"fields\" and \"rows\" arrays)"),
                  "errors: not an object");
        bad_table("{\"rows\": []}", &spec,
                  WANT("table: not a table (an object with \"fields\" and \"rows\" arrays)"),
                  "errors: no fields");
        bad_table("{\"fields\": {}, \"rows\": []}", &spec,
                  WANT("table: not a table (an object with \"fields\" and \"rows\" arrays)"),
                  "errors: fields not an array");
        bad_table("{\"fields\": [{\"name\": \"a\"}], \"rows\": {}}", &spec,
                  WANT("table: not a table (an object with \"fields\" and \"rows\" arrays)"),
                  "errors: rows not an array");
        bad_table("{\"fields\": [], \"rows\": []}", &spec, WANT("table: the table has no fields"),
                  "errors: empty fields");
        bad_table("{\"fields\": [{\"name\": \"a\"}, {\"title\": \"b\"}], \"rows\": []}", &spec,
                  WANT("table: field 2 has no name"), "errors: field without name");
        bad_table("{\"fields\": [{\"name\": \"a\"}, \"b\"], \"rows\": []}", &spec,
                  WANT("table: field 2 has no name"), "errors: field not an object");
        bad_table("{\"fields\": [{\"name\": \"a\"}, {\"name\": \"b\"}], \"rows\": [[1, 2], [1]]}",
                  &spec, WANT("table: row 2 has 1 cells, expected 2 (one per field)"),
                  "errors: short row");
        bad_table("{\"fields\": [{\"name\": \"a\"}], \"rows\": [[1, 2]]}", &spec,
                  WANT("table: row 1 has 2 cells, expected 1 (one per field)"), "errors: long row");
        bad_table("{\"fields\": [{\"name\": \"a\"}], \"rows\": [1]}", &spec,
                  WANT("table: row 1 has 0 cells, expected 1 (one per field)"),
                  "errors: row not an array");
        bad_table("{\"fields\": [{\"name\": \"a\"}, {\"name\": \"b\"}], \"rows\": [[1, {}]]}",
                  &spec,
                  WANT("table: row 1, column 2: a cell must be a string, number, boolean or null"),
                  "errors: object cell");
        struct table_spec nocap = {NULL, NULL, NULL, "t", 1};
        bad_table(MED, &nocap, WANT("table: no caption given"), "errors: no caption");
        bad_table(MED, NULL, WANT("table: no caption given"), "errors: no spec");
#undef WANT
}

/* ---- statsum_html ---- */

/* A yearly series of fund income (亿元) with the given rows. Caller frees. */
static char *years(const char *rows)
{
        return xasprintf("{\"fields\": [{\"name\": \"year\", \"type\": \"year\", \"title\": "
                         "\"年份\"}, {\"name\": \"income\", \"type\": \"number\", \"title\": "
                         "\"基金收入\", \"unit\": \"亿元\"}], \"rows\": [%s]}",
                         rows);
}

/* Checks the summary of y along x in text against want. */
static void sum_is(const char *text, const char *x, const char *y, const char *want,
                   const char *name)
{
        char *html = summary(text, x, y, NULL);
        CHECK_STR(html, want, name);
        CHECK(well_formed(html), name);
        free(html);
}

/* Checks the yearly series with rows against want. */
static void years_is(const char *rows, const char *want, const char *name)
{
        char *t = years(rows);
        sum_is(t, "year", "income", want, name);
        free(t);
}

static void test_statsum_time(void)
{
        years_is("[2022, 30900], [2023, 33300], [2024, 34800]",
                 "<p>2024年基金收入为3.48万亿元，比2023年增长4.5%。2022年至2024年间，最高的是"
                 "2024年（3.48万亿元），最低的是2022年（3.09万亿元）。</p>\n",
                 "statsum: yearly increase");
        years_is("[2023, 4164], [2024, 3950.5]",
                 "<p>2024年基金收入为3,950.5亿元，比2023年下降5.1%。2023年至2024年间，最高的是"
                 "2023年（4,164亿元），最低的是2024年（3,950.5亿元）。</p>\n",
                 "statsum: yearly decrease");
        years_is("[2023, 0], [2024, 275]",
                 "<p>2024年基金收入为275亿元，2023年为0亿元。2023年至2024年间，最高的是2024年"
                 "（275亿元），最低的是2023年（0亿元）。</p>\n",
                 "statsum: previous zero gives its value, no percentage");
        years_is("[2023, -10], [2024, 5]",
                 "<p>2024年基金收入为5亿元，2023年为-10亿元。2023年至2024年间，最高的是2024年"
                 "（5亿元），最低的是2023年（-10亿元）。</p>\n",
                 "statsum: previous negative gives its value");
        years_is("[2023, 1000], [2024, 1000.2]",
                 "<p>2024年基金收入为1,000.2亿元，与2023年持平。2023年至2024年间，最高的是2024年"
                 "（1,000.2亿元），最低的是2023年（1,000亿元）。</p>\n",
                 "statsum: flat");
        years_is("[2024, 34800], [2022, 30900], [2023, 33300]",
                 "<p>2024年基金收入为3.48万亿元，比2023年增长4.5%。2022年至2024年间，最高的是"
                 "2024年（3.48万亿元），最低的是2022年（3.09万亿元）。</p>\n",
                 "statsum: rows out of order");
        years_is("[2022, 30900], [2023, 33300], [2024, 34800], [2025, null]",
                 "<p>2024年基金收入为3.48万亿元，比2023年增长4.5%。2022年至2024年间，最高的是"
                 "2024年（3.48万亿元），最低的是2022年（3.09万亿元）。另有1项无数据。</p>\n",
                 "statsum: latest missing, the latest with a value");
        years_is("[2022, 30900], [2023, null], [2024, 34800]",
                 "<p>2024年基金收入为3.48万亿元。2022年至2024年间，最高的是2024年（3.48万亿元），"
                 "最低的是2022年（3.09万亿元）。另有1项无数据。</p>\n",
                 "statsum: previous missing, no change");
        years_is("[2024, 34800]", "<p>2024年基金收入为3.48万亿元。</p>\n", "statsum: one year");
        years_is("[2023, 5], [2024, 5], [2022, 5]",
                 "<p>2024年基金收入为5亿元，与2023年持平。2022年至2024年间，各期均为5亿元。</p>\n",
                 "statsum: all equal");
        years_is("[2023, null], [2024, null]", "<p>基金收入暂无数据。</p>\n",
                 "statsum: all missing");
        years_is("", "<p>基金收入暂无数据。</p>\n", "statsum: no rows");

        /* Years written as strings, in a string field. */
        const char *s = "{\"fields\": [{\"name\": \"p\", \"type\": \"string\"},"
                        " {\"name\": \"v\", \"type\": \"integer\", \"title\": \"参保人数\", "
                        "\"unit\": \"万人\"}],"
                        " \"rows\": [[\"2023年\", 133389], [\"2024\", 132692]]}";
        sum_is(s, "p", "v",
               "<p>2024年参保人数为13.27亿人，比2023年下降0.5%。2023年至2024年间，最高的是"
               "2023年（13.34亿人），最低的是2024年（13.27亿人）。</p>\n",
               "statsum: string years");

        /* Dates. */
        const char *dt = "{\"fields\": [{\"name\": \"d\", \"type\": \"date\"},"
                         " {\"name\": \"v\", \"type\": \"number\", \"title\": \"余额\", "
                         "\"unit\": \"亿元\"}],"
                         " \"rows\": [[\"2024-03-31\", 100], [\"2024-06-30\", 110], "
                         "[\"2023-12-31\", 90]]}";
        sum_is(dt, "d", "v",
               "<p>2024年6月30日余额为110亿元，比2024年3月31日增长10%。2023年12月31日至2024年6月"
               "30日间，最高的是2024年6月30日（110亿元），最低的是2023年12月31日（90亿元）。</p>\n",
               "statsum: dates");

        /* Percentages change in 个百分点. */
        const char *pc = "{\"fields\": [{\"name\": \"y\", \"type\": \"integer\"},"
                         " {\"name\": \"g\", \"type\": \"number\", \"title\": \"增速\", "
                         "\"unit\": \"%\"}],"
                         " \"rows\": [[2023, 4.4], [2024, 5.0]]}";
        sum_is(pc, "y", "g",
               "<p>2024年增速为5%，比2023年提高0.6个百分点。2023年至2024年间，最高的是2024年"
               "（5%），最低的是2023年（4.4%）。</p>\n",
               "statsum: percentage points up");
        const char *pd = "{\"fields\": [{\"name\": \"y\", \"type\": \"integer\"},"
                         " {\"name\": \"g\", \"type\": \"number\", \"unit\": \"%\"}],"
                         " \"rows\": [[2023, 0], [2024, -1.25]]}";
        sum_is(pd, "y", "g",
               "<p>2024年g为-1.25%，比2023年降低1.3个百分点。2023年至2024年间，最高的是2023年"
               "（0%），最低的是2024年（-1.25%）。</p>\n",
               "statsum: percentage points down, from zero, name as title");
}

static void test_statsum_categories(void)
{
        sum_is(MED, "scheme", "income",
               "<p>基金收入最高的是职工医保（2.37万亿元），最低的是居民医保（1.11万亿元）。</p>\n",
               "statsum: categories");
        sum_is(MED, "scheme", "growth", "<p>职工医保的同比增长为4.4%。另有1项无数据。</p>\n",
               "statsum: single value and a missing one");

        const char *many =
            "{\"fields\": [{\"name\": \"r\", \"type\": \"string\"},"
            " {\"name\": \"v\", \"type\": \"integer\", \"title\": \"案件数\", \"unit\": \"件\"}],"
            " \"rows\": [[\"甲\", 5], [\"乙\", 9], [\"丙\", 9], [\"丁\", null], [\"戊\", 1],"
            " [\"己\", null]]}";
        sum_is(many, "r", "v",
               "<p>案件数最高的是乙、丙（9件），最低的是戊（1件）。另有2项无数据。</p>\n",
               "statsum: ties and missing count");
        const char *ties =
            "{\"fields\": [{\"name\": \"r\", \"type\": \"string\"},"
            " {\"name\": \"v\", \"type\": \"integer\", \"title\": \"案件数\"}],"
            " \"rows\": [[\"甲\", 9], [\"乙\", 9], [\"丙\", 9], [\"丁\", 9], [\"戊\", 1]]}";
        sum_is(ties, "r", "v", "<p>案件数最高的是甲、乙、丙等4项（9），最低的是戊（1）。</p>\n",
               "statsum: more than three tied");
        const char *equal = "{\"fields\": [{\"name\": \"r\", \"type\": \"string\"},"
                            " {\"name\": \"v\", \"type\": \"number\", \"unit\": \"元\"}],"
                            " \"rows\": [[\"甲\", 34800], [\"乙\", 34800]]}";
        sum_is(equal, "r", "v", "<p>v各项均为3.48万元。</p>\n", "statsum: all equal");
        const char *none = "{\"fields\": [{\"name\": \"r\", \"type\": \"string\"},"
                           " {\"name\": \"v\", \"type\": \"number\", \"title\": \"金额\"}],"
                           " \"rows\": [[\"甲\", null], [\"乙\", null]]}";
        sum_is(none, "r", "v", "<p>金额暂无数据。</p>\n", "statsum: categories all missing");

        /* Something that only partly looks like years stays categories, as written. */
        const char *mixed = "{\"fields\": [{\"name\": \"r\", \"type\": \"string\"},"
                            " {\"name\": \"v\", \"type\": \"integer\", \"title\": \"数\"}],"
                            " \"rows\": [[\"2023\", 1], [\"其他\", 2], [null, 3]]}";
        sum_is(mixed, "r", "v", "<p>数最高的是未注明（3），最低的是2023（1）。</p>\n",
               "statsum: mixed labels stay categories, null x");

        /* Hostile labels and titles are escaped. */
        const char *hostile =
            "{\"fields\": [{\"name\": \"r\", \"type\": \"string\"},"
            " {\"name\": \"v\", \"type\": \"number\", \"title\": \"<b>值</b>\", \"unit\": "
            "\"&\"}],"
            " \"rows\": [[\"<script>alert('x')</script>\", 2], [\"A & \\\"B\\\"\\u0001\", 1]]}";
        sum_is(hostile, "r", "v",
               "<p>&lt;b&gt;值&lt;/b&gt;最高的是&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
               "（2&amp;），最低的是A &amp; &quot;B&quot;（1&amp;）。</p>\n",
               "statsum: escaped");
}

/* A failing summary gives one error at the caller's position. */
static void bad_sum(const char *text, const char *x, const char *y, const char *want,
                    const char *name)
{
        char *msgs = NULL;
        char *html = summary(text, x, y, &msgs);
        CHECK(html == NULL, name);
        CHECK_STR(msgs, want, name);
        free(html);
        free(msgs);
}

static void test_statsum_errors(void)
{
        bad_sum(MED, "nope", "income",
                PATH ":12:3: error: statsum: unknown field \"nope\" for x (fields: scheme, income, "
                     "growth)\n",
                "statsum errors: unknown x");
        bad_sum(MED, "scheme", "nope",
                PATH ":12:3: error: statsum: unknown field \"nope\" for y (fields: scheme, income, "
                     "growth)\n",
                "statsum errors: unknown y");
        bad_sum(MED, NULL, "income",
                PATH ":12:3: error: statsum: unknown field \"\" for x (fields: scheme, income, "
                     "growth)\n",
                "statsum errors: NULL x");
        bad_sum(MED, "income", "scheme",
                PATH ":12:3: error: statsum: y field \"scheme\" is not numeric (type string; "
                     "needs number or integer)\n",
                "statsum errors: y not numeric");
        bad_sum("{\"fields\": [{\"name\": \"a\"}, {\"name\": \"b\"}], \"rows\": []}", "a", "b",
                PATH ":12:3: error: statsum: y field \"b\" is not numeric (type missing; needs "
                     "number or integer)\n",
                "statsum errors: y without type");
        bad_sum("{\"fields\": [{\"name\": \"a\"}, {\"name\": \"b\", \"type\": \"number\"}],"
                " \"rows\": [[\"x\", 1], [\"y\", \"2\"]]}",
                "a", "b", PATH ":12:3: error: statsum: row 2: \"b\" is not a number\n",
                "statsum errors: y value not a number");
        bad_sum("{\"fields\": [{\"name\": \"a\"}], \"rows\": [[1, 2]]}", "a", "a",
                PATH ":12:3: error: statsum: row 1 has 2 cells, expected 1 (one per field)\n",
                "statsum errors: malformed table");
        bad_sum("null", "a", "b",
                PATH ":12:3: error: statsum: not a table (an object with \"fields\" and \"rows\" "
                     "arrays)\n",
                "statsum errors: not a table");
}

/* Output appends to what out holds. */
static void test_appends(void)
{
        json_t *t = js(MED);
        struct diag *d = diag_new();
        struct buf out = {0};
        struct table_spec spec = {"表", NULL, NULL, NULL, 0};
        buf_puts(&out, "<section>");
        CHECK(table_html(t, &spec, PATH, 1, 1, &out, d) == 0 &&
                  statsum_html(t, "scheme", "income", PATH, 1, 1, &out, d) == 0,
              "appends: both succeed");
        buf_puts(&out, "</section>");
        CHECK(!strncmp(buf_cstr(&out), "<section><div class=\"table-wrap\">", 33),
              "appends: table after existing text");
        CHECK(well_formed(buf_cstr(&out)), "appends: well-formed together");
        CHECK(diag_errors(d) == 0 && diag_warnings(d) == 0, "appends: no diagnostics");
        buf_free(&out);
        diag_free(d);
        json_decref(t);
}

int main(void)
{
        test_exact();
        test_wrapper();
        test_hostile();
        test_missing_and_kinds();
        test_errors();
        test_statsum_time();
        test_statsum_categories();
        test_statsum_errors();
        test_appends();
        xmlCleanupParser();
        return check_exit();
}
