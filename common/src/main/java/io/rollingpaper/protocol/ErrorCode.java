package io.rollingpaper.protocol;

/**
 * The protocol's error codes. Declaration order is the precedence order of PROTOCOL.md:
 * where several codes could apply, the one declared first wins.
 */
public enum ErrorCode {
  BAD_FRAME("bad_frame", 400),
  TOO_LARGE("too_large", 413),
  BAD_OP("bad_op", 400),
  UNAUTHORIZED("unauthorized", 401),
  FORBIDDEN("forbidden", 403),
  PAPER_COMPLETED("paper_completed", 409),
  RATE_LIMITED("rate_limited", 429),
  NOT_FOUND("not_found", 404),
  PAPER_FULL("paper_full", 409),
  UNAVAILABLE("unavailable", 503);

  private final String wire;
  private final int httpStatus;

  ErrorCode(String wire, int httpStatus) {
    this.wire = wire;
    this.httpStatus = httpStatus;
  }

  /** The code as it appears in an {@code error} frame or HTTP error body. */
  public String wire() {
    return wire;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** Whether repeated refusals with this code count towards closing the connection with 1008. */
  public boolean countsAsBadInput() {
    return this == BAD_FRAME || this == BAD_OP || this == TOO_LARGE;
  }

  public static ErrorCode fromWire(String wire) {
    for (ErrorCode code : values()) {
      if (code.wire.equals(wire)) {
        return code;
      }
    }
    throw new IllegalArgumentException("unknown error code: " + wire);
  }
}
