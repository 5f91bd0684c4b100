/* numfmt: numbers as Chinese readers expect them in tables and prose.
 *
 * Digits are worked out from snprintf's "%e" output, never from the locale: the
 * separator is always "," every three digits, the point always ".", a negative sign
 * the ASCII "-". Rounding is decimal and half away from zero, applied to the shortest
 * decimal that reads back as the double (so 2.675 rounds to 2.68 and 0.1 + 0.2 shows
 * as 0.3); trailing zeros after the point are trimmed; a value that rounds to zero
 * prints "0" (never "-0"); NaN and infinities print "—" (U+2014).
 *
 * Chinese scales: 1万 = 10^4, 1亿 = 10^8, 1万亿 = 10^12. */
#ifndef GONGBAO_NUMFMT_H
#define GONGBAO_NUMFMT_H

#include "buf.h"

#include <jansson.h>

/* Most digits after the point numfmt_plain writes; larger requests are clamped. */
#define NUMFMT_MAX_DECIMALS 20

/* The text written for a missing value, NaN or an infinity: "—" (U+2014). */
#define NUMFMT_DASH "\xE2\x80\x94"

/* Appends v with thousands separators and at most decimals (0..NUMFMT_MAX_DECIMALS)
 * digits after the point, trailing zeros trimmed: 23700 -> "23,700",
 * (1234567.891, 2) -> "1,234,567.89", -0.5 -> "-0.5", 0 -> "0". */
void numfmt_plain(struct buf *out, double v, int decimals);

/* Appends v in Chinese reading: below 1万 as numfmt_plain with up to 2 decimals (values
 * under 1 keep 3 significant digits, at most 6 decimals); from 1万 up, scaled to 万, 亿
 * or 万亿 with up to 2 decimals (so at least 3 significant digits, and neighbouring
 * values such as 13.34亿 and 13.27亿 stay apart): 34800 -> "3.48万", 123456 ->
 * "12.35万", 12345678 -> "1,234.57万", 348000000 -> "3.48亿", 9999 -> "9,999", -23700 ->
 * "-2.37万". A value that rounds up to the next scale moves there (99999999 -> "1亿"). */
void numfmt_cn(struct buf *out, double v);

/* Appends v followed by unit, in the natural form: the number as numfmt_cn, the unit's
 * own scale prefix (万亿, 亿, 千万, 百万, 万) merged with the scale the number needs:
 * (3.48, "万亿元") -> "3.48万亿元", (275, "亿元") -> "275亿元", (23700, "亿元") ->
 * "2.37万亿元", (1432, "亿元") -> "1,432亿元", (34800, "元") -> "3.48万元". Units of
 * ratio (containing %, ‰, ‱, 百分点, 倍 or 分之) are never scaled: (4.4, "%") -> "4.4%".
 * unit NULL or "" -> the number alone, as numfmt_cn. NaN and infinities -> "—" without
 * the unit. */
void numfmt_with_unit(struct buf *out, double v, const char *unit);

/* Appends the change from a to b, ((b - a) / |a|) x 100 rounded to one decimal, in
 * words: (100, 104.4) -> "增长4.4%", (100, 95) -> "下降5%", a change that rounds to
 * zero -> "持平". Returns 0, or -1 (nothing appended) when a is 0 or either value or
 * the change is not finite. */
int numfmt_change(struct buf *out, double a, double b) WUR;

/* Appends a table cell (jansson value) as display text, not escaped: an integer exactly,
 * with separators; a real as numfmt_plain with up to 6 decimals; a string as it is;
 * true / false as "是" / "否"; null, NULL, an array or an object as "—". */
void numfmt_cell(struct buf *out, json_t *cell);

#endif
