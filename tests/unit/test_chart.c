/* Unit tests for chart: errors, nice ticks, well-formed and escaped output, determinism,
 * size, accessibility hooks, palette contrast, and the golden SVGs in ../charts/
 * (each <case>.json renders to <case>.svg; UPDATE_CHARTS=1 rewrites the .svg files). */
#include "check.h"

#include "buf.h"
#include "chart.h"
#include "diag.h"

#include <dirent.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHARTS_DIR "../charts"

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
        json_t *j = json_loads(text, 0, &err);
        if (!j) {
                printf("FAIL test JSON: %s\n", err.text);
                exit(1);
        }
        return j;
}

/* The standard test table: 2 categories, 2 numeric series and a string one. */
static const char *TABLE =
    "{\"fields\": [{\"name\": \"scheme\", \"type\": \"string\", \"title\": \"险种\"},"
    " {\"name\": \"income\", \"type\": \"number\", \"title\": \"基金收入\", \"unit\": \"亿元\"},"
    " {\"name\": \"expenditure\", \"type\": \"number\", \"title\": \"基金支出\", \"unit\": "
    "\"亿元\"},"
    " {\"name\": \"note\", \"type\": \"string\"}],"
    " \"rows\": [[\"职工医保\", 23700, 19000.5, \"a\"], [\"居民医保\", 11100, null, \"b\"]]}";

/* Renders table with spec; returns the SVG (caller frees) or NULL with the messages in
 * *msgs (caller frees; may be NULL). */
static char *render(json_t *table, const struct chart_spec *spec, char **msgs)
{
        struct diag *d = diag_new();
        struct buf out = {0};
        char *svg = NULL;
        if (chart_svg(table, spec, "content/articles/a.md", 12, 3, &out, d) == 0)
                svg = buf_detach(&out);
        if (msgs)
                *msgs = messages(d);
        buf_free(&out);
        diag_free(d);
        return svg;
}

/* Parses svg as XML without network access. Caller frees with xmlFreeDoc; NULL when it is
 * not well-formed. */
static xmlDocPtr parse(const char *svg)
{
        return xmlReadMemory(svg, (int)strlen(svg), "chart.svg", NULL,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* True when svg is well-formed XML. */
static bool well_formed(const char *svg)
{
        xmlDocPtr doc = svg ? parse(svg) : NULL;
        bool ok = doc != NULL;
        xmlFreeDoc(doc);
        return ok;
}

/* Evaluates the XPath number expression expr (prefix s for SVG) on svg; NAN on failure. */
static double xpath_num(const char *svg, const char *expr)
{
        xmlDocPtr doc = parse(svg);
        double v = NAN;
        if (!doc)
                return v;
        xmlXPathContextPtr xc = xmlXPathNewContext(doc);
        xmlXPathRegisterNs(xc, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
        xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, xc);
        if (r && r->type == XPATH_NUMBER)
                v = r->floatval;
        xmlXPathFreeObject(r);
        xmlXPathFreeContext(xc);
        xmlFreeDoc(doc);
        return v;
}

/* Number of times needle occurs in hay. */
static int count_of(const char *hay, const char *needle)
{
        int n = 0;
        for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/* Checks what every chart must be: well-formed, no script, no style, no external
 * reference, a viewBox, the ids aria-labelledby names, a <title> on every bar, and every
 * bar and text inside the viewBox. */
static void check_common(const char *svg, const char *name)
{
        char n[200];
        snprintf(n, sizeof n, "%s: well-formed", name);
        CHECK(well_formed(svg), n);
        if (!svg)
                return;
        snprintf(n, sizeof n, "%s: no script, style or external reference", name);
        CHECK(!strstr(svg, "<script") && !strstr(svg, "style=") && !strstr(svg, "<style") &&
                  !strstr(svg, "href") && !strstr(svg, "url(h") && !strstr(svg, "@import"),
              n);
        snprintf(n, sizeof n, "%s: viewBox", name);
        CHECK(xpath_num(svg, "count(/s:svg[@viewBox and @preserveAspectRatio])") == 1, n);
        if (xpath_num(svg, "count(/s:svg[@aria-labelledby])") == 1) {
                snprintf(n, sizeof n, "%s: aria-labelledby ids exist", name);
                CHECK(xpath_num(svg, "count(/s:svg/s:title[@id = "
                                     "substring-before(/s:svg/@aria-labelledby, ' ')])") == 1 &&
                          xpath_num(svg, "count(/s:svg/s:desc[@id = "
                                         "substring-after(/s:svg/@aria-labelledby, ' ')])") == 1,
                      n);
                snprintf(n, sizeof n, "%s: no fixed width", name);
                CHECK(xpath_num(svg, "count(/s:svg[@width or @height])") == 0, n);
        } else {
                snprintf(n, sizeof n, "%s: aria-label and title", name);
                CHECK(xpath_num(svg, "count(/s:svg[@aria-label and @role='img']/s:title)") == 1, n);
        }
        snprintf(n, sizeof n, "%s: every bar has a <title>", name);
        CHECK(xpath_num(svg, "count(//s:rect[contains(concat(' ', @class, ' '), ' bar ')]"
                             "[not(s:title)])") == 0,
              n);
        snprintf(n, sizeof n, "%s: bars, swatches and hover areas inside the viewBox", name);
        CHECK(xpath_num(svg, "count(//s:rect[@x]"
                             "[@x < 0 or @y < 0 or @x + @width > substring-before("
                             "substring-after(substring-after(/s:svg/@viewBox, ' '), ' '), ' ')"
                             " or @y + @height > substring-after(substring-after(substring-after("
                             "/s:svg/@viewBox, ' '), ' '), ' ')])") == 0,
              n);
        snprintf(n, sizeof n, "%s: texts inside the viewBox", name);
        CHECK(xpath_num(svg, "count(//s:text[@x < 0 or @y < 0 or @x > substring-before("
                             "substring-after(substring-after(/s:svg/@viewBox, ' '), ' '), ' ')"
                             " or @y > substring-after(substring-after(substring-after("
                             "/s:svg/@viewBox, ' '), ' '), ' ')])") == 0,
              n);
}

/* ---- errors ---- */

/* Renders TABLE with the given type and fields; returns the messages (caller frees) and
 * whether it failed in *failed. */
static char *try_spec(const char *type, const char *x, const char *const *y, size_t ny,
                      bool *failed)
{
        json_t *t = js(TABLE);
        struct chart_spec spec = {.type = type, .x = x, .y = y, .ny = ny, .id = "c1"};
        char *msgs = NULL, *svg = render(t, &spec, &msgs);
        *failed = svg == NULL;
        free(svg);
        json_decref(t);
        return msgs;
}

static void test_errors(void)
{
        static const char *const inc[] = {"income"};
        static const char *const bogus[] = {"income", "nosuch"};
        static const char *const str[] = {"note"};
        static const char *const scheme[] = {"scheme"};
        bool failed;
        char *m;

        m = try_spec("bar", "scheme", bogus, 2, &failed);
        CHECK(failed && strstr(m, "content/articles/a.md:12:3: error: chart: unknown field "
                                  "\"nosuch\""),
              "error: unknown y field with path:line:col");
        free(m);
        m = try_spec("bar", "nosuch", inc, 1, &failed);
        CHECK(failed && strstr(m, "a.md:12:3:") && strstr(m, "unknown field \"nosuch\" for x"),
              "error: unknown x field");
        free(m);
        m = try_spec("bar", NULL, inc, 1, &failed);
        CHECK(failed && strstr(m, "a.md:12:3:") && strstr(m, "no x field"), "error: x missing");
        free(m);
        m = try_spec("bar", "scheme", str, 1, &failed);
        CHECK(failed && strstr(m, "a.md:12:3:") && strstr(m, "\"note\" is not numeric"),
              "error: non-numeric y");
        free(m);
        m = try_spec("bar", "scheme", scheme, 1, &failed);
        CHECK(failed && strstr(m, "not numeric"), "error: x field as y");
        free(m);
        m = try_spec("pie", "scheme", inc, 1, &failed);
        CHECK(failed && strstr(m, "a.md:12:3:") && strstr(m, "unknown type \"pie\""),
              "error: unknown type");
        free(m);
        m = try_spec(NULL, "scheme", inc, 1, &failed);
        CHECK(failed && strstr(m, "unknown type"), "error: no type");
        free(m);
        m = try_spec("bar", "scheme", inc, 0, &failed);
        CHECK(failed && strstr(m, "a.md:12:3:") && strstr(m, "no y field"), "error: ny 0");
        free(m);
        const char *many[13];
        for (int i = 0; i < 13; i++)
                many[i] = "income";
        m = try_spec("line", "scheme", many, 13, &failed);
        CHECK(failed && strstr(m, "a.md:12:3:") && strstr(m, "at most 12"), "error: ny 13");
        free(m);
        m = try_spec("line", "scheme", many, 12, &failed);
        CHECK(!failed, "12 series are fine");
        free(m);

        /* A string where a number belongs, a short row, a malformed table, too many rows. */
        struct chart_spec spec = {
            .type = "bar", .x = "a", .y = (const char *const[]){"b"}, .ny = 1};
        json_t *t = js("{\"fields\": [{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"b\","
                       " \"type\": \"integer\"}], \"rows\": [[\"x\", 1], [\"y\", \"2\"]]}");
        char *svg = render(t, &spec, &m);
        CHECK(!svg && strstr(m, "row 2: \"b\" is not a number"),
              "error: string in a number column");
        free(m);
        json_decref(t);
        t = js("{\"fields\": [{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"b\","
               " \"type\": \"integer\"}], \"rows\": [[\"x\", 1], [\"y\"]]}");
        svg = render(t, &spec, &m);
        CHECK(!svg && strstr(m, "row 2 of the table is short"), "error: short row");
        free(m);
        json_decref(t);
        t = js("{\"fields\": [{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"b\","
               " \"type\": \"number\"}], \"rows\": [[\"x\", 1e300]]}");
        svg = render(t, &spec, &m);
        CHECK(!svg && strstr(m, "too large"), "error: huge value");
        free(m);
        json_decref(t);
        t = js("{\"fields\": 3}");
        svg = render(t, &spec, &m);
        CHECK(!svg && strstr(m, "no fields or rows"), "error: malformed table");
        free(m);
        json_decref(t);
        t = js("{\"fields\": [{\"name\": \"a\", \"type\": \"string\"}, {\"name\": \"b\","
               " \"type\": \"integer\"}], \"rows\": []}");
        json_t *rows = json_object_get(t, "rows");
        for (int i = 0; i <= CHART_MAX_ROWS; i++)
                json_array_append_new(rows, json_pack("[si]", "x", i));
        svg = render(t, &spec, &m);
        CHECK(!svg && strstr(m, "at most 100000"), "error: too many rows");
        free(m);
        json_decref(t);
        struct buf out = {0};
        buf_puts(&out, "kept");
        t = js(TABLE);
        struct diag *d = diag_new();
        spec.x = "nosuch";
        CHECK(chart_svg(t, &spec, "p", 1, 1, &out, d) == -1 && !strcmp(buf_cstr(&out), "kept"),
              "error: out left as it was");
        diag_free(d);
        json_decref(t);
        buf_free(&out);
}

/* ---- ticks ---- */

/* CHECKs that [min, max] gets step and the ticks lo..hi. */
static void tick_case(double min, double max, bool zero, double step, double lo, double hi,
                      const char *name)
{
        struct chart_axis ax;
        int rc = chart_nice_axis(min, max, zero, &ax);
        bool ok = rc == 0 && fabs(ax.step - step) < step * 1e-9 && fabs(ax.lo - lo) < step * 1e-9 &&
                  fabs(ax.hi - hi) < step * 1e-9;
        CHECK(ok, name);
        if (!ok)
                printf("  got rc %d step %g lo %g hi %g (%d ticks)\n", rc, ax.step, ax.lo, ax.hi,
                       ax.nticks);
}

static void test_ticks(void)
{
        tick_case(0, 23700, true, 5000, 0, 25000, "ticks: 23700 -> step 5000 to 25000");
        tick_case(11100, 23700, true, 5000, 0, 25000, "ticks: zero taken in for bars");
        tick_case(0, 0.47, true, 0.1, 0, 0.5, "ticks: 0.47 -> step 0.1");
        tick_case(-3, 7, true, 2, -4, 8, "ticks: -3..7 -> step 2");
        tick_case(0, 0, true, 0.2, 0, 1, "ticks: all zero -> 0..1");
        tick_case(42, 42, false, 10, 0, 50, "ticks: single value -> 0..value");
        tick_case(-42, -42, false, 10, -50, 0, "ticks: single negative value");
        tick_case(-112.75, 120.5, true, 50, -150, 150, "ticks: negative and positive");
        tick_case(95, 105, false, 2, 94, 106, "ticks: without zero");
        tick_case(0, 1e15, true, 2e14, 0, 1e15, "ticks: very large");
        tick_case(0, 0.00047, true, 0.0001, 0, 0.0005, "ticks: very small");
        struct chart_axis ax;
        CHECK(chart_nice_axis(2, 1, true, &ax) == -1, "ticks: min > max refused");
        CHECK(chart_nice_axis(0, INFINITY, true, &ax) == -1, "ticks: infinity refused");
        CHECK(chart_nice_axis(0, 23700, true, &ax) == 0 && ax.nticks == 6 && ax.decimals == 0,
              "ticks: 6 ticks, no decimals");
        CHECK(chart_nice_axis(0, 0.47, true, &ax) == 0 && ax.decimals == 1, "ticks: 1 decimal");

        /* Every range: 4 to 7 ticks covering the data, steps of 1, 2 or 5 x 10^n. */
        bool all = true;
        for (int i = 1; i < 4000 && all; i++) {
                double max = i * 0.37 + pow(1.7, i % 40),
                       min = (i % 3 == 0) ? -max / (i % 7 + 1) : 0;
                if (chart_nice_axis(min, max, true, &ax) != 0) {
                        all = false;
                        break;
                }
                double m = ax.step / pow(10, floor(log10(ax.step) + 1e-9));
                bool nice = fabs(m - 1) < 1e-6 || fabs(m - 2) < 1e-6 || fabs(m - 5) < 1e-6;
                if (ax.nticks < 4 || ax.nticks > 7 || ax.lo > min || ax.hi < max || !nice) {
                        printf("  range %g..%g: %d ticks %g..%g step %g\n", min, max, ax.nticks,
                               ax.lo, ax.hi, ax.step);
                        all = false;
                }
        }
        CHECK(all, "ticks: 4..7 nice ticks for 4,000 ranges");
}

/* ---- output ---- */

static void test_output(void)
{
        static const char *const iy[] = {"income", "expenditure"};
        json_t *t = js(TABLE);
        struct chart_spec spec = {.type = "bar", .x = "scheme", .y = iy, .ny = 2, .id = "c9"};
        char *a = render(t, &spec, NULL), *b = render(t, &spec, NULL);
        CHECK(a && b && !strcmp(a, b), "deterministic: same bytes twice");
        check_common(a, "bar 2 series");
        CHECK(a && strstr(a, "<title>职工医保 · 基金收入: 23,700 亿元</title>"),
              "bar title: category · series: value unit");
        CHECK(a && strstr(a, "<title>居民医保 · 基金支出: 无数据</title>") == NULL,
              "missing value: no bar");
        CHECK(a && strstr(a, "19,000.5"), "value label with separators");
        CHECK(a && strstr(a, "单位：亿元"), "unit on the value axis");
        CHECK(a && strstr(a, "class=\"legend\""), "legend for two series");
        CHECK(a && strstr(a, "aria-labelledby=\"c9-title c9-desc\""), "aria-labelledby");
        CHECK(a && strstr(a, "class=\"chart chart-bar\""), "class chart chart-bar");
        free(a);
        free(b);

        spec.type = "line";
        a = render(t, &spec, NULL);
        check_common(a, "line 2 series");
        CHECK(a && strstr(a, "居民医保 · 基金支出: 无数据"), "line: 无数据 in a title");
        free(a);
        spec.type = "hbar";
        a = render(t, &spec, NULL);
        check_common(a, "hbar 2 series");
        free(a);
        spec.type = "stacked";
        a = render(t, &spec, NULL);
        check_common(a, "stacked 2 series");
        free(a);

        /* More than 3 series: patterns for bars, dashes for lines. */
        const char *five[] = {"income", "expenditure", "income", "expenditure", "income"};
        spec = (struct chart_spec){.type = "bar", .x = "scheme", .y = five, .ny = 5, .id = "f"};
        a = render(t, &spec, NULL);
        CHECK(a && count_of(a, "<pattern id=\"f-p") == 4 && strstr(a, "fill=\"url(#f-p5)\""),
              "5 series: bar patterns");
        free(a);
        spec.type = "line";
        a = render(t, &spec, NULL);
        CHECK(a && count_of(a, "stroke-dasharray") == 8, "5 series: dashed lines and keys");
        free(a);
        json_decref(t);

        /* Different units: listed in the legend, no "单位" line. */
        t = js("{\"fields\": [{\"name\": \"x\", \"type\": \"string\"}, {\"name\": \"a\", "
               "\"type\": \"number\", \"title\": \"金额\", \"unit\": \"亿元\"}, {\"name\": \"b\", "
               "\"type\": \"number\", \"title\": \"人数\", \"unit\": \"万人\"}], "
               "\"rows\": [[\"甲\", 1, 2]]}");
        spec = (struct chart_spec){
            .type = "bar", .x = "x", .y = (const char *const[]){"a", "b"}, .ny = 2};
        a = render(t, &spec, NULL);
        CHECK(a && !strstr(a, "单位：") && strstr(a, "金额（亿元）") && strstr(a, "人数（万人）"),
              "mixed units go to the legend");
        CHECK(a && strstr(a, "id=\"chart-title\""), "default id prefix");
        free(a);
        json_decref(t);
}

static void test_hostile(void)
{
        json_t *t = js("{\"fields\": [{\"name\": \"x\", \"type\": \"string\", \"title\": "
                       "\"<b>&amp;\"}, {\"name\": \"v\", \"type\": \"number\", \"title\": "
                       "\"it's \\\"q\\\"\", \"unit\": \"]]>\"}], \"rows\": [[\"<script>alert(1)"
                       "</script>\", 1], [\"a & b\", 2], [\"]]><!--\", null], [\"\\u0001ctl\", "
                       "3]]}");
        const char *types[] = {"bar", "hbar", "stacked", "line"};
        for (int i = 0; i < 4; i++) {
                struct chart_spec spec = {.type = types[i],
                                          .x = "x",
                                          .y = (const char *const[]){"v", "v", "v", "v"},
                                          .ny = 4,
                                          .title = "<title>\"&'",
                                          .subtitle = "bad \xff utf-8 \xe4\xb8",
                                          .id = "x\" onload=\"alert(1)"};
                char *svg = render(t, &spec, NULL);
                char n[100];
                snprintf(n, sizeof n, "hostile %s", types[i]);
                check_common(svg, n);
                snprintf(n, sizeof n, "hostile %s: escaped", types[i]);
                CHECK(svg && !strstr(svg, "<script") && strstr(svg, "&lt;script&gt;") &&
                          strstr(svg, "a &amp; b") && strstr(svg, "]]&gt;") &&
                          !strstr(svg, "]]>") && !strstr(svg, "<!--") &&
                          strstr(svg, "&quot;q&quot;") && !strstr(svg, "onload=\""),
                      n);
                snprintf(n, sizeof n, "hostile %s: patterns with the cleaned id", types[i]);
                CHECK(svg && (i == 3 || strstr(svg, "id=\"x--onload--alert-1--p2\"")), n);
                free(svg);
        }
        json_decref(t);
}

static void test_big(void)
{
        json_t *t = js("{\"fields\": [{\"name\": \"d\", \"type\": \"date\"}, {\"name\": \"a\", "
                       "\"type\": \"number\", \"unit\": \"点\"}, {\"name\": \"b\", \"type\": "
                       "\"number\"}], \"rows\": []}");
        json_t *rows = json_object_get(t, "rows");
        char day[16];
        for (int i = 0; i < 1000; i++) {
                snprintf(day, sizeof day, "2024-%02d-%02d", i % 12 + 1, i % 28 + 1);
                json_array_append_new(rows, json_pack("[sfo]", day, 1000 + 50 * sin(i / 30.0),
                                                      i % 97 ? json_real(i * 1.5) : json_null()));
        }
        struct chart_spec spec = {
            .type = "line", .x = "d", .y = (const char *const[]){"a", "b"}, .ny = 2, .id = "big"};
        char *svg = render(t, &spec, NULL);
        check_common(svg, "line 1,000 points x 2");
        CHECK(svg && strlen(svg) < 400000, "line 1,000 points x 2: under 400 KB");
        CHECK(svg && count_of(svg, "class=\"tick\"") <= 12 + 7, "line 1,000: at most 12 x labels");
        CHECK(svg && !strstr(svg, "class=\"value-label"), "line 1,000: no value labels");
        CHECK(svg && count_of(svg, "class=\"hover\"") == 1000, "line 1,000: a title per point");
        free(svg);
        spec.type = "bar";
        svg = render(t, &spec, NULL);
        check_common(svg, "bar 1,000 categories");
        free(svg);
        json_decref(t);
}

/* ---- palette ---- */

/* Relative luminance of "#rrggbb" (WCAG 2). */
static double luminance(const char *hex)
{
        double c[3];
        for (int i = 0; i < 3; i++) {
                unsigned v = 0;
                sscanf(hex + 1 + 2 * i, "%2x", &v);
                double s = v / 255.0;
                c[i] = s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

static void test_palette(void)
{
        json_t *t = js(TABLE);
        const char *six[] = {"income", "income", "income", "income", "income", "income"};
        struct chart_spec spec = {.type = "bar", .x = "scheme", .y = six, .ny = 6};
        char *svg = render(t, &spec, NULL);
        bool ok = svg != NULL;
        char want[40];
        for (int k = 1; k <= 6 && svg; k++) {
                snprintf(want, sizeof want, "class=\"pattern-bg fill-%d\" ", k);
                const char *p = strstr(svg, want);
                if (k == 1)
                        p = strstr(svg, "class=\"swatch fill-1\" ");
                p = p ? strstr(p, "fill=\"#") : NULL;
                if (!p) {
                        ok = false;
                        break;
                }
                char hex[8];
                memcpy(hex, p + 6, 7);
                hex[7] = '\0';
                double ratio = 1.05 / (luminance(hex) + 0.05);
                printf("  palette %d %s contrast %.2f:1\n", k, hex, ratio);
                ok = ok && ratio >= 3.0;
        }
        CHECK(ok, "palette: 6 colours, each >= 3:1 on white");
        free(svg);
        json_decref(t);
}

/* ---- sparkline ---- */

static void test_sparkline(void)
{
        struct buf out = {0};
        json_t *v = js("[3, null, 4.5, 1234.5]");
        CHECK(chart_sparkline(v, "基金 <收入>", "s1", &out) == 0, "sparkline renders");
        check_common(buf_cstr(&out), "sparkline");
        CHECK(strstr(buf_cstr(&out), "aria-label=\"基金 &lt;收入&gt;: 从 3 到 1,234.5\""),
              "sparkline: aria-label from first to last");
        json_decref(v);
        buf_reset(&out);
        v = js("[null, null]");
        CHECK(chart_sparkline(v, "x", NULL, &out) == 0 && strstr(buf_cstr(&out), "x: 无数据"),
              "sparkline: no data");
        CHECK(well_formed(buf_cstr(&out)), "sparkline: no data well-formed");
        json_decref(v);
        buf_reset(&out);
        v = js("[1, \"2\"]");
        CHECK(chart_sparkline(v, "x", NULL, &out) == -1 && out.len == 0,
              "sparkline: refuses a string");
        json_decref(v);
        v = js("[-5]");
        CHECK(chart_sparkline(v, NULL, NULL, &out) == 0 && strstr(buf_cstr(&out), "−5"),
              "sparkline: one value, minus sign");
        json_decref(v);
        buf_free(&out);
}

/* ---- golden ---- */

/* Reads a whole file into a new string (caller frees), NULL when it cannot. */
static char *slurp(const char *path)
{
        FILE *f = fopen(path, "rb");
        struct buf b = {0};
        char chunk[4096];
        size_t n;
        if (!f)
                return NULL;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
                buf_put(&b, chunk, n);
        fclose(f);
        return buf_detach(&b);
}

/* Renders one case file; returns the SVG (caller frees) or NULL. */
static char *render_case(const char *path)
{
        json_error_t err;
        json_t *c = json_load_file(path, 0, &err), *sp;
        char *svg = NULL;
        if (!c) {
                printf("  %s: %s\n", path, err.text);
                return NULL;
        }
        if ((sp = json_object_get(c, "sparkline"))) {
                struct buf out = {0};
                if (chart_sparkline(json_object_get(sp, "values"),
                                    json_string_value(json_object_get(sp, "label")),
                                    json_string_value(json_object_get(sp, "id")), &out) == 0)
                        svg = buf_detach(&out);
                buf_free(&out);
        } else {
                sp = json_object_get(c, "spec");
                json_t *ys = json_object_get(sp, "y");
                const char *y[CHART_MAX_SERIES];
                size_t ny = json_array_size(ys);
                for (size_t i = 0; i < ny && i < CHART_MAX_SERIES; i++)
                        y[i] = json_string_value(json_array_get(ys, i));
                struct chart_spec spec = {
                    .type = json_string_value(json_object_get(sp, "type")),
                    .x = json_string_value(json_object_get(sp, "x")),
                    .y = y,
                    .ny = ny,
                    .title = json_string_value(json_object_get(sp, "title")),
                    .subtitle = json_string_value(json_object_get(sp, "subtitle")),
                    .id = json_string_value(json_object_get(sp, "id")),
                };
                char *msgs = NULL;
                svg = render(json_object_get(c, "table"), &spec, &msgs);
                if (!svg)
                        printf("  %s", msgs);
                free(msgs);
        }
        json_decref(c);
        return svg;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden(void)
{
        DIR *dir = opendir(CHARTS_DIR);
        struct dirent *e;
        char *names[200];
        size_t n = 0;
        bool update = getenv("UPDATE_CHARTS") && !strcmp(getenv("UPDATE_CHARTS"), "1");
        CHECK(dir != NULL, "golden: " CHARTS_DIR " exists");
        if (!dir)
                return;
        while ((e = readdir(dir)) && n < 200) {
                size_t len = strlen(e->d_name);
                if (len > 5 && !strcmp(e->d_name + len - 5, ".json"))
                        names[n++] = strndup(e->d_name, len - 5);
        }
        closedir(dir);
        qsort(names, n, sizeof *names, by_name);
        CHECK(n >= 14, "golden: at least 14 cases");
        for (size_t i = 0; i < n; i++) {
                char path[512], name[300];
                snprintf(path, sizeof path, "%s/%s.json", CHARTS_DIR, names[i]);
                char *svg = render_case(path);
                snprintf(name, sizeof name, "golden %s", names[i]);
                check_common(svg, name);
                snprintf(path, sizeof path, "%s/%s.svg", CHARTS_DIR, names[i]);
                if (update && svg) {
                        FILE *f = fopen(path, "wb");
                        bool ok = f && fwrite(svg, 1, strlen(svg), f) == strlen(svg);
                        ok = f && !fclose(f) && ok;
                        CHECK(ok, name);
                } else {
                        char *want = slurp(path);
                        CHECK(svg && want && !strcmp(svg, want), name);
                        free(want);
                }
                free(svg);
                free(names[i]);
        }
}

int main(void)
{
        test_errors();
        test_ticks();
        test_output();
        test_hostile();
        test_big();
        test_palette();
        test_sparkline();
        test_golden();
        xmlCleanupParser();
        return check_exit();
}
