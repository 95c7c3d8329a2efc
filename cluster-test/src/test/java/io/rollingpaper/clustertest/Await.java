package io.rollingpaper.clustertest;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Bounded waits: a condition is polled on a scheduler thread and the caller waits on a future with a
 * deadline. A condition that throws fails the wait at once (e.g. a process that died while we waited
 * for it to become ready).
 */
final class Await {
  private static final ScheduledExecutorService POLLER = Executors.newScheduledThreadPool(1, runnable -> {
    Thread thread = new Thread(runnable, "await-poller");
    thread.setDaemon(true);
    return thread;
  });
  private static final Duration INTERVAL = Duration.ofMillis(100);

  private Await() {
  }

  static void until(String what, Duration timeout, BooleanSupplier condition) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ScheduledFuture<?> poll = POLLER.scheduleWithFixedDelay(() -> {
      try {
        if (condition.getAsBoolean()) {
          done.complete(null);
        }
      } catch (Throwable error) {
        done.completeExceptionally(error);
      }
    }, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("waiting for " + what + " failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + what, e);
    } finally {
      poll.cancel(false);
    }
  }

  /** Waits for a future with a deadline; its failure is rethrown. */
  static <T> T result(String what, Duration timeout, java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + what, e);
    }
  }
}
