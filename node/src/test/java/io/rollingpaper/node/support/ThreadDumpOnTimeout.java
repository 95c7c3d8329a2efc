package io.rollingpaper.node.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When a test or one of its set-up or tear-down methods fails because a wait timed out (vertx-junit5's
 * {@code @Timeout}, JUnit's, a {@link Poll}), prints every thread of the test JVM and the state of every
 * open {@link TestClient} to the test's output, and attaches the same text to the failure so that the
 * build log shows it too. It runs at the moment of the failure, before the tear-down stops the nodes
 * and closes the Vert.x instances whose threads and futures show what was stuck.
 *
 * <p>Applies to every test class of the module without opting in: it is registered in
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and switched on by
 * {@code junit-platform.properties}. Timeouts reported only after the tear-down (closing the test's
 * Vert.x) are {@link ThreadDumpOnLateTimeout}'s.
 */
public final class ThreadDumpOnTimeout implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw dumped(context, "test method", failure);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw dumped(context, "@BeforeAll", failure);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw dumped(context, "@BeforeEach", failure);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw dumped(context, "@AfterEach", failure);
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw dumped(context, "@AfterAll", failure);
  }

  private static Throwable dumped(ExtensionContext context, String phase, Throwable failure) {
    if (ThreadDump.isTimeout(failure) && !Attached.in(failure)) {
      String dump = ThreadDump.of(phase + " of " + context.getUniqueId() + " timed out: " + failure)
          + TestClient.describeOpen();
      System.out.print(dump);
      System.out.flush();
      failure.addSuppressed(new Attached(dump));
    }
    return failure;
  }

  /** The dump, riding on the failure as a suppressed exception with no stack of its own. */
  static final class Attached extends Exception {
    Attached(String dump) {
      super("the test JVM when the timeout fired (also in the test's output):\n" + dump, null, false, false);
    }

    static boolean in(Throwable failure) {
      for (Throwable suppressed : failure.getSuppressed()) {
        if (suppressed instanceof Attached) {
          return true;
        }
      }
      return false;
    }
  }
}
