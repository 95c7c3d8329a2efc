package io.rollingpaper.node.backend;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New epoch names: 20 characters of [0-9a-z], two halves of 10 base-36 digits. An epoch never comes back: a
 * paper's new epoch must differ from every earlier one, even when the store lost every trace of them.
 *
 * <p>One is made for every op (the apply script creates the paper with it if it is missing), so it must cost
 * next to nothing. Names only have to differ, not be secret (every client of a paper sees its epoch), so
 * randomness is drawn once per process, not per name: the first half is a random number drawn at start, the
 * second a counter starting at another random number. Within a process two names differ in the counter (it
 * wraps after 36^10, about 3.7e15 names); two processes collide only if both of their random draws, about 2^51.7
 * values each, line up. That keeps the ~103 bits the names had when each was drawn from SecureRandom (16 bytes,
 * which NativePRNG mixes with SHA-1 under a lock: 2-3% of the event loop under load, docs/PROFILE.md).
 */
public final class Epochs {
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final int DIGITS_PER_HALF = 10;
  private static final long RANGE = pow(ALPHABET.length, DIGITS_PER_HALF);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long PROCESS = Long.remainderUnsigned(RANDOM.nextLong(), RANGE);
  private static final AtomicLong COUNTER = new AtomicLong(Long.remainderUnsigned(RANDOM.nextLong(), RANGE));

  private Epochs() {
  }

  public static String next() {
    char[] out = new char[2 * DIGITS_PER_HALF];
    digits(PROCESS, out, 0);
    digits(Long.remainderUnsigned(COUNTER.getAndIncrement(), RANGE), out, DIGITS_PER_HALF);
    return new String(out);
  }

  /** {@code v} (0 to RANGE - 1) as 10 base-36 digits at {@code from}. */
  private static void digits(long v, char[] out, int from) {
    for (int i = from + DIGITS_PER_HALF - 1; i >= from; i--) {
      out[i] = ALPHABET[(int) (v % ALPHABET.length)];
      v /= ALPHABET.length;
    }
  }

  private static long pow(long base, int exponent) {
    long v = 1;
    for (int i = 0; i < exponent; i++) {
      v *= base;
    }
    return v;
  }
}
