/* statsum: a short Chinese text summary of one numeric series of a table (the dataset
 * module's shape, see table.h), for readers who do not read the chart: the latest value
 * and its change, the largest and smallest values, and how many values are missing.
 *
 * For a table with fields year (type year) and income (unit 亿元) holding 2022: 30900,
 * 2023: 33300, 2024: 34800, statsum_html(t, "year", "income", ...) appends
 *   <p>2024年基金收入为3.48万亿元，比2023年增长4.5%。2022年至2024年间，最高的是2024年
 *   （3.48万亿元），最低的是2022年（3.09万亿元）。</p>
 * (one line), and for categories (职工医保 23700, 居民医保 11100, 其他 null)
 *   <p>基金收入最高的是职工医保（2.37万亿元），最低的是居民医保（1.11万亿元）。另有1项无数据。</p>
 *
 * The series counts as a time series when every non-null x value reads as a period: an
 * integer year (type year, or 1000..9999), a string "2023" or "2023年", a date
 * "2023-06-30" or a month "2023-06" (shown as 2023年6月30日, 2023年6月). */
#ifndef GONGBAO_STATSUM_H
#define GONGBAO_STATSUM_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>

/* Appends one <p>...</p> and a newline summarising the series of field y along field x
 * (HTML-escaped; numbers and units via numfmt_with_unit with y's "unit"; y named by its
 * "title", else its name):
 * - a time series: the latest period that has a value, and its change from the period
 *   before it: "比2023年增长4.4%" / "下降5%" / "与2023年持平"; in 个百分点 when the unit
 *   is a percentage; the previous value itself when it is zero or negative; nothing when
 *   it is missing;
 * - two or more values: the largest and the smallest with their category or period (ties
 *   listed, up to three, joined by 、), or "各项均为..." when all are equal; one value:
 *   that value;
 * - "另有N项无数据。" when values are missing; "暂无数据。" when none is there.
 * Returns 0, or -1 after reporting to d at path:line:col when the table is malformed
 * (see table_check), x or y is not a field, y is not of type integer or number, or a y
 * value is neither a number nor null; out is then left as it was. */
int statsum_html(json_t *table, const char *x, const char *y, const char *path, int line, int col,
                 struct buf *out, struct diag *d) WUR;

#endif
