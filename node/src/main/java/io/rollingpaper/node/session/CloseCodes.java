package io.rollingpaper.node.session;

/** The WebSocket close codes of the protocol. */
public final class CloseCodes {
  public static final short NORMAL = 1000;
  public static final short POLICY = 1008;
  public static final short TOO_BIG = 1009;
  public static final short INTERNAL_ERROR = 1011;
  public static final short RESTARTING = 1012;
  public static final short TRY_AGAIN_LATER = 1013;
  /** Never sent: what a socket that closed without a close frame counts as. */
  public static final short ABNORMAL = 1006;
  /** Refused at join: no, bad or expired token. */
  public static final short UNAUTHORIZED = 4401;
  /** Refused at join: the token does not cover this paper. */
  public static final short FORBIDDEN = 4403;
  /** Refused at join: the paper was deleted, or does not exist (a viewer's join). */
  public static final short NOT_FOUND = 4404;
  /** Refused at join: connection caps. */
  public static final short RATE_LIMITED = 4429;

  private CloseCodes() {
  }
}
