/* chart: tables -> static, accessible SVG charts. Class names and palette are listed in
 * chart.h. Layout works in viewBox units; text widths are estimated from character counts
 * (a Han character as two units, an ASCII character as one) since no font is measured. */
#include "chart.h"

#include "escape.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ABS          1e15 /* largest magnitude charted */
#define VIEW_W           640.0
#define VIEW_H           360.0
#define PLOT_MIN_H       160.0 /* the plot of a vertical chart is never shorter */
#define FONT             12.0  /* ticks, category labels, legend */
#define FONT_SMALL       11.0  /* value labels */
#define UNIT             0.6   /* width of one narrow character (half a Han one), in em */
#define MARGIN           8.0
#define ROT_UNITS        14 /* rotated category labels keep this many units */
#define WIDE_UNITS       24 /* hbar category labels and legend entries keep this many */
#define XLINE_UNITS      16 /* line chart x labels keep this many */
#define XLABELS_MAX      12 /* line chart: most x labels */
#define POINTS_MAX       50 /* line chart: markers drawn up to this many points */
#define VALUE_LABELS_MAX 12 /* vertical bars: value labels up to this many categories */
#define HVALUE_MAX       40 /* horizontal bars: the same */

#define C_TEXT  "#1d2125"
#define C_MUTED "#596069"
#define C_GRID  "#dde0e4"
#define C_AXIS  "#596069"
#define MINUS   "\xE2\x88\x92" /* U+2212 */
#define ELLIPS  "\xE2\x80\xA6" /* U+2026 */
#define MIDDOT  " \xC2\xB7 "   /* " · " */

static const char *const palette[6] = {"#0072b2", "#c34f00", "#00795a",
                                       "#a8418e", "#7a6400", "#5b5b5b"};

/* Line dash arrays by series when series are told apart by more than colour. */
static const char *const dashes[CHART_MAX_SERIES] = {
    NULL,      "6 3", "2 2",          "8 3 2 3", "12 4", "4 4",
    "2 4 8 4", "1 3", "10 3 2 3 2 3", "6 2 2 2", "16 4", "3 6"};

/* White marks drawn over the colour in bar pattern K (K = series index; 0 stays solid). */
static const char *const pattern_marks[CHART_MAX_SERIES] = {
    NULL,
    "<path class=\"pattern-mark\" d=\"M-2 2L2 -2M0 8L8 0M6 10L10 6\" stroke=\"#fff\" "
    "stroke-width=\"1.5\" fill=\"none\"/>",
    "<circle class=\"pattern-mark\" cx=\"4\" cy=\"4\" r=\"1.6\" fill=\"#fff\"/>",
    "<path class=\"pattern-mark\" d=\"M0 4H8\" stroke=\"#fff\" stroke-width=\"2\" "
    "fill=\"none\"/>",
    "<path class=\"pattern-mark\" d=\"M-2 6L2 10M0 0L8 8M6 -2L10 2\" stroke=\"#fff\" "
    "stroke-width=\"1.5\" fill=\"none\"/>",
    "<path class=\"pattern-mark\" d=\"M0 0L8 8M8 0L0 8\" stroke=\"#fff\" stroke-width=\"1.2\" "
    "fill=\"none\"/>",
    "<path class=\"pattern-mark\" d=\"M4 0V8\" stroke=\"#fff\" stroke-width=\"2\" fill=\"none\"/>",
    "<path class=\"pattern-mark\" d=\"M0 4H8M4 0V8\" stroke=\"#fff\" stroke-width=\"1.2\" "
    "fill=\"none\"/>",
    "<circle class=\"pattern-mark\" cx=\"4\" cy=\"4\" r=\"2.4\" stroke=\"#fff\" "
    "stroke-width=\"1\" fill=\"none\"/>",
    "<path class=\"pattern-mark\" d=\"M0 2H4M4 6H8\" stroke=\"#fff\" stroke-width=\"1.5\" "
    "fill=\"none\"/>",
    "<path class=\"pattern-mark\" d=\"M2 0V8M6 0V8\" stroke=\"#fff\" stroke-width=\"1\" "
    "fill=\"none\"/>",
    "<path class=\"pattern-mark\" d=\"M0 6L2 2L4 6L6 2L8 6\" stroke=\"#fff\" "
    "stroke-width=\"1.2\" fill=\"none\"/>"};

enum kind { K_BAR, K_HBAR, K_STACKED, K_LINE };

static const struct {
        const char *name; /* spec->type */
        enum kind kind;
        const char *zh;       /* what the description calls it, one series */
        const char *zh_multi; /* the same, several series */
} types[] = {
    {"bar", K_BAR, "柱状图", "分组柱状图"},   {"grouped", K_BAR, "柱状图", "分组柱状图"},
    {"hbar", K_HBAR, "条形图", "分组条形图"}, {"stacked", K_STACKED, "柱状图", "堆积柱状图"},
    {"line", K_LINE, "折线图", "折线图"},
};

/* The table as the chart sees it. */
struct model {
        enum kind kind;
        const char *kind_zh;                  /* from types[] */
        size_t n;                             /* categories (rows) */
        size_t ny;                            /* series */
        char **cat;                           /* n category labels; owned */
        double *v;                            /* n * ny values, row by row; owned */
        unsigned char *has;                   /* n * ny flags: 1 when the value is there; owned */
        const char *xtitle;                   /* borrowed from the table */
        const char *ytitle[CHART_MAX_SERIES]; /* borrowed from the table */
        const char *yunit[CHART_MAX_SERIES];  /* "" when none; borrowed */
        const char *unit;                     /* the unit all series share ("" none), or NULL */
        char *id;                             /* id prefix, cleaned; owned */
        size_t missing;                       /* null values */
};

/* One chart being laid out and written. */
struct ctx {
        const struct model *m;
        const struct chart_spec *spec;
        struct buf *out;
        double W, H;           /* viewBox size */
        double x0, x1, y0, y1; /* plot area: left, right, top, bottom */
        double v0, v1;         /* positions of ax.lo and ax.hi on the value axis */
        struct chart_axis ax;
        bool patterns; /* series told apart by pattern / dashes and marker shapes too */
        bool labels;   /* value labels drawn */
        bool markers;  /* line chart: markers drawn */
};

/* ---- text ---- */

/* Decodes the UTF-8 character at s[*i] (len bytes in all) and advances *i past it (by one
 * byte for a malformed sequence, which decodes as U+FFFD). */
static uint32_t utf8_next(const char *s, size_t len, size_t *i)
{
        const unsigned char *u = (const unsigned char *)s;
        unsigned char c = u[*i];
        uint32_t cp, min;
        size_t need;
        if (c < 0x80) {
                (*i)++;
                return c;
        }
        if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
                cp = c & 0x1F;
                min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                cp = c & 0x0F;
                min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                cp = c & 0x07;
                min = 0x10000;
        } else {
                (*i)++;
                return 0xFFFD;
        }
        for (size_t k = 1; k <= need; k++) {
                if (*i + k >= len || (u[*i + k] & 0xC0) != 0x80) {
                        (*i)++;
                        return 0xFFFD;
                }
                cp = (cp << 6) | (u[*i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                (*i)++;
                return 0xFFFD;
        }
        *i += need + 1;
        return cp;
}

/* Appends cp as UTF-8. */
static void utf8_put(struct buf *b, uint32_t cp)
{
        char e[4];
        if (cp < 0x80) {
                buf_putc(b, (char)cp);
        } else if (cp < 0x800) {
                e[0] = (char)(0xC0 | (cp >> 6));
                e[1] = (char)(0x80 | (cp & 0x3F));
                buf_put(b, e, 2);
        } else if (cp < 0x10000) {
                e[0] = (char)(0xE0 | (cp >> 12));
                e[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                e[2] = (char)(0x80 | (cp & 0x3F));
                buf_put(b, e, 3);
        } else {
                e[0] = (char)(0xF0 | (cp >> 18));
                e[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                e[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
                e[3] = (char)(0x80 | (cp & 0x3F));
                buf_put(b, e, 4);
        }
}

/* Display width of cp in units: 2 for wide (Han, kana, Hangul, full-width forms), 0 for
 * combining marks and zero-width characters, else 1. */
static int cp_units(uint32_t cp)
{
        if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200F) ||
            (cp >= 0xFE00 && cp <= 0xFE0F))
                return 0;
        if ((cp >= 0x1100 && cp <= 0x115F) || cp == 0x2026 || (cp >= 0x2E80 && cp <= 0xA4CF) ||
            (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
            (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
            (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
            (cp >= 0x20000 && cp <= 0x3FFFD))
                return 2;
        return 1;
}

/* Width of s in units. */
static size_t text_units(const char *s)
{
        size_t len = strlen(s), i = 0, u = 0;
        while (i < len)
                u += (size_t)cp_units(utf8_next(s, len, &i));
        return u;
}

/* Estimated width of s in viewBox units at font size font: 1 em per wide character, 0.6 em
 * per narrow one. */
static double text_w(const char *s, double font)
{
        size_t len = strlen(s), i = 0;
        double w = 0;
        while (i < len) {
                int u = cp_units(utf8_next(s, len, &i));
                w += u == 2 ? 1.0 : u * UNIT;
        }
        return w * font;
}

/* Byte length of the longest prefix of s (len bytes) no wider than max units. */
static size_t fit_prefix(const char *s, size_t len, size_t max)
{
        size_t i = 0, u = 0;
        while (i < len) {
                size_t j = i;
                uint32_t cp = utf8_next(s, len, &j);
                if (u + (size_t)cp_units(cp) > max)
                        break;
                u += (size_t)cp_units(cp);
                i = j;
        }
        return i;
}

/* True when s[0..len) is well-formed UTF-8 (a U+FFFD written as such is well-formed). */
static bool utf8_clean(const char *s, size_t len)
{
        size_t i = 0;
        while (i < len) {
                if ((unsigned char)s[i] < 0x80) {
                        i++;
                        continue;
                }
                size_t j = i;
                if (utf8_next(s, len, &j) == 0xFFFD &&
                    (j - i != 3 || memcmp(s + i, "\xEF\xBF\xBD", 3)))
                        return false;
                i = j;
        }
        return true;
}

/* Appends s[0..len) escaped for XML, malformed UTF-8 replaced by U+FFFD. A chart escapes
 * every label and title it draws: the copy is made only for malformed text. */
static void put_escn(struct buf *out, const char *s, size_t len)
{
        if (utf8_clean(s, len)) {
                escape_xml(out, s, len);
                return;
        }
        struct buf clean = {0};
        size_t i = 0;
        while (i < len)
                utf8_put(&clean, utf8_next(s, len, &i));
        escape_xml(out, buf_cstr(&clean), clean.len);
        buf_free(&clean);
}

/* Appends s escaped for XML (NULL appends nothing). */
static void put_esc(struct buf *out, const char *s)
{
        if (s)
                put_escn(out, s, strlen(s));
}

/* Appends s escaped, cut to max units with a trailing "…" when wider. Returns true when
 * it was cut. */
static bool put_clipped(struct buf *out, const char *s, size_t max)
{
        if (text_units(s) <= max) {
                put_esc(out, s);
                return false;
        }
        put_escn(out, s, fit_prefix(s, strlen(s), max > 2 ? max - 2 : 0));
        buf_puts(out, ELLIPS);
        return true;
}

/* Estimated width of s as put_clipped(s, max) writes it, at font size font. */
static double clipped_w(const char *s, size_t max, double font)
{
        if (text_units(s) <= max)
                return text_w(s, font);
        struct buf b = {0};
        buf_put(&b, s, fit_prefix(s, strlen(s), max > 2 ? max - 2 : 0));
        double w = text_w(buf_cstr(&b), font) + font;
        buf_free(&b);
        return w;
}

/* ---- numbers ---- */

/* Appends a coordinate: rounded to 0.1, no trailing ".0", never "-0". */
static void put_num(struct buf *out, double v)
{
        long long t = llround(v * 10);
        if (t < 0) {
                buf_putc(out, '-');
                t = -t;
        }
        /* by hand, not printf: a long line chart writes tens of thousands of these */
        char digits[24];
        size_t n = 0;
        unsigned long long whole = (unsigned long long)t / 10;
        do {
                digits[n++] = (char)('0' + whole % 10);
                whole /= 10;
        } while (whole);
        while (n)
                buf_putc(out, digits[--n]);
        if (t % 10) {
                buf_putc(out, '.');
                buf_putc(out, (char)('0' + t % 10));
        }
}

/* Appends ` name="v"` with v as a coordinate. */
static void attr(struct buf *out, const char *name, double v)
{
        buf_printf(out, " %s=\"", name);
        put_num(out, v);
        buf_putc(out, '"');
}

/* Appends v for people: thousands separators, at most dec decimals with trailing zeros
 * dropped, "−" (U+2212) for negatives. dec < 0 means 2, or up to 6 for tiny values that
 * would otherwise show as 0. |v| must be at most MAX_ABS. */
static void put_value(struct buf *out, double v, int dec)
{
        char tmp[64];
        if (dec < 0) {
                dec = 2;
                while (dec < 6 && v != 0 && fabs(v) < 0.5 * pow(10, -dec))
                        dec++;
        }
        if (dec > 15)
                dec = 15;
        int n = snprintf(tmp, sizeof tmp, "%.*f", dec, fabs(v));
        if (n < 0 || (size_t)n >= sizeof tmp) {
                buf_puts(out, "?");
                return;
        }
        char *dot = strchr(tmp, '.');
        size_t ilen = dot ? (size_t)(dot - tmp) : (size_t)n;
        if (dot) {
                char *e = tmp + n;
                while (e > dot + 1 && e[-1] == '0')
                        e--;
                if (e == dot + 1)
                        e = dot;
                *e = '\0';
        }
        if (v < 0 && strspn(tmp, "0.") != strlen(tmp))
                buf_puts(out, MINUS);
        for (size_t k = 0; k < ilen; k++) {
                buf_putc(out, tmp[k]);
                if (k + 1 < ilen && (ilen - k - 1) % 3 == 0)
                        buf_putc(out, ',');
        }
        buf_puts(out, tmp + ilen);
}

/* Appends a unit after a value: "%" and "‰" directly, anything else after a space. */
static void put_unit(struct buf *out, const char *unit)
{
        if (!unit || !*unit)
                return;
        if (strcmp(unit, "%") && strcmp(unit, "\xE2\x80\xB0"))
                buf_putc(out, ' ');
        buf_puts(out, unit);
}

int chart_nice_axis(double min, double max, bool include_zero, struct chart_axis *ax)
{
        static const int mants[3] = {1, 2, 5};
        if (!isfinite(min) || !isfinite(max) || min > max)
                return -1;
        if (include_zero) {
                if (min > 0)
                        min = 0;
                if (max < 0)
                        max = 0;
        }
        if (min == max) {
                if (min == 0)
                        max = 1;
                else if (min > 0)
                        min = 0;
                else
                        max = 0;
        }
        double range = max - min;
        if (!isfinite(range) || range <= 0)
                return -1;
        int e = (int)floor(log10(range)) - 2;
        for (int iter = 0; iter < 60; iter++) {
                int mant = mants[iter % 3], ex = e + iter / 3;
                double step = ex < 0 ? mant / pow(10, -ex) : mant * pow(10, ex);
                double klo = floor(min / step + 1e-9), khi = ceil(max / step - 1e-9);
                if (khi - klo + 1 > 7)
                        continue;
                if (khi <= klo)
                        khi = klo + 1;
                if (ex < 0) {
                        ax->lo = klo * mant / pow(10, -ex);
                        ax->hi = khi * mant / pow(10, -ex);
                } else {
                        ax->lo = klo * step;
                        ax->hi = khi * step;
                }
                ax->step = step;
                ax->nticks = (int)(khi - klo) + 1;
                ax->decimals = ex < 0 ? -ex : 0;
                return 0;
        }
        return -1;
}

/* Value of tick k (0-based) of ax, computed from integers so that 0.1 + 0.2 stays 0.3. */
static double tick_value(const struct chart_axis *ax, int k)
{
        double p = pow(10, ax->decimals);
        return (llround(ax->lo * p) + (long long)k * llround(ax->step * p)) / p;
}

/* ---- the model ---- */

/* Frees what m owns. */
static void model_free(struct model *m)
{
        if (m->cat)
                for (size_t i = 0; i < m->n; i++)
                        free(m->cat[i]);
        free(m->cat);
        free(m->v);
        free(m->has);
        free(m->id);
}

/* Returns the field named name in fields with its index in *idx, or NULL. */
static json_t *find_field(json_t *fields, const char *name, size_t *idx)
{
        size_t i;
        json_t *f;
        json_array_foreach(fields, i, f)
        {
                const char *fn = json_string_value(json_object_get(f, "name"));
                if (fn && !strcmp(fn, name)) {
                        *idx = i;
                        return f;
                }
        }
        return NULL;
}

/* Returns the non-empty string member key of f, or NULL. Owned by f. */
static const char *field_str(json_t *f, const char *key)
{
        const char *s = json_string_value(json_object_get(f, key));
        return s && *s ? s : NULL;
}

/* Appends the names of fields, comma-separated, for messages. */
static void field_names(json_t *fields, struct buf *b)
{
        size_t i;
        json_t *f;
        json_array_foreach(fields, i, f)
        {
                const char *fn = json_string_value(json_object_get(f, "name"));
                if (i)
                        buf_puts(b, ", ");
                buf_puts(b, fn ? fn : "?");
        }
}

/* Returns a category label for cell c. Caller frees with free(). */
static char *cell_label(json_t *c)
{
        struct buf b = {0};
        switch (json_typeof(c)) {
        case JSON_STRING:
                return xstrdup(json_string_value(c));
        case JSON_INTEGER:
                return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(c));
        case JSON_REAL:
                if (fabs(json_real_value(c)) > MAX_ABS)
                        return xasprintf("%g", json_real_value(c));
                put_value(&b, json_real_value(c), -1);
                return buf_detach(&b);
        case JSON_TRUE:
                return xstrdup("是");
        case JSON_FALSE:
                return xstrdup("否");
        default:
                return xstrdup("（空）");
        }
}

/* Returns id with every character but A-Z a-z 0-9 - _ replaced by "-", starting with a
 * letter ("chart" for NULL or ""). Caller frees with free(). */
static char *clean_id(const char *id)
{
        if (!id || !*id)
                id = "chart";
        size_t n = strlen(id), j = 0;
        char *s = xmalloc(n + 2);
        if (!((id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= 'a' && id[0] <= 'z')))
                s[j++] = 'c';
        for (size_t i = 0; i < n; i++) {
                char c = id[i];
                bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '_';
                s[j++] = ok ? c : '-';
        }
        s[j] = '\0';
        return s;
}

/* Checks spec against table and fills m. Returns 0, or -1 after reporting to d (m may then
 * hold partial results: free it with model_free either way). */
static int load(json_t *table, const struct chart_spec *spec, const char *path, int line, int col,
                struct model *m, struct diag *d)
{
        json_t *fields = json_object_get(table, "fields"), *rows = json_object_get(table, "rows");
        size_t xcol = 0, ycol[CHART_MAX_SERIES] = {0}, nt = sizeof types / sizeof types[0], t;
        struct buf names = {0};
        int rc = -1;

        for (t = 0; t < nt && spec->type; t++)
                if (!strcmp(spec->type, types[t].name))
                        break;
        if (!spec->type || t == nt) {
                diag_error(d, path, line, col,
                           "chart: unknown type \"%s\" (bar, hbar, grouped, stacked or line)",
                           spec->type ? spec->type : "");
                goto out;
        }
        m->kind = types[t].kind;
        m->kind_zh = spec->ny > 1 ? types[t].zh_multi : types[t].zh;
        if (spec->ny == 0 || !spec->y) {
                diag_error(d, path, line, col, "chart: no y field given");
                goto out;
        }
        if (spec->ny > CHART_MAX_SERIES) {
                diag_error(d, path, line, col, "chart: %zu y fields, at most %d", spec->ny,
                           CHART_MAX_SERIES);
                goto out;
        }
        if (!json_is_array(fields) || !json_is_array(rows)) {
                diag_error(d, path, line, col, "chart: the table has no fields or rows");
                goto out;
        }
        field_names(fields, &names);
        if (!spec->x || !*spec->x) {
                diag_error(d, path, line, col, "chart: no x field given (fields: %s)",
                           buf_cstr(&names));
                goto out;
        }
        json_t *xf = find_field(fields, spec->x, &xcol);
        if (!xf) {
                diag_error(d, path, line, col, "chart: unknown field \"%s\" for x (fields: %s)",
                           spec->x, buf_cstr(&names));
                goto out;
        }
        m->xtitle = field_str(xf, "title") ? field_str(xf, "title") : spec->x;
        m->ny = spec->ny;
        for (size_t s = 0; s < spec->ny; s++) {
                const char *yn = spec->y[s] ? spec->y[s] : "";
                json_t *yf = find_field(fields, yn, &ycol[s]);
                if (!yf) {
                        diag_error(d, path, line, col,
                                   "chart: unknown field \"%s\" for y (fields: %s)", yn,
                                   buf_cstr(&names));
                        goto out;
                }
                const char *ty = field_str(yf, "type");
                if (!ty || (strcmp(ty, "number") && strcmp(ty, "integer"))) {
                        diag_error(d, path, line, col,
                                   "chart: y field \"%s\" is not numeric (type %s; "
                                   "needs number or integer)",
                                   yn, ty ? ty : "missing");
                        goto out;
                }
                m->ytitle[s] = field_str(yf, "title") ? field_str(yf, "title") : yn;
                m->yunit[s] = field_str(yf, "unit") ? field_str(yf, "unit") : "";
        }
        m->unit = m->yunit[0];
        for (size_t s = 1; s < m->ny; s++)
                if (strcmp(m->yunit[s], m->yunit[0]))
                        m->unit = NULL;

        size_t n = json_array_size(rows);
        if (n > CHART_MAX_ROWS) {
                diag_error(d, path, line, col, "chart: %zu rows, at most %d can be charted", n,
                           (int)CHART_MAX_ROWS);
                goto out;
        }
        m->cat = xcalloc(n ? n : 1, sizeof *m->cat);
        m->v = xcalloc(n ? n * m->ny : 1, sizeof *m->v);
        m->has = xcalloc(n ? n * m->ny : 1, 1);
        for (size_t i = 0; i < n; i++) {
                json_t *row = json_array_get(rows, i);
                json_t *xc = json_array_get(row, xcol);
                if (!json_is_array(row) || !xc) {
                        diag_error(d, path, line, col,
                                   "chart: row %zu of the table is short of cells", i + 1);
                        goto out;
                }
                m->cat[i] = cell_label(xc);
                m->n = i + 1;
                for (size_t s = 0; s < m->ny; s++) {
                        json_t *c = json_array_get(row, ycol[s]);
                        if (!c) {
                                diag_error(d, path, line, col,
                                           "chart: row %zu of the table is short of cells", i + 1);
                                goto out;
                        }
                        if (json_is_null(c)) {
                                m->missing++;
                                continue;
                        }
                        if (!json_is_number(c)) {
                                diag_error(d, path, line, col,
                                           "chart: row %zu: \"%s\" is not a number", i + 1,
                                           spec->y[s]);
                                goto out;
                        }
                        double v = json_number_value(c);
                        if (!isfinite(v) || fabs(v) > MAX_ABS) {
                                diag_error(d, path, line, col,
                                           "chart: row %zu: \"%s\" is too large to chart", i + 1,
                                           spec->y[s]);
                                goto out;
                        }
                        m->v[i * m->ny + s] = v;
                        m->has[i * m->ny + s] = 1;
                }
        }
        m->id = clean_id(spec->id);
        rc = 0;
out:
        buf_free(&names);
        return rc;
}

/* ---- shared pieces ---- */

/* Palette index (0..5) of series s. */
static int colour(size_t s)
{
        return (int)(s % 6);
}

/* Position of value v on the value axis. */
static double vpos(const struct ctx *c, double v)
{
        return c->v0 + (v - c->ax.lo) / (c->ax.hi - c->ax.lo) * (c->v1 - c->v0);
}

/* Appends "category · series: value unit" (or "无数据") for row i, series s, raw. */
static void point_text(const struct model *m, size_t i, size_t s, struct buf *b)
{
        buf_puts(b, m->cat[i]);
        buf_puts(b, MIDDOT);
        buf_puts(b, m->ytitle[s]);
        buf_puts(b, ": ");
        if (!m->has[i * m->ny + s]) {
                buf_puts(b, "无数据");
                return;
        }
        put_value(b, m->v[i * m->ny + s], -1);
        put_unit(b, m->yunit[s]);
}

/* Appends <title>...</title> for row i, series s. */
static void point_title(const struct model *m, size_t i, size_t s, struct buf *out)
{
        struct buf t = {0};
        point_text(m, i, s, &t);
        buf_puts(out, "<title>");
        put_esc(out, buf_cstr(&t));
        buf_puts(out, "</title>");
        buf_free(&t);
}

/* The series' legend text, raw: its title, with its unit when the series' units differ.
 * Caller frees with free(). */
static char *series_label(const struct model *m, size_t s)
{
        if (m->unit || !*m->yunit[s])
                return xstrdup(m->ytitle[s]);
        return xasprintf("%s（%s）", m->ytitle[s], m->yunit[s]);
}

/* Appends the <title> and <desc> of the chart: the title given or one made from the
 * series and x names; what is plotted, how many categories, the extremes, what is missing. */
static void title_desc(const struct ctx *c)
{
        const struct model *m = c->m;
        struct buf t = {0};
        size_t lo_i = 0, lo_s = 0, hi_i = 0, hi_s = 0;
        bool any = false;

        if (c->spec->title && *c->spec->title) {
                buf_puts(&t, c->spec->title);
        } else {
                for (size_t s = 0; s < m->ny; s++) {
                        if (s)
                                buf_puts(&t, "、");
                        buf_puts(&t, m->ytitle[s]);
                }
                buf_printf(&t, "（按%s）", m->xtitle);
        }
        buf_printf(c->out, "<title id=\"%s-title\">", m->id);
        put_esc(c->out, buf_cstr(&t));
        buf_puts(c->out, "</title>\n");

        buf_reset(&t);
        buf_printf(&t, "%s：", m->kind_zh);
        for (size_t s = 0; s < m->ny; s++) {
                char *l = series_label(m, s);
                if (s)
                        buf_puts(&t, "、");
                buf_puts(&t, l);
                free(l);
        }
        buf_printf(&t, "，按%s", m->xtitle);
        if (m->kind == K_LINE) {
                buf_puts(&t, "共 ");
                put_value(&t, (double)m->n, 0);
                buf_puts(&t, " 个点");
                if (m->n > 1)
                        buf_printf(&t, "（%s 至 %s）", m->cat[0], m->cat[m->n - 1]);
        } else {
                buf_puts(&t, "分 ");
                put_value(&t, (double)m->n, 0);
                buf_puts(&t, " 类");
        }
        buf_puts(&t, "。");
        for (size_t i = 0; i < m->n; i++)
                for (size_t s = 0; s < m->ny; s++) {
                        size_t k = i * m->ny + s;
                        if (!m->has[k])
                                continue;
                        if (!any || m->v[k] < m->v[lo_i * m->ny + lo_s]) {
                                lo_i = i;
                                lo_s = s;
                        }
                        if (!any || m->v[k] > m->v[hi_i * m->ny + hi_s]) {
                                hi_i = i;
                                hi_s = s;
                        }
                        any = true;
                }
        if (!any) {
                buf_puts(&t, "没有数值。");
        } else if (m->n * m->ny - m->missing == 1) {
                buf_puts(&t, "唯一的数值 ");
                put_value(&t, m->v[lo_i * m->ny + lo_s], -1);
                put_unit(&t, m->yunit[lo_s]);
                buf_printf(&t, "（%s" MIDDOT "%s）。", m->cat[lo_i], m->ytitle[lo_s]);
        } else {
                buf_puts(&t, "最小值 ");
                put_value(&t, m->v[lo_i * m->ny + lo_s], -1);
                put_unit(&t, m->yunit[lo_s]);
                buf_printf(&t, "（%s" MIDDOT "%s），最大值 ", m->cat[lo_i], m->ytitle[lo_s]);
                put_value(&t, m->v[hi_i * m->ny + hi_s], -1);
                put_unit(&t, m->yunit[hi_s]);
                buf_printf(&t, "（%s" MIDDOT "%s）。", m->cat[hi_i], m->ytitle[hi_s]);
        }
        if (m->missing) {
                put_value(&t, (double)m->missing, 0);
                buf_puts(&t, " 个数值缺失。");
        }
        buf_printf(c->out, "<desc id=\"%s-desc\">", m->id);
        put_esc(c->out, buf_cstr(&t));
        buf_puts(c->out, "</desc>\n");
        buf_free(&t);
}

/* Appends the opening <svg> tag. */
static void svg_open(const struct ctx *c, const char *type)
{
        buf_puts(c->out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
        put_num(c->out, c->W);
        buf_putc(c->out, ' ');
        put_num(c->out, c->H);
        buf_printf(c->out,
                   "\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" "
                   "aria-labelledby=\"%s-title %s-desc\" class=\"chart chart-%s\" "
                   "font-family=\"sans-serif\" font-size=\"12\">\n",
                   c->m->id, c->m->id, type);
}

/* True when series s of a bar chart is drawn with a pattern. */
static bool patterned(const struct ctx *c, size_t s)
{
        return c->patterns && s > 0;
}

/* Appends <defs> with one pattern per patterned series. */
static void pattern_defs(const struct ctx *c)
{
        if (!c->patterns)
                return;
        buf_puts(c->out, "<defs>\n");
        for (size_t s = 1; s < c->m->ny; s++)
                buf_printf(c->out,
                           "<pattern id=\"%s-p%zu\" patternUnits=\"userSpaceOnUse\" width=\"8\" "
                           "height=\"8\"><rect class=\"pattern-bg fill-%d\" width=\"8\" "
                           "height=\"8\" fill=\"%s\"/>%s</pattern>\n",
                           c->m->id, s + 1, colour(s) + 1, palette[colour(s)], pattern_marks[s]);
        buf_puts(c->out, "</defs>\n");
}

/* Appends the fill (and class) part of a bar or swatch <rect> for series s, after the
 * opening `class="NAME`. */
static void bar_paint(const struct ctx *c, size_t s)
{
        int k = colour(s);
        if (patterned(c, s))
                buf_printf(c->out, " patterned stroke-%d\" fill=\"url(#%s-p%zu)\" stroke=\"%s\"",
                           k + 1, c->m->id, s + 1, palette[k]);
        else
                buf_printf(c->out, " fill-%d\" fill=\"%s\"", k + 1, palette[k]);
}

/* Marker shape of series s on a line chart (0 circle, 1 square, 2 diamond, 3-5 triangles). */
static int shape(const struct ctx *c, size_t s)
{
        return c->patterns ? (int)((s + s / 6) % 6) : 0;
}

/* Appends a marker of series s centred on (x, y), radius r, with title if given. */
static void marker(const struct ctx *c, size_t s, double x, double y, double r, const char *cls,
                   size_t row, bool title)
{
        struct buf *o = c->out;
        int sh = shape(c, s), k = colour(s);
        double q = r * 1.3;
        if (sh == 0) {
                buf_printf(o, "<circle class=\"%s fill-%d\"", cls, k + 1);
                attr(o, "cx", x);
                attr(o, "cy", y);
                attr(o, "r", r);
        } else {
                buf_printf(o, "<path class=\"%s fill-%d\" d=\"M", cls, k + 1);
                switch (sh) {
                case 1:
                        put_num(o, x - r);
                        buf_putc(o, ' ');
                        put_num(o, y - r);
                        buf_puts(o, "h");
                        put_num(o, 2 * r);
                        buf_puts(o, "v");
                        put_num(o, 2 * r);
                        buf_puts(o, "h");
                        put_num(o, -2 * r);
                        break;
                case 2:
                        put_num(o, x);
                        buf_putc(o, ' ');
                        put_num(o, y - q);
                        buf_puts(o, "l");
                        put_num(o, q);
                        buf_putc(o, ' ');
                        put_num(o, q);
                        buf_puts(o, "l");
                        put_num(o, -q);
                        buf_putc(o, ' ');
                        put_num(o, q);
                        buf_puts(o, "l");
                        put_num(o, -q);
                        buf_putc(o, ' ');
                        put_num(o, -q);
                        break;
                case 3:
                case 4: {
                        double dir = sh == 3 ? 1 : -1;
                        put_num(o, x);
                        buf_putc(o, ' ');
                        put_num(o, y - dir * q);
                        buf_puts(o, "l");
                        put_num(o, q);
                        buf_putc(o, ' ');
                        put_num(o, dir * 2 * q * 0.85);
                        buf_puts(o, "h");
                        put_num(o, -2 * q);
                        break;
                }
                default:
                        put_num(o, x - q);
                        buf_putc(o, ' ');
                        put_num(o, y);
                        buf_puts(o, "l");
                        put_num(o, 2 * q * 0.85);
                        buf_putc(o, ' ');
                        put_num(o, -q);
                        buf_puts(o, "v");
                        put_num(o, 2 * q);
                        break;
                }
                buf_puts(o, "Z\"");
        }
        buf_printf(o, " fill=\"%s\" stroke=\"#fff\" stroke-width=\"1\"", palette[k]);
        if (title) {
                buf_putc(o, '>');
                point_title(c->m, row, s, o);
                buf_puts(o, sh == 0 ? "</circle>\n" : "</path>\n");
        } else {
                buf_puts(o, "/>\n");
        }
}

/* Lays out the legend (emit false: only measures) from the top y; returns its height. */
static double legend(const struct ctx *c, double y, bool emit)
{
        const struct model *m = c->m;
        double key = m->kind == K_LINE ? 24 : 12, x = MARGIN, rows = 1;
        if (m->ny < 2)
                return 0;
        if (emit)
                buf_puts(c->out, "<g class=\"legend\">\n");
        for (size_t s = 0; s < m->ny; s++) {
                char *l = series_label(m, s);
                double w = key + 5 + clipped_w(l, WIDE_UNITS, FONT);
                if (x > MARGIN && x + w > c->W - MARGIN) {
                        x = MARGIN;
                        y += 20;
                        rows++;
                }
                if (emit && m->kind == K_LINE) {
                        int k = colour(s);
                        buf_printf(c->out, "<path class=\"swatch stroke-%d\" d=\"M", k + 1);
                        put_num(c->out, x);
                        buf_putc(c->out, ' ');
                        put_num(c->out, y + 10);
                        buf_puts(c->out, "h24\" fill=\"none\"");
                        buf_printf(c->out, " stroke=\"%s\" stroke-width=\"2\"", palette[k]);
                        if (c->patterns && dashes[s])
                                buf_printf(c->out, " stroke-dasharray=\"%s\"", dashes[s]);
                        buf_puts(c->out, "/>\n");
                        if (c->patterns)
                                marker(c, s, x + 12, y + 10, 3.5, "swatch", 0, false);
                } else if (emit) {
                        buf_puts(c->out, "<rect class=\"swatch");
                        bar_paint(c, s);
                        attr(c->out, "x", x);
                        attr(c->out, "y", y + 4);
                        buf_puts(c->out, " width=\"12\" height=\"12\"/>\n");
                }
                if (emit) {
                        buf_puts(c->out, "<text class=\"legend-label\"");
                        attr(c->out, "x", x + key + 5);
                        attr(c->out, "y", y + 14);
                        buf_printf(c->out, " fill=\"%s\">", C_TEXT);
                        if (put_clipped(c->out, l, WIDE_UNITS)) {
                                buf_puts(c->out, "<title>");
                                put_esc(c->out, l);
                                buf_puts(c->out, "</title>");
                        }
                        buf_puts(c->out, "</text>\n");
                }
                free(l);
                x += w + 16;
        }
        if (emit)
                buf_puts(c->out, "</g>\n");
        return rows * 20 + 6;
}

/* Lays out (emit false) or writes the visible title, subtitle and legend; returns the y
 * below them. */
static double header(const struct ctx *c, bool emit)
{
        const char *t = c->spec->title, *st = c->spec->subtitle;
        double y = MARGIN;
        if (t && *t) {
                if (emit) {
                        buf_printf(c->out,
                                   "<text class=\"heading\" x=\"8\" y=\"22\" font-size=\"16\" "
                                   "font-weight=\"bold\" fill=\"%s\">",
                                   C_TEXT);
                        put_clipped(c->out, t, (size_t)((c->W - 2 * MARGIN) / (UNIT * 16)));
                        buf_puts(c->out, "</text>\n");
                }
                y = 30;
        }
        if (st && *st) {
                if (emit) {
                        buf_puts(c->out, "<text class=\"subheading\" x=\"8\"");
                        attr(c->out, "y", y + 12);
                        buf_printf(c->out, " font-size=\"13\" fill=\"%s\">", C_MUTED);
                        put_clipped(c->out, st, (size_t)((c->W - 2 * MARGIN) / (UNIT * 13)));
                        buf_puts(c->out, "</text>\n");
                }
                y += 20;
        }
        if (y > MARGIN)
                y += 4;
        return y + legend(c, y, emit);
}

/* Appends a text element: class cls at (x, y), anchor "start"/"middle"/"end", colour fill,
 * font size size (0: inherited), then the raw text s cut to max units (0: not cut), with
 * the full text in a <title> when cut. */
static void text_at(const struct ctx *c, const char *cls, double x, double y, const char *anchor,
                    const char *fill, double size, const char *s, size_t max)
{
        struct buf *o = c->out;
        buf_printf(o, "<text class=\"%s\"", cls);
        attr(o, "x", x);
        attr(o, "y", y);
        if (strcmp(anchor, "start"))
                buf_printf(o, " text-anchor=\"%s\"", anchor);
        if (size > 0)
                attr(o, "font-size", size);
        buf_printf(o, " fill=\"%s\">", fill);
        if (max && text_units(s) > max) {
                buf_puts(o, "<title>");
                put_esc(o, s);
                buf_puts(o, "</title>");
                put_clipped(o, s, max);
        } else {
                put_esc(o, s);
        }
        buf_puts(o, "</text>\n");
}

/* Appends a straight line of class cls and colour stroke. */
static void line_el(const struct ctx *c, const char *cls, const char *stroke, double xa, double ya,
                    double xb, double yb)
{
        buf_printf(c->out, "<line class=\"%s\"", cls);
        attr(c->out, "x1", xa);
        attr(c->out, "y1", ya);
        attr(c->out, "x2", xb);
        attr(c->out, "y2", yb);
        buf_printf(c->out, " stroke=\"%s\" stroke-width=\"1\"/>\n", stroke);
}

/* Widest tick label of the axis, in viewBox units. */
static double ticks_w(const struct chart_axis *ax)
{
        struct buf t = {0};
        double w = 0;
        for (int k = 0; k < ax->nticks; k++) {
                buf_reset(&t);
                put_value(&t, tick_value(ax, k), ax->decimals);
                double tw = text_w(buf_cstr(&t), FONT);
                if (tw > w)
                        w = tw;
        }
        buf_free(&t);
        return w;
}

/* Appends the gridlines and tick labels of the value axis (vertical when horiz is false). */
static void value_axis(const struct ctx *c, bool horiz)
{
        struct buf t = {0};
        buf_puts(c->out, "<g class=\"grid\">\n");
        for (int k = 0; k < c->ax.nticks; k++) {
                double p = vpos(c, tick_value(&c->ax, k));
                if (horiz)
                        line_el(c, "grid", C_GRID, p, c->y0, p, c->y1);
                else
                        line_el(c, "grid", C_GRID, c->x0, p, c->x1, p);
        }
        buf_puts(c->out, "</g>\n<g class=\"axis-labels\">\n");
        for (int k = 0; k < c->ax.nticks; k++) {
                double v = tick_value(&c->ax, k), p = vpos(c, v);
                buf_reset(&t);
                put_value(&t, v, c->ax.decimals);
                if (horiz)
                        text_at(c, "tick", p, c->y1 + 16, "middle", C_MUTED, 0, buf_cstr(&t), 0);
                else
                        text_at(c, "tick", c->x0 - 6, p + 4, "end", C_MUTED, 0, buf_cstr(&t), 0);
        }
        buf_puts(c->out, "</g>\n");
        buf_free(&t);
}

/* Data extremes for the axis: of the values, or for stacked bars of the stacks' ends.
 * Returns false when there is no value. */
static bool extremes(const struct model *m, double *lo, double *hi)
{
        bool any = false;
        *lo = *hi = 0;
        for (size_t i = 0; i < m->n; i++) {
                double pos = 0, neg = 0;
                for (size_t s = 0; s < m->ny; s++) {
                        size_t k = i * m->ny + s;
                        if (!m->has[k])
                                continue;
                        double v = m->v[k];
                        if (m->kind == K_STACKED) {
                                if (v >= 0)
                                        pos += v;
                                else
                                        neg += v;
                                v = neg;
                                if (!any || pos > *hi)
                                        *hi = pos;
                        } else if (!any || v > *hi) {
                                *hi = v;
                        }
                        if (!any || v < *lo)
                                *lo = v;
                        any = true;
                }
        }
        return any;
}

/* ---- vertical charts: bar, stacked, line ---- */

/* How category labels under a vertical chart are set. */
struct xlabels {
        int mode;      /* 0 one line, 1 up to two lines, 2 rotated by -45 degrees */
        size_t units;  /* width kept per line, in units (0: not cut) */
        size_t every;  /* a label on every k-th category */
        double width;  /* widest label as written (mode 0 and 2) */
        double height; /* room they take below the plot */
};

/* Chooses how to set the category labels when each has room band wide. */
static struct xlabels choose_xlabels(const struct model *m, double band)
{
        struct xlabels xl = {0, 0, 1, 0, 22};
        double room = (band - 6) / (UNIT * FONT), full = 0;
        for (size_t i = 0; i < m->n; i++) {
                double w = text_w(m->cat[i], FONT);
                full = w > full ? w : full;
        }
        if (m->kind == K_LINE) {
                xl.units = XLINE_UNITS;
                for (size_t i = 0; i < m->n; i++) {
                        double w = clipped_w(m->cat[i], xl.units, FONT);
                        xl.width = w > xl.width ? w : xl.width;
                }
                size_t k1 = (m->n + XLABELS_MAX - 1) / XLABELS_MAX;
                size_t k2 = band > 0 ? (size_t)ceil((xl.width + 20) / band) : 1;
                xl.every = k1 > k2 ? k1 : k2;
        } else if (full <= band - 6) {
                xl.width = full;
        } else if (room >= 6) {
                xl.mode = 1;
                xl.units = (size_t)room;
                xl.height = 36;
        } else {
                xl.mode = 2;
                xl.units = ROT_UNITS;
                for (size_t i = 0; i < m->n; i++) {
                        double w = clipped_w(m->cat[i], xl.units, FONT);
                        xl.width = w > xl.width ? w : xl.width;
                }
                /* rotated baselines lie band * sin 45° apart: keep 1.2 em */
                xl.every = band > 0 ? (size_t)ceil(FONT * 1.2 / 0.71 / band) : 1;
                xl.height = xl.width * 0.71 + 18;
        }
        if (xl.every < 1)
                xl.every = 1;
        return xl;
}

/* Moves the line break *cut of s back to the last space when it falls inside a word of
 * ASCII letters or digits; returns where the next line starts (past that space). */
static size_t break_at(const char *s, size_t *cut)
{
        if (s[*cut] == ' ')
                return *cut + 1;
        bool word = s[*cut] > ' ' && (unsigned char)s[*cut] < 0x80 && *cut > 0 &&
                    s[*cut - 1] > ' ' && (unsigned char)s[*cut - 1] < 0x80;
        for (size_t p = *cut; word && p > 1; p--)
                if (s[p - 1] == ' ') {
                        *cut = p - 1;
                        return p;
                }
        return *cut;
}

/* Appends the category label of row i centred on x, below the plot at y. */
static void xlabel(const struct ctx *c, const struct xlabels *xl, size_t i, double x, double y)
{
        const char *s = c->m->cat[i];
        struct buf *o = c->out;
        if (xl->mode == 0) {
                text_at(c, "tick", x, y, "middle", C_MUTED, 0, s, xl->units);
                return;
        }
        if (xl->mode == 2) {
                buf_puts(o, "<text class=\"tick\"");
                attr(o, "x", x + 4);
                attr(o, "y", y - 4);
                buf_printf(o, " text-anchor=\"end\" fill=\"%s\" transform=\"rotate(-45 ", C_MUTED);
                put_num(o, x + 4);
                buf_putc(o, ' ');
                put_num(o, y - 4);
                buf_puts(o, ")\">");
                if (text_units(s) > xl->units) {
                        buf_puts(o, "<title>");
                        put_esc(o, s);
                        buf_puts(o, "</title>");
                }
                put_clipped(o, s, xl->units);
                buf_puts(o, "</text>\n");
                return;
        }
        size_t len = strlen(s), cut = fit_prefix(s, len, xl->units), next;
        if (cut == len) {
                text_at(c, "tick", x, y, "middle", C_MUTED, 0, s, 0);
                return;
        }
        next = break_at(s, &cut);
        buf_puts(o, "<text class=\"tick\" text-anchor=\"middle\"");
        buf_printf(o, " fill=\"%s\">", C_MUTED);
        if (text_units(s + next) > xl->units) {
                buf_puts(o, "<title>");
                put_esc(o, s);
                buf_puts(o, "</title>");
        }
        buf_puts(o, "<tspan");
        attr(o, "x", x);
        attr(o, "y", y);
        buf_putc(o, '>');
        put_escn(o, s, cut);
        buf_puts(o, "</tspan><tspan");
        attr(o, "x", x);
        attr(o, "y", y + 15);
        buf_putc(o, '>');
        put_clipped(o, s + next, xl->units);
        buf_puts(o, "</tspan></text>\n");
}

/* Appends the value label for value v at the bar end (x, yend), below it when v < 0. */
static void value_label(const struct ctx *c, double v, double x, double yend)
{
        struct buf t = {0};
        put_value(&t, v, -1);
        text_at(c, "value-label", x, v < 0 ? yend + 12 : yend - 4, "middle", C_TEXT, FONT_SMALL,
                buf_cstr(&t), 0);
        buf_free(&t);
}

/* Widest value label, in viewBox units, of the values (neg false: >= 0; true: < 0). */
static double value_labels_w(const struct model *m, bool neg)
{
        struct buf t = {0};
        double w = 0;
        for (size_t k = 0; k < m->n * m->ny; k++) {
                if (!m->has[k] || (m->v[k] < 0) != neg)
                        continue;
                buf_reset(&t);
                put_value(&t, m->v[k], -1);
                double tw = text_w(buf_cstr(&t), FONT_SMALL);
                if (tw > w)
                        w = tw;
        }
        buf_free(&t);
        return w;
}

/* True when any value is negative. */
static bool any_negative(const struct model *m)
{
        for (size_t k = 0; k < m->n * m->ny; k++)
                if (m->has[k] && m->v[k] < 0)
                        return true;
        return false;
}

/* True when category i of a stacked chart has every value and none below 0, so that its
 * total can be printed. */
static bool stack_filled(const struct model *m, size_t i)
{
        for (size_t s = 0; s < m->ny; s++) {
                size_t k = i * m->ny + s;
                if (!m->has[k] || m->v[k] < 0)
                        return false;
        }
        return true;
}

/* Widest total label of a stacked chart's all-positive stacks, in viewBox units. */
static double totals_w(const struct model *m)
{
        struct buf t = {0};
        double w = 0;
        for (size_t i = 0; i < m->n; i++) {
                double sum = 0;
                if (!stack_filled(m, i))
                        continue;
                for (size_t s = 0; s < m->ny; s++)
                        sum += m->v[i * m->ny + s];
                buf_reset(&t);
                put_value(&t, sum, -1);
                double tw = text_w(buf_cstr(&t), FONT_SMALL);
                if (tw > w)
                        w = tw;
        }
        buf_free(&t);
        return w;
}

/* Width of the bars (*bw) and of a category's group of bars (*group) of a vertical bar or
 * stacked chart with band room per category. */
static void bar_geometry(const struct model *m, double band, double *group, double *bw)
{
        size_t per = m->kind == K_STACKED ? 1 : m->ny;
        double w = band * (per == 1 ? 0.6 : 0.8) / (double)per, cap = per == 1 ? 64 : 40;
        *bw = w < cap ? w : cap;
        *group = *bw * (double)per;
}

/* Appends the bars of a vertical bar or stacked chart. band: room per category. */
static void vertical_bars(struct ctx *c, double band)
{
        const struct model *m = c->m;
        bool stacked = m->kind == K_STACKED;
        double group, bw, gap = m->ny > 1 && !stacked ? 1 : 0;
        bar_geometry(m, band, &group, &bw);
        double *pos = xcalloc(m->n ? m->n : 1, sizeof *pos);
        double *neg = xcalloc(m->n ? m->n : 1, sizeof *neg);
        double zero = vpos(c, 0);
        for (size_t s = 0; s < m->ny; s++) {
                buf_printf(c->out, "<g class=\"series s%zu\">\n", s + 1);
                for (size_t i = 0; i < m->n; i++) {
                        size_t k = i * m->ny + s;
                        if (!m->has[k])
                                continue;
                        double v = m->v[k], base = 0;
                        if (stacked) {
                                base = v >= 0 ? pos[i] : neg[i];
                                if (v >= 0)
                                        pos[i] += v;
                                else
                                        neg[i] += v;
                        }
                        double x = c->x0 + (double)i * band + (band - group) / 2;
                        if (!stacked)
                                x += (double)s * bw;
                        double ya = vpos(c, base), yb = vpos(c, base + v);
                        buf_puts(c->out, "<rect class=\"bar");
                        bar_paint(c, s);
                        attr(c->out, "x", x);
                        attr(c->out, "y", ya < yb ? ya : yb);
                        attr(c->out, "width", bw - gap > 0.1 ? bw - gap : 0.1);
                        attr(c->out, "height", fabs(yb - ya));
                        buf_putc(c->out, '>');
                        point_title(m, i, s, c->out);
                        buf_puts(c->out, "</rect>\n");
                }
                buf_puts(c->out, "</g>\n");
        }
        line_el(c, "axis", C_AXIS, c->x0, zero, c->x1, zero);
        if (c->labels) {
                buf_puts(c->out, "<g class=\"value-labels\">\n");
                for (size_t i = 0; i < m->n; i++) {
                        double xc = c->x0 + ((double)i + 0.5) * band;
                        if (stacked) {
                                if (stack_filled(m, i))
                                        value_label(c, pos[i], xc, vpos(c, pos[i]));
                                else if (neg[i] == 0 && text_w("部分无数据", FONT_SMALL) <= band)
                                        text_at(c, "value-label missing", xc, vpos(c, pos[i]) - 4,
                                                "middle", C_MUTED, FONT_SMALL, "部分无数据", 0);
                                continue;
                        }
                        for (size_t s = 0; s < m->ny; s++) {
                                size_t k = i * m->ny + s;
                                double x = c->x0 + (double)i * band + (band - group) / 2 +
                                           ((double)s + 0.5) * bw - gap / 2;
                                if (m->has[k])
                                        value_label(c, m->v[k], x, vpos(c, m->v[k]));
                                else
                                        text_at(c, "value-label missing", x, zero - 4, "middle",
                                                C_MUTED, FONT_SMALL, "无数据", 0);
                        }
                }
                buf_puts(c->out, "</g>\n");
        }
        free(pos);
        free(neg);
}

/* Appends the lines, markers and hover columns of a line chart. step: distance between
 * points; xa: x of the first point. */
static void lines(struct ctx *c, double xa, double step)
{
        const struct model *m = c->m;
        struct buf t = {0};
        buf_puts(c->out, "<g class=\"hovers\">\n");
        for (size_t i = 0; i < m->n; i++) {
                double x = xa + (double)i * step, w = m->n > 1 ? step : c->x1 - c->x0;
                double l = x - w / 2 > c->x0 ? x - w / 2 : c->x0;
                double r = x + w / 2 < c->x1 ? x + w / 2 : c->x1;
                buf_puts(c->out, "<rect class=\"hover\"");
                attr(c->out, "x", l);
                attr(c->out, "y", c->y0);
                attr(c->out, "width", r > l ? r - l : 0);
                attr(c->out, "height", c->y1 - c->y0);
                buf_puts(c->out, " fill=\"#000\" fill-opacity=\"0\"><title>");
                buf_reset(&t);
                for (size_t s = 0; s < m->ny; s++) {
                        if (s)
                                buf_putc(&t, '\n');
                        point_text(m, i, s, &t);
                }
                put_esc(c->out, buf_cstr(&t));
                buf_puts(c->out, "</title></rect>\n");
        }
        buf_puts(c->out, "</g>\n");
        for (size_t s = 0; s < m->ny; s++) {
                int k = colour(s);
                bool open = false;
                buf_printf(c->out, "<g class=\"series s%zu\">\n", s + 1);
                buf_printf(c->out, "<path class=\"line stroke-%d\" d=\"", k + 1);
                for (size_t i = 0; i < m->n; i++) {
                        size_t kk = i * m->ny + s;
                        if (!m->has[kk]) {
                                open = false;
                                continue;
                        }
                        buf_puts(c->out, open ? " " : "M");
                        put_num(c->out, xa + (double)i * step);
                        buf_putc(c->out, ' ');
                        put_num(c->out, vpos(c, m->v[kk]));
                        open = true;
                }
                buf_printf(c->out,
                           "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                           "stroke-linejoin=\"round\" stroke-linecap=\"round\"",
                           palette[k]);
                if (c->patterns && dashes[s])
                        buf_printf(c->out, " stroke-dasharray=\"%s\"", dashes[s]);
                buf_puts(c->out, "/>\n");
                for (size_t i = 0; i < m->n; i++) {
                        size_t kk = i * m->ny + s;
                        bool alone = m->has[kk] && (i == 0 || !m->has[kk - m->ny]) &&
                                     (i + 1 == m->n || !m->has[kk + m->ny]);
                        if (m->has[kk] && (c->markers || alone))
                                marker(c, s, xa + (double)i * step, vpos(c, m->v[kk]),
                                       c->markers ? 3.5 : 2, "point", i, true);
                }
                buf_puts(c->out, "</g>\n");
        }
        buf_free(&t);
}

/* Draws a bar, stacked or line chart. */
static void vertical(struct ctx *c)
{
        const struct model *m = c->m;
        bool line = m->kind == K_LINE, neg = any_negative(m);
        double lo, hi;
        bool any = extremes(m, &lo, &hi);
        bool zero = !line || !any || (lo < 0 && hi > 0) || (lo >= 0 && lo <= hi * 0.5) ||
                    (hi <= 0 && hi >= lo * 0.5);
        if (chart_nice_axis(lo, hi, zero, &c->ax))
                c->ax = (struct chart_axis){0, 1, 0.2, 6, 1};

        c->W = VIEW_W;
        double top = header(c, false);
        bool unit_row = m->unit && *m->unit;
        if (unit_row)
                top += 18;
        c->x0 = MARGIN + ticks_w(&c->ax) + 8;
        c->x1 = c->W - MARGIN;
        double n = m->n ? (double)m->n : 1, inset = line ? 10 : 0;
        double band = line ? (m->n > 1 ? (c->x1 - c->x0 - 2 * inset) / (n - 1) : c->x1 - c->x0)
                           : (c->x1 - c->x0) / n;
        struct xlabels xl = choose_xlabels(m, band);
        double half = xl.width / 2;
        if (line) {
                if (c->x0 + inset - half < MARGIN)
                        c->x0 = MARGIN + half - inset;
                if (c->x1 - inset + half > c->W - MARGIN)
                        c->x1 = c->W - MARGIN - half + inset;
                band = m->n > 1 ? (c->x1 - c->x0 - 2 * inset) / (n - 1) : 0;
        } else if (xl.mode == 2) {
                double need = xl.width * 0.71 - band / 2 + MARGIN;
                if (c->x0 < need)
                        c->x0 = need;
                band = (c->x1 - c->x0) / n;
        }
        if (!line && m->n <= VALUE_LABELS_MAX && (m->ny <= 3 || m->kind == K_STACKED)) {
                double group, bw;
                bar_geometry(m, band, &group, &bw);
                double slot = m->kind == K_STACKED || m->ny == 1 ? band - 4 : bw + 2;
                if (m->kind == K_STACKED)
                        c->labels = totals_w(m) <= slot;
                else
                        c->labels = value_labels_w(m, false) <= slot &&
                                    value_labels_w(m, true) <= slot &&
                                    (m->missing == 0 || text_w("无数据", FONT_SMALL) <= slot);
        }
        c->markers = line && m->n <= POINTS_MAX;
        c->y0 = top + (c->labels ? 18 : 12);
        double below = xl.height + (c->labels && neg ? 14 : 0) + MARGIN;
        c->H = VIEW_H;
        if (c->H - below - c->y0 < PLOT_MIN_H)
                c->H = ceil(c->y0 + PLOT_MIN_H + below);
        c->y1 = c->H - below;
        c->v0 = c->y1;
        c->v1 = c->y0;

        svg_open(c, c->spec->type);
        title_desc(c);
        if (!line)
                pattern_defs(c);
        (void)header(c, true);
        if (unit_row) {
                struct buf u = {0};
                buf_printf(&u, "单位：%s", m->unit);
                text_at(c, "label unit", MARGIN, top - 4, "start", C_TEXT, 0, buf_cstr(&u), 0);
                buf_free(&u);
        }
        value_axis(c, false);
        double ylab = c->y1 + 16 + (c->labels && neg ? 14 : 0);
        buf_puts(c->out, "<g class=\"axis-labels categories\">\n");
        for (size_t i = 0; i < m->n; i += xl.every) {
                double x =
                    line ? c->x0 + inset + (double)i * band : c->x0 + ((double)i + 0.5) * band;
                if (line && m->n == 1)
                        x = (c->x0 + c->x1) / 2;
                xlabel(c, &xl, i, x, ylab);
        }
        buf_puts(c->out, "</g>\n");
        if (line) {
                if (c->ax.lo < 0 && c->ax.hi > 0)
                        line_el(c, "axis", C_AXIS, c->x0, vpos(c, 0), c->x1, vpos(c, 0));
                line_el(c, "axis", C_AXIS, c->x0, c->y1, c->x1, c->y1);
                lines(c, m->n == 1 ? (c->x0 + c->x1) / 2 : c->x0 + inset, band);
        } else {
                vertical_bars(c, band);
        }
        buf_puts(c->out, "</svg>\n");
}

/* ---- horizontal bars ---- */

/* Draws an hbar chart. */
static void horizontal(struct ctx *c)
{
        const struct model *m = c->m;
        double lo, hi;
        (void)extremes(m, &lo, &hi);
        if (chart_nice_axis(lo, hi, true, &c->ax))
                c->ax = (struct chart_axis){0, 1, 0.2, 6, 1};
        c->W = VIEW_W;
        double top = header(c, false);
        double lw = 0;
        for (size_t i = 0; i < m->n; i++) {
                double w = clipped_w(m->cat[i], WIDE_UNITS, FONT);
                lw = w > lw ? w : lw;
        }
        double thick = m->ny == 1 ? 22 : m->ny <= 3 ? 16 : 10;
        double band = (double)m->ny * thick + (m->ny == 1 ? 10 : 14);
        c->x0 = MARGIN + lw + 10;
        c->x1 = c->W - MARGIN - ticks_w(&c->ax) / 2;
        c->labels = m->n <= HVALUE_MAX && m->ny <= 3;
        double padr = c->labels ? value_labels_w(m, false) + 6 : 0;
        double padl = c->labels && c->ax.lo < 0 ? value_labels_w(m, true) + 6 : 0;
        c->v0 = c->x0 + padl;
        c->v1 = c->x1 - padr;
        if (c->v1 - c->v0 < 120) {
                c->labels = false;
                c->v0 = c->x0;
                c->v1 = c->x1;
        }
        bool unit_row = m->unit && *m->unit;
        c->y0 = top + 8;
        c->y1 = c->y0 + band * (double)(m->n ? m->n : 1);
        c->H = c->y1 + 22 + (unit_row ? 18 : 0) + MARGIN;

        svg_open(c, "hbar");
        title_desc(c);
        pattern_defs(c);
        (void)header(c, true);
        value_axis(c, true);
        if (unit_row) {
                struct buf u = {0};
                buf_printf(&u, "单位：%s", m->unit);
                text_at(c, "label unit", c->W - MARGIN, c->H - MARGIN - 2, "end", C_TEXT, 0,
                        buf_cstr(&u), 0);
                buf_free(&u);
        }
        buf_puts(c->out, "<g class=\"axis-labels categories\">\n");
        for (size_t i = 0; i < m->n; i++)
                text_at(c, "tick", c->x0 - 8, c->y0 + ((double)i + 0.5) * band + 4, "end", C_MUTED,
                        0, m->cat[i], WIDE_UNITS);
        buf_puts(c->out, "</g>\n");
        double zero = vpos(c, 0);
        for (size_t s = 0; s < m->ny; s++) {
                buf_printf(c->out, "<g class=\"series s%zu\">\n", s + 1);
                for (size_t i = 0; i < m->n; i++) {
                        size_t k = i * m->ny + s;
                        if (!m->has[k])
                                continue;
                        double y = c->y0 + (double)i * band + (band - (double)m->ny * thick) / 2 +
                                   (double)s * thick;
                        double xe = vpos(c, m->v[k]);
                        buf_puts(c->out, "<rect class=\"bar");
                        bar_paint(c, s);
                        attr(c->out, "x", xe < zero ? xe : zero);
                        attr(c->out, "y", y);
                        attr(c->out, "width", fabs(xe - zero));
                        attr(c->out, "height", thick - (m->ny > 1 ? 1 : 0));
                        buf_putc(c->out, '>');
                        point_title(m, i, s, c->out);
                        buf_puts(c->out, "</rect>\n");
                }
                buf_puts(c->out, "</g>\n");
        }
        line_el(c, "axis", C_AXIS, zero, c->y0, zero, c->y1);
        if (c->labels) {
                struct buf t = {0};
                buf_puts(c->out, "<g class=\"value-labels\">\n");
                for (size_t i = 0; i < m->n; i++)
                        for (size_t s = 0; s < m->ny; s++) {
                                size_t k = i * m->ny + s;
                                double y = c->y0 + (double)i * band +
                                           (band - (double)m->ny * thick) / 2 +
                                           ((double)s + 0.5) * thick + 4;
                                buf_reset(&t);
                                if (!m->has[k]) {
                                        text_at(c, "value-label missing", zero + 4, y, "start",
                                                C_MUTED, FONT_SMALL, "无数据", 0);
                                        continue;
                                }
                                double v = m->v[k], xe = vpos(c, v);
                                put_value(&t, v, -1);
                                text_at(c, "value-label", v < 0 ? xe - 4 : xe + 4, y,
                                        v < 0 ? "end" : "start", C_TEXT, FONT_SMALL, buf_cstr(&t),
                                        0);
                        }
                buf_puts(c->out, "</g>\n");
                buf_free(&t);
        }
        buf_puts(c->out, "</svg>\n");
}

int chart_svg(json_t *table, const struct chart_spec *spec, const char *path, int line, int col,
              struct buf *out, struct diag *d)
{
        struct model m = {0};
        struct buf svg = {0};
        int rc = -1;
        if (!spec) {
                diag_error(d, path, line, col, "chart: nothing to draw");
                goto out;
        }
        if (load(table, spec, path, line, col, &m, d))
                goto out;
        struct ctx c = {.m = &m, .spec = spec, .out = &svg};
        c.patterns = m.ny > 3;
        if (m.kind == K_HBAR)
                horizontal(&c);
        else
                vertical(&c);
        buf_put(out, buf_cstr(&svg), svg.len);
        rc = 0;
out:
        model_free(&m);
        buf_free(&svg);
        return rc;
}

/* ---- sparkline ---- */

int chart_sparkline(json_t *values, const char *label, const char *id, struct buf *out)
{
        const double w = 120, h = 28, pad = 3;
        struct buf t = {0}, o = {0};
        size_t n = json_array_size(values), first = 0, last = 0;
        double lo = 0, hi = 0;
        bool any = false, open = false;
        char *cid = NULL;
        int rc = -1;
        json_t *v;
        size_t i;

        if (!json_is_array(values) || n > CHART_MAX_ROWS)
                goto out;
        json_array_foreach(values, i, v)
        {
                if (json_is_null(v))
                        continue;
                if (!json_is_number(v) || fabs(json_number_value(v)) > MAX_ABS)
                        goto out;
                double x = json_number_value(v);
                if (!any) {
                        first = i;
                        lo = hi = x;
                }
                lo = x < lo ? x : lo;
                hi = x > hi ? x : hi;
                last = i;
                any = true;
        }
        if (label && *label)
                buf_printf(&t, "%s: ", label);
        if (!any) {
                buf_puts(&t, "无数据");
        } else if (first == last) {
                put_value(&t, json_number_value(json_array_get(values, first)), -1);
        } else {
                buf_puts(&t, "从 ");
                put_value(&t, json_number_value(json_array_get(values, first)), -1);
                buf_puts(&t, " 到 ");
                put_value(&t, json_number_value(json_array_get(values, last)), -1);
        }
        cid = id ? clean_id(id) : NULL;
        buf_puts(&o, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 120 28\" "
                     "width=\"120\" height=\"28\" preserveAspectRatio=\"xMidYMid meet\" "
                     "role=\"img\" aria-label=\"");
        put_esc(&o, buf_cstr(&t));
        buf_puts(&o, "\" class=\"chart chart-spark\">\n<title");
        if (cid)
                buf_printf(&o, " id=\"%s-title\"", cid);
        buf_putc(&o, '>');
        put_esc(&o, buf_cstr(&t));
        buf_puts(&o, "</title>\n");
        if (any) {
                buf_printf(&o, "<path class=\"spark line stroke-1\" d=\"");
                json_array_foreach(values, i, v)
                {
                        if (json_is_null(v)) {
                                open = false;
                                continue;
                        }
                        double x =
                            n > 1 ? pad + (double)i * (w - 2 * pad) / (double)(n - 1) : w / 2;
                        double y =
                            hi > lo
                                ? h - pad - (json_number_value(v) - lo) / (hi - lo) * (h - 2 * pad)
                                : h / 2;
                        buf_puts(&o, open ? " " : "M");
                        put_num(&o, x);
                        buf_putc(&o, ' ');
                        put_num(&o, y);
                        if (!open && (i + 1 == n || json_is_null(json_array_get(values, i + 1))))
                                buf_puts(&o, "h0.1");
                        open = true;
                }
                buf_printf(&o,
                           "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                           "stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n",
                           palette[0]);
                double x = n > 1 ? pad + (double)last * (w - 2 * pad) / (double)(n - 1) : w / 2;
                double y = hi > lo ? h - pad -
                                         (json_number_value(json_array_get(values, last)) - lo) /
                                             (hi - lo) * (h - 2 * pad)
                                   : h / 2;
                buf_puts(&o, "<circle class=\"spark-point fill-1\"");
                attr(&o, "cx", x);
                attr(&o, "cy", y);
                buf_printf(&o, " r=\"2\" fill=\"%s\"/>\n", palette[0]);
        }
        buf_puts(&o, "</svg>\n");
        buf_put(out, buf_cstr(&o), o.len);
        rc = 0;
out:
        free(cid);
        buf_free(&t);
        buf_free(&o);
        return rc;
}
