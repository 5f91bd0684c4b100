/* datapage: statistics as pages. The /data/ index, one page per dataset (chart, text
 * summary, accessible table, downloads, dates, revisions, the articles that use it,
 * schema.org Dataset), the downloads themselves, and the ```chart and ```table blocks
 * inside articles. */
#ifndef GONGBAO_DATAPAGE_H
#define GONGBAO_DATAPAGE_H

#include "page.h"

/* State of the block handler for one Markdown rendering. */
struct datapage_fence {
        struct page_build *c;
        const char *root; /* how the rendering reaches the site root: "../../" or base_url */
        int count;        /* figures drawn so far on this page, for unique ids */
};

/* md_fence_fn for markdown_render: draws ```chart (YAML: dataset, type, x, y, title,
 * subtitle) as a figure with the SVG, a caption with the source, a link to the dataset
 * page and the data table behind <details>; turns ```table (optional "caption: ..." line,
 * then CSV with a header) into an accessible table. Other blocks stay code (returns 1).
 * Errors (unknown dataset or field, bad CSV) are reported at their line in the article. */
int datapage_fence(void *ctx, const char *info, const char *text, const char *path, int line,
                   struct buf *html, struct diag *d);

/* Writes /data/, every /data/<name>/ page and every dataset's downloads. Returns 0, or -1
 * after reporting. */
int datapage_write_all(struct page_build *c) WUR;

#endif
