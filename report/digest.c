/* SHA-256 hex digests with nettle (no hand-rolled cryptography). */
#include "digest.h"

#include <stdint.h>

#include <nettle/sha2.h>

void rpt_sha256_hex(const char *data, size_t len, char out[RPT_SHA256_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	if (len)
		sha256_update(&ctx, len, (const uint8_t *)data);
	sha256_digest(&ctx, sizeof digest, digest);
	for (size_t i = 0; i < sizeof digest; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[RPT_SHA256_HEX_LEN] = '\0';
}
