package io.rollingpaper.loadgen;

/**
 * The wire protocol a {@link LoadClient} speaks: where it connects, how an op is framed, where a delta
 * starts in a server message and what every other message means. Everything the measurement depends on
 * (the send time carried in the note, the delta's seq, cid and {@code t}) is read by LoadClient with
 * {@link Frames} for every dialect alike, so both targets are measured the same way; a dialect only
 * peels off its framing.
 */
interface WireDialect {

  /** The WebSocket URI of {@code user}'s connection at {@code baseUrl} (ws://host:port, no trailing slash). */
  String uri(String baseUrl, String user);

  /** One op frame; {@code opJson} is the op object, e.g. {@code {"kind":"note.put","note":{…}}}. */
  String opFrame(String cid, String opJson);

  /**
   * Where the delta object starts in {@code s} (its opening brace), or -1 when {@code s} is not a
   * delta. Must be cheap: it runs on every delivery.
   */
  int deltaStart(String s);

  /** Interprets a message that is not a delta (rare: handshake, snapshot, errors, presence, pings). */
  void onOther(String s, Events events);

  /** What a dialect reports back to its client (implemented by {@link LoadClient}). */
  interface Events {
    /** Sends a protocol-level frame (Socket.IO's connect, join and pong). */
    void send(String frame);

    /** A snapshot as of {@code seq}: the join is complete, or (when already joined) a resnapshot. */
    void snapshot(long seq);

    /** A resume succeeded at {@code seq}. */
    void resumed(long seq);

    /** An op or frame was refused; {@code cid} is the refused op's, or empty. */
    void error(String code, String cid);

    /** The server refused the connection itself (Socket.IO's connect_error). */
    void refused(String reason);

    void presence();

    void other();

    void unparsable();
  }
}
