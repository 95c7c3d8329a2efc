package io.rollingpaper.node.warmup;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The server side of a warm-up client's connection, with no network under it: what a session writes goes
 * straight to the client, what the client sends goes straight to the session's frame handler. A session
 * cannot tell it from a real socket, so it runs its whole path (decode, checks, hub, store, fan-out); only
 * the methods a session calls do something, every other one answers a neutral value.
 *
 * <p>Not a real socket on purpose: one on the node's port would be counted by the HTTP server's metrics,
 * which must not show the warm-up as traffic.
 */
final class LoopbackSocket implements InvocationHandler {
  private final Context context;
  private final Consumer<String> toClient;
  private final ServerWebSocket proxy;
  private Handler<WebSocketFrame> frameHandler;
  private Handler<Void> closeHandler;
  private final ArrayDeque<String> heldWhilePaused = new ArrayDeque<>();
  private boolean paused;
  private boolean closed;
  private Short closeStatus;

  LoopbackSocket(Context context, Consumer<String> toClient) {
    this.context = context;
    this.toClient = toClient;
    this.proxy = (ServerWebSocket) Proxy.newProxyInstance(ServerWebSocket.class.getClassLoader(),
        new Class<?>[] {ServerWebSocket.class}, this);
  }

  ServerWebSocket socket() {
    return proxy;
  }

  /** The client sends a text message; while the node has paused reading, it waits as in a socket buffer. */
  void send(String text) {
    if (closed || frameHandler == null) {
      return;
    }
    if (paused || !heldWhilePaused.isEmpty()) {
      heldWhilePaused.addLast(text);
    } else {
      frameHandler.handle(WebSocketFrame.textFrame(text, true));
    }
  }

  private void resume() {
    paused = false;
    // Later, as a real socket's resume does: the node may pause again while handling these.
    context.runOnContext(ignored -> {
      while (!paused && !closed && !heldWhilePaused.isEmpty()) {
        frameHandler.handle(WebSocketFrame.textFrame(heldWhilePaused.removeFirst(), true));
      }
    });
  }

  /** The client closes the connection (1000), as a browser tab that goes away would. */
  void closeFromClient() {
    closeWith((short) 1000);
  }

  private void closeWith(short code) {
    if (closed) {
      return;
    }
    closed = true;
    closeStatus = code;
    // As on a real connection, the close handler runs later, not inside the call that closed.
    context.runOnContext(ignored -> {
      if (closeHandler != null) {
        closeHandler.handle(null);
      }
    });
  }

  @Override
  @SuppressWarnings("unchecked")
  public Object invoke(Object self, Method method, Object[] args) {
    switch (method.getName()) {
      case "frameHandler" -> frameHandler = (Handler<WebSocketFrame>) args[0];
      case "closeHandler" -> closeHandler = (Handler<Void>) args[0];
      case "writeFrame" -> {
        WebSocketFrame frame = (WebSocketFrame) args[0];
        if (!closed && frame.isText()) {
          toClient.accept(frame.textData());
        }
      }
      case "writeTextMessage", "writeFinalTextFrame" -> {
        if (!closed) {
          toClient.accept((String) args[0]);
        }
      }
      case "pause" -> paused = true;
      case "resume" -> resume();
      case "close" -> closeWith(args != null && args.length > 0 && args[0] instanceof Short code ? code : (short) 1000);
      case "isClosed" -> {
        return closed;
      }
      case "closeStatusCode" -> {
        return closeStatus;
      }
      case "hashCode" -> {
        return System.identityHashCode(self);
      }
      case "equals" -> {
        return self == args[0];
      }
      case "toString" -> {
        return "LoopbackSocket";
      }
      default -> {
      }
    }
    return neutral(method.getReturnType());
  }

  private Object neutral(Class<?> type) {
    if (type.isInstance(proxy)) {
      return proxy;
    } else if (type == Future.class) {
      return Future.succeededFuture();
    } else if (type == boolean.class) {
      return false;
    } else if (type == int.class) {
      return 0;
    } else if (type == long.class) {
      return 0L;
    } else if (type == short.class) {
      return (short) 0;
    }
    return null;
  }
}
