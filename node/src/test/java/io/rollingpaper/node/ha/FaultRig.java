package io.rollingpaper.node.ha;

import io.rollingpaper.node.support.RedisProcess;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What one fault test runs: its Redis processes (their files under one temporary root) and its nodes, in
 * the order they started. {@link #stop()} takes them down in reverse: the nodes, whatever else was
 * registered, then the Redis processes and their files.
 */
final class FaultRig {
  private final Path root;
  private final List<RedisProcess> processes = new ArrayList<>();
  private final List<TestNode> nodes = new ArrayList<>();
  private final List<Supplier<Future<Void>>> closers = new ArrayList<>();

  FaultRig(String name) {
    this.root = RedisProcess.tempRoot("rp-" + name + "-");
  }

  Path root() {
    return root;
  }

  /** A Redis server of this rig; {@code extra} are more {@code --option value} arguments. */
  RedisProcess server(String name, String... extra) {
    return own(RedisProcess.server(name, root, extra));
  }

  /** A process started elsewhere (a sentinel, a cluster's masters) that this rig stops. */
  RedisProcess own(RedisProcess process) {
    processes.add(process);
    return process;
  }

  /** Something else to close after the nodes (a proxy). */
  void onStop(Supplier<Future<Void>> closer) {
    closers.add(closer);
  }

  /** Starts {@code count} nodes with the fault tests' settings ({@link Faults#nodeEnv}) over {@code env}. */
  Future<List<TestNode>> startNodes(int count, Map<String, String> env) {
    return Faults.startNodes(count, Faults.nodeEnv(env)).onSuccess(nodes::addAll);
  }

  int port(int node) {
    return nodes.get(node).port();
  }

  /** Stops everything; never fails, so a broken start still cleans up. */
  Future<Void> stop() {
    Future<Void> stopped = Faults.stopNodes(nodes).otherwiseEmpty();
    for (Supplier<Future<Void>> closer : closers) {
      stopped = stopped.compose(x -> closer.get()).otherwiseEmpty();
    }
    return stopped.andThen(x -> {
      for (int i = processes.size() - 1; i >= 0; i--) {
        processes.get(i).close();
      }
      RedisProcess.deleteTree(root);
    });
  }
}
