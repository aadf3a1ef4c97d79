/* test_image.c - the release image: exactly one static binary, non-root, labelled, reproducible,
 * runnable from its own unpacked root, and pushed to a registry without changing a byte.
 *
 * `make test` builds the sample model's image (mk/image.mk) before this suite runs; the suite
 * reads the OCI layout with cJSON and the layers with tar, runs the unpacked binary with
 * chroot --userspec (no container runtime works here; arm64 runs through qemu's binfmt entry),
 * rebuilds the image to compare digests, and pushes to Debian's docker-registry on loopback.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "helpers.h"

TestSuite(image, .timeout = 300);


/* qsort's comparison for an array of strings. */
static int strcmp_ptr(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}


static cJSON *read_json(const char *path) {
  char *text = bgt_read_file(path, NULL);
  cJSON *j = cJSON_Parse(text);

  cr_assert(j != NULL, "%s is not JSON", path);
  free(text);
  return j;
}


static cJSON *blob(const char *layout, const char *digest) {
  cr_assert(strncmp(digest, "sha256:", 7) == 0, "digest %s", digest);
  return read_json(bgt_fmt("%s/blobs/sha256/%s", layout, digest + 7));
}


static const char *str_at(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

  cr_assert(cJSON_IsString(v), "%s is not a string", key);
  return v->valuestring;
}


/* The nested image index that index.json points at. */
static cJSON *image_index(const char *layout) {
  cJSON *top = read_json(bgt_fmt("%s/index.json", layout));
  const cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(top, "manifests"), 0);
  cJSON *idx;

  cr_assert(m != NULL, "index.json has no manifests");
  cr_assert_str_eq(str_at(m, "mediaType"), "application/vnd.oci.image.index.v1+json");
  idx = blob(layout, str_at(m, "digest"));
  cJSON_Delete(top);
  return idx;
}


static char *first_line_of(char *const argv[]) {
  char *out;

  cr_assert_eq(bgt_run(argv, NULL, &out, NULL), 0, "%s failed", argv[0]);
  out[strcspn(out, "\n")] = '\0';
  return out;
}


/* Unpack arch's only layer into a new directory and return it. */
static char *unpack(const char *layout, const cJSON *manifest_desc, char **layer_list) {
  cJSON *manifest = blob(layout, str_at(manifest_desc, "digest"));
  const cJSON *layers = cJSON_GetObjectItemCaseSensitive(manifest, "layers");
  const char *layer;
  char *dir = bgt_mkdtemp(), *path;

  cr_assert_eq(chmod(dir, 0755), 0); /* a container's root is world-readable, like / */
  cr_assert_eq(cJSON_GetArraySize(layers), 1, "expected exactly one layer");
  layer = str_at(cJSON_GetArrayItem(layers, 0), "digest");
  path = bgt_fmt("%s/blobs/sha256/%s", layout, layer + 7);
  {
    char *list[] = {"tar", "-tzvf", path, NULL};
    char *x[] = {"tar", "-xzf", path, "-C", dir, NULL};
    cr_assert_eq(bgt_run(list, NULL, layer_list, NULL), 0);
    cr_assert_eq(bgt_run(x, NULL, NULL, NULL), 0);
  }
  cJSON_Delete(manifest);
  return dir;
}


/* The words after each `KEYWORD ` line of infra/Dockerfile, one per line, sorted. */
static char *dockerfile_words(const char *keyword) {
  char *text = bgt_read_file(bgt_fmt("%s/infra/Dockerfile", bgt_env("BG_TEST_ROOT")), NULL);
  char *words[32], *save = NULL, *out = strdup("");
  size_t n = 0, klen = strlen(keyword);

  for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    char *wsave = NULL;
    if (strncmp(line, keyword, klen) != 0 || line[klen] != ' ')
      continue;
    for (char *w = strtok_r(line + klen, " ", &wsave); w != NULL && n < 32; w = strtok_r(NULL, " ", &wsave))
      words[n++] = w;
  }
  qsort(words, n, sizeof *words, strcmp_ptr);
  for (size_t i = 0; i < n; i++)
    out = bgt_fmt("%s%s\n", out, words[i]);
  return out;
}

/* infra/Dockerfile describes the image infra/image.sh writes: the same exposed ports (8080, and
 * 9090 for the Thrift endpoint) and the same environment, in which Thrift stays off. */
static void dockerfile_matches(const cJSON *cfg, const char *arch) {
  const cJSON *e, *ports = cJSON_GetObjectItemCaseSensitive(cfg, "ExposedPorts");
  char *words[32], *exposed = strdup(""), *env = strdup("");
  size_t n = 0;

  cJSON_ArrayForEach(e, ports)
    if (n < 32)
      words[n++] = e->string;
  qsort(words, n, sizeof *words, strcmp_ptr);
  for (size_t i = 0; i < n; i++)
    exposed = bgt_fmt("%s%s\n", exposed, words[i]);
  cr_expect_str_eq(exposed, dockerfile_words("EXPOSE"), "%s: ExposedPorts vs the Dockerfile's EXPOSE", arch);
  cr_expect(cJSON_GetObjectItemCaseSensitive(ports, "9090/tcp") != NULL, "%s: the Thrift port is not exposed", arch);

  n = 0;
  cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(cfg, "Env")) {
    cr_expect(strncmp(e->valuestring, "BIDGATE_THRIFT", 14) != 0, "%s: the image sets %s", arch, e->valuestring);
    if (n < 32)
      words[n++] = e->valuestring;
  }
  qsort(words, n, sizeof *words, strcmp_ptr);
  for (size_t i = 0; i < n; i++)
    env = bgt_fmt("%s%s\n", env, words[i]);
  cr_expect_str_eq(env, dockerfile_words("ENV"), "%s: Env vs the Dockerfile's ENV", arch);
}


Test(image, holds_one_static_binary_per_arch_run_as_non_root) {
  const char *layout = bgt_env("BG_TEST_IMAGE"), *models = bgt_env("BG_TEST_MODELS");
  char *arches = strdup(bgt_env("BG_TEST_IMAGE_ARCHES")), *arch, *save = NULL;
  char *sha_argv[] = {"sha256sum", bgt_fmt("%s/aws-rtb/model.json", models), NULL};
  char *ver_argv[] = {(char *)bgt_env("BG_TEST_XGBC"), "--version", NULL};
  char *rev_argv[] = {"git", "rev-parse", "HEAD", NULL};
  char *model_sha = first_line_of(sha_argv), *xgbc = first_line_of(ver_argv);
  char *rev = first_line_of(rev_argv);
  cJSON *idx = image_index(layout);
  const cJSON *manifests = cJSON_GetObjectItemCaseSensitive(idx, "manifests"), *m;
  int found = 0;

  model_sha[64] = '\0';
  cr_assert_str_eq(str_at(idx, "mediaType"), "application/vnd.oci.image.index.v1+json");
  for (arch = strtok_r(arches, " ", &save); arch != NULL; arch = strtok_r(NULL, " ", &save)) {
    const cJSON *desc = NULL;
    cJSON *manifest, *config, *labels, *cfg;
    char *root, *listing, *out;
    struct stat st;

    cJSON_ArrayForEach(m, manifests) {
      const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "platform");
      if (strcmp(str_at(p, "architecture"), arch) == 0 && strcmp(str_at(p, "os"), "linux") == 0)
        desc = m;
    }
    cr_assert(desc != NULL, "no linux/%s image in the index", arch);
    found++;

    manifest = blob(layout, str_at(desc, "digest"));
    config = blob(layout, str_at(cJSON_GetObjectItemCaseSensitive(manifest, "config"), "digest"));
    cr_expect_str_eq(str_at(config, "architecture"), arch);
    cfg = cJSON_GetObjectItemCaseSensitive(config, "config");
    cr_expect_str_eq(str_at(cfg, "User"), "65532:65532", "the image must run as non-root");
    cr_expect_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cfg, "Entrypoint"), 0)
                         ->valuestring, "/bidgate");
    cr_expect(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg,
              "ExposedPorts"), "8080/tcp") != NULL, "port 8080 is not exposed");
    dockerfile_matches(cfg, arch);
    labels = cJSON_GetObjectItemCaseSensitive(cfg, "Labels");
    cr_expect_str_eq(str_at(labels, "io.bidgate.model.name"), "aws_rtb");
    cr_expect_str_eq(str_at(labels, "io.bidgate.model.sha256"), model_sha);
    cr_expect_str_eq(bgt_fmt("xgbc %s", str_at(labels, "io.bidgate.xgbc.version")), xgbc);
    cr_expect(strncmp(str_at(labels, "org.opencontainers.image.revision"), rev, 40) == 0,
              "revision label %s, HEAD %s", str_at(labels, "org.opencontainers.image.revision"),
              rev);

    /* The layer holds exactly one file: /bidgate, 0755, root-owned, under 5 MB. */
    root = unpack(layout, desc, &listing);
    cr_expect(strstr(listing, "-rwxr-xr-x 0/0") == listing, "layer listing: %s", listing);
    cr_expect(strchr(listing, '\n') == listing + strlen(listing) - 1, "more than one entry: %s",
              listing);
    cr_expect_str_eq(bgt_list_dir(root), "bidgate");
    cr_assert_eq(stat(bgt_fmt("%s/bidgate", root), &st), 0);
    cr_expect_lt(st.st_size, 5 * 1024 * 1024, "%s binary is %lld bytes", arch,
                 (long long)st.st_size);

    /* It runs from its own root, as its own user, with nothing else there (no libc). */
    {
      char *run[] = {"chroot", "--userspec=65532:65532", root, "/bidgate", "info", NULL};
      int status = bgt_run(run, NULL, &out, NULL);
      cr_expect_eq(status, 0, "%s: the unpacked binary did not run (status %d)", arch, status);
      cr_expect(strstr(out, "aws_rtb") != NULL, "%s: bidgate info said: %s", arch, out);
    }
    bgt_rmrf(root);
    cJSON_Delete(config);
    cJSON_Delete(manifest);
  }
  cr_assert_geq(found, 2, "the index must hold amd64 and arm64");
  cr_expect_eq(cJSON_GetArraySize(manifests), found, "unexpected extra images in the index");
  cJSON_Delete(idx);
}


Test(image, same_sources_same_digest) {
  const char *layout = bgt_env("BG_TEST_IMAGE");
  char *dir = bgt_mkdtemp(), *first, *second;
  char *argv[] = {"make", "--no-print-directory", "-s", "image-build",
                  bgt_fmt("IMAGE_DIR=%s/again", dir),
                  bgt_fmt("IMAGE_ARCHES=%s", bgt_env("BG_TEST_IMAGE_ARCHES")), NULL};

  first = bgt_read_file(bgt_fmt("%s.digest", layout), NULL);
  cr_assert_eq(bgt_run(argv, NULL, NULL, NULL), 0, "make image-build failed");
  second = bgt_read_file(bgt_fmt("%s/again.digest", dir), NULL);
  cr_expect_str_eq(first, second, "two builds of the same sources gave different digests");
  bgt_rmrf(dir);
}


/* A free loopback port (bound and released; the registry takes it right after). */
static int free_port(void) {
  struct sockaddr_in a = {0};
  socklen_t len = sizeof a;
  int fd = socket(AF_INET, SOCK_STREAM, 0), port;

  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cr_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
  cr_assert(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
  port = ntohs(a.sin_port);
  close(fd);
  return port;
}


Test(image, push_to_a_registry_and_pull_back) {
  const char *layout = bgt_env("BG_TEST_IMAGE");
  char *dir = bgt_mkdtemp(), *conf = bgt_fmt("%s/config.yml", dir), *out, *err, *digest;
  int port = free_port(), i, up = 0;
  pid_t reg;

  {
    char *yml = bgt_fmt("version: 0.1\nlog: {level: warn}\nstorage: {filesystem: "
                        "{rootdirectory: %s/data}}\nhttp: {addr: 127.0.0.1:%d}\n", dir, port);
    bgt_write_file(conf, yml, strlen(yml));
  }
  reg = fork();
  cr_assert(reg >= 0);
  if (reg == 0) {
    freopen("/dev/null", "w", stdout);
    freopen(bgt_fmt("%s/registry.log", dir), "w", stderr);
    execlp("docker-registry", "docker-registry", "serve", conf, (char *)NULL);
    _exit(127);
  }
  for (i = 0; i < 100 && !up; i++) {
    char *probe[] = {"curl", "-sf", "-o", "/dev/null", bgt_fmt("http://127.0.0.1:%d/v2/", port),
                     NULL};
    up = bgt_run(probe, NULL, NULL, NULL) == 0;
    if (!up)
      nanosleep(&(struct timespec){0, 100000000}, NULL);
  }
  cr_assert(up, "docker-registry did not start");

  {
    char *push[] = {"make", "--no-print-directory", "-s", "push",
                    bgt_fmt("REGISTRY=127.0.0.1:%d/bidgate", port), "TAG=test",
                    bgt_fmt("IMAGE_ARCHES=%s", bgt_env("BG_TEST_IMAGE_ARCHES")), NULL};
    int status = bgt_run(push, NULL, &out, &err);
    cr_assert_eq(status, 0, "make push failed: %s", err);
  }
  digest = bgt_read_file(bgt_fmt("%s.digest", layout), NULL);
  digest[strcspn(digest, "\n")] = '\0';
  cr_expect(strstr(out, bgt_fmt("127.0.0.1:%d/bidgate@%s", port, digest)) != NULL,
            "make push printed %s, the layout's index is %s", out, digest);

  /* Pull the tag back into a new layout: the index digest must not have changed. */
  {
    char *pull[] = {"skopeo", "copy", "--all", "--src-tls-verify=false",
                    bgt_fmt("docker://127.0.0.1:%d/bidgate:test", port),
                    bgt_fmt("oci:%s/pulled:test", dir), NULL};
    char *raw[] = {"skopeo", "inspect", "--raw", bgt_fmt("oci:%s/pulled:test", dir), NULL};
    char *sum;
    cr_assert_eq(bgt_run(pull, NULL, NULL, &err), 0, "skopeo copy back failed: %s", err);
    cr_assert_eq(bgt_run(raw, NULL, &out, NULL), 0);
    bgt_write_file(bgt_fmt("%s/raw", dir), out, strlen(out));
    {
      char *s[] = {"sha256sum", bgt_fmt("%s/raw", dir), NULL};
      sum = first_line_of(s);
    }
    cr_expect(strncmp(sum, digest + 7, 64) == 0, "pulled index sha256:%.64s, pushed %s", sum,
              digest);
  }
  kill(reg, SIGTERM);
  waitpid(reg, NULL, 0);
  bgt_rmrf(dir);
}
