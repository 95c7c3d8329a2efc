package io.rollingpaper.loadgen;

import io.vertx.core.Context;
import io.vertx.core.http.WebSocketClient;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The papers and clients driven by one event loop, with their counters and latency histogram.
 * Every field is touched only on {@link #ctx}; the coordinator reaches it through {@link #call}.
 */
final class Shard {
  /** Latency is recorded in microseconds, up to a minute, 3 significant digits. */
  static final long MAX_LATENCY_US = 60_000_000L;
  private static final long LATE_NS = 5_000_000L;

  final Context ctx;
  /**
   * One per local (source) address; held for as long as their sockets live: Vert.x closes the
   * connections of a collected client.
   */
  final List<WebSocketClient> wsClients;
  final List<PaperLoad> papers = new ArrayList<>();
  final List<LoadClient> clients = new ArrayList<>();
  private final long base;
  private final String pad;

  // The current step.
  private double rate;
  private long stepStart;
  private long measureStart;
  private long measureEnd;
  private long cpuStart;
  private long cpuEnd;
  private boolean sending;
  private long timerId = -1;
  boolean closing;

  // Counters of the current step (reset by startStep).
  final Histogram latency = new Histogram(MAX_LATENCY_US, 3);
  long sent;
  long acked;
  long refused;
  long notSent;
  long skipped;
  long delivered;
  long deliveredTotal;
  /** Deliveries in the part of the window where CPU is read. */
  long deliveredInCpuWindow;
  long lateSends;
  long maxLagNs;
  long gaps;
  /** Deltas below the highest seq the client already had, other than a repeat of the last one: out of order. */
  long reordered;
  /** Deltas repeating the seq just received. */
  long duplicates;
  long resnapshots;
  long presenceFrames;
  long otherFrames;
  long unparsable;
  long exceptions;
  long lostClients;
  /** Per second of the window: deliveries, worst latency (µs) and worst send lag (µs). */
  long[] secDelivered = new long[0];
  long[] secMaxLatencyUs = new long[0];
  long[] secMaxLagUs = new long[0];
  final Map<String, Long> errors = new HashMap<>();
  final Map<String, Long> closes = new HashMap<>();

  Shard(Context ctx, List<WebSocketClient> wsClients, long base, String pad) {
    this.ctx = ctx;
    this.wsClients = wsClients;
    this.base = base;
    this.pad = pad;
  }

  /** Runs {@code task} on the shard's event loop and waits for its result. */
  <T> T call(Supplier<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      try {
        f.complete(task.get());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    });
    return f.join();
  }

  /** Resets the counters and starts sending at {@code ratePerPaper}; call on the context. */
  void startStep(double ratePerPaper, long start, long measureFrom, long measureTo, long cpuFrom, long cpuTo,
      int totalPapers) {
    latency.reset();
    sent = acked = refused = notSent = skipped = delivered = deliveredTotal = deliveredInCpuWindow = 0;
    lateSends = maxLagNs = gaps = reordered = duplicates = resnapshots = presenceFrames = otherFrames = unparsable = exceptions = lostClients = 0;
    errors.clear();
    closes.clear();
    int seconds = (int) ((measureTo - measureFrom + 999_999_999L) / 1_000_000_000L);
    secDelivered = new long[seconds];
    secMaxLatencyUs = new long[seconds];
    secMaxLagUs = new long[seconds];
    rate = ratePerPaper;
    stepStart = start;
    measureStart = measureFrom;
    measureEnd = measureTo;
    cpuStart = cpuFrom;
    cpuEnd = cpuTo;
    double interval = 1e9 / ratePerPaper;
    for (PaperLoad p : papers) {
      p.sentInStep = 0;
      // Papers' schedules are spread over one interval so their ops do not all leave at once.
      p.offsetNanos = (long) (interval * p.index / totalPapers);
    }
    sending = rate > 0;
    if (timerId < 0) {
      timerId = ctx.owner().setPeriodic(1, id -> tick());
    }
  }

  void stopSending() {
    sending = false;
    if (timerId >= 0) {
      ctx.owner().cancelTimer(timerId);
      timerId = -1;
    }
  }

  private void tick() {
    if (!sending) {
      return;
    }
    long now = System.nanoTime();
    if (now >= measureEnd) {
      stopSending();
      return;
    }
    double interval = 1e9 / rate;
    long maxBurst = Math.max(100, (long) rate);
    for (PaperLoad p : papers) {
      long start = stepStart + p.offsetNanos;
      if (now < start) {
        continue;
      }
      long due = (long) ((now - start) / interval) + 1;
      long burst = 0;
      while (p.sentInStep < due && burst < maxBurst) {
        long intended = start + (long) (p.sentInStep * interval);
        if (intended >= measureStart) {
          long lag = now - intended;
          if (lag > maxLagNs) {
            maxLagNs = lag;
          }
          if (lag > LATE_NS) {
            lateSends++;
          }
          int sec = (int) ((intended - measureStart) / 1_000_000_000L);
          if (sec < secMaxLagUs.length && lag / 1000 > secMaxLagUs[sec]) {
            secMaxLagUs[sec] = lag / 1000;
          }
        }
        LoadClient c = p.nextSender();
        if (c == null) {
          notSent++;
        } else {
          c.sendPut(p.nextNoteId(), System.nanoTime() - base, pad);
          sent++;
        }
        p.sentInStep++;
        burst++;
      }
      if (p.sentInStep < due) {
        // More than a second behind: the load generator cannot keep up; drop rather than burst.
        skipped += due - p.sentInStep;
        p.sentInStep = due;
      }
    }
  }

  void onDelivery(long now, long t) {
    deliveredTotal++;
    if (now >= measureStart && now < measureEnd) {
      delivered++;
      if (now >= cpuStart && now < cpuEnd) {
        deliveredInCpuWindow++;
      }
      int sec = (int) ((now - measureStart) / 1_000_000_000L);
      secDelivered[sec]++;
      if (t >= 0) {
        long us = Math.min(Math.max((now - base - t) / 1000, 0), MAX_LATENCY_US);
        latency.recordValue(us);
        if (us > secMaxLatencyUs[sec]) {
          secMaxLatencyUs[sec] = us;
        }
      }
    }
  }

  long outstanding() {
    return sent - acked - refused;
  }
}
