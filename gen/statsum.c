/* statsum: text summaries of a numeric series. The sentences are built as plain text and
 * escaped once, at the end, into the <p>. */
#include "statsum.h"

#include "numfmt.h"
#include "table.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TIED 3 /* tied categories named before "等N项" */

/* One row of the series. */
struct point {
        double v;      /* the value, when has */
        bool has;      /* the value is there */
        bool has_key;  /* x reads as a period */
        long long key; /* the period as yyyymmdd (a year as yyyy0000), when has_key */
        char *label;   /* x as shown: "职工医保", "2024年"; owned */
};

/* The series being summarised. */
struct series {
        struct point *p;   /* one per row; owned */
        size_t n;          /* rows */
        const char *title; /* y's title or name; borrowed */
        const char *unit;  /* y's unit, "" when none; borrowed */
        bool time;         /* x is a time axis */
};

/* Returns the index of the field named name in fields, or -1. */
static long find_field(json_t *fields, const char *name)
{
        size_t i;
        json_t *f;
        json_array_foreach(fields, i, f)
        {
                const char *n = json_string_value(json_object_get(f, "name"));
                if (name && n && !strcmp(n, name))
                        return (long)i;
        }
        return -1;
}

/* Appends the field names of fields, separated by ", ", for messages. */
static void field_names(json_t *fields, struct buf *b)
{
        size_t i;
        json_t *f;
        json_array_foreach(fields, i, f)
        {
                if (i)
                        buf_puts(b, ", ");
                buf_puts(b, json_string_value(json_object_get(f, "name")));
        }
}

/* Returns the value of the n ASCII digits at s, or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        return v;
}

/* Reads cell as a period: sets *key and appends its label to label. year_type: the
 * field is of type year (any integer from 0 to 9999 is a year). Returns true when it is
 * one. */
static bool period(json_t *cell, bool year_type, long long *key, struct buf *label)
{
        if (json_is_integer(cell)) {
                json_int_t y = json_integer_value(cell);
                if (y < (year_type ? 0 : 1000) || y > 9999)
                        return false;
                *key = (long long)y * 10000;
                buf_printf(label, "%d年", (int)y);
                return true;
        }
        const char *s = json_string_value(cell);
        if (!s)
                return false;
        size_t n = strlen(s);
        int y = n >= 4 ? digits(s, 4) : -1, m = 0, d = 0;
        if (y < 0)
                return false;
        if (n == 4 || (n == 4 + strlen("年") && !strcmp(s + 4, "年"))) {
                *key = (long long)y * 10000;
                buf_printf(label, "%d年", y);
                return true;
        }
        if ((n == 7 || n == 10) && s[4] == '-') {
                m = digits(s + 5, 2);
                d = n == 10 ? (s[7] == '-' ? digits(s + 8, 2) : -1) : 0;
                if (m < 1 || m > 12 || d < 0 || d > 31 || (n == 10 && d == 0))
                        return false;
                *key = (long long)y * 10000 + m * 100 + d;
                if (n == 10)
                        buf_printf(label, "%d年%d月%d日", y, m, d);
                else
                        buf_printf(label, "%d年%d月", y, m);
                return true;
        }
        return false;
}

/* Appends cell as a category label: strings as they are, integers without separators,
 * reals and booleans as numfmt_cell, null as 未注明. */
static void category(json_t *cell, struct buf *label)
{
        if (json_is_null(cell))
                buf_puts(label, "未注明");
        else if (json_is_integer(cell))
                buf_printf(label, "%" JSON_INTEGER_FORMAT, json_integer_value(cell));
        else
                numfmt_cell(label, cell);
}

/* Fills s from the table (checked by table_check) for fields xi and yi. Returns 0, or -1
 * after reporting a y value that is not a number. */
static int load(json_t *table, size_t xi, size_t yi, bool year_type, struct series *s,
                const char *path, int line, int col, struct diag *d)
{
        json_t *rows = json_object_get(table, "rows"), *row;
        struct buf b = {0};
        size_t i, nx = 0, nkeys = 0;
        s->n = json_array_size(rows);
        s->p = xcalloc(s->n ? s->n : 1, sizeof *s->p);
        json_array_foreach(rows, i, row)
        {
                struct point *p = &s->p[i];
                json_t *xc = json_array_get(row, xi), *yc = json_array_get(row, yi);
                if (json_is_number(yc)) {
                        p->v = json_number_value(yc);
                        p->has = true;
                } else if (!json_is_null(yc)) {
                        diag_error(
                            d, path, line, col, "statsum: row %zu: \"%s\" is not a number", i + 1,
                            json_string_value(json_object_get(
                                json_array_get(json_object_get(table, "fields"), yi), "name")));
                        buf_free(&b);
                        return -1;
                }
                buf_reset(&b);
                if (!json_is_null(xc)) {
                        nx++;
                        p->has_key = period(xc, year_type, &p->key, &b);
                        nkeys += p->has_key;
                }
                if (!p->has_key) {
                        buf_reset(&b);
                        category(xc, &b);
                }
                p->label = xstrdup(buf_cstr(&b));
        }
        s->time = nx > 0 && nkeys == nx;
        if (!s->time)
                for (i = 0; i < s->n; i++)
                        if (s->p[i].has_key) {
                                /* a category that merely looks like a year keeps its text */
                                buf_reset(&b);
                                category(json_array_get(json_array_get(rows, i), xi), &b);
                                free(s->p[i].label);
                                s->p[i].label = xstrdup(buf_cstr(&b));
                        }
        buf_free(&b);
        return 0;
}

/* Appends v with the series' unit. */
static void value(struct buf *t, const struct series *s, double v)
{
        numfmt_with_unit(t, v, s->unit);
}

/* Appends the change from point a to point b (the latest), as ", 比A增长4.4%". */
static void change(struct buf *t, const struct series *s, const struct point *a,
                   const struct point *b)
{
        struct buf num = {0};
        if (!a->has)
                goto out;
        if (strchr(s->unit, '%')) {
                double diff = b->v - a->v;
                numfmt_plain(&num, diff < 0 ? -diff : diff, 1);
                if (!strcmp(buf_cstr(&num), "0") || !strcmp(buf_cstr(&num), NUMFMT_DASH))
                        buf_printf(t, "，与%s持平", a->label);
                else
                        buf_printf(t, "，比%s%s%s个百分点", a->label, diff > 0 ? "提高" : "降低",
                                   buf_cstr(&num));
        } else if (a->v <= 0 || numfmt_change(&num, a->v, b->v) < 0) {
                buf_printf(t, "，%s为", a->label);
                value(t, s, a->v);
        } else if (!strcmp(buf_cstr(&num), "持平")) {
                buf_printf(t, "，与%s持平", a->label);
        } else {
                buf_printf(t, "，比%s%s", a->label, buf_cstr(&num));
        }
out:
        buf_free(&num);
}

/* Appends the labels of the points whose value is v: "A", "A、B", "A、B、C等4项". */
static void names(struct buf *t, const struct series *s, double v)
{
        size_t k = 0;
        for (size_t i = 0; i < s->n; i++) {
                if (!s->p[i].has || s->p[i].v != v)
                        continue;
                if (k < MAX_TIED)
                        buf_printf(t, "%s%s", k ? "、" : "", s->p[i].label);
                k++;
        }
        if (k > MAX_TIED)
                buf_printf(t, "等%zu项", k);
}

/* Appends the summary sentences of s as plain text. */
static void summarise(struct buf *t, const struct series *s)
{
        const struct point *latest = NULL, *prev = NULL, *first = NULL, *one = NULL;
        size_t nv = 0;
        double max = 0, min = 0;
        bool titled = false;
        for (size_t i = 0; i < s->n; i++) {
                const struct point *p = &s->p[i];
                if (!p->has)
                        continue;
                if (!nv || p->v > max)
                        max = p->v;
                if (!nv || p->v < min)
                        min = p->v;
                nv++;
                one = p;
                if (s->time && p->has_key) {
                        if (!latest || p->key > latest->key)
                                latest = p;
                        if (!first || p->key < first->key)
                                first = p;
                }
        }
        if (nv == 0) {
                buf_printf(t, "%s暂无数据。", s->title);
                return;
        }
        if (latest) {
                for (size_t i = 0; i < s->n; i++) {
                        const struct point *p = &s->p[i];
                        if (p->has_key && p->key < latest->key && (!prev || p->key > prev->key))
                                prev = p;
                }
                buf_printf(t, "%s%s为", latest->label, s->title);
                value(t, s, latest->v);
                if (prev)
                        change(t, s, prev, latest);
                buf_puts(t, "。");
                titled = true;
        }
        if (nv == 1 && !titled) {
                buf_printf(t, "%s的%s为", one->label, s->title);
                value(t, s, one->v);
                buf_puts(t, "。");
        } else if (nv > 1) {
                if (latest && first != latest)
                        buf_printf(t, "%s至%s间，", first->label, latest->label);
                else if (!titled)
                        buf_puts(t, s->title);
                if (max == min) {
                        buf_puts(t, latest ? "各期均为" : "各项均为");
                        value(t, s, max);
                        buf_puts(t, "。");
                } else {
                        buf_puts(t, "最高的是");
                        names(t, s, max);
                        buf_puts(t, "（");
                        value(t, s, max);
                        buf_puts(t, "），最低的是");
                        names(t, s, min);
                        buf_puts(t, "（");
                        value(t, s, min);
                        buf_puts(t, "）。");
                }
        }
        if (nv < s->n)
                buf_printf(t, "另有%zu项无数据。", s->n - nv);
}

int statsum_html(json_t *table, const char *x, const char *y, const char *path, int line, int col,
                 struct buf *out, struct diag *d)
{
        struct series s = {0};
        struct buf names = {0}, text = {0};
        int rc = -1;
        if (table_check(table, "statsum", path, line, col, d) < 0)
                goto out;
        json_t *fields = json_object_get(table, "fields");
        field_names(fields, &names);
        long xi = find_field(fields, x), yi = find_field(fields, y);
        if (xi < 0 || yi < 0) {
                diag_error(d, path, line, col, "statsum: unknown field \"%s\" for %s (fields: %s)",
                           xi < 0 ? (x ? x : "")
                           : y    ? y
                                  : "",
                           xi < 0 ? "x" : "y", buf_cstr(&names));
                goto out;
        }
        json_t *xf = json_array_get(fields, (size_t)xi), *yf = json_array_get(fields, (size_t)yi);
        const char *xtype = json_string_value(json_object_get(xf, "type"));
        const char *ytype = json_string_value(json_object_get(yf, "type"));
        if (!ytype || (strcmp(ytype, "integer") && strcmp(ytype, "number"))) {
                diag_error(d, path, line, col,
                           "statsum: y field \"%s\" is not numeric (type %s; needs number or "
                           "integer)",
                           y, ytype ? ytype : "missing");
                goto out;
        }
        s.title = json_string_value(json_object_get(yf, "title"));
        if (!s.title || !*s.title)
                s.title = y;
        s.unit = json_string_value(json_object_get(yf, "unit"));
        if (!s.unit)
                s.unit = "";
        if (load(table, (size_t)xi, (size_t)yi, xtype && !strcmp(xtype, "year"), &s, path, line,
                 col, d) < 0)
                goto out;
        summarise(&text, &s);
        buf_puts(out, "<p>");
        table_text(out, text.data ? text.data : "", text.len);
        buf_puts(out, "</p>\n");
        rc = 0;
out:
        if (s.p)
                for (size_t i = 0; i < s.n; i++)
                        free(s.p[i].label);
        free(s.p);
        buf_free(&names);
        buf_free(&text);
        return rc;
}
