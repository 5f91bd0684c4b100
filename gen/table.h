/* table: a table (jansson json_t, the dataset module's shape) -> one accessible HTML
 * table in the GOV.UK / ONS manner: a caption that names it (with source and date), column
 * headers with their units, row headers, right-aligned numbers, missing values spoken as
 * "无数据". The output is well-formed XML as well as HTML (every element closed, every
 * character escaped, characters XML 1.0 forbids dropped), so pages pass xmllint.
 *
 * Input table:
 *   { "fields": [ {"name": "scheme", "type": "string", "title": "险种"},
 *                 {"name": "income", "type": "number", "title": "基金收入", "unit": "亿元"} ],
 *     "rows": [ ["职工医保", 23700], ["居民医保", null] ] }
 * Field types: string, integer, number, date, year, boolean (a missing type reads as
 * string); "title" (default: the name) and "unit" optional. Cells are strings, numbers,
 * booleans or null (missing).
 *
 * Output, for spec {caption "2024年基金收入", source "来源：国家医保局", id "t1",
 * row_headers 1} and the table above:
 *   <div class="table-wrap" role="region" aria-labelledby="t1-caption" tabindex="0">
 *   <table id="t1">
 *   <caption id="t1-caption">2024年基金收入 <span
 * class="table-meta">来源：国家医保局</span></caption> <thead> <tr><th scope="col">险种</th><th
 * scope="col" class="num">基金收入（亿元）</th></tr>
 *   </thead>
 *   <tbody>
 *   <tr><th scope="row">职工医保</th><td class="num">23,700</td></tr>
 *   <tr><th scope="row">居民医保</th><td class="num missing"><span aria-hidden="true">—</span><span
 * class="vh">无数据</span></td></tr>
 *   </tbody>
 *   </table>
 *   </div>
 * Class names, for the site's CSS: table-wrap (the scrolling box), table-meta (source and
 * update date inside the caption, after a space: give it display: block and a normal
 * weight), num (integer and number columns, headers included: right-aligned), missing (a
 * cell without a value), vh (visually hidden text). Numbers are written by numfmt_cell
 * ("23,700", up to 6 decimals); year cells as plain digits ("2024"), booleans as 是/否. */
#ifndef GONGBAO_TABLE_H
#define GONGBAO_TABLE_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>
#include <stddef.h>

/* How to present a table. Strings are UTF-8, owned by the caller, written escaped. */
struct table_spec {
        const char *caption; /* title of the table, required */
        const char *source;  /* "来源：法治日报，2025年1月14日" or NULL */
        const char *updated; /* "更新于2025年1月14日" or NULL */
        const char *id;      /* id attribute of the <table> (its caption gets ID-caption) or
                                NULL: then no id, and the wrapper is a plain div without the
                                labelled, focusable region */
        int row_headers;     /* 1: the first column heads its row (th scope="row") */
};

/* Appends s[0..len) as HTML text or attribute value, escaped with escape_html, leaving out
 * the characters XML 1.0 forbids (controls other than tab, LF, CR; U+FFFE, U+FFFF). */
void table_text(struct buf *out, const char *s, size_t len);

/* Checks that table is well formed: an object with "fields" (a non-empty array of objects
 * with a string "name") and "rows" (an array of arrays with one string, number, boolean or
 * null per field). Returns 0, or -1 after reporting the first problem to d at
 * path:line:col, the message starting with who (e.g. "table"). */
int table_check(json_t *table, const char *who, const char *path, int line, int col,
                struct diag *d) WUR;

/* Appends the table (see above) to out. Returns 0, or -1 after reporting to d at
 * path:line:col (where the table was asked for) when spec has no caption or the table is
 * malformed (see table_check); out is then left as it was. */
int table_html(json_t *table, const struct table_spec *spec, const char *path, int line, int col,
               struct buf *out, struct diag *d) WUR;

#endif
