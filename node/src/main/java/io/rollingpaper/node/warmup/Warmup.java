package io.rollingpaper.node.warmup;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rollingpaper.node.backend.Backend;
import io.rollingpaper.node.backend.BrokerListener;
import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.backend.PaperStore;
import io.rollingpaper.node.config.NodeConfig;
import io.rollingpaper.node.config.RateLimits;
import io.rollingpaper.node.config.UserBudgets;
import io.rollingpaper.node.metrics.NodeMetrics;
import io.rollingpaper.node.paper.PaperHub;
import io.rollingpaper.node.session.SessionLimits;
import io.rollingpaper.node.session.UserAllowances;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Runs the node's hot paths before it reports ready, so the first clients meet compiled code rather than the
 * interpreter: a few writers on a paper of its own (a random {@code warmup-…} id nobody else can guess)
 * join, send ops and signals, receive every delta, leave and resume, against the node's own store and
 * broker. Everything else is the warm-up's own: a hub whose metrics go to a registry nobody scrapes,
 * sessions on {@link LoopbackSocket}s (no HTTP connection for the server's metrics to count), no lifecycle
 * store (no archive read, no webhook, no activity record). At the end the paper is evicted from the store the
 * way an idle paper is, which removes all its keys and publishes nothing. A warm-up that fails or overruns is
 * logged and the node is ready anyway: a cold node is better than one that never serves.
 */
public final class Warmup {
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  private static final int CLIENTS = 12;
  /** Enough for the JIT's top tier on every per-op and per-delivery method; a fast machine stops here. */
  private static final long MAX_OPS = 24_000;
  /** Beyond the work itself, the longest the clean-up may take before the node is ready regardless. */
  private static final Duration GRACE = Duration.ofSeconds(10);
  private static final int UNLIMITED = 1_000_000;

  private final Vertx vertx;
  private final Context context;
  private final NodeConfig config;
  private final Backend backend;
  /** Where the warm-up paper's channel messages go while the warm-up runs; null before and after. */
  private BrokerListener warmupHub;
  private final String paper = "warmup-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
  private boolean finished;
  private Workload workload;
  private long workStart;
  private final List<WarmupClient> clients = new ArrayList<>();

  public Warmup(Vertx vertx, Context context, NodeConfig config, Backend backend) {
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.backend = backend;
    this.finished = !config.warmup().enabled();
  }

  /**
   * The listener to start the broker with: the warm-up paper's messages go to the warm-up's hub while it
   * runs, everything else (and, after the warm-up, everything) to {@code node}.
   */
  public BrokerListener routing(BrokerListener node) {
    return new BrokerListener() {
      @Override
      public void onMessage(String channelPaper, ChannelMessage message) {
        BrokerListener warm = warmupHub;
        (warm != null && paper.equals(channelPaper) ? warm : node).onMessage(channelPaper, message);
      }

      @Override
      public void onResubscribed() {
        BrokerListener warm = warmupHub;
        if (warm != null) {
          warm.onResubscribed();
        }
        node.onResubscribed();
      }
    };
  }

  /** True once the warm-up has ended (done, failed, timed out or turned off): readiness waits for it. */
  public boolean finished() {
    return finished;
  }

  /** Runs the warm-up on the node's event loop; never fails. */
  public Future<Void> run() {
    if (finished) {
      return Future.succeededFuture();
    }
    long start = System.nanoTime();
    Promise<Void> done = Promise.promise();
    long overrun = vertx.setTimer(config.warmup().duration().plus(GRACE).toMillis(), t -> {
      LOG.warn("node={} warm-up still running after {} ms ({}); ready without it", config.nodeId(),
          (System.nanoTime() - start) / 1_000_000, workload == null ? "not started" : workload.progress() + "; "
              + clients.stream().map(WarmupClient::state).toList());
      end();
      done.tryComplete();
    });
    vertx.executeBlocking(() -> new NodeMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
        .compose(metrics -> work(metrics).eventually(() -> {
          metrics.close();
          return Future.succeededFuture();
        }))
        .onComplete(result -> {
          vertx.cancelTimer(overrun);
          long ms = (System.nanoTime() - start) / 1_000_000;
          if (result.succeeded()) {
            LOG.info("node={} warmed up in {} ms ({} ms of set-up): {} sessions sent {} ops and received {} frames on {} ({})",
                config.nodeId(), ms, (workStart - start) / 1_000_000, workload.sessions(), workload.opsStarted(), workload.framesReceived(), paper,
                backend.description());
          } else if (!finished) {
            LOG.warn("node={} warm-up failed after {} ms, ready without it: {}", config.nodeId(), ms,
                result.cause().toString());
          }
          end();
          done.tryComplete();
        });
    return done.future();
  }

  /** Stops starting ops; the run winds down and cleans up as it would at its deadline. */
  public void stop() {
    if (workload != null) {
      workload.stop();
    }
  }

  private void end() {
    warmupHub = null;
    finished = true;
  }

  private Future<Void> work(NodeMetrics metrics) {
    // From now, not from the start: building the registry took seconds on a loaded machine, and the
    // duration is what the hot paths get.
    workStart = System.nanoTime();
    workload = new Workload(workStart + config.warmup().duration().toNanos(), MAX_OPS);
    PaperStore store = backend.store();
    PaperHub hub = new PaperHub(vertx, config.nodeId(), store, backend.broker(), metrics, Duration.ofMillis(250),
        Duration.ofMillis(1));
    hub.start();
    warmupHub = hub;
    SessionLimits limits = new SessionLimits(config.limits(), config.sendQueue().softBytes(), config.sendQueue().maxBytes(),
        config.rates().badFrameLimit(), new RateLimits(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED,
        config.rates().badFrameLimit(), UNLIMITED, UNLIMITED, false), new UserAllowances(new UserBudgets(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED)));
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(new WarmupClient(vertx, context, config.nodeId(), paper, "warmup" + i, hub, limits, workload));
    }
    // One after another: the first creates the paper, the others join it as later visitors do.
    Future<Void> joined = Future.succeededFuture();
    for (WarmupClient client : clients) {
      joined = joined.compose(ignored -> client.connect(workload.nextSessionNumber()));
    }
    return joined
        .compose(ignored -> wound(clients))
        .eventually(() -> {
          clients.forEach(WarmupClient::disconnect);
          return hub.settled(GRACE);
        })
        .eventually(() -> {
          hub.stop();
          return evict(store, 20);
        })
        .compose(ignored -> workload.failure() == null ? Future.succeededFuture() : Future.failedFuture(workload.failure()));
  }

  /** Completes once the workload has stopped and every client has had its ops answered. */
  private Future<Void> wound(List<WarmupClient> clients) {
    Promise<Void> done = Promise.promise();
    vertx.setPeriodic(20, id -> {
      if (workload.failure() != null || (workload.stopped() && clients.stream().allMatch(WarmupClient::idle))) {
        vertx.cancelTimer(id);
        done.complete();
      }
    });
    return done.future();
  }

  /**
   * Removes the paper's keys as the idle sweep does (lease, then compare-and-delete; nothing published), and
   * its entry in the activity record. The last leaves may still be on their way: the lease is retried.
   */
  private Future<Void> evict(PaperStore store, int attempts) {
    return store.claimIdle(paper, config.nodeId(), 0, GRACE.toMillis()).compose(claimed -> {
      if (claimed == null) {
        if (attempts <= 1) {
          return Future.failedFuture(new IllegalStateException("the warm-up paper " + paper + " could not be removed"));
        }
        Promise<Void> later = Promise.promise();
        vertx.setTimer(25, t -> evict(store, attempts - 1).onComplete(later));
        return later.future();
      }
      return store.evict(paper, config.nodeId(), claimed.epoch(), claimed.seq())
          .compose(evicted -> evicted ? store.forgetActive(paper)
              : Future.failedFuture(new IllegalStateException("the warm-up paper " + paper + " changed while removed")));
    });
  }
}
