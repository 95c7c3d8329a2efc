package io.rollingpaper.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The stall figures of a real Redis's latency monitor, read around a window as the fanout does. */
@Timeout(60)
class RedisLatencyEventsTest {
  private Process redis;

  @AfterEach
  void stop() throws InterruptedException {
    if (redis != null) {
      redis.destroy();
      redis.waitFor();
    }
  }

  @Test
  void aCommandSlowerThanTheThresholdInTheWindowIsCountedAndOneBeforeItIsNot() throws IOException {
    int port = start("--latency-monitor-threshold", "5", "--enable-debug-command", "yes");
    Resp.call("127.0.0.1", port, "DEBUG", "SLEEP", "0.03");
    RedisLatencyEvents events = new RedisLatencyEvents("127.0.0.1", port);

    events.start();
    Resp.call("127.0.0.1", port, "DEBUG", "SLEEP", "0.06");
    Resp.call("127.0.0.1", port, "PING");
    Map<String, Object> figures = events.figures();

    assertThat(figures).containsEntry("threshold_ms", 5L).containsEntry("seconds_with_a_stall", 1);
    assertThat((Long) figures.get("max_ms")).isBetween(60L, 1000L);
    assertThat(figures.get("events").toString()).contains("command");
  }

  @Test
  void aQuietWindowHasNoStall() throws IOException {
    int port = start("--latency-monitor-threshold", "5");
    RedisLatencyEvents events = new RedisLatencyEvents("127.0.0.1", port);

    events.start();
    Resp.call("127.0.0.1", port, "SET", "k", "v");
    assertThat(events.figures()).containsEntry("seconds_with_a_stall", 0).containsEntry("max_ms", 0L);
  }

  @Test
  void withTheMonitorOffTheFiguresSaySo() throws IOException {
    int port = start("--latency-monitor-threshold", "0");
    RedisLatencyEvents events = new RedisLatencyEvents("127.0.0.1", port);

    events.start();
    assertThat(events.figures()).containsEntry("threshold_ms", 0L).containsEntry("monitor", "off")
        .doesNotContainKey("seconds_with_a_stall");
  }

  /** A redis-server of this test's own on a free port, once it says it is ready. */
  private int start(String... options) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
        "127.0.0.1", "--save", "", "--appendonly", "no"));
    command.addAll(List.of(options));
    redis = new ProcessBuilder(command).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(redis.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.contains("Ready to accept connections")) {
      // the server's start-up lines
    }
    assertThat(line).as("redis-server ready on " + port).isNotNull();
    Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "redis-output");
    drain.setDaemon(true);
    drain.start();
    return port;
  }
}
