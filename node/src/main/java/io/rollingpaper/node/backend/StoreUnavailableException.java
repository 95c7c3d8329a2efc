package io.rollingpaper.node.backend;

/**
 * The store could not be reached, did not answer, or did not confirm in time; {@link PaperStore} says when
 * an op refused so may be applied all the same.
 */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
