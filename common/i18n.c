/*
 * i18n.c: the message catalogue.
 */
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include "i18n.h"

#ifndef PM_LOCALEDIR
#define PM_LOCALEDIR "/usr/share/locale"
#endif

void
i18n_init(void)
{
	const char	*dir = getenv("PRINTMAIL_LOCALEDIR");

	(void)setlocale(LC_MESSAGES, "");
	/*
	 * $PRINTMAIL_LOCALEDIR: the catalogue of a build tree (tests).  Never
	 * for a program whose privileges differ from its caller's: a
	 * catalogue holds format strings.
	 */
	if (dir == NULL || *dir == '\0' || getuid() != geteuid() ||
	    getgid() != getegid())
		dir = PM_LOCALEDIR;
	(void)bindtextdomain("printmail", dir);
	(void)bind_textdomain_codeset("printmail", "UTF-8");
	(void)textdomain("printmail");
}
