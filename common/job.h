/*
 * job.h: what a print job is made of, for both front ends that print (the
 * CUPS backend and the printer application): the device URI, the job
 * options, the templates, the attachment's file name and the recipient
 * policy.  Pure functions, no I/O, so every hostile input is unit tested.
 */
#ifndef PM_JOB_H
#define PM_JOB_H

#include "err.h"
#include "header.h"

/* email:/ACCOUNT?to=..&cc=..&subject=.. */
struct job_uri {
	char	*account;	/* "default" for email:/ */
	char	*to;		/* decoded, NULL when absent */
	char	*cc;
	char	*subject;
};

/*
 * Parses a device URI.  Returns 0, or -1 with ERR_CONFIG naming what is
 * wrong (the admin wrote it).  The caller releases *u with job_uri_clear().
 */
int	job_parse_uri(const char *uri, struct job_uri *u, struct err *e);
void	job_uri_clear(struct job_uri *u);

/* One "name=value" of the CUPS options argument. */
struct job_opt {
	char	*name;
	char	*value;
};

struct job_opts {
	struct job_opt	*v;
	size_t		 n;
};

/*
 * Parses the options argument (argv[5]): name=value pairs separated by
 * blanks, values in '...' or "..." or with backslash escapes; a bare name
 * is "true".  0 or -1 (ERR_INTERNAL).
 */
int	job_parse_options(const char *s, struct job_opts *o, struct err *e);
void	job_opts_clear(struct job_opts *o);
/* The value of the last option named name, or NULL. */
const char *job_option(const struct job_opts *o, const char *name);

/* The n-th (from 1) option named name, or NULL; *count: how many. */
const char *job_option_nth(const struct job_opts *o, const char *name,
	    size_t n, size_t *count);

/*
 * Which document of a job the backend prints: CUPS runs the backend once
 * per document with the spool file "dJJJJJ-NNN" as argv[6], and lists one
 * document-name-supplied per document in the options.  From the file's
 * name its number (1 when unknown); *count: the job's documents, counted
 * in the spool directory (0 when it cannot be listed).
 */
size_t	job_document_number(const char *file, size_t *count);

/*
 * The attachment name of document n of count: its own name when the
 * client gave one, else the job's (job_filename()) with " (n of count)"
 * before ".pdf" when the job has more than one document.  A new string.
 */
char	*job_document_filename(const struct job_opts *o, const char *title,
	    const char *job, size_t n, size_t count);

/* The values templates may use. */
struct job_vars {
	const char	*title;
	const char	*user;
	const char	*printer;
	const char	*job;
	const char	*filename;
	const char	*date;
};

/*
 * Expands {title}, {user}, {printer}, {job}, {filename}, {date} in tmpl;
 * other text, unknown names included, is kept.  Returns a new string or
 * NULL when out of memory.
 */
char	*job_expand(const char *tmpl, const struct job_vars *v);

/*
 * As job_expand(), for a recipient template ("to = {user}@congty.com"):
 * each field expands to one piece of a local part (letters, digits, UTF-8,
 * RFC 5322 atext and single dots), never to a separator, a blank, a quote,
 * an '@' or an empty string, so a job can never add a recipient or change
 * a domain.  *from_job is set when a value that comes with the job
 * ({title}, {user}, {filename}) was used: those recipients must then pass
 * allow_recipients like any per-job recipient.  Returns a new string, or
 * NULL with ERR_USAGE naming the field and its value (ERR_INTERNAL when
 * out of memory).
 */
char	*job_expand_address(const char *tmpl, const struct job_vars *v,
	    int *from_job, struct err *e);

/*
 * The attachment's file name: from the client's document name, else the
 * job title with Samba's "smbprn.NNNNNNNN " prefix, path parts and
 * characters illegal in file names removed, else "job-N"; a document's
 * extension (.docx, .xlsx, .txt...; not "Invoice 2024.001") is replaced
 * and ".pdf" always ends it.  At most about 120
 * bytes, cut between UTF-8 characters.  Returns a new string or NULL.
 */
char	*job_filename(const char *docname, const char *title, const char *job);

/*
 * The job title for the Subject and {title}: Samba's "smbprn.NNNNNNNN "
 * prefix and any Windows or Unix path removed, blanks trimmed.  A new
 * string or NULL.
 */
char	*job_title(const char *title);

/*
 * Adds the addresses of a recipient list ("a@x.vn, Name <b@y.vn>") to l,
 * refusing anything that is not a plain local@domain address.  All or
 * nothing: on failure l is as it was.  Returns 0, or -1 with ERR_DATA
 * naming the bad address.
 */
int	job_addresses(const char *value, struct addr_list *l, struct err *e);

/*
 * Non-zero when addr matches one of the comma-separated patterns of allow
 * ("*@congty.com, ketoan@khachhang.vn"), case-insensitively.  An absent
 * or empty list allows nothing.
 */
int	job_allowed(const char *addr, const char *allow);

#endif
