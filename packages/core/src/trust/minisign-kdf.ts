import { scrypt } from "node:crypto";

/** libsodium's `crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE`, what `minisign -G` writes. */
export const OPSLIMIT_SENSITIVE = 33_554_432;
/** libsodium's `crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE` (bytes), what `minisign -G` writes. */
export const MEMLIMIT_SENSITIVE = 1_073_741_824;

/** scrypt's cost parameters. */
interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * Turns the opslimit / memlimit a minisign secret key file stores into scrypt's N, r and p, the
 * way libsodium's scryptsalsa208sha256 does (its `pickparams`: r is 8; when the ops budget is
 * the smaller one, p = 1 and N follows the ops; otherwise N follows the memory and p the ops).
 */
export function scryptCost(opslimit: number, memlimit: number): ScryptCost {
  const ops = Math.max(opslimit, 32_768);
  const r = 8;
  const log2Above = (max: number) => {
    let log2 = 1;
    while (log2 < 63 && 2 ** log2 <= max / 2) log2 += 1;
    return log2;
  };
  if (ops < memlimit / 32) {
    return { N: 2 ** log2Above(Math.floor(ops / (r * 4))), r, p: 1 };
  }
  const log2 = log2Above(Math.floor(memlimit / (r * 128)));
  const maxrp = Math.min(Math.floor(ops / 4 / 2 ** log2), 0x3fffffff);
  return { N: 2 ** log2, r, p: Math.max(1, Math.floor(maxrp / r)) };
}

/** The key stream a minisign secret key's `keynum_sk` block is XORed with. */
export function kdfStream(
  password: string,
  salt: Uint8Array,
  opslimit: number,
  memlimit: number,
  length: number,
): Promise<Buffer> {
  const { N, r, p } = scryptCost(opslimit, memlimit);
  const maxmem = 2 * 128 * N * r * p + 32 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password, "utf8"), salt, length, { N, r, p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
