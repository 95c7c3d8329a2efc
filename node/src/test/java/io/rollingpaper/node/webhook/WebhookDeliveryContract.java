package io.rollingpaper.node.webhook;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rollingpaper.node.config.WebhookSettings;
import io.rollingpaper.node.support.Poll;
import io.rollingpaper.node.support.WebhookReceiver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook's delivery rules, for each outbox: signed, at least once, one deliverer at a time per
 * event, retried with back-off, taken over when a claimer's lease ends, dead-lettered when attempts
 * run out. Deliverers are "nodes": each has its own owner id and its own view of the outbox.
 */
@Timeout(60)
abstract class WebhookDeliveryContract {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliveryContract.class);
  static final String SECRET = "0123456789abcdef0123456789abcdef-test";
  static Vertx vertx;

  WebhookReceiver receiver;
  final List<WebhookDeliverer> deliverers = new ArrayList<>();
  final List<WebhookMetrics> metrics = new ArrayList<>();

  /** The outbox as one more node sees it (the same rows as every other call's). */
  abstract WebhookOutbox nodeOutbox();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  @BeforeEach
  void listen() {
    receiver = new WebhookReceiver(vertx).listen().await();
  }

  @AfterEach
  void stop() {
    deliverers.forEach(d -> d.stop().await());
    receiver.close().await();
  }

  WebhookSettings settings(int maxAttempts, Duration maxAge) {
    return new WebhookSettings(URI.create(receiver.url()), SECRET, maxAttempts, maxAge, Duration.ofMillis(100),
        Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMillis(400));
  }

  WebhookDeliverer deliverer(WebhookOutbox outbox, WebhookSettings settings) {
    WebhookMetrics meters = new WebhookMetrics(new SimpleMeterRegistry());
    WebhookDeliverer deliverer = new WebhookDeliverer(vertx, "node" + deliverers.size(), outbox, settings, meters,
        Clock.systemUTC());
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> deliverer.start());
    deliverers.add(deliverer);
    metrics.add(meters);
    return deliverer;
  }

  static WebhookEvent event(String paper) {
    return WebhookEvent.completed(paper, "{\"paper\":\"" + paper + "\",\"epoch\":\"e\",\"seq\":3,\"status\":\"completed\","
        + "\"notes\":[{\"id\":\"n\",\"text\":\"h\\u00e9\"}]}", Instant.now());
  }

  void awaitUntil(String what, long timeoutMs, java.util.function.BooleanSupplier condition) {
    Poll.until(vertx, what, timeoutMs, () -> Future.succeededFuture(condition.getAsBoolean())).await();
  }

  void awaitEmpty(String what, long timeoutMs, WebhookOutbox outbox) {
    Poll.until(vertx, what, timeoutMs, () -> outbox.backlog().map(n -> n == 0)).await();
  }

  @Test
  void anEventIsPostedOnceSignedWithTheSharedSecret() {
    WebhookOutbox outbox = nodeOutbox();
    deliverer(outbox, settings(5, Duration.ofDays(1)));
    WebhookEvent event = event("signed");

    outbox.enqueue(event).await();

    awaitUntil("delivered", 10_000, () -> metrics.get(0).count("delivered") == 1);
    awaitEmpty("backlog counted", 5_000, outbox);
    List<WebhookReceiver.Received> received = receiver.received();
    assertThat(received).hasSize(1);
    WebhookReceiver.Received post = received.get(0);
    assertThat(post.deliveryId()).isEqualTo(event.deliveryId());
    assertThat(post.body()).isEqualTo(event.body());
    assertThat(post.contentType()).isEqualTo("application/json");
    assertThat(post.signature()).isEqualTo(new WebhookSignature(SECRET).sign(post.body()))
        .isEqualTo("sha256=" + hmacHex(SECRET, post.body()));
  }

  @Test
  void aReceiverThatIsDownGetsTheEventOnceItIsBackUp() {
    int port = receiver.port();
    WebhookSettings settings = settings(50, Duration.ofDays(1));
    receiver.close().await();
    WebhookOutbox outbox = nodeOutbox();
    deliverer(outbox, settings);
    WebhookEvent event = event("down");

    outbox.enqueue(event).await();
    awaitUntil("a failed attempt", 10_000, () -> metrics.get(0).count("retry") >= 2);
    receiver = new WebhookReceiver(vertx).listen(port).await();

    awaitUntil("delivered after the receiver came back", 10_000, () -> receiver.deliveredCount(event.deliveryId()) == 1);
    awaitEmpty("recorded as delivered", 5_000, outbox);
    assertThat(receiver.received()).hasSize(1);
  }

  @Test
  void twoNodesNeverPostTheSameDeliveryAtTheSameTime() {
    // Slow answers, and a 503 for every first POST, so retries are up for grabs by either node.
    Set<String> refusedOnce = ConcurrentHashMap.newKeySet();
    receiver.answer(id -> new WebhookReceiver.Answer(refusedOnce.add(id) ? 503 : 200, 30));
    WebhookOutbox first = nodeOutbox();
    deliverer(first, settings(10, Duration.ofDays(1)));
    deliverer(nodeOutbox(), settings(10, Duration.ofDays(1)));
    List<WebhookEvent> events = IntStream.range(0, 40).mapToObj(i -> event("race" + i)).toList();

    Future.all(events.stream().map(first::enqueue).toList()).await();

    awaitUntil("all 40 delivered", 30_000, () -> events.stream().allMatch(e -> receiver.deliveredCount(e.deliveryId()) >= 1));
    awaitEmpty("all recorded", 5_000, first);
    assertThat(receiver.maxInFlightPerId()).isEqualTo(1);
    assertThat(events).allSatisfy(e -> assertThat(receiver.deliveredCount(e.deliveryId())).isEqualTo(1));
    assertThat(metrics.get(0).count("delivered") + metrics.get(1).count("delivered")).isEqualTo(40);
    LOG.info("two nodes delivered 40 events: {} and {}", metrics.get(0).count("delivered"),
        metrics.get(1).count("delivered"));
  }

  @Test
  void anEventClaimedByANodeThatDiedIsDeliveredByAnotherWhenTheLeaseEnds() {
    WebhookOutbox outbox = nodeOutbox();
    WebhookEvent event = event("crash");
    outbox.enqueue(event).await();
    long claimedAt = System.nanoTime();
    assertThat(outbox.claim("crashed-node", 10, Duration.ofSeconds(1)).await()).hasSize(1);

    deliverer(nodeOutbox(), settings(5, Duration.ofDays(1)));

    awaitUntil("delivered by the live node", 10_000, () -> receiver.deliveredCount(event.deliveryId()) == 1);
    WebhookReceiver.Received post = receiver.received().get(0);
    assertThat(Duration.ofNanos(post.atNanos() - claimedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(receiver.received()).hasSize(1);
  }

  @Test
  void anEventIsDeadLetteredAfterMaxAttemptsAndCounted() {
    receiver.answer(id -> new WebhookReceiver.Answer(500, 0));
    WebhookOutbox outbox = nodeOutbox();
    deliverer(outbox, settings(3, Duration.ofDays(1)));
    WebhookEvent event = event("dead");

    outbox.enqueue(event).await();

    awaitUntil("dead-lettered", 10_000, () -> metrics.get(0).count("dead") == 1);
    awaitEmpty("out of the backlog", 5_000, outbox);
    assertThat(receiver.received()).hasSize(3);
    assertThat(metrics.get(0).count("retry")).isEqualTo(2);
    assertThat(outbox.claim("anyone", 10, Duration.ofMinutes(1)).await()).isEmpty();
  }

  @Test
  void anEventOlderThanMaxAgeIsDeadLetteredAtItsNextFailure() {
    receiver.answer(id -> new WebhookReceiver.Answer(500, 0));
    WebhookOutbox outbox = nodeOutbox();
    deliverer(outbox, settings(100, Duration.ofHours(1)));
    WebhookEvent old = WebhookEvent.deleted("old", Instant.now().minus(Duration.ofHours(2)));

    outbox.enqueue(old).await();

    awaitUntil("dead-lettered", 10_000, () -> metrics.get(0).count("dead") == 1);
    assertThat(receiver.received()).hasSize(1);
  }

  @Test
  void measureDeliveryLatency() {
    WebhookOutbox outbox = nodeOutbox();
    WebhookDeliverer deliverer = deliverer(outbox, settings(5, Duration.ofDays(1)));
    List<Long> nudged = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      WebhookEvent event = event("latency" + i);
      long start = System.nanoTime();
      outbox.enqueue(event).await();
      vertx.runOnContext(v -> deliverer.nudge());
      awaitUntil("delivered", 10_000, () -> receiver.deliveredCount(event.deliveryId()) == 1);
      WebhookReceiver.Received post = receiver.received().stream()
          .filter(r -> r.deliveryId().equals(event.deliveryId())).findFirst().orElseThrow();
      nudged.add((post.atNanos() - start) / 1000);
    }
    nudged.sort(Long::compare);
    LOG.info("{}: enqueue -> receiver with a nudge, 20 events: median {} us, max {} us (poll-only adds up to the "
        + "100 ms poll interval)", getClass().getSimpleName(), nudged.get(10), nudged.get(19));
    assertThat(nudged).hasSize(20);
  }

  static String hmacHex(String secret, String body) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          "HmacSHA256"));
      return java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
