/* xgbc_version.h - the compiler's version, written into every file it generates. */
#ifndef XGBC_VERSION_H
#define XGBC_VERSION_H

#define XGBC_VERSION "0.1.0"

#endif /* XGBC_VERSION_H */
