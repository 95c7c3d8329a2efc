package io.rollingpaper.node.ha;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of Redis that can make subscriber connections go silent: while {@link #silence} is
 * on, nothing Redis sends on a connection that has subscribed reaches the client, but the connection stays
 * open and healthy-looking (the failure a liveness probe exists for). Other connections pass untouched.
 */
final class BlackholeProxy {
  private final Vertx vertx;
  private final int targetPort;
  private final AtomicBoolean silent = new AtomicBoolean();
  private final AtomicInteger silenced = new AtomicInteger();
  private NetServer server;
  private NetClient client;

  BlackholeProxy(Vertx vertx, int targetPort) {
    this.vertx = vertx;
    this.targetPort = targetPort;
  }

  Future<BlackholeProxy> start() {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(this::accept);
    return server.listen(0, "127.0.0.1").map(this);
  }

  int port() {
    return server.actualPort();
  }

  String url() {
    return "redis://127.0.0.1:" + port();
  }

  /** Turns the silence of subscriber connections on or off. */
  void silence(boolean on) {
    silent.set(on);
  }

  /** How many chunks from Redis were swallowed. */
  int swallowed() {
    return silenced.get();
  }

  private void accept(NetSocket downstream) {
    downstream.pause();
    AtomicBoolean subscriber = new AtomicBoolean();
    client.connect(targetPort, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        downstream.close();
        return;
      }
      NetSocket upstream = connected.result();
      downstream.handler(bytes -> {
        if (!subscriber.get() && bytes.toString().toUpperCase(Locale.ROOT).contains("SUBSCRIBE")) {
          subscriber.set(true);
        }
        upstream.write(bytes);
      });
      upstream.handler(bytes -> forward(downstream, subscriber, bytes));
      downstream.closeHandler(v -> upstream.close());
      upstream.closeHandler(v -> downstream.close());
      downstream.resume();
    });
  }

  private void forward(NetSocket downstream, AtomicBoolean subscriber, Buffer bytes) {
    if (subscriber.get() && silent.get()) {
      silenced.incrementAndGet();
      return;
    }
    downstream.write(bytes);
  }

  Future<Void> close() {
    return server.close().eventually(client::close);
  }
}
