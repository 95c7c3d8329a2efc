package io.rollingpaper.node.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Redis deployed as production runs it, for all tests of one class: a master with a replica that every
 * op waits for ({@link #replicated()}), or a Redis Cluster of three masters ({@link #cluster()}).
 * {@code @RegisterExtension static final RedisTopology REDIS = RedisTopology.cluster();} then
 * {@link #env()} selects it for a node.
 */
public final class RedisTopology implements BeforeAllCallback, AfterAllCallback {
  private static final long START_TIMEOUT_SECONDS = 90;

  private final boolean clustered;
  private final List<RedisProcess> processes = new ArrayList<>();
  private Path root;

  private RedisTopology(boolean clustered) {
    this.clustered = clustered;
  }

  /** A master and one replica; the node acknowledges an op only once the replica has it (WAIT 1). */
  public static RedisTopology replicated() {
    return new RedisTopology(false);
  }

  /** Three masters, no replicas, every slot covered; the node runs in cluster mode (sharded pub/sub). */
  public static RedisTopology cluster() {
    return new RedisTopology(true);
  }

  /** The node settings that select this Redis. */
  public Map<String, String> env() {
    if (clustered) {
      return Map.of("REDIS_CLUSTER_NODES", String.join(",", processes.stream().map(RedisProcess::url).toList()));
    }
    return Map.of("REDIS_URL", processes.get(0).url(), "REDIS_WAIT_REPLICAS", "1", "REDIS_WAIT_TIMEOUT", "5s");
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    root = RedisProcess.tempRoot(clustered ? "rp-cluster-" : "rp-replicated-");
    Vertx vertx = Vertx.vertx();
    try {
      Future<List<RedisProcess>> started = clustered ? startCluster(vertx, root, 3) : startReplicated(vertx, root);
      processes.addAll(started.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    processes.forEach(RedisProcess::close);
    RedisProcess.deleteTree(root);
  }

  /** A master and a replica, once the master counts the replica online. */
  public static Future<List<RedisProcess>> startReplicated(Vertx vertx, Path root) {
    RedisProcess master = RedisProcess.server("master", root, "--repl-diskless-sync-delay", "0");
    RedisProcess replica = RedisProcess.server("replica", root, "--replicaof", "127.0.0.1",
        Integer.toString(master.port()));
    List<RedisProcess> both = List.of(master, replica);
    return closingOnFailure(both, RedisAdmin.replicaOnline(vertx, master).map(x -> both));
  }

  /**
   * {@code count} cluster-enabled masters joined with {@code redis-cli --cluster create}, once every
   * master reports {@code cluster_state:ok} and knows the others. The processes are closed if it fails.
   */
  public static Future<List<RedisProcess>> startCluster(Vertx vertx, Path root, int count) {
    List<RedisProcess> masters = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      masters.add(RedisProcess.server("shard" + i, root, "--cluster-enabled", "yes",
          "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"));
    }
    Future<Void> created = vertx.executeBlocking(() -> {
      List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      masters.forEach(m -> command.add(m.address()));
      command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Path log = Path.of("target", "redis-logs", "cluster-create-" + masters.get(0).port() + ".log");
      Files.createDirectories(log.getParent());
      Process create = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
        throw new IllegalStateException("redis-cli --cluster create failed; see " + log);
      }
      return null;
    });
    String known = Integer.toString(count);
    Future<List<RedisProcess>> ready = created.compose(x -> Poll.until(vertx, "cluster_state:ok on every master",
            30_000, () -> Future.all(masters.stream().map(m -> RedisAdmin.send(vertx, m.url(),
                    Request.cmd(Command.CLUSTER).arg("INFO")).map(r -> RedisAdmin.fields(r.toString()))).toList())
                .map(all -> all.<Map<String, String>>list().stream()
                    .allMatch(f -> "ok".equals(f.get("cluster_state")) && known.equals(f.get("cluster_known_nodes"))))))
        .map(x -> masters);
    return closingOnFailure(masters, ready);
  }

  private static <T> Future<T> closingOnFailure(List<RedisProcess> started, Future<T> future) {
    return future.onFailure(e -> started.forEach(RedisProcess::close));
  }
}
