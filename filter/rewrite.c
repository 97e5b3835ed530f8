/*
 * rewrite.c: recipients, From and the fields printmail adds.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rewrite.h"
#include "util.h"

int
rewrite_recipients(struct spool *sp, char *const *args, size_t nargs,
    int extract, struct addr_list *l, struct err *e)
{
	static const char *fields[] = { "To", "Cc", "Bcc" };
	struct addr_list	 all;
	size_t			 i, j, k;
	long			 idx;
	int			 rc = -1;

	memset(&all, 0, sizeof(all));
	for (i = 0; i < nargs; i++)
		if (header_addresses(args[i], &all, e) == -1)
			goto out;
	for (k = 0; k < 3; k++) {
		for (idx = header_find(&sp->hdr, fields[k], 0); idx != -1;) {
			if (extract) {
				char *v = header_value(&sp->hdr, (size_t)idx);

				if (v == NULL) {
					err_sys(e, ERR_INTERNAL, "malloc");
					goto out;
				}
				if (header_addresses(v, &all, e) == -1) {
					free(v);
					goto out;
				}
				free(v);
			}
			if (k == 2) {
				header_remove(&sp->hdr, (size_t)idx);
				idx = header_find(&sp->hdr, fields[k],
				    (size_t)idx);
			} else
				idx = header_find(&sp->hdr, fields[k],
				    (size_t)idx + 1);
		}
	}
	/* Each address once; each one must be a full address. */
	for (i = 0; i < all.n; i++) {
		const char *at = strrchr(all.v[i], '@');

		if (at == NULL || at == all.v[i] || at[1] == '\0') {
			err_set(e, ERR_USAGE, "recipient \"%.128s\" is not a "
			    "full address (user@domain)", all.v[i]);
			goto out;
		}
		for (j = 0; j < l->n; j++)
			if (util_strcaseeq(l->v[j], all.v[i]))
				break;
		if (j == l->n && addr_list_add(l, all.v[i], strlen(all.v[i]),
		    e) == -1)
			goto out;
	}
	if (l->n == 0) {
		err_set(e, ERR_USAGE, "no recipients: give addresses on the "
		    "command line or use -t");
		goto out;
	}
	rc = 0;
out:
	addr_list_clear(&all);
	return rc;
}

int
rewrite_from(struct spool *sp, const struct conf_account *a,
    const char *sender, const char *fullname, struct err *e)
{
	char		*value = NULL, *addr = NULL, *display = NULL, *mb = NULL;
	const char	*name;
	long		 idx = header_find(&sp->hdr, "From", 0);
	int		 rc = -1;

	if (idx != -1) {
		if ((value = header_value(&sp->hdr, (size_t)idx)) == NULL) {
			err_sys(e, ERR_INTERNAL, "malloc");
			goto out;
		}
		if (header_mailbox(value, &addr, &display, e) == -1)
			goto out;
		if (util_strcaseeq(addr, a->from) || !a->rewrite_from) {
			rc = 0;
			goto out;
		}
	}
	name = fullname ? fullname : a->from_name ? a->from_name : display;
	if ((mb = header_address(name, a->from)) == NULL) {
		err_sys(e, ERR_INTERNAL, "malloc");
		goto out;
	}
	if (idx != -1)
		header_remove(&sp->hdr, (size_t)idx);
	else
		idx = 0;
	if (header_insert(&sp->hdr, (size_t)idx, "From", mb, e) == -1)
		goto out;
	/* The original sender: the From we replaced, else -f. */
	if (value == NULL && sender != NULL && *sender != '\0' &&
	    strchr(sender, '@') != NULL && !util_strcaseeq(sender, a->from)) {
		char *cleaned = header_text(sender);

		value = cleaned;
		if (value == NULL) {
			err_sys(e, ERR_INTERNAL, "malloc");
			goto out;
		}
	}
	if (value != NULL && header_find(&sp->hdr, "Reply-To", 0) == -1 &&
	    header_insert(&sp->hdr, (size_t)idx + 1, "Reply-To", value,
	    e) == -1)
		goto out;
	rc = 0;
out:
	free(value);
	free(addr);
	free(display);
	free(mb);
	return rc;
}

int
rewrite_add_ids(struct spool *sp, const char *domain, time_t when,
    struct err *e)
{
	char	buf[256];

	if (header_find(&sp->hdr, "Message-ID", 0) == -1) {
		if (header_message_id(buf, sizeof(buf), domain, e) == -1 ||
		    header_insert(&sp->hdr, 0, "Message-ID", buf, e) == -1)
			return -1;
	}
	if (header_find(&sp->hdr, "Date", 0) == -1) {
		header_date(buf, sizeof(buf), when);
		if (header_insert(&sp->hdr, 0, "Date", buf, e) == -1)
			return -1;
	}
	return 0;
}

int
rewrite_add_missing(struct spool *sp, const struct conf_account *a,
    struct err *e)
{
	return rewrite_add_ids(sp, strrchr(a->from, '@') + 1, time(NULL), e);
}
