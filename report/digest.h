/* SHA-256 of a text, as lowercase hex (nettle's sha2).
 *
 * Reports carry the digest of the resolved scenario so any result can be
 * traced back to the exact configuration that produced it and rerun. */
#ifndef REPORT_DIGEST_H
#define REPORT_DIGEST_H

#include <stddef.h>

#define RPT_SHA256_HEX_LEN 64

/* out receives 64 hex digits and a NUL. data may be NULL when len is 0. */
void rpt_sha256_hex(const char *data, size_t len, char out[RPT_SHA256_HEX_LEN + 1]);

#endif
