package io.rollingpaper.protocol;

/** The id rules shared by papers and notes: 1 to 64 characters of [A-Za-z0-9_-]. */
public final class Ids {
  private static final int MAX_LENGTH = 64;

  private Ids() {
  }

  public static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
