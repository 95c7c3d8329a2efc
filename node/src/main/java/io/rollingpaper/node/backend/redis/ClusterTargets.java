package io.rollingpaper.node.backend.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The subscriber connections of a node on Redis Cluster: one per master, each carrying the shard channels
 * of the slots that master owns. The slot map is asked afresh (CLUSTER SLOTS) every time the broker
 * connects, so a connection rebuilt after a failover or a slot migration goes to the new owner.
 */
final class ClusterTargets implements SubscriberTargets {
  private final Vertx vertx;
  private final Redis commands;
  private final String scheme;
  private final String userInfo;
  private final String seedHost;
  private final Map<String, Redis> clients = new HashMap<>();

  ClusterTargets(Vertx vertx, Redis commands, List<String> seeds) {
    this.vertx = vertx;
    this.commands = commands;
    URI seed = URI.create(seeds.get(0));
    this.scheme = seed.getScheme();
    this.userInfo = seed.getRawUserInfo();
    this.seedHost = seed.getHost();
  }

  @Override
  public Future<List<Target>> resolve() {
    return commands.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).map(this::targets);
  }

  private List<Target> targets(Response slots) {
    Map<String, BitSet> byMaster = new LinkedHashMap<>();
    for (Response range : slots) {
      int from = range.get(0).toInteger();
      int to = range.get(1).toInteger();
      Response master = range.get(2);
      String host = master.get(0) == null || master.get(0).toString().isEmpty() ? seedHost : master.get(0).toString();
      String endpoint = (host.contains(":") ? "[" + host + "]" : host) + ":" + master.get(1).toInteger();
      byMaster.computeIfAbsent(endpoint, e -> new BitSet(ClusterSlots.COUNT)).set(from, to + 1);
    }
    if (byMaster.isEmpty()) {
      throw new IllegalStateException("CLUSTER SLOTS answered no slots");
    }
    // Clients of masters that own nothing any more are closed; their connections are already gone.
    new ArrayList<>(clients.keySet()).stream().filter(e -> !byMaster.containsKey(e))
        .forEach(e -> clients.remove(e).close());
    List<Target> out = new ArrayList<>();
    byMaster.forEach((endpoint, owned) -> out.add(new Target(endpoint,
        clients.computeIfAbsent(endpoint, this::client), owned)));
    return out;
  }

  private Redis client(String endpoint) {
    String url = scheme + "://" + (userInfo == null ? "" : userInfo + "@") + endpoint;
    return Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(1).setMaxPoolWaiting(8));
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    clients.values().forEach(client -> closing.add(client.close()));
    clients.clear();
    return Future.join(closing).mapEmpty();
  }
}
