/* libFuzzer target: a Data Package descriptor (datapackage.json) with a fixed CSV file:
 * the JSON loader, the descriptor's own position finder (line:col of keys and values),
 * Table Schema loading, dates, revisions and the chart block. */
#include "fuzz_common.h"

#include "dataset.h"

static const char csv_text[] = "scheme,income,persons\n"
                               "职工医保,23700,3\n"
                               "居民医保,,4\n"
                               "\"a,\"\"b\"\"\",1.5e3,5\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static json_t *cfg;
        static char *dir, *desc;
        if (!cfg) {
                cfg = fuzz_config();
                char *root = fuzz_tmpdir("pkg");
                dir = xasprintf("%s/fund", root);
                char *csv = xasprintf("%s/fund.csv", dir);
                fuzz_write(csv, csv_text, strlen(csv_text));
                char *sub = xasprintf("%s/sub/more.csv", dir);
                fuzz_write(sub, csv_text, strlen(csv_text));
                desc = xasprintf("%s/datapackage.json", dir);
                free(csv);
                free(sub);
                free(root);
        }
        struct diag *d = diag_new();
        fuzz_write(desc, data, size);
        json_t *ds = dataset_load(dir, cfg, d);
        if (ds) {
                if (diag_errors(d))
                        abort();
                /* every resource file stays inside the dataset folder */
                size_t i;
                json_t *r;
                json_array_foreach(json_object_get(ds, "resources"), i, r)
                {
                        const char *file = json_string_value(json_object_get(r, "file"));
                        if (!file || strncmp(file, dir, strlen(dir)) || strstr(file, "/../") ||
                            file[strlen(dir)] != '/')
                                abort();
                }
        }
        json_decref(ds);
        fuzz_diag_done(d);
        return 0;
}
