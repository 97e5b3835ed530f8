/*
 * replay: runs a fuzz target's LLVMFuzzerTestOneInput over files and
 * directories without libFuzzer, so the seed corpus and every input that
 * once crashed run in `make check` with gcc (and its sanitizers).
 * Prints "N passed, 0 failed" when no input crashed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count;

static void
one(const char *path)
{
	FILE		*fp = fopen(path, "rb");
	unsigned char	*buf;
	long		 n;

	if (fp == NULL)
		return;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, fp) == (size_t)n) {
		LLVMFuzzerTestOneInput(buf, (size_t)n);
		count++;
	}
	free(buf);
	fclose(fp);
}

int
main(int argc, char **argv)
{
	struct stat	 st;
	struct dirent	*de;
	char		 path[4096];
	DIR		*d;
	int		 i;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			one(argv[i]);
			continue;
		}
		if ((d = opendir(argv[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    de->d_name);
			one(path);
		}
		closedir(d);
	}
	printf("%d passed, 0 failed\n", count);
	return 0;
}
