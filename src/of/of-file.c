/* SPDX-License-Identifier: MIT */
/*
 * of-file.c - dmp_of_parse_file(): a .dtb read from a file, or a .dts
 * compiled by dtc.  Hosted (POSIX) platforms only: a freestanding port leaves
 * this file out of its build and calls dmp_of_parse() on the blob it has.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmaport/of.h>

#include "../internal.h"

extern char **environ;

/* A blob larger than this is not a platform description. */
#define OF_FILE_MAX (16u << 20)

static int of_file_fail(struct dmp_of_error *err, int code, const char *path, const char *what)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->code = code;
		snprintf(err->message, sizeof(err->message), "%s: %s", path, what);
	}
	return code;
}

static const char *of_file_why(int code, const char *other)
{
	if (code == -ENOMEM)
		return "out of memory";
	if (code == -EFBIG)
		return "the blob is larger than 16 MiB: not a platform description";
	return other;
}

/* Read all of @fd into a malloc'd buffer: 0, -ENOMEM, -EIO, or -EFBIG
 * (more than OF_FILE_MAX bytes). */
static int of_read_all(int fd, void **buf, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *p = malloc(cap);

	if (!p)
		return -ENOMEM;
	for (;;) {
		ssize_t got;

		if (n == cap) {
			char *q;

			if (cap >= OF_FILE_MAX) {
				char probe;

				/* exactly OF_FILE_MAX bytes is still fine */
				while ((got = read(fd, &probe, 1)) < 0 && errno == EINTR)
					;
				if (got == 0)
					break;
				free(p);
				return got < 0 ? -EIO : -EFBIG;
			}
			q = realloc(p, cap * 2);
			if (!q) {
				free(p);
				return -ENOMEM;
			}
			p = q;
			cap *= 2;
		}
		got = read(fd, p + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			free(p);
			return -EIO;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*buf = p;
	*len = n;
	return 0;
}

/* Run dtc on @path, reading the blob from its standard output. */
static int of_run_dtc(const char *path, void **buf, size_t *len)
{
	char *argv[] = { "dtc", "-q", "-I", "dts", "-O", "dtb", "--", (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	int pipefd[2], status, ret;
	pid_t pid;

	/* close-on-exec: another thread's child must not hold our ends open */
	if (pipe2(pipefd, O_CLOEXEC))
		return -EIO;
	if (posix_spawn_file_actions_init(&fa)) {
		ret = -ENOMEM;
		goto out_pipe;
	}
	if (posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO) ||
	    posix_spawn_file_actions_addclose(&fa, pipefd[0])) {
		ret = -ENOMEM;
		goto out_fa;
	}
	if (posix_spawnp(&pid, "dtc", &fa, NULL, argv, environ)) {
		ret = -EIO;
		goto out_fa;
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	ret = of_read_all(pipefd[0], buf, len);
	/*
	 * Our end closes before the wait: when the read stopped early (the
	 * blob is too big), dtc is still writing and would block for ever on a
	 * full pipe nobody reads; closed, its next write fails (EPIPE) and it
	 * exits.
	 */
	close(pipefd[0]);
	pipefd[0] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!ret && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		free(*buf);
		ret = -EIO;
	}
out_fa:
	posix_spawn_file_actions_destroy(&fa);
out_pipe:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return ret;
}

int dmp_of_read_file(const char *path, void **blob_out, size_t *len_out, struct dmp_of_error *err)
{
	size_t n = path ? strlen(path) : 0;
	void *blob = NULL;
	size_t len = 0;
	int fd, ret;

	DMP_ASSERT(path && blob_out && len_out);
	if (n > 4 && !strcmp(path + n - 4, ".dts")) {
		ret = of_run_dtc(path, &blob, &len);
		if (ret)
			return of_file_fail(err, ret, path, of_file_why(ret, "dtc failed"));
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return of_file_fail(err, -EIO, path, "cannot open");
		ret = of_read_all(fd, &blob, &len);
		close(fd);
		if (ret)
			return of_file_fail(err, ret, path, of_file_why(ret, "cannot read"));
	}
	*blob_out = blob;
	*len_out = len;
	return 0;
}

int dmp_of_parse_file(const char *path, struct dmp_of_platform *out, struct dmp_of_error *err)
{
	void *blob = NULL;
	size_t len = 0;

	DMP_ASSERT(path && out);
	memset(out, 0, sizeof(*out));
	int ret = dmp_of_read_file(path, &blob, &len, err);
	if (ret)
		return ret;
	ret = dmp_of_parse(blob, len, out, err);
	free(blob);
	return ret;
}
