/*
 * fuzz_conf: the config parser, on a file holding the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 path[64];
	struct conf_account	 a;
	struct err		 e;
	const char		*warn[8];
	FILE			*fp;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/printmail-fuzz-conf.%ld",
		    (long)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	chmod(path, 0600);
	err_clear(&e);
	if (conf_load(path, NULL, &a, &e) == 0) {
		(void)conf_warnings(&a, warn, 8);
		conf_account_clear(&a);
	}
	err_clear(&e);
	if (conf_load(path, "scans", &a, &e) == 0)
		conf_account_clear(&a);
	unlink(path);
	return 0;
}
