package io.rollingpaper.node.http;

/** Whether the node is shutting down: it then refuses new sessions and reports itself not ready. */
public final class Draining {
  private volatile boolean draining;

  public boolean isDraining() {
    return draining;
  }

  public void start() {
    draining = true;
  }
}
