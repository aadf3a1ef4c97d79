/* replay.c - run a fuzz target's LLVMFuzzerTestOneInput on saved inputs, without libFuzzer.
 *
 *   replay_TARGET PATH...     each PATH a file or a directory of files (not recursive)
 *
 * `make test` builds one replay binary per target with ASan and UBSan (when the compiler has
 * them, gcc included) and runs it on the target's seed corpus and on every crasher found so
 * far. A sanitizer report aborts with a non-zero status; a clean run prints how many inputs it
 * replayed and exits 0.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"


/* Feed one file to the target; returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  size_t n = 0, cap = 0;

  if (f == NULL) {
    fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
    return -1;
  }
  for (;;) {
    if (n == cap) {
      unsigned char *b = realloc(buf, cap ? cap * 2 : 4096);
      if (b == NULL) {
        free(buf);
        fclose(f);
        return -1;
      }
      buf = b;
      cap = cap ? cap * 2 : 4096;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0)
      break;
  }
  fclose(f);
  /* An exact-size copy, so ASan catches a read one byte past the input. */
  {
    unsigned char *exact = malloc(n ? n : 1);
    if (exact == NULL) {
      free(buf);
      return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
  }
  return 0;
}


int main(int argc, char **argv) {
  int i, count = 0, failed = 0;

  for (i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
      return 2;
    }
    if (S_ISDIR(st.st_mode)) {
      DIR *dir = opendir(argv[i]);
      struct dirent *e;
      if (dir == NULL)
        return 2;
      while ((e = readdir(dir)) != NULL) {
        char path[4096];
        if (e->d_name[0] == '.')
          continue; /* ., .., and .gitkeep-style placeholders */
        snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
        failed |= replay_file(path) != 0;
        count++;
      }
      closedir(dir);
    } else {
      failed |= replay_file(argv[i]) != 0;
      count++;
    }
  }
  printf("replayed %d inputs\n", count);
  return failed ? 1 : 0;
}
