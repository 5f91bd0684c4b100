/* libFuzzer target: an article or page file, as content_load reads it: the UTF-8 check,
 * the split at the "---" lines, the YAML loader and both front matter schemas. */
#include "fuzz_common.h"

#include "frontmatter.h"
#include "yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static json_t *cfg;
        if (!cfg)
                cfg = fuzz_config();
        struct buf b = {0};
        buf_put(&b, data, size); /* NUL-terminated, as fsio_read leaves a file */
        const char *text = buf_cstr(&b);
        size_t len = size;
        struct diag *d = diag_new();
        if (frontmatter_check_utf8("a.md", (const char *)data, len, d) == 0) {
                struct ynode *meta = NULL;
                size_t body_off = 0;
                int body_line = 0;
                if (frontmatter_split("a.md", text, len, &meta, &body_off, &body_line, d) == 0) {
                        if (body_off > len || body_line < 2)
                                abort();
                        json_decref(frontmatter_article(meta, "a.md", cfg, d));
                        json_decref(frontmatter_page(meta, "a.md", cfg, d));
                        ynode_free(meta);
                }
        }
        fuzz_diag_done(d);
        buf_free(&b);
        return 0;
}
