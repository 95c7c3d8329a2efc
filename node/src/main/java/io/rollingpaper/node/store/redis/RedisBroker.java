package io.rollingpaper.node.store.redis;

import io.rollingpaper.node.broker.Broker;
import io.rollingpaper.node.broker.BrokerListener;
import io.rollingpaper.node.broker.ChannelMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Subscriptions on one dedicated Redis connection (never a pooled one: a subscribed connection
 * cannot run commands). One channel per paper this node serves, never a pattern. When the
 * connection drops it reconnects with capped exponential back-off, subscribes again to every
 * paper it holds, then tells the listener so the node repairs what it missed.
 */
public final class RedisBroker implements Broker {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 2000;

  private final Vertx vertx;
  private final Redis client;
  private final String node;
  private final Set<String> papers = new HashSet<>();
  private BrokerListener listener;
  private RedisConnection connection;
  private long backoffMs = MIN_BACKOFF_MS;
  private boolean closed;

  public RedisBroker(Vertx vertx, Redis client, String node) {
    this.vertx = vertx;
    this.client = client;
    this.node = node;
  }

  /** Connects for the first time; fails when Redis cannot be reached at start. */
  public Future<Void> start() {
    return client.connect().map(conn -> {
      attach(conn);
      return null;
    });
  }

  @Override
  public void listener(BrokerListener listener) {
    this.listener = listener;
  }

  @Override
  public Future<Void> subscribe(String paper) {
    if (!papers.add(paper)) {
      return Future.succeededFuture();
    }
    if (connection == null) {
      papers.remove(paper);
      return Future.failedFuture(new IllegalStateException("the subscriber connection is down"));
    }
    return connection.send(Request.cmd(Command.SUBSCRIBE).arg(new RedisKeys(paper).channel()))
        .onFailure(error -> papers.remove(paper))
        .mapEmpty();
  }

  @Override
  public Future<Void> unsubscribe(String paper) {
    if (!papers.remove(paper) || connection == null) {
      return Future.succeededFuture();
    }
    return connection.send(Request.cmd(Command.UNSUBSCRIBE).arg(new RedisKeys(paper).channel())).mapEmpty();
  }

  @Override
  public boolean connected() {
    return connection != null;
  }

  @Override
  public Future<Void> close() {
    closed = true;
    RedisConnection conn = connection;
    connection = null;
    return conn == null ? client.close() : conn.close().eventually(client::close);
  }

  private void attach(RedisConnection conn) {
    connection = conn;
    conn.handler(this::onPush);
    conn.exceptionHandler(error -> lost(conn, error.getMessage()));
    conn.endHandler(ignored -> lost(conn, "connection closed"));
  }

  private void onPush(Response push) {
    if (push.size() < 3 || !"message".equals(push.get(0).toString())) {
      return;
    }
    String paper = RedisKeys.paperOfChannel(push.get(1).toString());
    if (paper == null || !papers.contains(paper)) {
      return;
    }
    ChannelMessage message = ChannelMessage.parse(paper, push.get(2).toBuffer());
    if (message == null) {
      LOG.warn("node={} paper={} ignored a malformed channel message", node, paper);
    } else if (listener != null) {
      listener.onMessage(message);
    }
  }

  private void lost(RedisConnection conn, String why) {
    if (connection != conn || closed) {
      return;
    }
    connection = null;
    LOG.warn("node={} lost the Redis subscriber connection ({}); {} papers to resubscribe", node, why, papers.size());
    conn.close();
    reconnectLater();
  }

  private void reconnectLater() {
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(delay, id -> reconnect());
  }

  private void reconnect() {
    if (closed) {
      return;
    }
    client.connect()
        .compose(conn -> resubscribeAll(conn).map(conn))
        .onSuccess(conn -> {
          attach(conn);
          backoffMs = MIN_BACKOFF_MS;
          LOG.info("node={} resubscribed to {} papers", node, papers.size());
          if (listener != null) {
            listener.onResubscribed();
          }
        })
        .onFailure(error -> {
          LOG.warn("node={} cannot reconnect the subscriber yet: {}", node, error.getMessage());
          reconnectLater();
        });
  }

  private Future<Void> resubscribeAll(RedisConnection conn) {
    if (papers.isEmpty()) {
      return Future.succeededFuture();
    }
    Request request = Request.cmd(Command.SUBSCRIBE);
    List.copyOf(papers).forEach(paper -> request.arg(new RedisKeys(paper).channel()));
    conn.handler(this::onPush);
    return conn.send(request).mapEmpty();
  }
}
