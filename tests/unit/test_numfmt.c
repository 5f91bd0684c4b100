/* Unit tests for numfmt: plain numbers (separators, rounding, trimming, signs, extremes),
 * Chinese scales, values with units, changes in words, and table cells. */
#include "check.h"

#include "buf.h"
#include "numfmt.h"

#include <float.h>
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers: each formats into a new string, compares, frees ---- */

static void plain(double v, int dec, const char *want, const char *name)
{
        struct buf b = {0};
        numfmt_plain(&b, v, dec);
        CHECK_STR(buf_cstr(&b), want, name);
        buf_free(&b);
}

static void cn(double v, const char *want, const char *name)
{
        struct buf b = {0};
        numfmt_cn(&b, v);
        CHECK_STR(buf_cstr(&b), want, name);
        buf_free(&b);
}

static void unit(double v, const char *u, const char *want, const char *name)
{
        struct buf b = {0};
        numfmt_with_unit(&b, v, u);
        CHECK_STR(buf_cstr(&b), want, name);
        buf_free(&b);
}

static void change(double a, double b, int rc, const char *want, const char *name)
{
        struct buf o = {0};
        int got = numfmt_change(&o, a, b);
        CHECK(got == rc, name);
        CHECK_STR(buf_cstr(&o), want, name);
        buf_free(&o);
}

static void cell(const char *json, const char *want, const char *name)
{
        json_error_t err;
        json_t *j = json_loads(json, JSON_DECODE_ANY, &err);
        struct buf b = {0};
        if (!j) {
                printf("FAIL %s: bad test JSON %s\n", name, json);
                check_failures++;
                return;
        }
        numfmt_cell(&b, j);
        CHECK_STR(buf_cstr(&b), want, name);
        buf_free(&b);
        json_decref(j);
}

/* ---- numfmt_plain ---- */

static void test_plain(void)
{
        plain(23700, 2, "23,700", "plain: thousands");
        plain(1234567.891, 2, "1,234,567.89", "plain: millions, 2 decimals");
        plain(-0.5, 2, "-0.5", "plain: negative fraction");
        plain(0, 2, "0", "plain: zero");
        plain(-0.0, 2, "0", "plain: negative zero");
        plain(-0.004, 2, "0", "plain: negative rounding to zero has no sign");
        plain(-1234.5, 0, "-1,235", "plain: negative rounds away from zero");
        plain(999, 0, "999", "plain: three digits, no separator");
        plain(1000, 0, "1,000", "plain: four digits");
        plain(100000, 0, "100,000", "plain: six digits");
        plain(1000000, 0, "1,000,000", "plain: seven digits");
        plain(4.4, 2, "4.4", "plain: trailing zero trimmed");
        plain(4.0, 2, "4", "plain: whole number, no point");
        plain(1.10, 6, "1.1", "plain: zeros trimmed at 6");
        plain(0.1 + 0.2, 6, "0.3", "plain: 0.1 + 0.2");
        plain(0.1 + 0.2, 17, "0.30000000000000004", "plain: 0.1 + 0.2 in full");
        plain(2.675, 2, "2.68", "plain: decimal half up (2.675)");
        plain(1.005, 2, "1.01", "plain: decimal half up (1.005)");
        plain(0.125, 2, "0.13", "plain: half up, not to even");
        plain(2.5, 0, "3", "plain: 2.5 -> 3");
        plain(-2.5, 0, "-3", "plain: -2.5 -> -3");
        plain(0.96, 0, "1", "plain: carry into a new integer digit");
        plain(999.999, 2, "1,000", "plain: carry adds a group");
        plain(9.995, 2, "10", "plain: carry through the point");
        plain(0.0096, 2, "0.01", "plain: carry in the decimals");
        plain(0.004, 2, "0", "plain: small rounds to zero");
        plain(1e-7, 6, "0", "plain: tiny");
        plain(1e-6, 6, "0.000001", "plain: one millionth");
        plain(123.456, -3, "123", "plain: negative decimals clamp to 0");
        plain(1.5, 100, "1.5", "plain: large decimals clamp");
        plain(1e15, 2, "1,000,000,000,000,000", "plain: 1e15");
        plain(123456789012345.67, 2, "123,456,789,012,345.67", "plain: 17 digits kept");
        plain(9007199254740993.0, 0, "9,007,199,254,740,992", "plain: 2^53 + 1 as a double");
        plain(1e21, 0, "1,000,000,000,000,000,000,000", "plain: 1e21, no exponent");
        plain(NAN, 2, "—", "plain: NaN");
        plain(INFINITY, 2, "—", "plain: infinity");
        plain(-INFINITY, 2, "—", "plain: minus infinity");
        plain(DBL_MIN, 6, "0", "plain: DBL_MIN");
        plain(5e-324, 20, "0", "plain: smallest subnormal");

        struct buf b = {0};
        numfmt_plain(&b, DBL_MAX, 0);
        CHECK(b.len == 309 + 102 && !strncmp(b.data, "179,769,313,486,231,57", 22),
              "plain: DBL_MAX in full");
        buf_reset(&b);
        numfmt_plain(&b, -DBL_MAX, 20);
        CHECK(b.len == 1 + 309 + 102 && b.data[0] == '-', "plain: -DBL_MAX, 20 decimals");
        buf_free(&b);

        /* Appends, never replaces. */
        struct buf a = {0};
        buf_puts(&a, "共");
        numfmt_plain(&a, 12345, 0);
        buf_puts(&a, "人");
        CHECK_STR(buf_cstr(&a), "共12,345人", "plain: appends");
        buf_free(&a);
}

/* ---- numfmt_cn ---- */

static void test_cn(void)
{
        cn(34800, "3.48万", "cn: 34800");
        cn(348000000, "3.48亿", "cn: 348000000");
        cn(9999, "9,999", "cn: below 万");
        cn(10000, "1万", "cn: exactly 万");
        cn(23700, "2.37万", "cn: 23700");
        cn(23749, "2.37万", "cn: rounds down");
        cn(23750, "2.38万", "cn: rounds half up");
        cn(120000000, "1.2亿", "cn: trailing zero trimmed");
        cn(100000000, "1亿", "cn: exactly 亿");
        cn(123456, "12.35万", "cn: 2 decimals after scaling");
        cn(1234567, "123.46万", "cn: hundreds of 万");
        cn(12345678, "1,234.57万", "cn: thousands of 万 with separator");
        cn(99999999, "1亿", "cn: rounds up into 亿");
        cn(99999950, "1亿", "cn: 9999.995万 -> 1亿");
        cn(99995000, "9,999.5万", "cn: 9999.5万 stays");
        cn(99999949, "9,999.99万", "cn: stays in 万");
        cn(9999.999, "1万", "cn: rounds up into 万");
        cn(1e12, "1万亿", "cn: 万亿");
        cn(3.48e12, "3.48万亿", "cn: 3.48万亿");
        cn(1e17, "100,000万亿", "cn: beyond 万亿 stays in 万亿");
        cn(-23700, "-2.37万", "cn: negative");
        cn(-348000000, "-3.48亿", "cn: negative 亿");
        cn(0, "0", "cn: zero");
        cn(-0.0, "0", "cn: negative zero");
        cn(4.4, "4.4", "cn: small");
        cn(1234.567, "1,234.57", "cn: below 万, 2 decimals");
        cn(0.47, "0.47", "cn: below 1");
        cn(0.001234, "0.00123", "cn: below 1 keeps 3 significant digits");
        cn(0.0000001, "0", "cn: tiny");
        cn(NAN, "—", "cn: NaN");
        cn(INFINITY, "—", "cn: infinity");
}

/* ---- numfmt_with_unit ---- */

static void test_unit(void)
{
        unit(3.48, "万亿元", "3.48万亿元", "unit: 万亿元");
        unit(275, "亿元", "275亿元", "unit: 亿元");
        unit(4.4, "%", "4.4%", "unit: percent");
        unit(1432, "亿元", "1,432亿元", "unit: thousands of 亿");
        unit(4164, "亿元", "4,164亿元", "unit: 4164亿元");
        unit(23700, "亿元", "2.37万亿元", "unit: 亿 scaled to 万亿");
        unit(0.47, "万亿元", "0.47万亿元", "unit: small 万亿 kept");
        unit(34800, "元", "3.48万元", "unit: 元 scaled to 万");
        unit(348000000, "元", "3.48亿元", "unit: 元 scaled to 亿");
        unit(12345, "万元", "1.23亿元", "unit: 万 scaled to 亿");
        unit(34800, "万人次", "3.48亿人次", "unit: 万人次");
        unit(12000, "千万元", "1,200亿元", "unit: 千万 scaled to 亿");
        unit(50000, "百万元", "500亿元", "unit: 百万 scaled to 亿");
        unit(50000, "万亿元", "50,000万亿元", "unit: nothing above 万亿");
        unit(99999, "亿元", "10万亿元", "unit: rounding moves the scale");
        unit(-23700, "亿元", "-2.37万亿元", "unit: negative");
        unit(0, "亿元", "0亿元", "unit: zero");
        unit(12345.6, "%", "12,345.6%", "unit: large percent not scaled");
        unit(100000, "个百分点", "100,000个百分点", "unit: 百分点 not scaled");
        unit(23456, "‰", "23,456‰", "unit: per mille not scaled");
        unit(35000, "倍", "35,000倍", "unit: 倍 not scaled");
        unit(0.125, "%", "0.125%", "unit: small percent, 3 significant digits");
        unit(34800, NULL, "3.48万", "unit: NULL");
        unit(34800, "", "3.48万", "unit: empty");
        unit(12.5, "kg", "12.5kg", "unit: ASCII unit");
        unit(NAN, "亿元", "—", "unit: NaN without unit");
        unit(INFINITY, "%", "—", "unit: infinity without unit");
}

/* ---- numfmt_change ---- */

static void test_change(void)
{
        change(100, 104.4, 0, "增长4.4%", "change: increase");
        change(100, 95, 0, "下降5%", "change: decrease, .0 trimmed");
        change(3.33, 3.48, 0, "增长4.5%", "change: 3.33 -> 3.48");
        change(3, 4, 0, "增长33.3%", "change: one decimal");
        change(100, 100.01, 0, "持平", "change: rounds to zero");
        change(100, 100, 0, "持平", "change: equal");
        change(100, 99.96, 0, "持平", "change: small decrease rounds to zero");
        change(-100, -50, 0, "增长50%", "change: from a negative base");
        change(100, 0, 0, "下降100%", "change: to zero");
        change(1, 1e6, 0, "增长99,999,900%", "change: huge");
        change(0, 5, -1, "", "change: from zero");
        change(-0.0, 5, -1, "", "change: from negative zero");
        change(NAN, 1, -1, "", "change: NaN");
        change(1, INFINITY, -1, "", "change: infinity");
        change(DBL_MIN, DBL_MAX, -1, "", "change: overflow");
}

/* ---- numfmt_cell ---- */

static void test_cell(void)
{
        cell("23700", "23,700", "cell: integer");
        cell("-1234567", "-1,234,567", "cell: negative integer");
        cell("0", "0", "cell: zero");
        cell("9007199254740993", "9,007,199,254,740,993", "cell: integer beyond 2^53 exact");
        cell("-9223372036854775808", "-9,223,372,036,854,775,808", "cell: smallest integer");
        cell("4.4", "4.4", "cell: real");
        cell("1234567.891", "1,234,567.891", "cell: real keeps its decimals");
        cell("0.1234567", "0.123457", "cell: real, 6 decimals at most");
        cell("-0.0", "0", "cell: negative zero");
        cell("2.0", "2", "cell: whole real");
        cell("1e15", "1,000,000,000,000,000", "cell: 1e15");
        cell("\"职工医保\"", "职工医保", "cell: string as it is");
        cell("\"<b>&\"", "<b>&", "cell: string not escaped");
        cell("\"\"", "", "cell: empty string");
        cell("true", "是", "cell: true");
        cell("false", "否", "cell: false");
        cell("null", "—", "cell: null");
        cell("[1]", "—", "cell: array");
        struct buf b = {0};
        numfmt_cell(&b, NULL);
        CHECK_STR(buf_cstr(&b), "—", "cell: NULL");
        buf_free(&b);
}

/* The output must not follow the locale, even if one with a decimal comma is set. */
static void test_locale(void)
{
        if (!setlocale(LC_ALL, "de_DE.UTF-8") && !setlocale(LC_ALL, "fr_FR.UTF-8")) {
                printf("PASS locale: no decimal-comma locale installed (skipped)\n");
                return;
        }
        plain(1234567.891, 2, "1,234,567.89", "locale: plain under a decimal-comma locale");
        cn(34800, "3.48万", "locale: cn under a decimal-comma locale");
        setlocale(LC_ALL, "C");
}

int main(void)
{
        test_plain();
        test_cn();
        test_unit();
        test_change();
        test_cell();
        test_locale();
        return check_exit();
}
