/*
 * jobmsg.h: a print job made into a message, the same for every front end
 * that prints (the CUPS backend, the printer application): its recipients
 * (per job, checked against allow_recipients; the queue's or printer's
 * default; the account's template), its Subject and text from the
 * templates, the attachment's name, the header, and the MIME message
 * around the document.
 */
#ifndef PM_JOBMSG_H
#define PM_JOBMSG_H

#include <stdint.h>

#include "conf.h"
#include "err.h"
#include "header.h"
#include "job.h"
#include "mime.h"
#include "smtp.h"

/* What came with the job. */
struct jobmsg_in {
	const char		*id;		/* job number, as text */
	const char		*user;		/* who printed */
	const char		*title;		/* job name */
	const char		*printer;	/* queue or printer name */
	size_t			 doc_n, doc_count;	/* document n of count */
	/*
	 * Options: email-to, email-cc, email-subject, email-body (per job,
	 * email-to and email-cc checked), EmailTo (the PPD's), and
	 * document-name-supplied.
	 */
	const struct job_opts	*opts;
	const char		*uri_to, *uri_cc, *uri_subject;	/* or NULL */
	const char		*printer_to;	/* the queue's default, or NULL */
};

struct jobmsg {
	struct addr_list	 to, cc, bcc;
	struct header		 hdr;
	char			*clean_title;	/* without prefix or path */
	char			*filename;	/* of the attachment */
	char			*subject, *body;
};

/*
 * Recipients, Subject, text and header for a job on account a.  A per-job
 * recipient outside allow_recipients, or a job without one, is the job's
 * fault (ERR_USAGE: cancel it); a bad configured recipient is the
 * queue's (ERR_CONFIG).  Returns 0 or -1; jobmsg_clear() either way.
 */
int	jobmsg_prepare(struct jobmsg *jm, const struct conf_account *a,
	    const struct jobmsg_in *in, struct err *e);

/* Every envelope recipient, To, Cc then Bcc, into all. */
int	jobmsg_envelope(const struct jobmsg *jm, struct addr_list *all,
	    struct err *e);

/*
 * The MIME message: the text, and size bytes of fd (a PDF) attached.
 * progress may be NULL.  The caller frees *mm with mime_free().
 */
int	jobmsg_mime(const struct jobmsg *jm, int fd, uint64_t size,
	    void (*progress)(void *, uint64_t, uint64_t), void *ctx,
	    struct mime_msg **mm, struct smtp_msg *m, struct err *e);

void	jobmsg_clear(struct jobmsg *jm);

#endif
