/*
 * i18n.h: messages in the reader's language (gettext, text domain
 * "printmail"): _() marks a message an admin or user reads; N_() marks
 * one in a table, translated where it is shown.  Log lines for syslog stay
 * English.  Only LC_MESSAGES follows the environment: number formats and
 * character classes stay those of C, and messages come out in UTF-8.
 */
#ifndef PM_I18N_H
#define PM_I18N_H

#include <libintl.h>

#define _(s)	gettext(s)
#define N_(s)	(s)

/* Once, first thing in main(). */
void	i18n_init(void);

#endif
