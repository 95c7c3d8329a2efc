package io.rollingpaper.node.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mechanics of turning an HTTP request into a WebSocket, once the endpoint has decided to: the upgrade
 * itself and, for a socket that will carry a session, its {@link FlushBatching}.
 *
 * <p>The router hands handlers its own wrapper of the request, and the socket that wrapper upgrades to hides
 * its channel, so the upgrade goes through the server's request behind it ({@link HandshakeDeadline} watches
 * them). A socket left without batching still works, frame by frame as before, but costs a system call per
 * frame: {@code rpl_flush_batching_total{outcome="unavailable"}} counts those sockets and the first one is
 * logged. Runs on the node's event loop.
 */
public final class WebSocketUpgrade {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketUpgrade.class);

  /** A socket ready for a session, with its batching ({@link FlushBatching#NONE} when unavailable). */
  public record Upgraded(ServerWebSocket socket, FlushBatching batching) {
  }

  private final String nodeId;
  private final HandshakeDeadline connections;
  private final Counter batched;
  private final Counter unbatched;
  private boolean unbatchedLogged;

  public WebSocketUpgrade(String nodeId, HandshakeDeadline connections, MeterRegistry registry) {
    this.nodeId = nodeId;
    this.connections = connections;
    this.batched = counter(registry, "installed");
    this.unbatched = counter(registry, "unavailable");
  }

  private static Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder("rpl_flush_batching_total").tag("outcome", outcome)
        .description("WebSocket sessions by whether their frames are flushed once per event-loop pass")
        .register(registry);
  }

  /** Upgrades {@code routed} for a session, installing flush batching on its channel. */
  public Future<Upgraded> forSession(HttpServerRequest routed) {
    return connections.serverRequest(routed).toWebSocket().map(socket -> {
      FlushBatching batching = FlushBatching.install(socket);
      if (batching.installed()) {
        batched.increment();
      } else {
        unbatched.increment();
        if (!unbatchedLogged) {
          unbatchedLogged = true;
          LOG.warn("node={} flush batching unavailable on a {}: every frame costs a write system call "
              + "(counted in rpl_flush_batching_total{outcome=\"unavailable\"}; logged once)", nodeId,
              socket.getClass().getName());
        }
      }
      return new Upgraded(socket, batching);
    });
  }

  /** Upgrades {@code routed} only to tell the client why it is refused: no batching for one frame. */
  public Future<ServerWebSocket> forRefusal(HttpServerRequest routed) {
    return routed.toWebSocket();
  }
}
