package io.rollingpaper.node.paper;

/** Where one session stands in its paper's stream. */
final class Cursor {
  /** The epoch of the session's last snapshot or resume. */
  String epoch;
  /** The last seq the session was given (by its snapshot, resume or a delta). */
  long seq;
  /** The session has its first frame; until then nothing else is sent to it. */
  boolean ready;
  /** Deltas the ring no longer holds are being fetched from the store for it. */
  boolean catchingUp;
  /** The newest presence change the session reflects. */
  long presenceVersion;
  boolean completedSent;
}
