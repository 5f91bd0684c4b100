/* dataset: statistics as Frictionless Data Packages (v2): content/data/<name>/datapackage.json,
 * one Table Schema per resource, and the CSV files it names, validated cell by cell into
 * typed tables. Also the inline CSV of an article's ```table block.
 *
 * Cells become json values by field type:
 *   string -> string            integer -> integer          year -> integer (2024)
 *   number -> integer when written as a whole number that fits ("23700", "-5"), else real
 *   date   -> string "YYYY-MM-DD" (checked against the calendar)
 *   boolean -> true / false     a missing value (schema missingValues, default [""]) -> null
 *
 * CSV: RFC 4180 (quoted fields, "" inside quotes, newlines inside quotes, CRLF or LF), UTF-8,
 * an optional BOM. Blank lines between records are skipped. Rows are reported by the
 * physical line where the record starts (the header is line 1), columns by field (1-based). */
#ifndef GONGBAO_DATASET_H
#define GONGBAO_DATASET_H

#include "diag.h"

#include <jansson.h>
#include <stddef.h>

#define DATASET_MAX_ROWS   1000000      /* data rows per CSV file */
#define DATASET_MAX_FIELDS 1000         /* fields per schema, columns per inline table */
#define DATASET_MAX_BYTES  (256L << 20) /* size of one CSV file */
#define DATASET_MAX_ERRORS 50           /* errors shown per file; then "... and N more" */
#define DATASET_MAX_SERIES 12           /* chart.y entries */

/* Loads dir (content/data/<name>) and validates it. cfg is the site config (for topics and
 * tz_offset; a bare date is midnight at that offset). Returns a new json object:
 *   name, title, description, topics [slugs], region, period, unit (strings, "" when absent),
 *   published/updated/next_update (RFC 3339 strings) with _epoch, _offset and _zh
 *   ("2025年1月14日") keys, when present,
 *   sources [{title, path?, date?, date_zh?}], licenses [{name?, title?, path?}],
 *   revisions [{date, date_zh, reason ("revision" or "correction"), note ("" when absent)}],
 *   chart {type (default "bar"), x, y [names], title?, subtitle?} when present,
 *   dir (the folder), descriptor (path of datapackage.json), descriptor_text (its bytes),
 *   resources [{name, path (as written), file (dir/path), csv_text (the file's bytes without
 *               a BOM), bytes (length of csv_text), schema (as given),
 *               table {fields [{name, type, title (name when absent), unit?, description?}],
 *                      rows [[cells...]]}}]
 * (dates in sources and revisions are RFC 3339 too), or NULL after reporting every problem
 * found: descriptor errors at the line and column of the key or value concerned, CSV errors
 * as file:row:col (at most DATASET_MAX_ERRORS per file). Caller decrefs. */
json_t *dataset_load(const char *dir, json_t *cfg, struct diag *d);

/* Loads every content/data/<name>/ folder (sorted by name) into a new array; NULL after
 * reporting (all folders are tried, so every problem of every dataset is reported). A
 * missing data folder gives []; a file or symbolic link directly in it is reported (a link
 * as an error, a file as a warning). Caller decrefs. */
json_t *dataset_load_all(const char *data_dir, json_t *cfg, struct diag *d);

/* Parses inline CSV (an article's ```table block): the first line is the header; cell types
 * are inferred per column (a column whose non-empty cells all parse as numbers is "number",
 * or "integer" if they are all integers; else "string"); empty cells are null. line is the
 * file line of the first CSV line, for messages (ragged rows, bad UTF-8, unclosed quotes)
 * reported as path:line:col. Returns a new table {fields [{name, type, title}], rows} or
 * NULL after reporting. Caller decrefs. */
json_t *dataset_parse_inline(const char *path, int line, const char *text, size_t len,
                             struct diag *d);

#endif
