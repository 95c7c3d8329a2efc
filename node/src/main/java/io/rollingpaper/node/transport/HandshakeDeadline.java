package io.rollingpaper.node.transport;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The node's own defence against slowloris, whatever sits in front of it: a connection must send a
 * whole request head within the timeout of opening, or of the end of its previous response when kept
 * alive; otherwise it is closed. Vert.x's idle timeout cannot do this (a byte dribbled every few
 * seconds keeps a connection "busy") and would close quiet WebSockets, which the heartbeat owns: a
 * connection upgraded to a WebSocket is no longer watched here.
 *
 * <p>One periodic timer per node walks the connections that are between requests; a request in
 * progress is not timed (its handler bounds it). Runs on the node's event loop.
 *
 * <p>Watching each request as the server hands it over, it is also where {@link WebSocketUpgrade} finds the
 * server's request behind the router's wrapper.
 */
public final class HandshakeDeadline {
  private static final Logger LOG = LoggerFactory.getLogger(HandshakeDeadline.class);

  private static final int SWITCHING_PROTOCOLS = 101;

  private final Vertx vertx;
  private final String nodeId;
  private final long timeoutNanos;
  private final long tickMillis;
  private final Map<HttpConnection, Watched> connections = new HashMap<>();
  private long timer = -1;

  /** A connection and, while it is being answered, its current request. */
  private static final class Watched {
    long waitingSince;
    HttpServerRequest request;

    Watched(long now) {
      waitingSince = now;
    }
  }

  public HandshakeDeadline(Vertx vertx, String nodeId, Duration timeout) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.timeoutNanos = timeout.toNanos();
    this.tickMillis = Math.max(10, timeout.toMillis() / 4);
  }

  public void start() {
    timer = vertx.setPeriodic(tickMillis, id -> sweep());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** For {@code HttpServer#connectionHandler}: starts the clock on a new connection. */
  public void opened(HttpConnection connection) {
    connections.put(connection, new Watched(System.nanoTime()));
    connection.closeHandler(ignored -> connections.remove(connection));
  }

  /** Wraps the server's request handler: a request head arrived, so the clock stops until it is answered. */
  public Handler<HttpServerRequest> watching(Handler<HttpServerRequest> handler) {
    return request -> {
      Watched watched = connections.get(request.connection());
      if (watched != null) {
        watched.request = request;
      }
      handler.handle(request);
    };
  }

  /**
   * The server's own request behind {@code routed}, the router's wrapper of it (which hides the socket's
   * channel once upgraded), or {@code routed} itself when this connection is not watched or is answering
   * another request. Both share one headers map, which tells them apart from a request that merely arrived
   * on the same connection.
   */
  HttpServerRequest serverRequest(HttpServerRequest routed) {
    Watched watched = connections.get(routed.connection());
    return watched != null && watched.request != null && watched.request.headers() == routed.headers()
        ? watched.request : routed;
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Iterator<Map.Entry<HttpConnection, Watched>> it = connections.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<HttpConnection, Watched> entry = it.next();
      Watched watched = entry.getValue();
      if (watched.request != null) {
        if (watched.request.response().ended() && watched.request.response().getStatusCode() == SWITCHING_PROTOCOLS) {
          it.remove();
        } else if (watched.request.response().ended()) {
          watched.request = null;
          watched.waitingSince = now;
        }
      } else if (now - watched.waitingSince >= timeoutNanos) {
        it.remove();
        HttpConnection connection = entry.getKey();
        LOG.debug("node={} closing a connection from {}: no request head in {} ms", nodeId,
            connection.remoteAddress(), timeoutNanos / 1_000_000);
        connection.close();
      }
    }
  }
}
