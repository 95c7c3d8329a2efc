package io.rollingpaper.node.support;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints every thread of the test JVM when a test or class is reported failed by a timeout that
 * {@link ThreadDumpOnTimeout} did not see: one raised after the tear-down methods, such as vertx-junit5's
 * "Closing the Vertx context timed out" (its Vert.x still closing, so the dump shows what holds it).
 * Registered for the whole module in {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}.
 */
public final class ThreadDumpOnLateTimeout implements TestExecutionListener {

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (result.getStatus() != TestExecutionResult.Status.FAILED) {
      return;
    }
    result.getThrowable()
        .filter(failure -> ThreadDump.isTimeout(failure) && !ThreadDumpOnTimeout.Attached.in(failure))
        .ifPresent(failure -> {
          System.out.print(ThreadDump.of(test.getUniqueId() + " failed after its tear-down: " + failure)
              + TestClient.describeOpen());
          System.out.flush();
        });
  }
}
