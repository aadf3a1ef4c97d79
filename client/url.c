/* url.c - parses bidload's target URLs into socket addresses and request lines. */
#include "url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int bl_url_parse(const char *url_in, size_t len, struct bl_target *t, char *err, size_t errlen) {
  const char *p, *host_end, *path, *url = t->url;
  char host[64];
  unsigned long port = 80;
  size_t n;

  memset(t, 0, sizeof *t);
  if (len == (size_t)-1)
    len = strlen(url_in);
  if (len >= sizeof t->url) {
    snprintf(err, errlen, "%.40s...: URL longer than %zu bytes", url_in, sizeof t->url - 1);
    return -1;
  }
  memcpy(t->url, url_in, len);
  t->url[len] = 0;
  if (strncmp(url, "https://", 8) == 0) {
    snprintf(err, errlen, "%s: https is not supported (bidload speaks plain HTTP/1.1)", url);
    return -1;
  }
  if (strncmp(url, "http://", 7) != 0) {
    snprintf(err, errlen, "%s: expected http://HOST[:PORT][/PATH]", url);
    return -1;
  }
  p = url + 7;
  path = strchr(p, '/');
  if (!path)
    path = p + strlen(p);
  host_end = memchr(p, ':', (size_t)(path - p));
  if (!host_end)
    host_end = path;
  n = (size_t)(host_end - p);
  if (n == 0 || n >= sizeof host) {
    snprintf(err, errlen, "%s: missing or overlong host", url);
    return -1;
  }
  memcpy(host, p, n);
  host[n] = 0;
  if (host_end < path) {
    char *end;
    const char *ps = host_end + 1;
    port = strtoul(ps, &end, 10);
    if (ps == path || end != path || port == 0 || port > 65535) {
      snprintf(err, errlen, "%s: bad port", url);
      return -1;
    }
  }
  if (strlen(path) >= sizeof t->path) {
    snprintf(err, errlen, "%s: path longer than %zu bytes", url, sizeof t->path - 1);
    return -1;
  }
  strcpy(t->path, *path ? path : "/");
  t->addr.sin_family = AF_INET;
  t->addr.sin_port = htons((uint16_t)port);
  if (strcmp(host, "localhost") == 0) {
    t->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  } else if (inet_pton(AF_INET, host, &t->addr.sin_addr) != 1) {
    snprintf(err, errlen, "%s: host must be a numeric IPv4 address or localhost (bidload does no DNS)", url);
    return -1;
  }
  if (port == 80)
    snprintf(t->hostport, sizeof t->hostport, "%s", host);
  else
    snprintf(t->hostport, sizeof t->hostport, "%s:%lu", host, port);
  return 0;
}
