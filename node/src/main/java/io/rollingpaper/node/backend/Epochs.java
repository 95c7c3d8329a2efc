package io.rollingpaper.node.backend;

import java.security.SecureRandom;

/**
 * New epoch names. Random, over 100 bits, so a paper's new epoch never repeats an earlier one, even
 * when the store lost every trace of the earlier one.
 */
public final class Epochs {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

  private Epochs() {
  }

  public static String next() {
    char[] out = new char[20];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(out);
  }
}
