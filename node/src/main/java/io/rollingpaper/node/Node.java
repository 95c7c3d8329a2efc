package io.rollingpaper.node;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rollingpaper.node.archive.ArchiveServices;
import io.rollingpaper.node.auth.ApiKeyGuard;
import io.rollingpaper.node.auth.TokenVerifier;
import io.rollingpaper.node.config.NodeConfig;
import io.rollingpaper.node.http.Draining;
import io.rollingpaper.node.transport.HandshakeDeadline;
import io.rollingpaper.node.transport.WebSocketUpgrade;
import io.rollingpaper.node.http.HealthApi;
import io.rollingpaper.node.http.PaperApi;
import io.rollingpaper.node.config.LifecycleSettings;
import io.rollingpaper.node.lifecycle.IdleSweeper;
import io.rollingpaper.node.lifecycle.LifecycleStore;
import io.rollingpaper.node.backend.PaperStore;
import java.time.Clock;
import io.rollingpaper.node.http.StaticFiles;
import io.rollingpaper.node.http.UnknownRoutes;
import io.rollingpaper.node.http.WebSocketEndpoint;
import io.rollingpaper.node.metrics.HandshakeRefusals;
import io.rollingpaper.node.metrics.NodeMetrics;
import io.rollingpaper.node.paper.PaperHub;
import io.rollingpaper.node.session.CloseCodes;
import io.rollingpaper.node.session.Heartbeat;
import io.rollingpaper.node.session.SessionLimits;
import io.rollingpaper.node.session.UserAllowances;
import io.rollingpaper.node.backend.Backend;
import io.rollingpaper.node.warmup.Warmup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Rolling Paper Live node: the backend (memory or Redis), the hub of papers it serves, and the
 * HTTP server (WebSocket endpoint, backend API, health, metrics, the demo board). Deployed once per
 * process; everything it owns runs on its event loop.
 */
public final class Node extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final int CLOSING_TIMEOUT_SECONDS = 1;

  private final NodeConfig config;
  private final PrometheusMeterRegistry registry;
  private final Draining draining = new Draining();
  private ArchiveServices archiving;
  private Backend backend;
  private PaperHub hub;
  private NodeMetrics metrics;
  /** The store everything uses: the live one, with the archive and webhook behind it when configured. */
  private PaperStore store;
  private IdleSweeper idleSweeper;
  private HttpServer server;
  private Heartbeat heartbeat;
  private HandshakeDeadline handshakeDeadline;
  private Warmup warmup;

  public Node(NodeConfig config, PrometheusMeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    if (config.auth().enabled()) {
      LOG.info("node={} auth on: {}", config.nodeId(), config.auth());
    } else {
      LOG.warn("node={} auth is OFF: clients name themselves and every connection may do everything", config.nodeId());
    }
    // Binding the JVM's and the process's meters loads management classes for seconds on a busy machine.
    return vertx.executeBlocking(() -> new NodeMetrics(registry)).compose(created -> {
      metrics = created;
      return ArchiveServices.start(vertx, config.nodeId(), config.archive(), registry);
    }).compose(started -> {
      archiving = started;
      return Backend.create(vertx, context, config);
    }).compose(created -> {
      backend = created;
      store = lifecycleStore();
      hub = new PaperHub(vertx, config.nodeId(), store, backend.broker(), metrics,
          config.papers().checkInterval(), config.papers().unsubscribeLinger());
      warmup = new Warmup(vertx, context, config, backend);
      // The broker delivers to one listener for life: the warm-up's paper goes to its own hub, the rest here.
      return backend.start(warmup.routing(hub));
    }).compose(receiving -> {
      hub.start();
      heartbeat = new Heartbeat(vertx, config.nodeId(), config.wire().heartbeatInterval(),
          config.wire().heartbeatTimeout());
      heartbeat.start();
      handshakeDeadline = new HandshakeDeadline(vertx, config.nodeId(), config.wire().handshakeTimeout());
      handshakeDeadline.start();
      return vertx.createHttpServer(serverOptions())
          .connectionHandler(handshakeDeadline::opened)
          .requestHandler(handshakeDeadline.watching(router()))
          .listen(config.listen().port(), config.listen().host());
    }).onSuccess(listening -> {
      server = listening;
      LOG.info("node={} listening on http://{}:{} (store: {})", config.nodeId(), config.listen().host(), port(),
          backend.description());
      // After listening, so readiness can answer "warming up" meanwhile; the node is ready once it ends.
      warmup.run();
    });
  }

  /**
   * With an archive or a webhook, the live store gets the archive behind it; with an archive, idle papers are
   * moved out of the live store by every node's sweeper.
   */
  private PaperStore lifecycleStore() {
    if (archiving.archive().isEmpty() && archiving.outbox().isEmpty()) {
      return backend.store();
    }
    LifecycleStore lifecycle = new LifecycleStore(backend.store(), archiving.archive(), archiving.outbox(),
        archiving::eventQueued, Clock.systemUTC());
    if (archiving.archive().isPresent()) {
      LifecycleSettings settings = config.lifecycle();
      idleSweeper = new IdleSweeper(vertx, config.nodeId(), lifecycle, settings.paperIdleTtl(),
          settings.idleSweepInterval(), Clock.systemUTC());
      idleSweeper.start();
      LOG.info("node={} papers with no op for {} move to the archive (checked every {})", config.nodeId(),
          settings.paperIdleTtl(), settings.idleSweepInterval());
    }
    return lifecycle;
  }

  private HttpServerOptions serverOptions() {
    // Vert.x drops a connection whose message passes its own limit without a close frame (1006), so
    // its limits sit above ours: the session sees the whole message and closes with 1009 itself.
    int transportLimit = config.limits().maxFrameBytes() * 4;
    // No WebSocket compression (docs/COMPRESSION.md): inflating is unbounded work on the one event
    // loop (a 32 KiB bomb stalled every paper for seconds), and a deflate context per socket would
    // compress every broadcast delta again per socket. Without it a frame with RSV1 set is a
    // protocol error (1002), refused before anything is inflated.
    return new HttpServerOptions()
        .setMaxWebSocketFrameSize(transportLimit)
        .setMaxWebSocketMessageSize(transportLimit)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // After its close frame the node waits this long (seconds) for the peer's before it drops the
        // connection: a live peer answers within a round trip, while a dead one would keep its user
        // present, and a flooding one keep the node reading, for Vert.x's default 10 s.
        .setWebSocketClosingTimeout(CLOSING_TIMEOUT_SECONDS)
        // HTTP/1.1 only: with h2c on, Vert.x waits for a connection's first bytes before it makes it
        // an HTTP connection, so one that sends nothing would never reach the handshake deadline.
        .setHttp2ClearTextEnabled(false);
  }

  private Router router() {
    Router router = Router.router(vertx);
    SessionLimits limits = new SessionLimits(config.limits(), config.sendQueue().softBytes(), config.sendQueue().maxBytes(),
        config.rates().badFrameLimit(), config.rates(), new UserAllowances(config.userBudgets()));
    TokenVerifier verifier = config.auth().enabled() ? TokenVerifier.create(vertx, config.auth()) : null;
    router.get("/ws/:paperId").handler(new WebSocketEndpoint(vertx, config.nodeId(), hub, limits, config.auth(),
        verifier, draining, new HandshakeRefusals(registry), heartbeat,
        new WebSocketUpgrade(config.nodeId(), handshakeDeadline, registry)));
    config.auth().apiKey().ifPresent(key -> router.route("/api/*").handler(new ApiKeyGuard(key)));
    new PaperApi(hub, config.limits()).mount(router);
    new HealthApi(backend.store(), backend.broker(), draining, warmup::finished).mount(router);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    new StaticFiles(config.demo()).mount(router);
    new UnknownRoutes().mount(router);
    return router;
  }

  /** The archive, webhook outbox and deliverer this node built from its config (after start). */
  public ArchiveServices archiving() {
    return archiving;
  }

  /** The port the server listens on (the configured one, or the one chosen for port 0). */
  public int port() {
    return server.actualPort();
  }

  /**
   * Leaves the cluster gracefully: readiness fails first, so the balancer stops sending new sockets;
   * then sessions are closed with 1012, spread over a window so they do not all reconnect at once;
   * then ops already sent to the store are given time to settle.
   */
  public Future<Void> drain() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> drainOnContext().onComplete(done));
    return done.future();
  }

  private Future<Void> drainOnContext() {
    draining.start();
    LOG.info("node={} draining: not ready now, closing {} sessions in {} ms", config.nodeId(), hub.sessionCount(),
        config.drain().readyDelay().toMillis());
    Promise<Void> done = Promise.promise();
    vertx.setTimer(Math.max(1, config.drain().readyDelay().toMillis()), t -> hub.closeSpread(CloseCodes.RESTARTING,
        "node restarting; reconnect with since", config.drain().closeWindow())
        .compose(ignored -> hub.settled(config.drain().timeout()))
        .onComplete(ignored -> done.complete()));
    return done.future();
  }

  @Override
  public Future<?> stop() {
    if (warmup != null) {
      warmup.stop();
    }
    if (heartbeat != null) {
      heartbeat.stop();
      handshakeDeadline.stop();
    }
    if (hub != null) {
      hub.stop();
      if (idleSweeper != null) {
        idleSweeper.stop();
      }
      hub.closeAll(CloseCodes.RESTARTING, "node stopping");
    }
    if (metrics != null) {
      metrics.close();
    }
    Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
    return closing.eventually(() -> backend == null ? Future.succeededFuture() : backend.close())
        .eventually(() -> archiving == null ? Future.succeededFuture() : archiving.close());
  }
}
