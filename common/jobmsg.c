/*
 * jobmsg.c: a print job made into a message (jobmsg.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobmsg.h"
#include "util.h"

/* A per-job recipient: accepted only when allow_recipients matches. */
static int
per_job(const char *value, const struct conf_account *a,
    struct addr_list *l, const char *what, struct err *e)
{
	size_t	i, first = l->n;

	if (job_addresses(value, l, e) == -1) {
		e->kind = ERR_USAGE;
		return -1;
	}
	for (i = first; i < l->n; i++)
		if (!job_allowed(l->v[i], a->allow_recipients))
			return err_set(e, ERR_USAGE, "%s recipient %s refused: "
			    "account [%s] allows per-job recipients only when "
			    "they match allow_recipients in %s%s", what,
			    l->v[i], a->name, a->path, a->allow_recipients ?
			    "" : " (not set: none are allowed)");
	return 0;
}

/* Joins addresses with ", " for a header; a new string or NULL. */
static char *
join(const struct addr_list *l)
{
	size_t	i, n = 1;
	char	*s;

	for (i = 0; i < l->n; i++)
		n += strlen(l->v[i]) + 2;
	if ((s = calloc(1, n)) == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			strncat(s, ", ", n - strlen(s) - 1);
		strncat(s, l->v[i], n - strlen(s) - 1);
	}
	return s;
}

/*
 * The account's to = template.  A template that uses what comes with the
 * job ("to = {user}@congty.com") is the job's choice as much as the
 * admin's: a value that does not fit an address, or an address outside
 * allow_recipients, cancels this job (ERR_USAGE) and never the queue.
 */
static int
config_to(struct jobmsg *jm, const struct conf_account *a,
    const struct job_vars *v, struct err *e)
{
	size_t	 i, first = jm->to.n;
	int	 from_job, rc;
	char	*t;

	if ((t = job_expand_address(a->to, v, &from_job, e)) == NULL)
		return -1;
	rc = job_addresses(t, &jm->to, e);
	free(t);
	if (rc == -1) {
		/* Without job values the admin's template is at fault. */
		e->kind = from_job ? ERR_USAGE : ERR_CONFIG;
		return -1;
	}
	for (i = first; from_job && i < jm->to.n; i++)
		if (!job_allowed(jm->to.v[i], a->allow_recipients))
			return err_set(e, ERR_USAGE, "recipient %s refused: it "
			    "comes from the job (to = %s in account [%s]) and "
			    "does not match allow_recipients in %s%s",
			    jm->to.v[i], a->to, a->name, a->path,
			    a->allow_recipients ? "" : " (not set: none are "
			    "allowed)");
	return 0;
}

static int
add_field(struct jobmsg *jm, const char *name, char *value, struct err *e)
{
	int	rc;

	if (value == NULL)
		return err_sys(e, ERR_INTERNAL, "malloc");
	rc = header_insert(&jm->hdr, jm->hdr.n, name, value, e);
	free(value);
	return rc;
}

int
jobmsg_prepare(struct jobmsg *jm, const struct conf_account *a,
    const struct jobmsg_in *in, struct err *e)
{
	struct job_vars	 v;
	char		 date[32], hdate[64], mid[256];
	const char	*opt, *subj;
	time_t		 now = time(NULL);
	struct tm	 tm;
	int		 rc = -1;

	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	jm->filename = job_document_filename(in->opts, in->title, in->id,
	    in->doc_n, in->doc_count);
	if (jm->filename == NULL ||
	    (jm->clean_title = job_title(in->title)) == NULL)
		return err_sys(e, ERR_INTERNAL, "malloc");
	memset(&v, 0, sizeof(v));
	v.title = jm->clean_title;
	v.user = in->user;
	v.printer = in->printer;
	v.job = in->id;
	v.filename = jm->filename;
	v.date = date;

	/* To: per job (checked) > URI > the queue's default > config. */
	if ((opt = job_option(in->opts, "email-to")) != NULL && *opt != '\0') {
		if (per_job(opt, a, &jm->to, "per-job", e) == -1)
			goto out;
	} else if ((opt = job_option(in->opts, "EmailTo")) != NULL &&
	    strncmp(opt, "Custom.", 7) == 0 && opt[7] != '\0') {
		if (per_job(opt + 7, a, &jm->to, "per-job", e) == -1)
			goto out;
	} else if (in->uri_to != NULL) {
		if (job_addresses(in->uri_to, &jm->to, e) == -1)
			goto config_error;
	} else if (in->printer_to != NULL && *in->printer_to != '\0') {
		if (job_addresses(in->printer_to, &jm->to, e) == -1)
			goto config_error;
	} else if (a->to != NULL) {
		if (config_to(jm, a, &v, e) == -1)
			goto out;
	}
	if ((opt = job_option(in->opts, "email-cc")) != NULL && *opt != '\0') {
		if (per_job(opt, a, &jm->cc, "per-job Cc", e) == -1)
			goto out;
	} else if ((opt = in->uri_cc ? in->uri_cc : a->cc) != NULL &&
	    job_addresses(opt, &jm->cc, e) == -1)
		goto config_error;
	if (a->bcc != NULL && job_addresses(a->bcc, &jm->bcc, e) == -1)
		goto config_error;
	if (jm->to.n == 0) {
		err_set(e, ERR_USAGE, "the job has no recipient: set to = in "
		    "account [%s], ?to= in the device URI, or print with "
		    "-o email-to=ADDRESS", a->name);
		goto out;
	}

	/* Subject and body: per job > URI > config template > defaults. */
	subj = job_option(in->opts, "email-subject");
	if (subj == NULL || *subj == '\0')
		subj = in->uri_subject;
	if (subj == NULL)
		subj = a->subject ? a->subject : "{title}";
	if ((jm->subject = job_expand(subj, &v)) == NULL)
		goto oom;
	opt = job_option(in->opts, "email-body");
	if (opt == NULL || *opt == '\0')
		opt = a->body ? a->body : "Please find {filename} attached.\n\n"
		    "Printed by {user} on {printer} ({date}).";
	if ((jm->body = job_expand(opt, &v)) == NULL)
		goto oom;

	header_date(hdate, sizeof(hdate), now);
	if (header_message_id(mid, sizeof(mid), strrchr(a->from, '@') + 1,
	    e) == -1)
		goto out;
	if (add_field(jm, "Date", strdup(hdate), e) == -1 ||
	    add_field(jm, "From", header_address(a->from_name, a->from),
	    e) == -1 ||
	    add_field(jm, "To", join(&jm->to), e) == -1 ||
	    (jm->cc.n > 0 && add_field(jm, "Cc", join(&jm->cc), e) == -1) ||
	    add_field(jm, "Subject", header_text(jm->subject), e) == -1 ||
	    add_field(jm, "Message-ID", strdup(mid), e) == -1)
		goto out;
	rc = 0;
	goto out;
config_error:
	/* Recipients the admin configured: the queue must be fixed. */
	e->kind = ERR_CONFIG;
	goto out;
oom:
	err_sys(e, ERR_INTERNAL, "malloc");
out:
	return rc;
}

int
jobmsg_envelope(const struct jobmsg *jm, struct addr_list *all, struct err *e)
{
	const struct addr_list	*lists[] = { &jm->to, &jm->cc, &jm->bcc };
	size_t			 i, k;

	for (k = 0; k < 3; k++)
		for (i = 0; i < lists[k]->n; i++)
			if (addr_list_add(all, lists[k]->v[i],
			    strlen(lists[k]->v[i]), e) == -1)
				return -1;
	return 0;
}

int
jobmsg_mime(const struct jobmsg *jm, int fd, uint64_t size,
    void (*progress)(void *, uint64_t, uint64_t), void *ctx,
    struct mime_msg **mm, struct smtp_msg *m, struct err *e)
{
	struct mime_spec	spec;

	memset(&spec, 0, sizeof(spec));
	spec.hdr = &jm->hdr;
	spec.text = jm->body;
	spec.att_type = "application/pdf";
	spec.att_name = jm->filename;
	spec.att_fd = fd;
	spec.att_size = size;
	spec.progress = progress;
	spec.progress_ctx = ctx;
	if ((*mm = mime_new(&spec, e)) == NULL)
		return -1;
	return mime_msg(*mm, m, e);
}

void
jobmsg_clear(struct jobmsg *jm)
{
	addr_list_clear(&jm->to);
	addr_list_clear(&jm->cc);
	addr_list_clear(&jm->bcc);
	header_clear(&jm->hdr);
	free(jm->clean_title);
	free(jm->filename);
	free(jm->subject);
	free(jm->body);
	memset(jm, 0, sizeof(*jm));
}
