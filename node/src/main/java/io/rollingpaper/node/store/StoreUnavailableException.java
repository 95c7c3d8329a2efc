package io.rollingpaper.node.store;

/** The store could not be reached or did not answer; nothing was applied. */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
