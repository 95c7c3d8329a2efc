package io.rollingpaper.node.warmup;

/**
 * How much warm-up work is left: ops may start until the deadline passes or the op budget is spent,
 * whichever comes first (a fast machine is warm before the deadline). Counts what was done for the log line.
 */
final class Workload {
  private final long deadlineNanos;
  private final long maxOps;
  private long opsStarted;
  private long framesReceived;
  private long sessions;
  private boolean stopped;
  private Throwable failure;

  Workload(long deadlineNanos, long maxOps) {
    this.deadlineNanos = deadlineNanos;
    this.maxOps = maxOps;
  }

  /** Takes one op from the budget; false once the warm-up should wind down. */
  boolean mayStart() {
    if (stopped || opsStarted >= maxOps || System.nanoTime() - deadlineNanos > 0) {
      stopped = true;
      return false;
    }
    opsStarted++;
    return true;
  }

  /** Whether a client may still leave and come back (not while winding down: it would only delay the end). */
  boolean mayReconnect() {
    return !stopped;
  }

  void received() {
    framesReceived++;
  }

  long nextSessionNumber() {
    return ++sessions;
  }

  void failed(Throwable error) {
    if (failure == null) {
      failure = error;
    }
    stopped = true;
  }

  void stop() {
    stopped = true;
  }

  boolean stopped() {
    return stopped;
  }

  Throwable failure() {
    return failure;
  }

  long opsStarted() {
    return opsStarted;
  }

  long framesReceived() {
    return framesReceived;
  }

  long sessions() {
    return sessions;
  }

  /** What was done so far, for a warning. */
  String progress() {
    return sessions + " sessions, " + opsStarted + " ops, " + framesReceived + " frames received"
        + (stopped ? ", winding down" : "");
  }
}
