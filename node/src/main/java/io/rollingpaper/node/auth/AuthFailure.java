package io.rollingpaper.node.auth;

/** A refused token: 401 (told as 4401) for a missing, bad or expired one, 403 (4403) for one that does not cover the paper. */
public final class AuthFailure extends RuntimeException {
  private final int status;

  public AuthFailure(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
