package io.rollingpaper.node.webhook;

import io.rollingpaper.node.config.WebhookSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One node's courier of webhook events: every poll interval (or at once after {@link #nudge()}),
 * it claims due rows of the outbox under a lease, POSTs each signed, and records the result:
 * 2xx delivered; otherwise due again after an exponential back-off with jitter, until the attempts
 * or the age run out and the row is dead-lettered. Runs on the event loop of the context that
 * called {@link #start()}; one pass at a time.
 */
public final class WebhookDeliverer {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliverer.class);
  private static final int BATCH = 16;

  private final Vertx vertx;
  private final String nodeId;
  private final String owner;
  private final WebhookOutbox outbox;
  private final WebhookSettings settings;
  private final WebhookMetrics metrics;
  private final WebhookSignature signature;
  private final Clock clock;
  private HttpClientAgent client;
  private long timer = -1;
  private Future<Void> pass = Future.succeededFuture();
  private boolean passRunning;
  private boolean again;
  private boolean stopped;

  public WebhookDeliverer(Vertx vertx, String nodeId, WebhookOutbox outbox, WebhookSettings settings,
                          WebhookMetrics metrics, Clock clock) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    // A restarted node with the same NODE_ID must not pass for the holder of its predecessor's leases.
    this.owner = nodeId + "/" + UUID.randomUUID().toString().substring(0, 8);
    this.outbox = outbox;
    this.settings = settings;
    this.metrics = metrics;
    this.signature = new WebhookSignature(settings.secret());
    this.clock = clock;
  }

  public void start() {
    client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) settings.timeout().toMillis())
        .setIdleTimeout((int) settings.timeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS));
    timer = vertx.setPeriodic(0, settings.pollInterval().toMillis(), id -> nudge());
  }

  /** Looks for due events now (e.g. right after one was queued) instead of at the next poll. */
  public void nudge() {
    if (stopped) {
      return;
    }
    if (passRunning) {
      again = true;
      return;
    }
    passRunning = true;
    pass = deliverDue().eventually(() -> outbox.backlog().onSuccess(metrics::backlog))
        .andThen(done -> {
          passRunning = false;
          if (again) {
            again = false;
            nudge();
          }
        })
        .recover(failure -> {
          LOG.warn("node={} webhook outbox unreachable: {}", nodeId, failure.toString());
          return Future.succeededFuture();
        });
  }

  private Future<Void> deliverDue() {
    return outbox.claim(owner, BATCH, settings.lease()).compose(claimed -> {
      List<Future<Void>> each = claimed.stream().map(this::deliver).toList();
      return Future.join(each).<Void>mapEmpty().compose(done -> {
        if (claimed.size() == BATCH) {
          again = true;
        }
        return Future.succeededFuture();
      }, failed -> Future.succeededFuture());
    });
  }

  private Future<Void> deliver(Delivery delivery) {
    WebhookEvent event = delivery.event();
    return post(event).transform(result -> {
      if (result.succeeded() && result.result() / 100 == 2) {
        metrics.delivered();
        return outbox.delivered(event.deliveryId(), owner);
      }
      String why = result.succeeded() ? "HTTP " + result.result() : result.cause().toString();
      return failed(delivery, why);
    });
  }

  private Future<Integer> post(WebhookEvent event) {
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(settings.url().toString())
        .setConnectTimeout(settings.timeout().toMillis())
        .setIdleTimeout(settings.timeout().toMillis())
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Rolling-Paper-Signature", signature.sign(event.body()))
        .putHeader("X-Rolling-Paper-Delivery", event.deliveryId());
    return client.request(request)
        .compose(req -> req.send(Buffer.buffer(event.body())))
        .compose(response -> response.body().map(body -> response.statusCode()))
        .timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private Future<Void> failed(Delivery delivery, String why) {
    WebhookEvent event = delivery.event();
    Duration age = Duration.between(event.createdAt(), clock.instant());
    if (delivery.attempt() >= settings.maxAttempts() || age.compareTo(settings.maxAge()) >= 0) {
      metrics.dead();
      LOG.error("node={} paper={} delivery={} webhook {} dead-lettered after {} attempts over {}s: {}", nodeId,
          event.paperId(), event.deliveryId(), event.type(), delivery.attempt(), age.toSeconds(), why);
      return outbox.deadLettered(event.deliveryId(), owner, why);
    }
    Duration retryIn = backoff(delivery.attempt());
    metrics.retried();
    LOG.warn("node={} paper={} delivery={} webhook {} attempt {} failed ({}); next in {} ms", nodeId, event.paperId(),
        event.deliveryId(), event.type(), delivery.attempt(), why, retryIn.toMillis());
    return outbox.failed(event.deliveryId(), owner, retryIn, why);
  }

  /** Exponential back-off with "equal jitter": between half and all of base * 2^(attempt-1), capped. */
  Duration backoff(int attempt) {
    long base = settings.retryBase().toMillis();
    long cap = settings.retryMax().toMillis();
    long exp = attempt >= 40 ? cap : Math.min(cap, base << Math.min(attempt - 1, 40));
    long half = exp / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(exp - half + 1));
  }

  /** Stops polling, lets the pass in progress finish (bounded by the POST timeout), closes the client. */
  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return pass.eventually(() -> client == null ? Future.succeededFuture() : client.close());
  }

  /** Which claims are this deliverer's (for logs and tests). */
  public String owner() {
    return owner;
  }
}
