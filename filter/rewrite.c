/*
 * rewrite.c: recipients, From and the fields printmail adds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rewrite.h"
#include "util.h"

/* The addresses of every field named name into all; with drop, removed. */
static int
take_field(struct spool *sp, const char *name, int extract, int drop,
    struct addr_list *all, struct err *e)
{
	long	idx;

	for (idx = header_find(&sp->hdr, name, 0); idx != -1;) {
		if (extract) {
			char *v = header_value(&sp->hdr, (size_t)idx);

			if (v == NULL)
				return err_sys(e, ERR_INTERNAL, "malloc");
			if (header_addresses(v, all, e) == -1) {
				free(v);
				return -1;
			}
			free(v);
		}
		if (drop) {
			header_remove(&sp->hdr, (size_t)idx);
			idx = header_find(&sp->hdr, name, (size_t)idx);
		} else
			idx = header_find(&sp->hdr, name, (size_t)idx + 1);
	}
	return 0;
}

int
rewrite_recipients(struct spool *sp, char *const *args, size_t nargs,
    int extract, struct addr_list *l, struct err *e)
{
	struct addr_list	 all;
	size_t			 i;
	int			 rc = -1, resent;

	memset(&all, 0, sizeof(all));
	for (i = 0; i < nargs; i++)
		if (header_addresses(args[i], &all, e) == -1)
			goto out;
	/*
	 * A resent message goes to its Resent- recipients only, as sendmail
	 * and Postfix do (RFC 5322 3.6.6); Bcc and Resent-Bcc never leave.
	 */
	resent = header_find(&sp->hdr, "Resent-To", 0) != -1 ||
	    header_find(&sp->hdr, "Resent-Cc", 0) != -1 ||
	    header_find(&sp->hdr, "Resent-Bcc", 0) != -1;
	if (take_field(sp, "To", extract && !resent, 0, &all, e) == -1 ||
	    take_field(sp, "Cc", extract && !resent, 0, &all, e) == -1 ||
	    take_field(sp, "Bcc", extract && !resent, 1, &all, e) == -1 ||
	    take_field(sp, "Resent-To", extract && resent, 0, &all, e) == -1 ||
	    take_field(sp, "Resent-Cc", extract && resent, 0, &all, e) == -1 ||
	    take_field(sp, "Resent-Bcc", extract && resent, 1, &all, e) == -1)
		goto out;
	/*
	 * Each address once; each one a full address or a local user's
	 * name (cron's "root"), which rewrite_local() maps.
	 */
	for (i = 0; i < all.n; i++) {
		const char *at = strrchr(all.v[i], '@');

		if (at == all.v[i] || (at != NULL && at[1] == '\0') ||
		    all.v[i][0] == '\0') {
			err_set(e, ERR_USAGE, "recipient \"%.128s\" is not a "
			    "full address (user@domain)", all.v[i]);
			goto out;
		}
		if (addr_list_add_once(l, all.v[i], e) == -1)
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
rewrite_local(struct addr_list *l, const char *admin, struct err *e)
{
	struct addr_list out;
	char		 host[256];
	const char	*to;
	size_t		 i;

	if (gethostname(host, sizeof(host)) == -1)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	memset(&out, 0, sizeof(out));
	for (i = 0; i < l->n; i++) {
		to = l->v[i];
		if (header_addr_is_local(to, host)) {
			if (admin == NULL) {
				err_set(e, ERR_USAGE, "recipient \"%.128s\" is "
				    "a user of this machine: set admin_address "
				    "= the address that receives its mail (or "
				    "give a full address, e.g. MAILTO= in a "
				    "crontab)", to);
				addr_list_clear(&out);
				return -1;
			}
			to = admin;
		}
		if (addr_list_add_once(&out, to, e) == -1) {
			addr_list_clear(&out);
			return -1;
		}
	}
	addr_list_clear(l);
	*l = out;
	return 0;
}

/*
 * The original sender for Reply-To: its address (qualified with
 * qualify_domain when it is a bare local part, left out when it cannot
 * be) and its display name, decoded, to be encoded once.  NULL when there
 * is nothing a reply could reach.
 */
static char *
original_sender(const char *addr, const char *display,
    const struct conf_account *a)
{
	char	*full = NULL, *name = NULL, *out;

	if (addr == NULL || *addr == '\0' || strchr(addr, '"') != NULL)
		return NULL;
	if (strchr(addr, '@') == NULL) {
		size_t n;

		if (a->qualify_domain == NULL)
			return NULL;
		n = strlen(addr) + strlen(a->qualify_domain) + 2;
		if ((full = malloc(n)) == NULL)
			return NULL;
		snprintf(full, n, "%s@%s", addr, a->qualify_domain);
		addr = full;
	}
	if (util_strcaseeq(addr, a->from)) {
		free(full);
		return NULL;
	}
	if (display != NULL && *display != '\0')
		name = header_decode(display);
	out = header_address(name, addr);
	free(name);
	free(full);
	return out;
}

/* A From that names one usable mailbox: "user@domain" in its address. */
static int
usable_from(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at != NULL && at != addr && at[1] != '\0' &&
	    strpbrk(addr, " \t\"") == NULL;
}

int
rewrite_from(struct spool *sp, const struct conf_account *a,
    const char *sender, const char *fullname, struct err *e)
{
	char		*value = NULL, *addr = NULL, *display = NULL, *mb = NULL;
	char		*reply = NULL, *name = NULL;
	long		 idx = header_find(&sp->hdr, "From", 0);
	struct err	 pe;
	int		 rc = -1;

	if (idx != -1) {
		if ((value = header_value(&sp->hdr, (size_t)idx)) == NULL) {
			err_sys(e, ERR_INTERNAL, "malloc");
			goto out;
		}
		err_clear(&pe);
		/*
		 * A From we cannot use (empty, "<>", a group, a bare name)
		 * is replaced by the account's, whatever rewrite_from says:
		 * never lose a message over a field we replace anyway.
		 */
		if (header_mailbox(value, &addr, &display, &pe) == -1 ||
		    !usable_from(addr))
			log_msg(LOG_LVL_NOTICE, "From \"%.200s\" is not a usable "
			    "mailbox: sending From the account's address",
			    util_clean(value));
		else if (util_strcaseeq(addr, a->from) || !a->rewrite_from) {
			rc = 0;
			goto out;
		}
	}
	if (fullname != NULL)
		name = strdup(fullname);
	else if (a->from_name != NULL)
		name = strdup(a->from_name);
	else if (display != NULL && *display != '\0')
		name = header_decode(display);
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
	if (addr != NULL)
		reply = original_sender(addr, display, a);
	if (reply == NULL && sender != NULL && !usable_from(addr))
		reply = original_sender(sender, NULL, a);
	if (reply != NULL && header_find(&sp->hdr, "Reply-To", 0) == -1 &&
	    header_insert(&sp->hdr, (size_t)idx + 1, "Reply-To", reply,
	    e) == -1)
		goto out;
	rc = 0;
out:
	free(value);
	free(addr);
	free(display);
	free(mb);
	free(reply);
	free(name);
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
