package io.rollingpaper.node.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node started as operators start it — its own JVM, {@code Main}, the shipped {@code logback.xml} — in each
 * {@code LOG_FORMAT}, through start-up, a few connections, a session closed for a bad frame, and SIGTERM.
 * Plain JUnit: the node under test is another process, read line by line from its output.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeLogsTest {
  private static final Pattern LISTENING = Pattern.compile("listening on http:\\S*127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern TEXT_LINE = Pattern.compile(
      "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) (TRACE|DEBUG|INFO |WARN |ERROR) \\S+ - .*");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void textLinesStartWithAnIsoTimestampWithItsOffset() throws Exception {
    List<String> lines = runNode("text");
    // A stack trace (the blocked-thread checker's, on a busy machine) continues its event on lines of its own.
    List<String> events = lines.stream().filter(line -> !Character.isWhitespace(line.charAt(0))
        && !line.startsWith("Caused by") && !line.matches("^[\\w.$]+(Exception|Error)\\b.*")).toList();
    assertThat(events).isNotEmpty().allSatisfy(line -> assertThat(line).matches(TEXT_LINE));
    assertThat(lines).anySatisfy(line -> assertThat(line).contains("paper=logged session=logs-node-"));
    assertNoSpuriousWarnings(lines);
  }

  @Test
  void jsonIsOneObjectPerLineWithNodePaperAndSessionAsFields() throws Exception {
    List<String> lines = runNode("json");
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      JsonNode event = JSON.readTree(line);
      assertThat(event.isObject()).as(line).isTrue();
      assertThat(event.path("timestamp").isNumber()).as(line).isTrue();
      assertThat(event.path("level").asText()).as(line).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
      assertThat(event.path("loggerName").asText()).as(line).isNotEmpty();
      assertThat(event.path("formattedMessage").asText()).as(line).isNotEmpty();
      events.add(event);
    }
    assertThat(events).anySatisfy(event -> assertThat(fields(event)).containsEntry("node", "logs-node"));
    assertThat(events).anySatisfy(event -> assertThat(fields(event))
        .containsEntry("paper", "logged").hasEntrySatisfying("session", s -> assertThat(s).startsWith("logs-node-")));
    assertNoSpuriousWarnings(events.stream().map(e -> e.path("level").asText() + " " + e.path("formattedMessage").asText())
        .toList());
  }

  /** Nothing at ERROR, and not the gauge warning Vert.x's meters provoke on the first connections. */
  private static void assertNoSpuriousWarnings(List<String> lines) {
    assertThat(lines).noneSatisfy(line -> assertThat(line).contains("has been already registered"));
    assertThat(lines).noneSatisfy(line -> assertThat(line).contains("ERROR"));
  }

  /** The event's key-value pairs ({@code "kvpList":[{"node":"…"},…]}) as one map. */
  private static Map<String, String> fields(JsonNode event) {
    Map<String, String> fields = new java.util.HashMap<>();
    event.path("kvpList").forEach(pair -> pair.fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue().asText())));
    return fields;
  }

  /** Every line the node wrote from its start to its exit after SIGTERM. */
  private static List<String> runNode(String format) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", mainClassPath(), "io.rollingpaper.node.Main").redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(Map.of("LOG_FORMAT", format, "PORT", "0", "HOST", "127.0.0.1", "NODE_ID", "logs-node",
        "BAD_FRAME_LIMIT", "1", "DRAIN_READY_DELAY", "10ms", "DRAIN_CLOSE_WINDOW", "10ms", "DRAIN_TIMEOUT", "1s"));
    Process process = builder.start();
    BlockingQueue<String> output = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        out.lines().forEach(output::add);
      } catch (IOException ignored) {
        // The process is gone; what it wrote is in the queue.
      }
    }, "node-output");
    reader.start();
    List<String> lines = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int port = -1;
      while (port < 0 && System.nanoTime() < deadline) {
        String line = output.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          lines.add(line);
          Matcher listening = LISTENING.matcher(line);
          port = listening.find() ? Integer.parseInt(listening.group(1)) : -1;
        }
      }
      assertThat(port).as("the node said where it listens: %s", lines).isPositive();
      traffic(port);
      // The client sees the 1008 before the node has necessarily logged it: wait (bounded) for the session's
      // line, so SIGTERM does not race it.
      long logged = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (lines.stream().noneMatch(l -> l.contains("logged") && l.contains("logs-node-")) && System.nanoTime() < logged) {
        String line = output.poll(100, TimeUnit.MILLISECONDS);
        if (line != null) {
          lines.add(line);
        }
      }
      process.destroy();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the node exits after SIGTERM").isTrue();
      reader.join(TimeUnit.SECONDS.toMillis(10));
      output.drainTo(lines);
    } finally {
      process.destroyForcibly();
    }
    // Logback's own status lines would show a broken configuration; the node's lines are all there is.
    return lines.stream().filter(line -> !line.isBlank()).collect(Collectors.toList());
  }

  /** Several connections (Vert.x registers its connection gauges again for each), then a bad frame. */
  private static void traffic(int port) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    for (int i = 0; i < 3; i++) {
      HttpClient fresh = HttpClient.newHttpClient();
      assertThat(fresh.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    WebSocket socket = client.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/logged?user=ann"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
          }
        }).get(20, TimeUnit.SECONDS);
    socket.sendText("not json", true);
    assertThat(closed.get(20, TimeUnit.SECONDS)).as("closed for the bad frame").isEqualTo(1008);
  }

  /** The test's class path without the test classes, so the node reads the shipped logback.xml. */
  private static String mainClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
  }
}
