package io.rollingpaper.node.backend;

import java.security.SecureRandom;

/**
 * New epoch names. Random, over 100 bits, so a paper's new epoch never repeats an earlier one, even
 * when the store lost every trace of the earlier one.
 *
 * <p>One is made for every op (the apply script creates the paper with it if it is missing), so it takes its
 * randomness in one {@code nextBytes} call: each call into the default (NativePRNG) generator takes its lock and
 * mixes its output with a SHA-1 digest, and a {@code nextInt} per character made that about 6% of the event
 * loop's time under load (docs/PROFILE.md, "Per-delivery profile").
 */
public final class Epochs {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final int LENGTH = 20;
  /** Bytes at or above this are skipped, so that {@code b % 36} stays uniform (252 = 7 x 36). */
  private static final int UNBIASED_BELOW = 256 - 256 % ALPHABET.length;

  private Epochs() {
  }

  public static String next() {
    char[] out = new char[LENGTH];
    // 20 characters of 36 symbols (103 bits); 1 byte in 64 is skipped, so 32 bytes almost always suffice.
    byte[] random = new byte[32];
    int used = random.length;
    for (int i = 0; i < LENGTH; ) {
      if (used == random.length) {
        RANDOM.nextBytes(random);
        used = 0;
      }
      int b = random[used++] & 0xff;
      if (b < UNBIASED_BELOW) {
        out[i++] = ALPHABET[b % ALPHABET.length];
      }
    }
    return new String(out);
  }
}
