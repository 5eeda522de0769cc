/* Replay driver: runs a fuzz harness over files and folders, without
 * libFuzzer, so `make check` (gcc, and ASan+UBSan with SANITIZE=1) proves
 * every seed and every past crash still passes.
 * usage: fuzz_replay_TARGET PATH...   (files, or folders of files) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	size_t cap = 1 << 16, len = 0;
	unsigned char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += n;
		if (len == cap) {
			unsigned char *bigger = realloc(buf, cap *= 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
			}
			buf = bigger;
		}
	}
	fclose(fp);
	if (!buf)
		return -1;
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Folders in name order, so a failure reproduces in the same order. */
static int replay_path(const char *path, size_t *count)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "replay: no such file or folder %s\n", path);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	DIR *dir = opendir(path);
	if (!dir)
		return -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (struct dirent *de; (de = readdir(dir));) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **more = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
			if (!more) {
				rc = -1;
				break;
			}
			names = more;
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof *names, compare_names);
	for (size_t i = 0; i < n; i++) {
		char full[4096];
		snprintf(full, sizeof full, "%s/%s", path, names[i]);
		if (rc == 0 && names[i] && replay_path(full, count) != 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			return 1;
	printf("%s: %zu inputs replayed, no crash\n", argc > 0 ? argv[0] : "replay", count);
	return 0;
}
