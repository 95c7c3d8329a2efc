import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The floor of the benchmark's CPU per delivery for a node built on our stack: one Vert.x process that does
 * the socket work of a delivery and nothing else. It is not a server to use. It speaks just enough of the
 * protocol for {@code loadgen fanout --target ours}: a snapshot frame on connect, then for each op frame a
 * delta (next seq of the paper, the op copied as sent) to every socket of the paper, the sender included.
 * There is no Redis, no validation, no limits, no metrics, no presence, no heartbeat, no second process:
 * every one of these only adds work, so what this process costs per delivery is less than any node that
 * relays through Redis can cost. It uses what the node uses where the node is already at the floor: native
 * epoll, one event loop, a delta serialized once and written to every socket as a view of the same bytes
 * (as OutboundFrame does).
 *
 * <p>Run from the repository root, on the node's own class path (the same Vert.x and Netty):
 * {@code java -cp node/target/rolling-paper-node.jar bench/floor/Relay.java PORT}. scripts/bench runs it
 * as its "floor" workload.
 */
public final class Relay extends VerticleBase {
  private final int port;
  private final Map<String, Paper> papers = new HashMap<>();

  private Relay(int port) {
    this.port = port;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    vertx.deployVerticle(new Relay(port))
        .onSuccess(id -> System.out.println("relay: listening on " + port + ", transport "
            + (vertx.isNativeTransportEnabled() ? "native" : "NIO")))
        .onFailure(error -> {
          error.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .webSocketHandler(this::accept)
        .listen();
  }

  private void accept(ServerWebSocket socket) {
    String path = socket.path();
    if (!path.startsWith("/ws/")) {
      socket.close((short) 1008);
      return;
    }
    String id = path.substring("/ws/".length());
    String query = socket.query() == null ? "" : socket.query();
    String user = query.startsWith("user=") ? query.substring(5, indexOrEnd(query, '&')) : "anonymous";
    Paper paper = papers.computeIfAbsent(id, Paper::new);
    paper.sockets.add(socket);
    socket.writeTextMessage("{\"type\":\"snapshot\",\"paper\":\"" + id + "\",\"seq\":" + paper.seq
        + ",\"notes\":[]}");
    String by = "\"" + user + "\"";
    socket.frameHandler(frame -> {
      if (frame.isText() && frame.isFinal()) {
        paper.relay(by, frame.textData());
      }
    });
    socket.closeHandler(ignored -> paper.sockets.remove(socket));
  }

  private static int indexOrEnd(String s, char c) {
    int i = s.indexOf(c);
    return i < 0 ? s.length() : i;
  }

  /** A paper's sockets and its seq. */
  private static final class Paper {
    private final String id;
    private final List<ServerWebSocket> sockets = new ArrayList<>();
    private long seq;

    Paper(String id) {
      this.id = id;
    }

    /** An op frame {"type":"op","cid":"…","op":{…}} becomes one delta, written to every socket of the paper. */
    void relay(String by, String op) {
      int cid = op.indexOf("\"cid\":");
      int body = op.indexOf("\"op\":");
      if (cid < 0 || body < 0) {
        return;
      }
      String cidJson = op.substring(cid + 6, op.indexOf('"', cid + 7) + 1);
      String opJson = op.substring(body + 5, op.length() - 1);
      Buffer delta = Buffer.buffer("{\"type\":\"delta\",\"paper\":\"" + id + "\",\"seq\":" + (++seq) + ",\"by\":" + by
          + ",\"cid\":" + cidJson + ",\"op\":" + opJson + "}");
      ByteBuf shared = Unpooled.unreleasableBuffer(((BufferInternal) delta).getByteBuf());
      for (ServerWebSocket socket : sockets) {
        WebSocketFrame frame = new WebSocketFrameImpl(WebSocketFrameType.TEXT, shared.duplicate(), true);
        socket.writeFrame(frame);
      }
    }
  }
}
