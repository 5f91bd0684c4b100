/* libFuzzer target: the search tokeniser (search_tokens), which the browser's search.js
 * mirrors, and a one-document index written through a memory sink. Tokens must be
 * non-empty valid UTF-8 strings. */
#include "fuzz_common.h"

#include "search.h"

/* An emit function that only checks what it is given. */
static int sink(void *ctx, const char *rel, const struct buf *data, const unsigned char *key)
{
        (void)ctx;
        (void)key;
        if (strncmp(rel, "search/", 7) || strstr(rel, "..") || !data)
                abort();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = xstrndup((const char *)data, size);
        json_t *tokens = search_tokens(text);
        if (!json_is_array(tokens))
                abort();
        size_t i;
        json_t *t;
        json_array_foreach(tokens, i, t)
        {
                if (!json_is_string(t) || json_string_length(t) == 0)
                        abort();
        }
        json_decref(tokens);
        json_t *name = json_string(text); /* NULL unless valid UTF-8, as content always is */
        if (name && size && (data[0] & 1)) {
                struct search_index *s = search_new();
                json_t *topics = json_pack("[{s:s, s:O}]", "slug", "health", "name", name);
                search_add(s, "articles/a/", text, "2025-01-02", topics, "article", text);
                search_add(s, "articles/b/", "第二篇", "", topics, "page", "正文");
                struct search_io io = {.emit = sink};
                struct diag *d = diag_new();
                if (search_write(s, &io, d) < 0)
                        abort();
                diag_free(d);
                json_decref(topics);
                search_free(s);
        }
        json_decref(name);
        free(text);
        return 0;
}
