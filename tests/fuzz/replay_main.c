/* replay_main.c - the plain driver of fuzz_thrift.c: replay inputs without libFuzzer.
 *
 *   thrift-replay PATH...     each PATH a file, or a folder whose files are all replayed
 *
 * Runs LLVMFuzzerTestOneInput on each input, as libFuzzer would; a bug aborts (the harness
 * checks) or trips a sanitizer when built with one. Prints "replayed N inputs" and exits 0, or
 * exits 1 when a path cannot be read. `make test` replays tests/fuzz/thrift_corpus/ with it;
 * replaying a crash file found by `make fuzz` reproduces it under a debugger.
 */
#define _DEFAULT_SOURCE /* DT_DIR */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  uint8_t *data = NULL;
  size_t n = 0, cap = 0, k;

  if (f == NULL) {
    fprintf(stderr, "thrift-replay: cannot open %s\n", path);
    return -1;
  }
  do {
    if (n == cap) {
      uint8_t *p = realloc(data, cap = cap * 2 + 4096);
      if (p == NULL) {
        fprintf(stderr, "thrift-replay: out of memory\n");
        free(data);
        fclose(f);
        return -1;
      }
      data = p;
    }
    k = fread(data + n, 1, cap - n, f);
    n += k;
  } while (k > 0);
  fclose(f);
  LLVMFuzzerTestOneInput(data, n);
  free(data);
  return 0;
}


int main(int argc, char **argv) {
  long count = 0;
  int i;

  for (i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "thrift-replay: cannot read %s\n", argv[i]);
      return 1;
    }
    if (S_ISDIR(st.st_mode)) {
      struct dirent **names;
      int n = scandir(argv[i], &names, NULL, alphasort), k;
      if (n < 0) {
        fprintf(stderr, "thrift-replay: cannot list %s\n", argv[i]);
        return 1;
      }
      for (k = 0; k < n; k++) {
        char path[4096];
        if (names[k]->d_name[0] != '.') {
          snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
          if (replay_file(path) != 0)
            return 1;
          count++;
        }
        free(names[k]);
      }
      free(names);
    } else {
      if (replay_file(argv[i]) != 0)
        return 1;
      count++;
    }
  }
  printf("replayed %ld inputs\n", count);
  return 0;
}
