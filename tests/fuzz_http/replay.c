/* replay.c - run fuzz_request.c's target over files, as `make test` does with the corpus:
 * any compiler builds it (no libFuzzer needed). Usage: replay FILE|DIR... Prints how many
 * inputs ran; a bad answer aborts (so does ASan or UBSan in the build make test uses). */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long n;

  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
    fprintf(stderr, "replay: cannot read %s\n", path);
    exit(2);
  }
  buf = malloc((size_t)n + 1);
  if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "replay: cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, (size_t)n);
  free(buf);
  return 1;
}


int main(int argc, char **argv) {
  int i, count = 0;

  for (i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: %s: no such file\n", argv[i]);
      return 2;
    }
    if (S_ISDIR(st.st_mode)) {
      struct dirent **names;
      int n = scandir(argv[i], &names, NULL, alphasort), k;
      for (k = 0; k < n; k++) {
        if (names[k]->d_name[0] != '.') {
          char path[4096];
          snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
          count += run_file(path);
        }
        free(names[k]);
      }
      free(names);
    } else {
      count += run_file(argv[i]);
    }
  }
  printf("replayed %d inputs\n", count);
  return 0;
}
