import io.rollingpaper.node.transport.OutboundFrame;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

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
 * (the node's own OutboundFrame).
 *
 *
 * <p>Given a Redis URL, it relays through Redis the way our nodes do, so that several processes can share
 * papers: each op is one script call that takes the paper's next seq and publishes the delta on the paper's
 * channel ({@code INCR} and {@code PUBLISH}: the least an atomic apply can be), and each process relays
 * what arrives on the channels (one {@code PSUBSCRIBE} connection) to its own sockets. That is the least our
 * architecture can cost on our stack, Redis included.
 *
 * <p>Run from the repository root, on the node's own class path (the same Vert.x, Netty and Redis client):
 * {@code java -cp node/target/rolling-paper-node.jar bench/floor/Relay.java PORT [REDIS_URL]}.
 * scripts/bench runs it as its "floor" workload.
 */
public final class Relay extends VerticleBase {
  private static final String CHANNEL_PREFIX = "relay:";
  // KEYS[1] the paper's seq, KEYS[2] its channel; ARGV[1] and ARGV[2] the delta before and after its seq.
  private static final String APPLY = "local seq = redis.call('INCR', KEYS[1]) "
      + "redis.call('PUBLISH', KEYS[2], ARGV[1] .. seq .. ARGV[2]) return seq";

  private final int port;
  private final String redisUrl;
  private final Map<String, Paper> papers = new HashMap<>();
  private Redis commands;
  private String applySha;

  private Relay(int port, String redisUrl) {
    this.port = port;
    this.redisUrl = redisUrl;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    vertx.deployVerticle(new Relay(port, args.length > 1 ? args[1] : null))
        .onSuccess(id -> System.out.println("relay: listening on " + port + ", transport "
            + (vertx.isNativeTransportEnabled() ? "native" : "NIO")))
        .onFailure(error -> {
          error.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    Future<?> redis = redisUrl == null ? Future.succeededFuture() : startRedis();
    return redis.compose(ignored -> vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .webSocketHandler(this::accept)
        .listen());
  }

  private Future<?> startRedis() {
    commands = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolSize(6)
        .setMaxPoolWaiting(64 * 1024).setMaxWaitingHandlers(64 * 1024));
    Future<Response> loaded = commands.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(APPLY))
        .onSuccess(sha -> applySha = sha.toString());
    // Never subscribe on a pooled connection: one connection of its own for the channels.
    Future<RedisConnection> subscribed = Redis.createClient(vertx, redisUrl).connect().compose(connection -> {
      connection.handler(this::onPush);
      return connection.send(Request.cmd(Command.PSUBSCRIBE).arg(CHANNEL_PREFIX + "*")).map(connection);
    });
    return Future.all(loaded, subscribed);
  }

  /** A pmessage push: [pmessage, pattern, channel, message]; the message is the delta, written as it came. */
  private void onPush(Response push) {
    if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI || push.size() < 4
        || !"pmessage".equals(push.get(0).toString())) {
      return;
    }
    Paper paper = papers.get(push.get(2).toString().substring(CHANNEL_PREFIX.length()));
    if (paper != null) {
      paper.write(push.get(3).toBuffer());
    }
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
    if (commands != null) {
      // The paper's seq as it is now, so the first delta this socket gets follows its snapshot.
      commands.send(Request.cmd(Command.GET).arg(paper.seqKey())).onComplete(seq -> {
        welcome(socket, paper, seq.succeeded() && seq.result() != null ? seq.result().toLong() : 0, user);
      });
      return;
    }
    welcome(socket, paper, paper.seq, user);
  }

  private void welcome(ServerWebSocket socket, Paper paper, long seq, String user) {
    if (socket.isClosed()) {
      return;
    }
    String id = paper.id;
    paper.sockets.add(socket);
    socket.writeTextMessage("{\"type\":\"snapshot\",\"paper\":\"" + id + "\",\"seq\":" + seq + ",\"notes\":[]}");
    String by = "\"" + user + "\"";
    socket.frameHandler(frame -> {
      if (frame.isText() && frame.isFinal()) {
        relay(paper, by, frame.textData());
      }
    });
    socket.closeHandler(ignored -> paper.sockets.remove(socket));
  }

  private static int indexOrEnd(String s, char c) {
    int i = s.indexOf(c);
    return i < 0 ? s.length() : i;
  }

  /**
   * An op frame {"type":"op","cid":"…","op":{…}} becomes one delta with the paper's next seq: here, or through
   * Redis to every process.
   */
  private void relay(Paper paper, String by, String op) {
    int cid = op.indexOf("\"cid\":");
    int body = op.indexOf("\"op\":");
    if (cid < 0 || body < 0) {
      return;
    }
    String cidJson = op.substring(cid + 6, op.indexOf('"', cid + 7) + 1);
    String before = "{\"type\":\"delta\",\"paper\":\"" + paper.id + "\",\"seq\":";
    String after = ",\"by\":" + by + ",\"cid\":" + cidJson + ",\"op\":" + op.substring(body + 5, op.length() - 1) + "}";
    if (commands == null) {
      paper.write(Buffer.buffer(before + (++paper.seq) + after));
      return;
    }
    commands.send(Request.cmd(Command.EVALSHA).arg(applySha).arg(2).arg(paper.seqKey())
        .arg(CHANNEL_PREFIX + paper.id).arg(before).arg(after));
  }

  /** A paper's sockets and, without Redis, its seq. */
  private static final class Paper {
    private final String id;
    private final List<ServerWebSocket> sockets = new ArrayList<>();
    private long seq;

    Paper(String id) {
      this.id = id;
    }

    String seqKey() {
      return CHANNEL_PREFIX + "{" + id + "}:seq";
    }

    /** One delta to every socket of the paper, each a view of the same bytes. */
    void write(Buffer delta) {
      OutboundFrame frame = OutboundFrame.of(delta);
      for (ServerWebSocket socket : sockets) {
        socket.writeFrame(frame.toFrame());
      }
    }
  }
}
