package io.rollingpaper.node.auth;

/** A refused handshake: 401 for a missing or bad token, 403 for a token that does not cover the paper. */
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
