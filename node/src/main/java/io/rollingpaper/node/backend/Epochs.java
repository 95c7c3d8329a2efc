package io.rollingpaper.node.backend;

import java.security.SecureRandom;

/**
 * New epoch names. Random, over 100 bits, so a paper's new epoch never repeats an earlier one, even
 * when the store lost every trace of the earlier one.
 *
 * <p>One is made for every op (the apply script creates the paper with it if it is missing), so it costs as few
 * random bytes as it can: the default (NativePRNG) generator mixes every byte it returns with SHA-1 output under a
 * lock, and the earlier {@code nextInt} per character (80 bytes a name) made that about 6% of the event loop's
 * time under load (docs/PROFILE.md, "Per-delivery profile"). Now 16 bytes: two 64-bit numbers, each written as
 * 10 base-36 digits (36^10 is about 2^51.7; the remainder's bias, under 2^-12 of a digit string's share, does not
 * matter for names that only have to differ).
 */
public final class Epochs {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final int DIGITS_PER_LONG = 10;
  private static final long RANGE = pow(ALPHABET.length, DIGITS_PER_LONG);

  private Epochs() {
  }

  public static String next() {
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    char[] out = new char[2 * DIGITS_PER_LONG];
    digits(toLong(random, 0), out, 0);
    digits(toLong(random, 8), out, DIGITS_PER_LONG);
    return new String(out);
  }

  private static void digits(long random, char[] out, int from) {
    long v = Long.remainderUnsigned(random, RANGE);
    for (int i = from + DIGITS_PER_LONG - 1; i >= from; i--) {
      out[i] = ALPHABET[(int) (v % ALPHABET.length)];
      v /= ALPHABET.length;
    }
  }

  private static long toLong(byte[] b, int at) {
    long v = 0;
    for (int i = at; i < at + 8; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  private static long pow(long base, int exponent) {
    long v = 1;
    for (int i = 0; i < exponent; i++) {
      v *= base;
    }
    return v;
  }
}
