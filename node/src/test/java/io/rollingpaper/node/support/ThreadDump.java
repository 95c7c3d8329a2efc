package io.rollingpaper.node.support;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Every thread of this JVM with its whole stack, the monitors and locks it holds and the one it waits
 * for, as jstack shows them. {@link ThreadInfo#toString()} is not used: it cuts each stack at 8 frames,
 * and the frame that names a hang is often deeper.
 */
public final class ThreadDump {
  private ThreadDump() {
  }

  /** Whether {@code failure} (or a cause or a suppressed exception of it) says that something timed out. */
  public static boolean isTimeout(Throwable failure) {
    return find(failure, 0);
  }

  private static boolean find(Throwable failure, int depth) {
    if (failure == null || depth > 8) {
      return false;
    }
    String message = String.valueOf(failure.getMessage());
    if (failure instanceof java.util.concurrent.TimeoutException || message.contains("timed out")) {
      return true;
    }
    return find(failure.getCause(), depth + 1)
        || Arrays.stream(failure.getSuppressed()).anyMatch(suppressed -> find(suppressed, depth + 1));
  }

  /** The dump, headed by {@code why}. */
  public static String of(String why) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    ThreadInfo[] infos = threads.dumpAllThreads(threads.isObjectMonitorUsageSupported(),
        threads.isSynchronizerUsageSupported());
    StringBuilder out = new StringBuilder(64 * 1024);
    out.append("==== thread dump at ").append(Instant.now()).append(": ").append(why).append('\n');
    long[] deadlocked = threads.findDeadlockedThreads();
    if (deadlocked != null) {
      out.append("DEADLOCKED threads (ids): ").append(Arrays.toString(deadlocked)).append('\n');
    }
    Arrays.sort(infos, Comparator.comparing(ThreadInfo::getThreadName));
    for (ThreadInfo info : infos) {
      append(out, info);
    }
    return out.append("==== end of thread dump (").append(infos.length).append(" threads)\n").toString();
  }

  private static void append(StringBuilder out, ThreadInfo info) {
    out.append('"').append(info.getThreadName()).append("\" #").append(info.getThreadId())
        .append(info.isDaemon() ? " daemon" : "").append(' ').append(info.getThreadState());
    if (info.getLockName() != null) {
      out.append(" on ").append(info.getLockName());
    }
    if (info.getLockOwnerName() != null) {
      out.append(" owned by \"").append(info.getLockOwnerName()).append("\" #").append(info.getLockOwnerId());
    }
    out.append('\n');
    StackTraceElement[] stack = info.getStackTrace();
    MonitorInfo[] monitors = info.getLockedMonitors();
    for (int depth = 0; depth < stack.length; depth++) {
      out.append("\tat ").append(stack[depth]).append('\n');
      for (MonitorInfo monitor : monitors) {
        if (monitor.getLockedStackDepth() == depth) {
          out.append("\t- locked ").append(monitor).append('\n');
        }
      }
    }
    LockInfo[] synchronizers = info.getLockedSynchronizers();
    if (synchronizers.length > 0) {
      out.append("\tLocked synchronizers: ").append(Arrays.toString(synchronizers)).append('\n');
    }
    out.append('\n');
  }
}
