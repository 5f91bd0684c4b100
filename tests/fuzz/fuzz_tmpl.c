/* libFuzzer target: the Mustache compiler and renderer. The input is up to three
 * templates separated by NUL bytes: "main", the partial "p" and the partial "q" (each may
 * include the others or itself, statically or through a dynamic name), rendered with a
 * fixed context in strict and in lenient mode. Every render must end (the partial depth
 * and step limits) and, when the data's hostile strings are interpolated with {{x}},
 * they must come out escaped. */
#include "fuzz_common.h"

#include "tmpl.h"

static const char data_json[] =
    "{\"title\": \"<script>alert(1)</script>\", \"name\": \"p\", \"other\": \"q\","
    " \"n\": 12.5, \"i\": -3, \"t\": true, \"f\": false, \"z\": null, \"e\": \"\","
    " \"list\": [1, \"two\", {\"title\": \"\\\"'><svg onload=x>\"}, [], {}],"
    " \"obj\": {\"a\": {\"b\": {\"c\": \"deep & <b>\"}}, \"name\": \"q\"},"
    " \"items\": [{\"name\": \"p\"}, {\"name\": \"q\"}, {\"name\": \"../x\"}],"
    " \"empty\": [], \"nested\": [[1, 2], [3, [4, 5]]]}";

/* True when the input may ask for unescaped output: a "{{" followed (after whitespace) by
 * '{' or '&', a set-delimiter tag, or the hostile text itself. */
static int may_be_raw(const char *s, size_t n)
{
        if (memchr(s, '=', n) || memmem(s, n, "<script>", 8))
                return 1;
        for (size_t i = 0; i + 1 < n; i++) {
                if (s[i] != '{' || s[i + 1] != '{')
                        continue;
                size_t j = i + 2;
                while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
                        j++;
                if (j < n && (s[j] == '{' || s[j] == '&'))
                        return 1;
        }
        return 0;
}

/* Registers src[0..n) under name. */
static void add(struct tmpl_lib *lib, const char *name, const char *src, size_t n)
{
        tmpl_lib_add(lib, name, name, src, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static json_t *ctx;
        if (!ctx) {
                json_error_t e;
                if (!(ctx = json_loads(data_json, 0, &e)))
                        abort();
        }
        const char *s = (const char *)data;
        const char *parts[3] = {"", "", ""};
        size_t lens[3] = {0, 0, 0};
        size_t k = 0, start = 0;
        for (size_t i = 0; i <= size && k < 3; i++) {
                if (i == size || (s[i] == '\0' && k < 2)) {
                        parts[k] = s + start;
                        lens[k++] = i - start;
                        start = i + 1;
                }
        }
        for (int strict = 0; strict < 2; strict++) {
                struct tmpl_lib *lib = tmpl_lib_new(NULL);
                tmpl_lib_strict(lib, strict);
                tmpl_lib_limits(lib, 200000, 16u << 20); /* small: runs stay fast */
                add(lib, "main", parts[0], lens[0]);
                add(lib, "p", parts[1], lens[1]);
                add(lib, "q", parts[2], lens[2]);
                struct diag *d = diag_new();
                int checked = tmpl_lib_check(lib, "main", d);
                struct buf out = {0};
                buf_puts(&out, "prefix");
                int rc = tmpl_render(lib, "main", ctx, &out, d);
                if (rc < 0 && (out.len != 6 || diag_errors(d) == 0))
                        abort(); /* an error leaves out as it was, and says why */
                if (checked < 0 && rc == 0 && strict && diag_errors(d) == 0)
                        abort();
                /* the hostile title never comes out raw unless a template asked for it */
                if (rc == 0 && strstr(buf_cstr(&out), "<script>alert(1)</script>") &&
                    !may_be_raw(s, size))
                        abort();
                buf_free(&out);
                fuzz_diag_done(d);
                tmpl_lib_free(lib);
        }
        return 0;
}
