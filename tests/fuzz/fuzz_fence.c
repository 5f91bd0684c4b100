/* libFuzzer target: the portal's ```chart and ```table blocks. The input's first three
 * bytes choose the chart type, the x column and the y columns; the rest is inline CSV,
 * parsed as an article's table block is, then drawn by chart_svg, chart_sparkline,
 * table_html and statsum_html. Every SVG and table must be well-formed XML without
 * anything that runs script (the header cells are the writer's text). */
#include "fuzz_common.h"

#include "chart.h"
#include "dataset.h"
#include "statsum.h"
#include "table.h"

static const char *const types[] = {"bar", "hbar", "grouped", "stacked", "line", "pie"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 3)
                return 0;
        const char *type = types[data[0] % 6];
        size_t xcol = data[1] % 8;
        unsigned ymask = data[2];
        struct diag *d = diag_new();
        json_t *t = dataset_parse_inline("a.md", 3, (const char *)data + 3, size - 3, d);
        if (!t) {
                fuzz_diag_done(d);
                return 0;
        }
        json_t *fields = json_object_get(t, "fields");
        size_t nf = json_array_size(fields);
        const char *x = json_string_value(json_object_get(json_array_get(fields, xcol), "name"));
        const char *y[8];
        size_t ny = 0;
        for (size_t i = 0; i < 8 && i < nf; i++)
                if (ymask & (1u << i))
                        y[ny++] =
                            json_string_value(json_object_get(json_array_get(fields, i), "name"));
        struct chart_spec spec = {type,
                                  x ? x : "nope",
                                  y,
                                  ny,
                                  "<script>alert(1)</script>",
                                  data[0] & 0x80 ? "\"'><svg onload=alert(1)>" : NULL,
                                  "chart-1\"><x"};
        struct buf out = {0};
        if (chart_svg(t, &spec, "a.md", 3, 1, &out, d) == 0)
                fuzz_check_xml(buf_cstr(&out), out.len, "chart_svg");
        buf_free(&out);

        struct table_spec ts = {"<b>表</b>", data[1] & 0x80 ? "来源：<i>x</i>" : NULL, NULL,
                                data[2] & 0x80 ? "t1" : NULL, (int)(data[0] & 1)};
        if (table_html(t, &ts, "a.md", 3, 1, &out, d) == 0)
                fuzz_check_xml(buf_cstr(&out), out.len, "table_html");
        buf_free(&out);

        if (ny > 0) {
                json_t *values = json_array();
                size_t col = 0, i;
                json_t *f, *row;
                json_array_foreach(
                    fields, i, f) if (!strcmp(json_string_value(json_object_get(f, "name")), y[0]))
                    col = i;
                json_array_foreach(json_object_get(t, "rows"), i, row)
                    json_array_append(values, json_array_get(row, col));
                if (chart_sparkline(values, x ? x : "", "spark-<x>", &out) == 0)
                        fuzz_check_xml(buf_cstr(&out), out.len, "chart_sparkline");
                buf_free(&out);
                json_decref(values);
                if (x && statsum_html(t, x, y[0], "a.md", 3, 1, &out, d) == 0)
                        fuzz_check_xml(buf_cstr(&out), out.len, "statsum_html");
                buf_free(&out);
        }
        json_decref(t);
        fuzz_diag_done(d);
        return 0;
}
