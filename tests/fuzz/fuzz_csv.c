/* libFuzzer target: CSV and Table Schema validation. The input is read as an inline table
 * (an article's ```table block) and, as fund.csv, through dataset_load under a fixed Data
 * Package whose schema has a field of every type, a primary key, missing values, custom
 * boolean words and a group character. */
#include "fuzz_common.h"

#include "dataset.h"

static const char descriptor[] =
    "{\n"
    "  \"name\": \"fund\",\n"
    "  \"title\": \"基金\",\n"
    "  \"topics\": [\"health\"],\n"
    "  \"chart\": {\"type\": \"bar\", \"x\": \"scheme\", \"y\": [\"income\", \"persons\"]},\n"
    "  \"resources\": [{\n"
    "    \"name\": \"fund\", \"path\": \"fund.csv\",\n"
    "    \"schema\": {\n"
    "      \"fields\": [\n"
    "        {\"name\": \"scheme\", \"type\": \"string\", \"constraints\": {\"unique\": true}},\n"
    "        {\"name\": \"income\", \"type\": \"number\", \"groupChar\": \",\", \"unit\": "
    "\"亿元\"},\n"
    "        {\"name\": \"persons\", \"type\": \"integer\", \"bareNumber\": false},\n"
    "        {\"name\": \"day\", \"type\": \"date\"},\n"
    "        {\"name\": \"year\", \"type\": \"year\", \"constraints\": {\"required\": true}},\n"
    "        {\"name\": \"ok\", \"type\": \"boolean\", \"trueValues\": [\"是\"],"
    " \"falseValues\": [\"否\"]}\n"
    "      ],\n"
    "      \"primaryKey\": [\"scheme\", \"year\"],\n"
    "      \"missingValues\": [\"\", \"-\", \"NA\"]\n"
    "    }\n"
    "  }]\n"
    "}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static json_t *cfg;
        static char *dir, *csv;
        if (!cfg) {
                cfg = fuzz_config();
                char *root = fuzz_tmpdir("csv");
                dir = xasprintf("%s/fund", root);
                char *desc = xasprintf("%s/datapackage.json", dir);
                fuzz_write(desc, descriptor, strlen(descriptor));
                csv = xasprintf("%s/fund.csv", dir);
                free(desc);
                free(root);
        }
        struct diag *d = diag_new();
        json_t *t = dataset_parse_inline("a.md", 10, (const char *)data, size, d);
        if (t) {
                size_t nf = json_array_size(json_object_get(t, "fields"));
                size_t i;
                json_t *row;
                json_array_foreach(json_object_get(t, "rows"), i,
                                   row) if (json_array_size(row) != nf) abort();
                if (diag_errors(d))
                        abort();
        }
        json_decref(t);
        fuzz_diag_done(d);

        d = diag_new();
        fuzz_write(csv, data, size);
        json_t *ds = dataset_load(dir, cfg, d);
        if (ds && diag_errors(d))
                abort();
        json_decref(ds);
        fuzz_diag_done(d);
        return 0;
}
