/* table: accessible HTML tables from typed tables. The layout is shown in table.h. */
#include "table.h"

#include "escape.h"
#include "numfmt.h"

#include <stdlib.h>
#include <string.h>

/* How a column's cells are written. */
enum kind {
        K_TEXT, /* string, date, boolean: as they are, left-aligned */
        K_NUM,  /* integer, number: numfmt_cell, class="num" */
        K_YEAR  /* year: plain digits, left-aligned like other labels */
};

#define MISSING "<span aria-hidden=\"true\">" NUMFMT_DASH "</span><span class=\"vh\">无数据</span>"

void table_text(struct buf *out, const char *s, size_t len)
{
        const unsigned char *u = (const unsigned char *)s;
        size_t start = 0;
        for (size_t i = 0; i < len; i++) {
                size_t drop = 0;
                if (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r')
                        drop = 1;
                else if (u[i] == 0xEF && i + 2 < len && u[i + 1] == 0xBF &&
                         (u[i + 2] & 0xFE) == 0xBE)
                        drop = 3;
                if (!drop)
                        continue;
                escape_html(out, s + start, i - start);
                i += drop - 1;
                start = i + 1;
        }
        escape_html(out, s + start, len - start);
}

/* Appends NUL-terminated s as escaped text. */
static void put_str(struct buf *out, const char *s)
{
        table_text(out, s, strlen(s));
}

/* Returns field's string member key, or NULL when absent or not a string. */
static const char *field_str(json_t *field, const char *key)
{
        return json_string_value(json_object_get(field, key));
}

/* Returns how the column of field is written. */
static enum kind field_kind(json_t *field)
{
        const char *type = field_str(field, "type");
        if (type && (!strcmp(type, "integer") || !strcmp(type, "number")))
                return K_NUM;
        if (type && !strcmp(type, "year"))
                return K_YEAR;
        return K_TEXT;
}

int table_check(json_t *table, const char *who, const char *path, int line, int col, struct diag *d)
{
        json_t *fields = json_object_get(table, "fields"), *rows = json_object_get(table, "rows");
        json_t *f, *row, *cell;
        size_t i, j, nf;
        if (!json_is_object(table) || !json_is_array(fields) || !json_is_array(rows)) {
                diag_error(d, path, line, col,
                           "%s: not a table (an object with \"fields\" and \"rows\" arrays)", who);
                return -1;
        }
        nf = json_array_size(fields);
        if (nf == 0) {
                diag_error(d, path, line, col, "%s: the table has no fields", who);
                return -1;
        }
        json_array_foreach(fields, i, f)
        {
                if (!field_str(f, "name")) {
                        diag_error(d, path, line, col, "%s: field %zu has no name", who, i + 1);
                        return -1;
                }
        }
        json_array_foreach(rows, i, row)
        {
                if (!json_is_array(row) || json_array_size(row) != nf) {
                        diag_error(d, path, line, col,
                                   "%s: row %zu has %zu cells, expected %zu (one per field)", who,
                                   i + 1, json_array_size(row), nf);
                        return -1;
                }
                json_array_foreach(row, j, cell)
                {
                        if (json_is_object(cell) || json_is_array(cell)) {
                                diag_error(d, path, line, col,
                                           "%s: row %zu, column %zu: a cell must be a string, "
                                           "number, boolean or null",
                                           who, i + 1, j + 1);
                                return -1;
                        }
                }
        }
        return 0;
}

/* Appends the column header of field: its title (or name) and, unless the title already
 * shows it, its unit in full-width brackets. tmp is scratch space. */
static void put_header(struct buf *out, json_t *field, struct buf *tmp)
{
        const char *title = field_str(field, "title");
        const char *unit = field_str(field, "unit");
        if (!title || !*title)
                title = field_str(field, "name");
        buf_puts(out, field_kind(field) == K_NUM ? "<th scope=\"col\" class=\"num\">"
                                                 : "<th scope=\"col\">");
        put_str(out, title);
        if (unit && *unit) {
                buf_reset(tmp);
                buf_printf(tmp, "（%s）", unit);
                char *ascii = xasprintf("(%s)", unit);
                if (!strstr(title, buf_cstr(tmp)) && !strstr(title, ascii))
                        put_str(out, buf_cstr(tmp));
                free(ascii);
        }
        buf_puts(out, "</th>");
}

/* Appends one cell (th scope="row" when head) of a column of kind k. tmp is scratch. */
static void put_cell(struct buf *out, json_t *cell, enum kind k, int head, struct buf *tmp)
{
        const char *tag = head ? "th" : "td", *scope = head ? " scope=\"row\"" : "";
        if (json_is_null(cell)) {
                buf_printf(out, "<%s%s class=\"%smissing\">" MISSING "</%s>", tag, scope,
                           k == K_NUM ? "num " : "", tag);
                return;
        }
        /* puts, not printf: a data page's table has thousands of cells */
        buf_putc(out, '<');
        buf_puts(out, tag);
        buf_puts(out, scope);
        buf_puts(out, k == K_NUM ? " class=\"num\">" : ">");
        buf_reset(tmp);
        if (k == K_YEAR && json_is_integer(cell))
                buf_printf(tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(cell));
        else
                numfmt_cell(tmp, cell);
        put_str(out, buf_cstr(tmp));
        buf_puts(out, "</");
        buf_puts(out, tag);
        buf_putc(out, '>');
}

int table_html(json_t *table, const struct table_spec *spec, const char *path, int line, int col,
               struct buf *out, struct diag *d)
{
        struct buf tmp = {0};
        enum kind *kinds = NULL;
        int rc = -1;
        if (!spec || !spec->caption) {
                diag_error(d, path, line, col, "table: no caption given");
                goto out;
        }
        if (table_check(table, "table", path, line, col, d) < 0)
                goto out;

        json_t *fields = json_object_get(table, "fields"), *rows = json_object_get(table, "rows");
        json_t *f, *row, *cell;
        size_t i, j, nf = json_array_size(fields);
        const char *source = spec->source && *spec->source ? spec->source : NULL;
        const char *updated = spec->updated && *spec->updated ? spec->updated : NULL;
        kinds = xcalloc(nf, sizeof *kinds);
        json_array_foreach(fields, i, f) kinds[i] = field_kind(f);

        if (spec->id) {
                buf_puts(out, "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"");
                put_str(out, spec->id);
                buf_puts(out, "-caption\" tabindex=\"0\">\n<table id=\"");
                put_str(out, spec->id);
                buf_puts(out, "\">\n<caption id=\"");
                put_str(out, spec->id);
                buf_puts(out, "-caption\">");
        } else {
                buf_puts(out, "<div class=\"table-wrap\">\n<table>\n<caption>");
        }
        put_str(out, spec->caption);
        if (source || updated) {
                buf_puts(out, " <span class=\"table-meta\">");
                if (source)
                        put_str(out, source);
                if (source && updated)
                        buf_puts(out, "；");
                if (updated)
                        put_str(out, updated);
                buf_puts(out, "</span>");
        }
        buf_puts(out, "</caption>\n<thead>\n<tr>");
        json_array_foreach(fields, i, f) put_header(out, f, &tmp);
        buf_puts(out, "</tr>\n</thead>\n<tbody>\n");
        json_array_foreach(rows, i, row)
        {
                buf_puts(out, "<tr>");
                json_array_foreach(row, j, cell)
                    put_cell(out, cell, kinds[j], j == 0 && spec->row_headers, &tmp);
                buf_puts(out, "</tr>\n");
        }
        buf_puts(out, "</tbody>\n</table>\n</div>\n");
        rc = 0;
out:
        free(kinds);
        buf_free(&tmp);
        return rc;
}
