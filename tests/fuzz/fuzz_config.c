/* libFuzzer target: site.yaml through config_parse (config_load without the file). */
#include "fuzz_common.h"

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct diag *d = diag_new();
        json_t *cfg = config_parse("site.yaml", (const char *)data, size, d);
        if (cfg) {
                /* what every later stage relies on */
                const char *base = json_string_value(json_object_get(cfg, "base_url"));
                const char *bpath = json_string_value(json_object_get(cfg, "base_path"));
                if (!base || !bpath || base[strlen(base) - 1] != '/' || bpath[0] != '/' ||
                    bpath[strlen(bpath) - 1] != '/' ||
                    !json_is_string(json_object_get(cfg, "title")) ||
                    !json_is_array(json_object_get(cfg, "topics")))
                        abort();
                if (diag_errors(d))
                        abort();
        }
        json_decref(cfg);
        fuzz_diag_done(d);
        return 0;
}
