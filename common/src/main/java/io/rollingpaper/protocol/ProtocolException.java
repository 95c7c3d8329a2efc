package io.rollingpaper.protocol;

/** A refused frame or op, as the client will see it: a code, a message, and the op's cid if known. */
public class ProtocolException extends RuntimeException {
  private final ErrorCode code;
  private final String cid;

  public ProtocolException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ProtocolException(ErrorCode code, String message, String cid) {
    super(message, null, false, false);
    this.code = code;
    this.cid = cid;
  }

  public ErrorCode code() {
    return code;
  }

  /** The cid of the refused op, or null when there was none or it was itself invalid. */
  public String cid() {
    return cid;
  }

  public ProtocolException withCid(String newCid) {
    return new ProtocolException(code, getMessage(), newCid);
  }
}
