/* chart: a table (jansson json_t, the dataset module's shape) -> one static, accessible SVG
 * chart: bars (vertical, horizontal, grouped, stacked), lines, and inline sparklines.
 *
 * Input table:
 *   { "fields": [ {"name": "scheme", "type": "string", "title": "险种"},
 *                 {"name": "income", "type": "number", "title": "基金收入", "unit": "亿元"} ],
 *     "rows": [ ["职工医保", 23700], ["居民医保", null] ] }
 * Field types: string, integer, number, date, year, boolean; "title" and "unit" optional.
 * A null cell is a missing value: no bar, a break in a line, "无数据" in its <title>.
 *
 * Output: no script, no external reference, no style attribute, no <style> element (the
 * site's Content-Security-Policy forbids inline styles). Every element carries default
 * presentation attributes (fill, stroke, font-size) so the SVG reads well on its own
 * (a feed reader, a download); on the site, CSS rules on the class names below override
 * them (a class rule beats a presentation attribute), e.g. for dark mode. The <svg> has a
 * viewBox and preserveAspectRatio="xMidYMid meet" but no width/height (sparklines excepted),
 * so it scales with its container; text sizes are in viewBox units.
 *
 * Class names, for the site's CSS:
 *   chart            the <svg>; also chart-bar, chart-grouped, chart-hbar, chart-stacked,
 *                    chart-line or chart-spark. Root presentation: font-family="sans-serif"
 *                    (set `.chart { font-family: inherit }`), font-size="12".
 *   series s1..s12   <g> holding one series' bars, line and points (for targeting only:
 *                    every child has its own fill/stroke, so `.s1 { fill }` on the <g> is
 *                    harmless).
 *   fill-1..fill-6   element painted with palette colour N: set `fill: var(--chart-N)`.
 *   stroke-1..stroke-6  element stroked with palette colour N: set `stroke: var(--chart-N)`.
 *                    Series k uses colour ((k - 1) % 6) + 1; with more than 3 series, bars
 *                    also get a pattern and lines a dash array and marker shape.
 *   bar              a bar (<rect>); solid bars are "bar fill-N", patterned ones
 *                    "bar patterned stroke-N" with fill="url(#ID-pK)" (do not set their fill).
 *   pattern-bg       the coloured background <rect> inside <pattern id="ID-pK"> ("pattern-bg
 *                    fill-N"); pattern-mark: the white marks over it (stroke/fill #fff,
 *                    e.g. `stroke: var(--bg)`).
 *   line             a series' line (<path>, fill="none", "line stroke-N").
 *   point            a marker on a line (<circle> or <path>, "point fill-N", stroke #fff).
 *   hover            an invisible column over one x position of a line chart carrying the
 *                    <title> with every series' value (fill-opacity="0"; leave it invisible).
 *   grid             gridlines (stroke #dde0e4: `stroke: var(--rule)`).
 *   axis             the zero baseline and axis lines (stroke #596069).
 *   tick             tick labels on the value axis and category labels (fill #596069).
 *   label            axis captions such as "单位：亿元" (fill #1d2125).
 *   value-label      numbers printed at the end of bars (fill #1d2125).
 *   legend           the legend <g>; legend-label its texts; swatch the colour keys
 *                    ("swatch fill-N", "swatch patterned", or a line "swatch stroke-N").
 *   heading, subheading  the visible title (font-size 16, bold) and subtitle, drawn when
 *                    spec->title / spec->subtitle are given (a page that repeats the title
 *                    in a <figcaption> may pass title NULL: the <title> is then generated).
 *   spark            the sparkline's line ("spark line stroke-1"); spark-point the dot on
 *                    its last value ("spark-point fill-1").
 *
 * Palette (series colours 1..6; Okabe–Ito hues darkened, the same values as site.css
 * --chart-1..6), contrast against white #ffffff:
 *   1 #0072b2 blue          5.19:1     4 #a8418e purple  5.51:1
 *   2 #c34f00 orange-brown  4.73:1     5 #7a6400 olive   5.75:1
 *   3 #00795a teal-green    5.41:1     6 #5b5b5b grey    6.79:1
 * (tests/unit/test_chart.c recomputes these and requires >= 3:1.)
 *
 * Numbers: thousands separators ("23,700"), at most 2 decimals with zeros trimmed (more
 * only for tiny non-zero values), U+2212 "−" for negatives. Output is deterministic. */
#ifndef GONGBAO_CHART_H
#define GONGBAO_CHART_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Most series a chart takes, and most rows a table may have. */
#define CHART_MAX_SERIES 12
#define CHART_MAX_ROWS   100000

/* What to draw. Strings are UTF-8 and owned by the caller. */
struct chart_spec {
        const char *type;     /* "bar" (vertical; several y = grouped), "hbar" (horizontal;
                                 several y = grouped), "grouped" (= bar), "stacked" (vertical
                                 stacked), "line" (one or several series) */
        const char *x;        /* field name of the categories / x axis */
        const char *const *y; /* field names of the series (numbers) */
        size_t ny;            /* number of names in y: 1..CHART_MAX_SERIES */
        const char *title;    /* chart title; NULL -> none drawn, a generated one in <title> */
        const char *subtitle; /* NULL -> none */
        const char *id;       /* unique id prefix for this chart on its page, e.g. "chart-1":
                                 used for aria-labelledby, <title>, <desc> and pattern ids;
                                 characters other than A-Z a-z 0-9 - _ are replaced by "-";
                                 NULL -> "chart" */
};

/* A value axis: ticks at lo, lo + step, ..., hi. */
struct chart_axis {
        double lo;    /* first tick (at or below the data) */
        double hi;    /* last tick (at or above the data) */
        double step;  /* 1, 2 or 5 x 10^n */
        int nticks;   /* ticks from lo to hi inclusive: 4..7 in practice */
        int decimals; /* digits after the point the tick labels need */
};

/* Chooses "nice" ticks for data between min and max (min <= max), taking in 0 when
 * include_zero. All-zero data gets 0..1 in steps of 0.2; a single non-zero value gets
 * 0..value. Returns 0, or -1 when min or max is not finite or min > max. */
int chart_nice_axis(double min, double max, bool include_zero, struct chart_axis *ax) WUR;

/* Appends one <svg> element (no XML declaration) to out. Returns 0, or -1 after reporting
 * to d with path:line:col (where the chart was asked for) when a field name is unknown, x
 * is missing, a y field is not numeric (type integer or number) or holds a non-number, a
 * value is beyond ±1e15, the type is unknown, ny is 0 or > CHART_MAX_SERIES, the table is
 * malformed or has more than CHART_MAX_ROWS rows; out is then left as it was. */
int chart_svg(json_t *table, const struct chart_spec *spec, const char *path, int line, int col,
              struct buf *out, struct diag *d) WUR;

/* Appends a small inline sparkline (viewBox 120 x 28, width="120" height="28") of one
 * numeric series given as a json array of numbers and nulls, with role="img" and an
 * aria-label and <title> stating the first and last value ("label: 从 A 到 B", or
 * "label: 无数据"). id (NULL: none) prefixes the <title>'s id. Returns 0, or -1 when values
 * is not an array of numbers and nulls, has more than CHART_MAX_ROWS items or a value
 * beyond ±1e15 (out left as it was). */
int chart_sparkline(json_t *values, const char *label, const char *id, struct buf *out) WUR;

#endif
