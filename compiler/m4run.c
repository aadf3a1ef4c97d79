/* m4run.c - run m4 on a template into a temporary file, check it, rename it (see m4run.h). */
#include "m4run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Temporary files not yet published or discarded, so a signal handler can remove them. */
#define MAX_PENDING 8
static char *volatile pending[MAX_PENDING];


static void pending_add(char *path) {
  int i;

  for (i = 0; i < MAX_PENDING; i++)
    if (pending[i] == NULL) {
      pending[i] = path;
      return;
    }
}


static void pending_remove(const char *path) {
  int i;

  for (i = 0; i < MAX_PENDING; i++)
    if (pending[i] == path)
      pending[i] = NULL;
}


void xgbc_m4_discard_all_pending(void) {
  int i;

  for (i = 0; i < MAX_PENDING; i++)
    if (pending[i] != NULL)
      unlink(pending[i]);
}


/* Write all of buf to fd; EPIPE (m4 died early) is reported through m4's exit status. */
static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    buf += n;
    len -= (size_t)n;
  }
}


/* The first "bg4_" or "m4_" that starts a word in the file at fd: a macro m4 did not expand. */
static int find_leftover(int fd, char *what, size_t n, long *line) {
  FILE *f;
  char buf[4096];
  int found = 0;

  *line = 0;
  if (lseek(fd, 0, SEEK_SET) < 0 || (f = fdopen(dup(fd), "r")) == NULL)
    return -1;
  while (!found && fgets(buf, sizeof buf, f) != NULL) {
    const char *p = buf;
    (*line)++;
    for (; (p = strpbrk(p, "bm")) != NULL; p++) {
      int word_start = p == buf || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
                                     (p[-1] >= 'A' && p[-1] <= 'Z') ||
                                     (p[-1] >= '0' && p[-1] <= '9'));
      if (word_start && (strncmp(p, "bg4_", 4) == 0 || strncmp(p, "m4_", 3) == 0)) {
        snprintf(what, n, "%.*s", (int)strcspn(p, " \t\n(),;"), p);
        found = 1;
        break;
      }
    }
  }
  fclose(f);
  return found;
}


int xgbc_m4_expand(const struct xgbc_m4 *cfg, const char *template, const char *defs,
                   size_t defs_len, const char *target, char **tmp_path, struct xgbc_diag *d) {
  const char *slash = strrchr(target, '/');
  size_t dirlen = slash ? (size_t)(slash - target + 1) : 0;
  char *tmp, tpl[4096], what[64];
  int fd, in[2], status, left;
  long line;
  pid_t pid;

  *tmp_path = NULL;
  snprintf(tpl, sizeof tpl, "%s/%s", cfg->template_dir, template);
  if (access(tpl, R_OK) != 0)
    return xgbc_fail(d, XGBC_ETOOL, tpl, "cannot read template: %s", strerror(errno));
  /* DIR/.NAME.XXXXXX: hidden, in the target's directory so rename() is atomic. */
  tmp = malloc(strlen(target) + 16);
  if (tmp == NULL)
    return XGBC_ENOMEM;
  sprintf(tmp, "%.*s.%s.XXXXXX", (int)dirlen, target, target + dirlen);
  fd = mkstemp(tmp);
  if (fd < 0) {
    int e = errno;
    free(tmp);
    return xgbc_fail(d, XGBC_EIO, target, "cannot create a file here: %s", strerror(e));
  }
  pending_add(tmp);
  if (pipe(in) != 0) {
    close(fd);
    xgbc_m4_discard(tmp);
    return xgbc_fail(d, XGBC_ETOOL, cfg->m4, "pipe: %s", strerror(errno));
  }
  pid = fork();
  if (pid < 0) {
    close(in[0]);
    close(in[1]);
    close(fd);
    xgbc_m4_discard(tmp);
    return xgbc_fail(d, XGBC_ETOOL, cfg->m4, "fork: %s", strerror(errno));
  }
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(fd, 1);
    close(in[0]);
    close(in[1]);
    close(fd);
    execlp(cfg->m4, cfg->m4, "-P", "-E", "-I", cfg->template_dir, "prelude.m4", "-", template,
           (char *)NULL);
    fprintf(stderr, "xgbc: cannot run %s: %s\n", cfg->m4, strerror(errno));
    _exit(127);
  }
  close(in[0]);
  write_all(in[1], defs, defs_len);
  close(in[1]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    close(fd);
    xgbc_m4_discard(tmp);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      return xgbc_fail(d, XGBC_ETOOL, cfg->m4, "cannot run m4 (is it installed?)");
    return xgbc_fail(d, XGBC_ETOOL, template, "m4 failed (%s %d); its message is above",
                     WIFEXITED(status) ? "exit status" : "signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  }
  left = find_leftover(fd, what, sizeof what, &line);
  if (left != 0 || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
    close(fd);
    xgbc_m4_discard(tmp);
    if (left > 0)
      return xgbc_fail(d, XGBC_ETOOL, template, "output line %ld still holds \"%s\": a macro "
                       "the template did not expand", line, what);
    return xgbc_fail(d, XGBC_EIO, target, "cannot finish writing: %s", strerror(errno));
  }
  if (close(fd) != 0) {
    xgbc_m4_discard(tmp);
    return xgbc_fail(d, XGBC_EIO, target, "cannot finish writing: %s", strerror(errno));
  }
  *tmp_path = tmp;
  return 0;
}


int xgbc_m4_publish(char *tmp_path, const char *target, struct xgbc_diag *d) {
  int err = 0;

  if (rename(tmp_path, target) != 0) {
    err = xgbc_fail(d, XGBC_EIO, target, "cannot replace: %s", strerror(errno));
    unlink(tmp_path);
  }
  pending_remove(tmp_path);
  free(tmp_path);
  return err;
}


void xgbc_m4_discard(char *tmp_path) {
  if (tmp_path == NULL)
    return;
  unlink(tmp_path);
  pending_remove(tmp_path);
  free(tmp_path);
}
