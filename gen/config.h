/* config: content/site.yaml, loaded and validated into the site settings object. */
#ifndef GONGBAO_CONFIG_H
#define GONGBAO_CONFIG_H

#include "diag.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Loads path. The result is a json object:
 *   title, description, language, timezone (strings), tz_offset (minutes east of UTC),
 *   base_url (absolute, ends in "/"), base_path (its path, "/portal/" or "/"),
 *   per_page, feed_size (integers),
 *   topics: [{slug, name, description}] in file order,
 *   navigation: [{title, url}] (url as written: "/x/" is site-rooted).
 * Returns the object (caller decrefs) or NULL after reporting every problem to d. */
json_t *config_load(const char *path, struct diag *d);

/* The same for text[0..len) already in memory (path names it in messages). */
json_t *config_parse(const char *path, const char *text, size_t len, struct diag *d);

/* True when s is a valid slug: lowercase ASCII letters, digits, '-' and '_', not starting
 * with '-' or '_', at most 100 bytes. Used for topics, articles and pages. */
bool config_is_slug(const char *s);

#endif
